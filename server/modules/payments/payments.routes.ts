import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { LEDGER_PARTIES, principalOf, REGULATOR_OR_HOSPITAL, scopeOf } from "../auth/auth.plugin";
import { bearer } from "../../../api/common";
import { jsonOrCsv } from "../../../api/csv";
import { errorResponses } from "../../../api/errors";
import {
  ListPaymentsQuery,
  OverdueQuery,
  OverdueReport,
  PaymentPage,
  SpendQuery,
  SpendReport,
} from "../../../api/payments";
import { requestLedgerNow } from "../../plugins/chain";
import { appError } from "../../plugins/error-catalogue";
import { OVERDUE_COLUMNS, toCsv } from "../reconciliation/reconciliation.csv";
import { reportScope, reportsNow, sendCsv, wantsCsv } from "../reconciliation/reports.http";
import { listPayments, monthStart, spendByMonth } from "./payments.repository";

/**
 * Whose overdue payments a caller watches: a regulator any hospital's, a payer those its money
 * pays for, a supplier its own shipments', a hospital its own.
 */
function overdueParties(request: FastifyRequest, asked: string | undefined) {
  const p = principalOf(request);
  if (p.roles.includes("payer") && !p.roles.includes("regulator"))
    return { payer: p.address.toLowerCase(), hospital: asked?.toLowerCase() };
  const { supplier } = scopeOf(request);
  return supplier ? { supplier, hospital: asked } : { hospital: reportScope(request, asked) };
}

/**
 * /v1/payments: settlements per supplier, order and status, scoped like orders (own hospital,
 * own supplier, or all); and the payments held past the policy limit.
 */
const paymentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // "" and not "/": the list is /v1/payments, without a trailing-slash twin.
  app.get(
    "",
    {
      onRequest: app.requireRole(...LEDGER_PARTIES),
      schema: {
        security: bearer,
        tags: ["payments"],
        summary: "Settlements with amounts, penalty, transaction and time from acceptance to payment",
        querystring: ListPaymentsQuery,
        response: { 200: PaymentPage, ...errorResponses },
      },
    },
    async (request) => {
      // ajv fills in the schema's default, so a limit is always set.
      const limit = request.query.limit!;
      return listPayments(app.db, {
        ...request.query,
        limit,
        ...scopeOf(request),
        served: app.config.hospital,
      });
    },
  );

  app.get(
    "/overdue",
    {
      // A supplier sees its own shipments' holds: why it is not paid yet.
      // A payer sees the shipments its money pays for.
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL, "supplier", "payer"),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary:
          "Accepted shipments not paid after N days, with why each is held (a hospital's own, a supplier's own, or all)",
        querystring: OverdueQuery,
        response: { 200: jsonOrCsv(OverdueReport, "the overdue payments"), ...errorResponses },
      },
    },
    async (request, reply) => {
      // ajv fills in the schema's default (30, the national policy), so days is always set.
      const days = request.query.days!;
      const reports = await reportsNow(app, request);
      const parties = overdueParties(request, request.query.hospital);
      const page = await reports.overduePayments(days, parties, request.query);
      if (wantsCsv(request))
        return sendCsv(reply, "overdue-payments", toCsv(page.items, OVERDUE_COLUMNS), page.nextCursor);
      return { days, ...page };
    },
  );

  app.get(
    "/spend",
    {
      onRequest: app.requireRole(...LEDGER_PARTIES),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary:
          "Money paid to suppliers by product category and month (a hospital's own, a supplier's own, or all)",
        querystring: SpendQuery,
        response: { 200: SpendReport, ...errorResponses },
      },
    },
    async (request) => {
      const { timeZone } = app.config.console;
      const q = request.query;
      const to = q.to ? new Date(q.to) : await requestLedgerNow(app.chain, request);
      const from = q.from ? new Date(q.from) : await monthStart(app.db, to, 11, timeZone);
      if (from >= to) throw appError("VALIDATION_FAILED", "from must be before to", { field: "from" });
      if (to.getTime() - from.getTime() > MAX_SPAN_MS)
        throw appError("VALIDATION_FAILED", "from must be at most 5 years before to", { field: "from" });
      const scope = scopeOf(request);
      if (q.hospital && scope.hospital && q.hospital.toLowerCase() !== scope.hospital.toLowerCase())
        throw appError("NOT_YOUR_HOSPITAL", `you may report on ${scope.hospital} only`);
      // A regulator's or a supplier's may name a hospital; a hospital's staff see their own.
      const hospital = scope.hospital ?? q.hospital;
      const rows = await spendByMonth(app.db, { from, to, timeZone, hospital, supplier: scope.supplier });
      return { from: from.toISOString(), to: to.toISOString(), timeZone, rows };
    },
  );
};

/** Five years and a leap day or two: a report's range is bounded, and so is its work. */
const MAX_SPAN_MS = (5 * 365 + 2) * 24 * 60 * 60 * 1000;

export default paymentsRoutes;
