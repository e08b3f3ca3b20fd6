import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { appError } from "../../plugins/error-catalogue";
import { hospitalOf, ownHospital, principalOf, REGULATOR_OR_HOSPITAL } from "../auth/auth.plugin";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import {
  ListReceiptsQuery,
  Receipt,
  ReceiptHeaders,
  ReceiptPage,
  ReceiptParams,
  ReceiptQuery,
  ReceiptRequest,
  ReceiptResult,
} from "../../../api/receipts";
import { listReceipts } from "./receipts.repository";
import { ledgerViews } from "./receipts.ledger";
import { ReceiptsService } from "./receipts.service";

/**
 * /v1/receipts: goods receipts from the hospital warehouse (its receiver accounts). POST with
 * an Idempotency-Key — the same key and body return the first result, a different body is a 409.
 * Read (listed or one by one) by the hospital's staff, and by regulators for every hospital.
 */
const receiptsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new ReceiptsService(app.db, app.config.matching);
  const ledgerAt = ledgerViews(app.chain);

  // "" and not "/": the collection is /v1/receipts, without a trailing-slash twin.
  app.post(
    "",
    {
      onRequest: app.requireRole("hospital-receiver"),
      schema: {
        security: bearer,
        tags: ["receipts"],
        summary:
          "Record a goods receipt; it is matched at once and queued for payment or held as an exception",
        headers: ReceiptHeaders,
        body: ReceiptRequest,
        response: { 200: ReceiptResult, 201: ReceiptResult, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const outcome = await service.submit(
        request.body,
        { address: principal.address, hospital: hospitalOf(request) },
        request.headers["idempotency-key"],
        await ledgerAt(request),
      );
      if (outcome.replayed) reply.header("idempotent-replayed", "true");
      // Committed: the payment worker sends its payment, or a held receipt's dispute, now
      // instead of at its next poll.
      else app.settlementWorker?.wake();
      // The status the first request answered (201), stored with its body for replays.
      return reply.code(outcome.statusCode as 201).send(outcome.body);
    },
  );

  app.get(
    "",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["receipts"],
        summary:
          "Goods receipts by shipment id with their match status (the caller's hospital's; all for a regulator)",
        querystring: ListReceiptsQuery,
        response: { 200: ReceiptPage, ...errorResponses },
      },
    },
    async (request) => listReceipts(app.db, request.query, ownHospital(request)),
  );

  app.get(
    "/:receiptNo",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["receipts"],
        summary:
          "A goods receipt (numbers are unique per hospital) with its lines, match result and settlement status",
        params: ReceiptParams,
        querystring: ReceiptQuery,
        response: { 200: Receipt, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const found = await service.get(request.params.receiptNo, {
        own: p.roles.includes("regulator") ? null : hospitalOf(request),
        asked: request.query.hospital,
      });
      if (!found)
        throw appError("RECEIPT_NOT_FOUND", `no receipt ${request.params.receiptNo} visible to you`);
      return found;
    },
  );
};

export default receiptsRoutes;
