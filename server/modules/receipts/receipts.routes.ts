import type { FastifyInstance } from "fastify";
import { appError } from "../../plugins/error-catalogue";
import { hospitalOf, principalOf, REGULATOR_OR_HOSPITAL } from "../auth/auth.plugin";
import { ledgerNow } from "../../plugins/chain";
import { bearer, errorResponses, idString, idempotencyHeaders, open } from "../../lib/schemas";
import { ReceiptsService, type ReceiptRequest } from "./receipts.service";

/**
 * Goods receipts from the hospital warehouse (its receiver accounts): POST with an
 * Idempotency-Key — the same key and body return the first result, a different body is a 409.
 */

const line = {
  type: "object",
  additionalProperties: false,
  description:
    "either `barcode` (a GS1 scan: bracketed, raw with GS, or Digital Link) or `gtin` with lot/expiry/serial",
  properties: {
    barcode: { type: "string", minLength: 1, maxLength: 2000 },
    gtin: { type: "string", pattern: "^[0-9]{14}$" },
    lot: { type: "string", minLength: 1, maxLength: 20 },
    expiry: { type: "string", format: "date" },
    serial: { type: "string", minLength: 1, maxLength: 20 },
    quantity: { type: "integer", minimum: 1, default: 1 },
    rejected: { type: "integer", minimum: 0, default: 0 },
    rejectReason: { type: "string", maxLength: 200 },
  },
  oneOf: [{ required: ["barcode"] }, { required: ["gtin"] }],
} as const;

const result = open({
  receiptNo: { type: "string" },
  shipmentId: { type: "string" },
  orderId: { type: "string" },
  receivedAt: { type: "string" },
  receiptHash: { type: "string" },
  received: { type: "string" },
  match: open({
    status: { type: "string", enum: ["matched", "exception"] },
    accepted: { type: "string" },
    rejected: { type: "string" },
    reasons: { type: "array", items: open({ code: { type: "string" }, message: { type: "string" } }) },
  }),
  exceptionId: { type: ["string", "null"] },
  settlement: { type: "string", enum: ["queued", "held"] },
});

export default async function receiptsRoutes(app: FastifyInstance): Promise<void> {
  const { ledger } = app.chain;
  const service = new ReceiptsService(
    app.db,
    {
      isQualified: (supplier, category, at) =>
        ledger.registry.isQualified(supplier, category, Math.floor(at.getTime() / 1000)),
      isRecalled: (gtin, lot, supplier) => ledger.trace.isRecalled(BigInt(gtin), lot, supplier),
    },
    app.config.matching,
    () => ledgerNow(app.chain),
  );

  app.post<{ Body: ReceiptRequest; Headers: { "idempotency-key": string } }>(
    "/v1/receipts",
    {
      preHandler: app.requireRole("hospital-receiver"),
      schema: {
        security: bearer,
        tags: ["receipts"],
        summary:
          "Record a goods receipt; it is matched at once and queued for payment or held as an exception",
        headers: idempotencyHeaders,
        body: {
          type: "object",
          required: ["receiptNo", "shipmentId", "receivedAt", "lines"],
          additionalProperties: false,
          properties: {
            receiptNo: { type: "string", minLength: 1, maxLength: 64 },
            shipmentId: idString,
            receivedAt: { type: "string", format: "date-time" },
            lines: { type: "array", minItems: 1, maxItems: 10_000, items: line },
          },
        },
        response: { 200: result, 201: result, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // The schema requires the header, so it is always there.
      const key = request.headers["idempotency-key"];
      const outcome = await service.submit(
        request.body,
        { address: principal.address, hospital: hospitalOf(request) },
        key,
      );
      if (outcome.replayed) reply.header("idempotent-replayed", "true");
      return reply.code(outcome.statusCode).send(outcome.body);
    },
  );

  app.get<{ Params: { receiptNo: string } }>(
    "/v1/receipts/:receiptNo",
    {
      preHandler: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["receipts"],
        summary: "A goods receipt with its lines, match result and settlement status",
        params: {
          type: "object",
          required: ["receiptNo"],
          properties: { receiptNo: { type: "string", maxLength: 64 } },
        },
        response: {
          200: open({ receiptNo: { type: "string" }, lines: { type: "array" } }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const found = await service.get(
        request.params.receiptNo,
        p.roles.includes("regulator") ? null : hospitalOf(request),
      );
      if (!found)
        throw appError("RECEIPT_NOT_FOUND", `no receipt ${request.params.receiptNo} visible to you`);
      return found;
    },
  );
}
