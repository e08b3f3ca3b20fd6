import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { MetricsRegistry } from "./metrics-registry";

export { Counter, Gauge, Histogram, MetricsRegistry } from "./metrics-registry";

/**
 * `app.metrics`: the registry every module adds its metrics to, served by GET /metrics (health
 * module). This plugin contributes the HTTP counters and latency histograms and the process and
 * Node.js runtime metrics (CPU, memory, event-loop lag, GC).
 */

declare module "fastify" {
  interface FastifyInstance {
    metrics: MetricsRegistry;
  }
}

async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const registry = new MetricsRegistry(
    (metric, error) => app.log.warn({ err: error, metric }, "metric collection failed; scraped without it"),
    { processMetrics: true },
  );

  const requests = registry.counter({
    name: "http_requests_total",
    help: "HTTP responses sent, by method, route pattern and status",
    labelNames: ["method", "route", "status_code"],
  });
  const duration = registry.histogram({
    name: "http_request_duration_seconds",
    help: "Time from receiving a request to sending its response, by method, route pattern and status",
    labelNames: ["method", "route", "status_code"],
  });
  app.addHook("onResponse", async (request, reply) => {
    // The route pattern, not the URL: ids in paths would make one series per resource.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.decorate("metrics", registry);
}

export default fp(metricsPlugin, { name: "metrics", fastify: "5.x" });
