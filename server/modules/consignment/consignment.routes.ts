import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  ConsignedStockPage,
  ConsignmentMovementPage,
  ConsignmentQuery,
  ConsumptionBatchPage,
} from "../../../api/consignment";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import { LEDGER_PARTIES, scopeOf } from "../auth/auth.plugin";
import { ConsignmentRepository } from "./consignment.repository";

/**
 * /v1/consignment: consigned stock, consumption batches and movements, for the parties: a
 * hospital's accounts see their hospital's, a supplier its own, a regulator everyone's. The acts
 * (offer, elect, return) are relayed ledger calls (POST /v1/relay).
 */
const consignmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = new ConsignmentRepository(app.db);
  const common = { onRequest: app.requireRole(...LEDGER_PARTIES) };

  app.get(
    "/stock",
    {
      ...common,
      schema: {
        security: bearer,
        tags: ["consignment"],
        summary: "Consigned stock per shipment: received, used, returned, expired, on hand, held and paid",
        querystring: ConsignmentQuery,
        response: { 200: ConsignedStockPage, ...errorResponses },
      },
    },
    // The caller's scope overrides a filter outside it.
    async (request) => repo.stock({ ...request.query, ...scopeOf(request) }),
  );

  app.get(
    "/batches",
    {
      ...common,
      schema: {
        security: bearer,
        tags: ["consignment"],
        summary: "Consumption batches: units used, amount paid, transaction and outbox status",
        querystring: ConsignmentQuery,
        response: { 200: ConsumptionBatchPage, ...errorResponses },
      },
    },
    async (request) => repo.batches({ ...request.query, ...scopeOf(request) }),
  );

  app.get(
    "/movements",
    {
      ...common,
      schema: {
        security: bearer,
        tags: ["consignment"],
        summary: "Units leaving consigned stock: consumption lines, returns and expiry write-offs",
        querystring: ConsignmentQuery,
        response: { 200: ConsignmentMovementPage, ...errorResponses },
      },
    },
    async (request) => repo.movements({ ...request.query, ...scopeOf(request) }),
  );
};

export default consignmentRoutes;
