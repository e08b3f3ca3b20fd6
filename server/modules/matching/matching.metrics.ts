import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { openByReason } from "../exceptions/exceptions.repository";
import { matchesByStatus } from "./matching.repository";

/** Matching outcomes for /metrics: receipts by match status, open exceptions by reason code. */
async function matchingMetrics(app: FastifyInstance): Promise<void> {
  app.metrics.gauge({
    name: "matching_receipts",
    help: "goods receipts by match result",
    labelNames: ["status"],
    collect: async (g) => {
      for (const r of await matchesByStatus(app.db)) g.set({ status: r.status }, r.n);
    },
  });
  app.metrics.gauge({
    name: "exceptions_open",
    help: "open exceptions by reason code (an exception with several reasons counts under each)",
    labelNames: ["reason"],
    collect: async (g) => {
      for (const r of await openByReason(app.db)) g.set({ reason: r.reason }, r.n);
    },
  });
}

export default fp(matchingMetrics, {
  name: "matching-metrics",
  fastify: "5.x",
  dependencies: ["db", "metrics"],
});
