import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { MetricsRegistry } from "./metrics-registry";

export { Counter, Gauge, MetricsRegistry } from "./metrics-registry";

/**
 * `app.metrics`: the registry every module adds its counters and gauges to, served by
 * GET /metrics (health module). This plugin contributes the HTTP and process basics.
 */

declare module "fastify" {
  interface FastifyInstance {
    metrics: MetricsRegistry;
  }
}

async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const registry = new MetricsRegistry((metric, error) =>
    app.log.warn({ err: error, metric }, "metric collection failed; scraped without it"),
  );

  const requests = registry.counter({
    name: "http_requests_total",
    help: "HTTP responses sent, by method, route pattern and status",
    labelNames: ["method", "route", "status_code"],
  });
  app.addHook("onResponse", async (request, reply) => {
    // The route pattern, not the URL: ids in paths would make one series per resource.
    requests.inc({
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      status_code: String(reply.statusCode),
    });
  });

  registry
    .gauge({ name: "process_start_time_seconds", help: "Start time of the process since the Unix epoch" })
    .set(Math.round(Date.now() / 1000 - process.uptime()));
  registry.gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory of the process",
    collect: (gauge) => gauge.set(process.memoryUsage.rss()),
  });
  registry.gauge({
    name: "nodejs_heap_used_bytes",
    help: "V8 heap in use",
    collect: (gauge) => gauge.set(process.memoryUsage().heapUsed),
  });

  app.decorate("metrics", registry);
}

export default fp(metricsPlugin, { name: "metrics", fastify: "5.x" });
