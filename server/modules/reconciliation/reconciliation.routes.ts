import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { principalOf, REGULATOR_OR_HOSPITAL } from "../auth/auth.plugin";
import { bearer } from "../../../api/common";
import { jsonOrCsv } from "../../../api/csv";
import { errorResponses } from "../../../api/errors";
import { ReconciliationQuery, ReconciliationReport } from "../../../api/reconciliation";
import { RECONCILIATION_COLUMNS, toCsv } from "./reconciliation.csv";
import { reportScope, reportsNow, sendCsv, wantsCsv } from "./reports.http";

/**
 * /v1/reconciliation: the regulator's purchase vs receipt vs use, as JSON or as CSV with
 * `Accept: text/csv`. Regulators see every hospital; a hospital's staff see their own figures,
 * where a serial received or used elsewhere is flagged without naming the other hospital.
 */
const reconciliationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // "" and not "/": the report is /v1/reconciliation, without a trailing-slash twin.
  app.get(
    "",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary: "Purchase vs receipt vs use per hospital × GTIN × lot, with flags and their evidence",
        querystring: ReconciliationQuery,
        response: { 200: jsonOrCsv(ReconciliationReport, "the reconciliation"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const reports = await reportsNow(app, request);
      const report = await reports.report(
        { ...request.query, hospital: reportScope(request, request.query.hospital) },
        principalOf(request).roles.includes("regulator"),
      );
      if (wantsCsv(request))
        return sendCsv(
          reply,
          "reconciliation",
          toCsv(report.rows, RECONCILIATION_COLUMNS),
          report.nextCursor,
        );
      return report;
    },
  );
};

export default reconciliationRoutes;
