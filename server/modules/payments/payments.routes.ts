import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { LEDGER_PARTIES, REGULATOR_OR_HOSPITAL, scopeOf } from "../auth/auth.plugin";
import { bearer } from "../../../api/common";
import { jsonOrCsv } from "../../../api/csv";
import { errorResponses } from "../../../api/errors";
import { ListPaymentsQuery, OverdueQuery, OverdueReport, PaymentPage } from "../../../api/payments";
import { OVERDUE_COLUMNS, toCsv } from "../reconciliation/reconciliation.csv";
import { reportScope, reportsNow, sendCsv, wantsCsv } from "../reconciliation/reports.http";
import { listPayments } from "./payments.repository";

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
      return listPayments(app.db, { ...request.query, limit, ...scopeOf(request) });
    },
  );

  app.get(
    "/overdue",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary: "Accepted shipments not paid after N days, with why each is held",
        querystring: OverdueQuery,
        response: { 200: jsonOrCsv(OverdueReport, "the overdue payments"), ...errorResponses },
      },
    },
    async (request, reply) => {
      // ajv fills in the schema's default (30, the national policy), so days is always set.
      const days = request.query.days!;
      const reports = await reportsNow(app);
      const page = await reports.overduePayments(
        days,
        reportScope(request, request.query.hospital),
        request.query,
      );
      if (wantsCsv(request))
        return sendCsv(reply, "overdue-payments", toCsv(page.items, OVERDUE_COLUMNS), page.nextCursor);
      return { days, ...page };
    },
  );
};

export default paymentsRoutes;
