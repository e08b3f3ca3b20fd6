import type { FastifyInstance } from "fastify";
import { appError } from "../../plugins/error-catalogue";
import { scopeOf, visible } from "../auth/auth.plugin";
import {
  address,
  bearer,
  errorResponses,
  idString,
  lastChange,
  open,
  pageOf,
  paginationQuery,
} from "../../lib/schemas";
import { LedgerRepository } from "./ledger.repository";

/**
 * The indexed ledger, read-only. Qualification, tenders and agreements are public procurement
 * facts any signed-in account may read; orders and shipments are visible to the regulator, the
 * ordering hospital and the supplying supplier only (others get 404, not a hint that it exists).
 */

const supplier = open({ address, name: { type: "string" }, status: { type: "string" }, lastChange });
const tender = open({ id: idString, category: { type: "string" }, status: { type: "string" }, lastChange });
const agreement = open({ id: idString, supplier: address, tiers: { type: "array" }, lastChange });
const order = open({
  id: idString,
  hospital: address,
  supplier: address,
  status: { type: "string" },
  value: { type: "string" },
  lastChange,
});
const shipment = open({
  id: idString,
  orderId: idString,
  gtin: { type: "string" },
  lot: { type: "string" },
  lastChange,
});

const idParams = { type: "object", required: ["id"], properties: { id: idString } } as const;

export default async function ledgerRoutes(app: FastifyInstance): Promise<void> {
  const repo = new LedgerRepository(app.db);
  const signedIn = app.requireRole();
  const common = { security: bearer };

  app.get<{ Querystring: { limit: number; cursor?: string; status?: string } }>(
    "/v1/suppliers",
    {
      preHandler: signedIn,
      schema: {
        ...common,
        tags: ["ledger"],
        summary: "Suppliers and their qualification status",
        querystring: {
          type: "object",
          properties: { ...paginationQuery, status: { type: "string", enum: ["active", "suspended"] } },
        },
        response: { 200: pageOf(supplier), ...errorResponses },
      },
    },
    async (request) => repo.listSuppliers(request.query),
  );

  app.get<{ Params: { address: string } }>(
    "/v1/suppliers/:address",
    {
      preHandler: signedIn,
      schema: {
        ...common,
        tags: ["ledger"],
        summary: "A supplier with its qualification documents",
        params: { type: "object", required: ["address"], properties: { address } },
        response: { 200: supplier, ...errorResponses },
      },
    },
    async (request) => {
      const found = await repo.getSupplier(request.params.address);
      if (!found) throw appError("SUPPLIER_NOT_FOUND", `no supplier ${request.params.address} on the ledger`);
      return found;
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string; status?: string; category?: string } }>(
    "/v1/tenders",
    {
      preHandler: signedIn,
      schema: {
        ...common,
        tags: ["ledger"],
        summary: "Tenders",
        querystring: {
          type: "object",
          properties: {
            ...paginationQuery,
            status: { type: "string", enum: ["open", "awarded", "failed", "cancelled"] },
            category: { type: "string" },
          },
        },
        response: { 200: pageOf(tender), ...errorResponses },
      },
    },
    async (request) => repo.listTenders(request.query),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/tenders/:id",
    {
      preHandler: signedIn,
      schema: {
        ...common,
        tags: ["ledger"],
        summary: "A tender with its bids",
        params: idParams,
        response: { 200: tender, ...errorResponses },
      },
    },
    async (request) => {
      const found = await repo.getTender(request.params.id);
      if (!found) throw appError("TENDER_NOT_FOUND", `no tender ${request.params.id} on the ledger`);
      return found;
    },
  );

  app.get<{
    Querystring: { limit: number; cursor?: string; supplier?: string; category?: string; tenderId?: string };
  }>(
    "/v1/agreements",
    {
      preHandler: signedIn,
      schema: {
        ...common,
        tags: ["ledger"],
        summary: "Agreements awarded by tenders",
        querystring: {
          type: "object",
          properties: {
            ...paginationQuery,
            supplier: address,
            category: { type: "string" },
            tenderId: idString,
          },
        },
        response: { 200: pageOf(agreement), ...errorResponses },
      },
    },
    async (request) => repo.listAgreements(request.query),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/agreements/:id",
    {
      preHandler: signedIn,
      schema: {
        ...common,
        tags: ["ledger"],
        summary: "An agreement with its hospitals' committed, funded and accepted volumes",
        params: idParams,
        response: { 200: agreement, ...errorResponses },
      },
    },
    async (request) => {
      const found = await repo.getAgreement(request.params.id);
      if (!found) throw appError("AGREEMENT_NOT_FOUND", `no agreement ${request.params.id} on the ledger`);
      return found;
    },
  );

  app.get<{
    Querystring: {
      limit: number;
      cursor?: string;
      hospital?: string;
      supplier?: string;
      agreementId?: string;
      status?: string;
    };
  }>(
    "/v1/orders",
    {
      preHandler: signedIn,
      schema: {
        ...common,
        tags: ["ledger"],
        summary: "Orders (the caller's hospital's or supplier's; all for a regulator)",
        querystring: {
          type: "object",
          properties: {
            ...paginationQuery,
            hospital: address,
            supplier: address,
            agreementId: idString,
            status: { type: "string", enum: ["placed", "funded", "closed", "cancelled"] },
          },
        },
        response: { 200: pageOf(order), ...errorResponses },
      },
    },
    async (request) => repo.listOrders({ ...request.query, ...scopeOf(request) }),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/orders/:id",
    {
      preHandler: signedIn,
      schema: {
        ...common,
        tags: ["ledger"],
        summary: "An order with its approvals",
        params: idParams,
        response: { 200: order, ...errorResponses },
      },
    },
    async (request) => {
      const found = await repo.getOrder(request.params.id);
      if (!found || !visible(scopeOf(request), found))
        throw appError("ORDER_NOT_FOUND", `no order ${request.params.id} visible to you`);
      return found;
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/shipments/:id",
    {
      preHandler: signedIn,
      schema: {
        ...common,
        tags: ["ledger"],
        summary: "A shipment with its trace events, manifest status and settlement",
        params: idParams,
        response: { 200: shipment, ...errorResponses },
      },
    },
    async (request) => {
      const found = await repo.getShipment(request.params.id);
      if (!found || !visible(scopeOf(request), found)) {
        throw appError("SHIPMENT_NOT_FOUND", `no shipment ${request.params.id} visible to you`);
      }
      return found;
    },
  );
}
