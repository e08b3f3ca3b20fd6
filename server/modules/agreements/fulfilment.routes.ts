import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { REGULATOR_OR_HOSPITAL, scopeOf } from "../auth/auth.plugin";
import { bearer } from "../../../api/common";
import { jsonOrCsv } from "../../../api/csv";
import { errorResponses } from "../../../api/errors";
import { FulfilmentParams, FulfilmentQuery, FulfilmentReport } from "../../../api/fulfilment";
import { FULFILMENT_COLUMNS, fulfilmentCsvRows, toCsv } from "../reconciliation/reconciliation.csv";
import { reportsNow, sendCsv, wantsCsv } from "../reconciliation/reports.http";

/**
 * GET /v1/agreements/:id/fulfilment: an agreement's volume commitments against what each
 * hospital funded and accepted — for its supplier and regulators in full, for one of its
 * hospitals that hospital's row only, and 404 (as for a missing agreement) for anyone else — as
 * JSON or as CSV with `Accept: text/csv`, a page of hospitals at a time. Computed with the other
 * reports (reconciliation/); registered with the prefix /v1/agreements.
 */
const fulfilmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/:id/fulfilment",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL, "supplier"),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary:
          "Per hospital (a hospital sees its own row): committed volume vs ordered (funded, not cancelled) and accepted, and the pace needed by the end of the term",
        params: FulfilmentParams,
        querystring: FulfilmentQuery,
        response: { 200: jsonOrCsv(FulfilmentReport, "the agreement's fulfilment"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const report = await (await reportsNow(app, request)).fulfilment(id, scopeOf(request), request.query);
      if (wantsCsv(request)) {
        const csv = toCsv(fulfilmentCsvRows(report), FULFILMENT_COLUMNS);
        return sendCsv(reply, `fulfilment-${id}`, csv, report.nextCursor);
      }
      return report;
    },
  );
};

export default fulfilmentRoutes;
