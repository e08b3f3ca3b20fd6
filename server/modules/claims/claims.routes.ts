import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ClaimsQuery, ClaimsReport, ClaimsRisk, ClaimsRiskQuery } from "../../../api/claims";
import { jsonOrCsv } from "../../../api/csv";
import { requestLedgerNow } from "../../plugins/chain";
import { ReconciliationService } from "../reconciliation/reconciliation.service";
import { sendCsv, wantsCsv } from "../reconciliation/reports.http";
import { toCsv } from "../reconciliation/reconciliation.csv";
import { CLAIMS_COLUMNS, claimsCsvRows, RISK_COLUMNS } from "./claims.csv";
import { periodInstants, riskView } from "./claims.risk";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import { checkMonthRange } from "../../lib/month-range";
import {
  groupRows,
  HIGH_VALUE_FEN,
  MIN_GROUP_CASES,
  outliers,
  RARE_USE_PERCENT,
  rareHighValueUses,
} from "./claims.repository";

/**
 * GET /v1/claims: the claim audit — consumable cost per case and DRG/DIP group per hospital and
 * month, the cases above their group's 95th percentile across hospitals, and the high-value items
 * billed on cases of groups that rarely use them. Regulators and the
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
        response: { 200: jsonOrCsv(ClaimsReport, "the claim audit"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { from, to, hospital, highValueFrom = HIGH_VALUE_FEN } = request.query;
      checkMonthRange(from, to);
      const scope = { from, to, timeZone: app.config.console.timeZone, hospital: hospital?.toLowerCase() };
      const report: ClaimsReport = {
        from,
        to,
        minGroupCases: MIN_GROUP_CASES,
        groups: await groupRows(app.db, scope),
        outliers: await outliers(app.db, scope),
        highValueFrom,
        rareUsePercent: RARE_USE_PERCENT,
        rareHighValue: await rareHighValueUses(app.db, { ...scope, highValueFrom }),
      };
      if (wantsCsv(request))
        return sendCsv(reply, `claims-${from}-${to}`, toCsv(claimsCsvRows(report), CLAIMS_COLUMNS));
      return report;
    },
  );

  app.get(
    "/risk",
    {
      onRequest: app.requireRole("regulator", "payer"),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary:
          "Per hospital: the reconciliation's flags and the claim audit's findings in the period, with the money billed on them",
        querystring: ClaimsRiskQuery,
        response: { 200: jsonOrCsv(ClaimsRisk, "the risk view"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { from, to, hospital } = request.query;
      checkMonthRange(from, to);
      const timeZone = app.config.console.timeZone;
      const scope = { from, to, timeZone, hospital: hospital?.toLowerCase() };
      const now = await requestLedgerNow(app.chain, request);
      const { start, end } = await periodInstants(app.db, scope);
      const asOf = end < now ? end : now;
      const reports = new ReconciliationService(app.db, () => now);
      const findings = {
        outliers: await outliers(app.db, scope),
        rareHighValue: await rareHighValueUses(app.db, { ...scope, highValueFrom: HIGH_VALUE_FEN }),
      };
      const risk = await riskView(app.db, reports, { ...scope, start, asOf }, findings);
      if (wantsCsv(request))
        return sendCsv(
          reply,
          `claims-risk-${from}-${to}`,
          toCsv(
            risk.hospitals.flatMap((h) => h.lines),
            RISK_COLUMNS,
          ),
        );
      return risk;
    },
  );
};

export default claimsRoutes;
