import type { Db } from "../../db";
import type { Page } from "../../lib/pagination";
import { appError } from "../../plugins/error-catalogue";
import type { Exception, ExceptionStatus, ResolveRequest } from "../../../api/exceptions";
import * as settlementRepo from "../payments/settlement.repository";
import * as receiptsRepo from "../receipts/receipts.repository";
import * as repo from "./exceptions.repository";

/**
 * Exceptions: receipts that did not match, and settlements the chain refused. A hospital
 * approver decides each one — accept everything matching proposed, accept part, or reject all
 * — and the decision becomes a settlement job in the same transaction. The decision also settles
 * which of the receipt's serials count as received: an acceptance takes in those of its faultless
 * lines, a rejection releases every serial the receipt held, so none recorded in error blocks the
 * real receipt of that item.
 */
export class ExceptionsService {
  constructor(private readonly db: Db) {}

  list(filter: {
    status?: ExceptionStatus;
    hospital?: string;
    reason?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<Exception>> {
    return repo.listExceptions(this.db, filter);
  }

  /** `ledgerTime`: the ledger's clock at the request's block (the route's), when the decision accepts. */
  async resolve(
    id: string,
    decision: ResolveRequest,
    approver: { address: string; hospital: string },
    ledgerTime: Date,
  ): Promise<Exception> {
    await this.db.transaction(async (tx) => {
      const e = await repo.lockForResolution(tx, id);
      if (!e || e.hospital !== approver.hospital.toLowerCase()) {
        throw appError("EXCEPTION_NOT_FOUND", `exception ${id} not found for your hospital`);
      }
      if (e.status !== "open")
        throw appError("EXCEPTION_ALREADY_RESOLVED", `exception ${id} is already resolved`);
      if (e.source === "stocktake") {
        // A stocktake difference pays nothing: the decision acknowledges it (accept) or records
        // that the count was wrong (reject).
        await repo.markResolved(tx, id, {
          action: decision.action,
          accepted: 0n,
          note: decision.note,
          approver: approver.address.toLowerCase(),
          ledgerTime,
        });
        return;
      }
      const shipped = BigInt(e.shipped);
      const accepted = acceptedFor(decision, BigInt(e.proposedAccepted), shipped);
      // Settled on the ledger already, by the supplier's claim after the confirmation window: a
      // decision can pay nothing more, and must not be recorded as though it did.
      if (e.settledOnLedger !== null) {
        const { accepted: a, rejected: r } = e.settledOnLedger;
        throw appError(
          "SHIPMENT_ALREADY_SETTLED",
          `shipment ${e.shipmentId} was settled on the ledger already: ${a} units accepted, ${r} rejected`,
        );
      }
      const job = await settlementRepo.lockJobOf(tx, e.shipmentId);
      if (job && job !== "failed") {
        throw appError(
          "SHIPMENT_ALREADY_SETTLED",
          `shipment ${e.shipmentId} already has a ${job} settlement`,
        );
      }
      if (e.receiptNo === null || e.receiptHash === null) {
        throw appError("RESOLUTION_INVALID", `exception ${id} has no goods receipt to settle from`);
      }
      await repo.markResolved(tx, id, {
        action: decision.action,
        accepted,
        note: decision.note,
        approver: approver.address.toLowerCase(),
        ledgerTime,
      });
      if (decision.action === "reject") await receiptsRepo.releaseReceiptSerials(tx, e.hospital, e.receiptNo);
      else await receiptsRepo.acceptReceiptSerials(tx, e.hospital, e.receiptNo);
      await settlementRepo.enqueue(tx, {
        shipmentId: e.shipmentId,
        receiptNo: e.receiptNo,
        accepted,
        rejected: shipped - accepted,
        receiptHash: e.receiptHash,
        ledgerTime,
      });
    });
    return (await repo.findException(this.db, id))!;
  }
}

function acceptedFor(
  decision: Pick<ResolveRequest, "action" | "acceptedQuantity">,
  proposed: bigint,
  shipped: bigint,
): bigint {
  if (decision.action === "reject") return 0n;
  if (decision.action === "accept_all") return proposed;
  if (decision.acceptedQuantity === undefined) {
    throw appError("RESOLUTION_INVALID", "accept_part needs acceptedQuantity");
  }
  const q = BigInt(decision.acceptedQuantity);
  if (q < 1n || q > shipped) {
    throw appError("RESOLUTION_INVALID", `acceptedQuantity must be between 1 and the shipped ${shipped}`);
  }
  return q;
}
