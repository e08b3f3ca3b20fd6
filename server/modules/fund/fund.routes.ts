import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { bearer } from "../../../api/common";
import { jsonOrCsv } from "../../../api/csv";
import { errorResponses } from "../../../api/errors";
import { FundAccounts, FundAccountsQuery, FundStatement, FundStatementQuery } from "../../../api/fund";
import { appError } from "../../plugins/error-catalogue";
import { HOSPITAL_ROLES, principalOf } from "../auth/auth.plugin";
import { sendCsv, wantsCsv } from "../reconciliation/reports.http";
import { toCsv } from "../reconciliation/reconciliation.csv";
import { fundAccounts, statementLines, type FundScope } from "./fund.repository";
import { accountTotals, STATEMENT_COLUMNS, statementTotals } from "./fund.statement";
import type { FastifyRequest } from "fastify";

/**
 * /v1/fund: the fund's accounts and the monthly reimbursement statement. A payer sees the
 * tenders it covers, a hospital its own accounts, a regulator everything.
 */
function fundScope(request: FastifyRequest, hospital?: string): FundScope {
  const p = principalOf(request);
  const asked = hospital?.toLowerCase();
  if (p.roles.includes("regulator")) return { hospital: asked };
  if (p.roles.includes("payer")) return { payer: p.address.toLowerCase(), hospital: asked };
  // A hospital account: its own, whatever it asked for. Fails closed for an account with no
  // hospital (sign-in never gives a hospital role without one).
  if (!p.hospital) throw appError("FORBIDDEN", `${p.address} does not belong to a hospital`);
  return { hospital: p.hospital };
}

const READERS = ["payer", "regulator", ...HOSPITAL_ROLES] as const;

const fundRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/accounts",
    {
      onRequest: app.requireRole(...READERS),
      schema: {
        security: bearer,
        tags: ["fund"],
        summary:
          "The fund's prepayment and escrow accounts per agreement and hospital, with where every fen went",
        querystring: FundAccountsQuery,
        response: { 200: FundAccounts, ...errorResponses },
      },
    },
    async (request) => {
      const items = await fundAccounts(app.db, {
        ...fundScope(request, request.query.hospital),
        agreementId: request.query.agreementId,
      });
      return { items, totals: accountTotals(items) };
    },
  );

  app.get(
    "/statements",
    {
      onRequest: app.requireRole(...READERS),
      schema: {
        security: bearer,
        tags: ["fund"],
        summary:
          "The month's statement per hospital: the fund's money paid to suppliers and the same amount deducted from reimbursement",
        querystring: FundStatementQuery,
        response: { 200: jsonOrCsv(FundStatement, "the month's statement"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { month, hospital } = request.query;
      const timeZone = app.config.console.timeZone;
      const lines = await statementLines(app.db, { ...fundScope(request, hospital), month, timeZone });
      if (wantsCsv(request))
        return sendCsv(reply, `fund-statement-${month}`, toCsv(lines, STATEMENT_COLUMNS), null);
      return { month, timeZone, hospitals: statementTotals(lines), lines };
    },
  );
};

export default fundRoutes;
