import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/** Matching outcomes for /metrics: receipts by match status, open exceptions by reason code. */
async function matchingMetrics(app: FastifyInstance): Promise<void> {
  app.metrics.gauge({
    name: "matching_receipts",
    help: "goods receipts by match result",
    labelNames: ["status"],
    collect: async (g) => {
      const { rows } = await app.db.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM matches GROUP BY status`,
      );
      for (const r of rows) g.set({ status: r.status }, r.n);
    },
  });
  app.metrics.gauge({
    name: "exceptions_open",
    help: "open exceptions by reason code (an exception with several reasons counts under each)",
    labelNames: ["reason"],
    collect: async (g) => {
      const { rows } = await app.db.query<{ reason: string; n: number }>(
        `SELECT r->>'code' AS reason, count(*)::int AS n
         FROM exceptions e, jsonb_array_elements(e.reasons) r WHERE e.status = 'open' GROUP BY 1`,
      );
      for (const r of rows) g.set({ reason: r.reason }, r.n);
    },
  });
}

export default fp(matchingMetrics, {
  name: "matching-metrics",
  fastify: "5.x",
  dependencies: ["db", "metrics"],
});
