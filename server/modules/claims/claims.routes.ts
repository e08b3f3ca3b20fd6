import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ClaimsQuery, ClaimsReport } from "../../../api/claims";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import { checkMonthRange } from "../../lib/month-range";
import { groupRows, MIN_GROUP_CASES, outliers } from "./claims.repository";

/**
 * GET /v1/claims: the claim audit — consumable cost per case and DRG/DIP group per hospital and
 * month, and the cases above their group's 95th percentile across hospitals. Regulators and the
 * fund's payer only: cases are a hospital's billing records, shown to the authorities that audit
 * and reimburse them.
 */
const claimsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "",
    {
      onRequest: app.requireRole("regulator", "payer"),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary: "Consumable cost per case and DRG/DIP group, per hospital and month, and the outlier cases",
        querystring: ClaimsQuery,
        response: { 200: ClaimsReport, ...errorResponses },
      },
    },
    async (request) => {
      const { from, to, hospital } = request.query;
      checkMonthRange(from, to);
      const scope = { from, to, timeZone: app.config.console.timeZone, hospital: hospital?.toLowerCase() };
      return {
        from,
        to,
        minGroupCases: MIN_GROUP_CASES,
        groups: await groupRows(app.db, scope),
        outliers: await outliers(app.db, scope),
      };
    },
  );
};

export default claimsRoutes;
