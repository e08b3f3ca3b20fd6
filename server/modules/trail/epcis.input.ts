import { appError } from "../../plugins/error-catalogue";
import type * as repo from "./trail.repository";
import { iso, str } from "./trail.rows";
import type { TrailContext, TrailData } from "./trail.types";
import type { EpcisInput, EpcisShipment, EpcisTraceEvent } from "./epcis.types";

/**
 * The EPCIS export's input (epcis.types.ts) out of a loaded trail: each shipment with the log of
 * its creation, its trace events, the hospital's goods receipt and the settlement, and the lot's
 * recalls with their lifts — as the indexed chain events and the gateway's own documents hold them.
 */
export function epcisInput(ctx: TrailContext, data: TrailData): EpcisInput {
  const orderOf = new Map(data.orders.map((o) => [str(o.id), o]));
  const shipments: EpcisShipment[] = data.shipments.map((s) => {
    const id = str(s.id);
    const order = orderOf.get(str(s.order_id));
    const created = data.created.get(id);
    if (!order || !created) {
      throw appError(
        "CONFLICT",
        `shipment ${id} has no indexed ShipmentCreated event or order; the database needs re-indexing`,
      );
    }
    const receipt = data.receipts.find((r) => str(r.shipment_id) === id);
    const settlement = data.settlements.find((p) => str(p.shipment_id) === id);
    return {
      id,
      orderId: str(s.order_id),
      orderRef: order.order_ref,
      supplier: s.supplier,
      hospital: s.hospital,
      gtin: s.gtin,
      lot: s.lot,
      expiry: iso(s.expiry),
      quantity: str(s.quantity),
      noticeHash: s.notice_hash,
      createdAt: iso(s.created_at),
      txHash: created.tx_hash,
      blockNumber: Number(created.block_number),
      logIndex: Number(created.log_index),
      serials: data.serials.get(id) ?? null,
      traceEvents: data.traces
        .filter((t) => str(t.shipment_id) === id)
        .map((t): EpcisTraceEvent => ({
          index: Number(t.event_index),
          step: t.step as EpcisTraceEvent["step"],
          actor: t.actor,
          location: t.location,
          eventTime: iso(t.event_time),
          sensorDigest: t.sensor_digest,
          excursion: t.excursion,
          txHash: t.tx_hash,
          blockNumber: Number(t.block_number),
          logIndex: Number(t.log_index),
        })),
      receipt: receipt
        ? {
            receiptNo: receipt.receipt_no,
            receivedAt: iso(receipt.received_at),
            accepted: (BigInt(receipt.received_qty) - BigInt(receipt.rejected_qty)).toString(),
            rejected: str(receipt.rejected_qty),
          }
        : null,
      settlement: settlement
        ? {
            paidAt: iso(settlement.paid_at),
            deliveredAt: iso(settlement.delivered_at),
            settledBy: settlement.settled_by,
            txHash: settlement.tx_hash,
            blockNumber: Number(settlement.block_number),
            logIndex: Number(settlement.log_index),
            accepted: str(settlement.accepted),
            rejected: str(settlement.rejected),
          }
        : null,
    };
  });
  const lift = (r: repo.RecallRow) =>
    r.lifted_at === null || r.lift_tx_hash === null
      ? null
      : {
          liftedAt: iso(r.lifted_at),
          by: str(r.lifted_by),
          reasonCode: Number(r.lift_reason_code),
          txHash: r.lift_tx_hash,
          blockNumber: Number(r.lift_block_number),
          logIndex: Number(r.lift_log_index),
        };
  return {
    chainId: ctx.chainId,
    traceContract: ctx.contracts.trace,
    orderBookContract: ctx.contracts.orderBook,
    transferContract: ctx.contracts.campusTransfers,
    // Transfers are read from the trail's own steps: the figures of their logs, as verify checks them.
    transfers: data.steps.flatMap((step) =>
      step.onChain?.event === "CampusTransferRecorded"
        ? [
            {
              transferId: String(step.data.transferId),
              gtin: String(step.data.gtin),
              lot: String(step.data.lot),
              fromGln: String(step.data.fromGln),
              toGln: String(step.data.toGln),
              quantity: String(step.data.quantity),
              serialRoot: String(step.data.serialRoot),
              recordedBy: String(step.data.recordedBy),
              at: String(step.data.at),
              txHash: step.onChain.txHash,
              blockNumber: step.onChain.blockNumber,
              logIndex: step.onChain.logIndex,
            },
          ]
        : [],
    ),
    creationDate: new Date().toISOString(),
    shipments,
    recalls: data.recalls.map((r) => ({
      gtin: r.gtin,
      lot: r.lot,
      scope: r.scope,
      recalledAt: iso(r.recalled_at),
      reasonCode: Number(r.reason_code),
      by: r.recalled_by,
      txHash: r.tx_hash,
      blockNumber: Number(r.block_number),
      logIndex: Number(r.log_index),
      lift: lift(r),
    })),
  };
}
