import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { bearer } from "../../../api/common";
import { jsonOrCsv } from "../../../api/csv";
import { errorResponses } from "../../../api/errors";
import { ExposureParams, RecallExposure } from "../../../api/recalls";
import { EXPOSURE_COLUMNS, exposureCsvRows, toCsv } from "../reconciliation/reconciliation.csv";
import { reportsNow, sendCsv, wantsCsv } from "../reconciliation/reports.http";

/**
 * /v1/recalls: where a lot went — every hospital and department that holds or used it — with
 * every recall of it, as JSON or as CSV with `Accept: text/csv`. The recalls themselves are
 * ledger acts (signed by a regulator or supplier), not gateway routes.
 */
const recallsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/:gtin/:lot/exposure",
    {
      // Department-level usage and patient counts: the regulator's to see.
      onRequest: app.requireRole("regulator"),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary:
          "Every hospital, department and usage that holds or used a lot, and every recall of it with its scope and lift",
        params: ExposureParams,
        response: { 200: jsonOrCsv(RecallExposure, "the lot's exposure"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { gtin, lot } = request.params;
      const report = await (await reportsNow(app, request)).recallExposure(gtin, lot);
      if (wantsCsv(request))
        return sendCsv(reply, `exposure-${gtin}-${lot}`, toCsv(exposureCsvRows(report), EXPOSURE_COLUMNS));
      return report;
    },
  );
};

export default recallsRoutes;
