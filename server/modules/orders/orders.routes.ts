import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import { ListOrdersQuery, Order, OrderPage, OrderParams } from "../../../api/orders";
import { LEDGER_PARTIES, scopeOf, visible } from "../auth/auth.plugin";
import { appError } from "../../plugins/error-catalogue";
import { OrdersRepository } from "./orders.repository";

/**
 * /v1/orders: visible to the regulator, the ordering hospital and the supplying supplier only;
 * another party gets 404, not a hint that the order exists.
 */
const ordersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = new OrdersRepository(app.db);
  const parties = app.requireRole(...LEDGER_PARTIES);

  app.get(
    // The prefix itself: "/" would register and document the path with a trailing slash.
    "",
    {
      onRequest: parties,
      schema: {
        security: bearer,
        tags: ["orders"],
        summary: "Orders (the caller's hospital's or supplier's; all for a regulator)",
        querystring: ListOrdersQuery,
        response: { 200: OrderPage, ...errorResponses },
      },
    },
    // The caller's scope overrides a hospital or supplier filter outside it.
    async (request) => repo.list({ ...request.query, ...scopeOf(request) }),
  );

  app.get(
    "/:id",
    {
      onRequest: parties,
      schema: {
        security: bearer,
        tags: ["orders"],
        summary: "An order with its approvals",
        params: OrderParams,
        response: { 200: Order, ...errorResponses },
      },
    },
    async (request) => {
      const found = await repo.get(request.params.id);
      if (!found || !visible(scopeOf(request), found))
        throw appError("ORDER_NOT_FOUND", `no order ${request.params.id} visible to you`);
      return found;
    },
  );
};

export default ordersRoutes;
