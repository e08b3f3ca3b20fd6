import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ledgerNow } from "../../plugins/chain";
import { budgetStatus } from "./department-budgets.repository";
import { monthOf } from "../../lib/month-range";
import { rowView } from "./department-budgets.service";

/**
 * Department budgets for /metrics: how many department × category budgets of the current month
 * (on the ledger's clock, in TIME_ZONE) each hospital has in each status. Counted, not one series
 * per department: department names are free text from billing systems, so a series per
 * department would grow without bound; hospitals × four statuses stays small. An alert on
 * `department_budgets{status="over"} > 0` says which hospital to look at; the API says which
 * department.
 */
async function departmentBudgetsMetrics(app: FastifyInstance): Promise<void> {
  app.metrics.gauge({
    name: "department_budgets",
    help: "department × category budgets of the current month by hospital and status (ok, warning ≥ 80 %, over ≥ 100 %, unbudgeted)",
    labelNames: ["hospital", "status"],
    collect: async (g) => {
      const timeZone = app.config.console.timeZone;
      const month = monthOf(await ledgerNow(app.chain), timeZone);
      for (const row of await budgetStatus(app.db, { from: month, to: month, timeZone })) {
        g.inc({ hospital: row.hospital, status: rowView(row).status });
      }
    },
  });
}

export default fp(departmentBudgetsMetrics, {
  name: "department-budgets-metrics",
  fastify: "5.x",
  dependencies: ["db", "metrics", "chain"],
});
