import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Health, MetricsResponse, Readiness } from "../../../api/health";
import { isOperator } from "../../plugins/readiness";

/**
 * Operational endpoints at the root, unauthenticated by design (probes and scrapers carry no token):
 * - GET /health: the process is up and serving HTTP (liveness); touches nothing else.
 * - GET /ready: every readiness check passes (200) or not (503); the checks themselves only to
 *   operators (plugins/readiness.ts, `isOperator`).
 * - GET /metrics: the metrics registry in Prometheus text format; see plugins/metrics.ts.
 */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/health",
    { schema: { tags: ["ops"], summary: "Liveness", response: { 200: Health } } },
    async () => ({ status: "ok" as const, uptimeSeconds: process.uptime() }),
  );

  app.get(
    "/ready",
    {
      schema: {
        tags: ["ops"],
        summary: "Readiness: database reachable and every other registered check passing",
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (request, reply) => {
      const report = await app.readiness.run();
      const status = report.ready ? ("ready" as const) : ("not_ready" as const);
      // The checks name our dependencies and quote their errors: operators only.
      const body = isOperator(request, app.config.opsToken) ? { status, checks: report.checks } : { status };
      return reply.code(report.ready ? 200 : 503).send(body);
    },
  );

  app.get(
    "/metrics",
    { schema: { tags: ["ops"], summary: "Prometheus metrics", response: { 200: MetricsResponse } } },
    async (_request, reply) =>
      reply.type("text/plain; version=0.0.4; charset=utf-8").send(await app.metrics.render()),
  );
};

export default healthRoutes;
