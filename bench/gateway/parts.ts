import { createHmac } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { Usage, UsageRequest } from "../../api/usages";
import type { Db } from "../../server/db";
import { insertOnce } from "../../server/lib/idempotency";
import { insertNewUsage, type NewUsage } from "../../server/modules/usages/usages.repository";
import { UsagesService, saltId, usageView } from "../../server/modules/usages/usages.service";
import { receiptState } from "../../server/modules/receipts/receipts.repository";
import { ReceiptsService, type LedgerView } from "../../server/modules/receipts/receipts.service";
import type { ReceiptRequest } from "../../api/receipts";
import type { MatchTolerances } from "../../server/modules/matching/matching.service";

/**
 * The usage and receipt routes taken apart, to see where their cost lies beside the bare insert.
 * Routes on a bare Fastify app (no plugins, no token, no chain read), each answering as the
 * gateway's route does:
 *
 * - `/parts/usage-statement`: one usage's statement a request (`insertOnce` with
 *   `insertNewUsage`, as the service sends a usage that arrives alone), the row taken from the
 *   body with no checks: what the database costs without grouping;
 * - `/parts/usage-service`: `UsagesService.record`, the route's whole work below HTTP (its checks,
 *   the patient's salted hash, the usages that arrive together grouped into one statement);
 * - `/parts/receipt-read`: a receipt's first statement alone, the read of its shipment and of
 *   what it must check (`receiptState`), answered with the shipment's order;
 * - `/parts/receipt-service`: `ReceiptsService.submit`, the route's whole work below HTTP (the
 *   lines parsed, the read, the matching, the write of its rows), with the chain's answers
 *   fixed: the supplier qualified, the lot not recalled.
 */

export function partsApp(
  db: Db,
  salt: string,
  actor: { address: string; hospital: string },
  /** The ledger's clock, as the gateway's routes would read it from the chain. */
  now: () => Date,
  tolerances: MatchTolerances,
) {
  const app = Fastify();
  const service = new UsagesService(db, salt);
  const row = (body: UsageRequest): NewUsage => ({
    hospital: actor.hospital.toLowerCase(),
    usageId: body.usageId,
    gtin: body.gtin ?? "",
    lot: body.lot ?? "",
    serial: null,
    expiry: null,
    barcode: null,
    department: body.department,
    campus: null,
    patientHash: createHmac("sha256", salt).update(body.patientRef).digest("hex"),
    patientSaltId: saltId(salt),
    usedAt: new Date(body.usedAt),
    billingCode: body.billingCode,
    billedAmount: BigInt(body.billedAmount),
    quantity: 1,
    correctsUsageId: null,
    recordedBy: actor.address.toLowerCase(),
  });
  type Post = { Body: UsageRequest; Headers: { "idempotency-key": string } };

  app.post<Post>("/parts/usage-statement", async (request, reply) => {
    const u = row(request.body);
    const key = request.headers["idempotency-key"];
    const outcome = await insertOnce<Usage>(
      db,
      `usages:${u.hospital}`,
      key,
      request.body,
      201,
      insertNewUsage(u, usageView(u)),
    );
    return reply.code(201).send(outcome?.body);
  });
  app.post<Post>("/parts/usage-service", async (request, reply) => {
    const outcome = await service.record(request.body, actor, request.headers["idempotency-key"], now());
    return reply.code(outcome.statusCode as 201).send(outcome.body);
  });

  const receipts = new ReceiptsService(db, tolerances);
  const ledger = (): LedgerView => ({
    now: now(),
    isQualified: async () => true,
    isRecalled: async () => false,
  });
  type PostReceipt = { Body: ReceiptRequest; Headers: { "idempotency-key": string } };
  app.post<PostReceipt>("/parts/receipt-read", async (request, reply) => {
    const state = await receiptState(db, {
      hospital: actor.hospital.toLowerCase(),
      receiptNo: request.body.receiptNo,
      shipmentId: request.body.shipmentId,
      serials: [],
    });
    // A shipment not found would measure an empty read: answered as not 2xx, the run fails.
    if (!state) return reply.code(404).send({ error: "SHIPMENT_NOT_FOUND" });
    return reply.code(201).send({ orderId: state.shipment.orderId });
  });
  app.post<PostReceipt>("/parts/receipt-service", async (request, reply) => {
    const outcome = await receipts.submit(request.body, actor, request.headers["idempotency-key"], ledger());
    return reply.code(outcome.statusCode as 201).send(outcome.body);
  });
  return app satisfies FastifyInstance;
}
