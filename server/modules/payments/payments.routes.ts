import type { FastifyInstance } from "fastify";
import { scopeOf } from "../auth/auth.plugin";
import { address, bearer, errorResponses, idString, open, pageOf, paginationQuery } from "../../lib/schemas";
import { listPayments } from "./payments.repository";

/** Payments per supplier, order and status, scoped like orders: own hospital, own supplier, or all. */
export default async function paymentsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{
    Querystring: { limit: number; cursor?: string; supplier?: string; orderId?: string; status?: string };
  }>(
    "/v1/payments",
    {
      preHandler: app.requireRole(),
      schema: {
        security: bearer,
        tags: ["payments"],
        summary: "Settlements with amounts, penalty, transaction and time from acceptance to payment",
        querystring: {
          type: "object",
          properties: {
            ...paginationQuery,
            supplier: address,
            orderId: idString,
            status: { type: "string", enum: ["pending", "submitted", "confirmed", "failed"] },
          },
        },
        response: {
          200: pageOf(
            open({
              shipmentId: { type: "string" },
              status: { type: "string" },
              paid: { type: ["string", "null"] },
              penalty: { type: ["string", "null"] },
              txHash: { type: ["string", "null"] },
              secondsToPayment: { type: ["integer", "null"] },
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      return listPayments(app.db, { ...request.query, ...scopeOf(request) });
    },
  );
}
