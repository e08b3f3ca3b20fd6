import type {
  ConsignedStock,
  ConsignedStockPage,
  ConsignmentMovement,
  ConsignmentMovementPage,
  ConsignmentQuery,
  ConsumptionBatch,
  ConsumptionBatchPage,
} from "../../../api/consignment";
import type { SettlementJobStatus } from "../../../api/payments";
import type { Db } from "../../db";
import { keysetList } from "../../lib/keyset-list";
import { int, iso, isoOrNull, intOrNull, text, textOrNull, type Row } from "../../lib/projection-row";

/** Consigned stock, consumption batches and movements as the indexer and the outbox have them. */

function stockView(r: Row): ConsignedStock {
  return {
    shipmentId: text(r.shipment_id),
    orderId: text(r.order_id),
    hospital: text(r.hospital),
    supplier: text(r.supplier),
    gtin: text(r.gtin),
    lot: text(r.lot),
    expiry: iso(r.expiry),
    received: int(r.received),
    used: int(r.used),
    returned: int(r.returned),
    expired: int(r.expired),
    onHand: int(r.on_hand),
    value: text(r.value),
    held: text(r.held),
    paid: text(r.paid),
    refunded: text(r.refunded),
    consignedAt: iso(r.consigned_at),
    consignedTx: text(r.consigned_tx),
    pendingReturn:
      int(r.pending_units) === 0
        ? null
        : {
            units: int(r.pending_units),
            value: text(r.pending_value),
            reasonCode: int(r.pending_reason),
            requestedBy: text(r.pending_by),
            requestedAt: iso(r.pending_at),
            answerBy: iso(r.answer_by),
            txHash: text(r.pending_tx),
          },
  };
}

function batchView(r: Row): ConsumptionBatch {
  return {
    batchId: text(r.batch_id),
    hospital: text(r.hospital),
    supplier: text(r.supplier),
    status: text(r.status) as SettlementJobStatus,
    units: int(r.units),
    lines: ((r.lines as { shipmentId: string; units: number }[] | null) ?? []).map((l) => ({
      shipmentId: String(l.shipmentId),
      units: Number(l.units),
    })),
    amount: textOrNull(r.amount),
    txHash: textOrNull(r.tx_hash),
    confirmedAt: isoOrNull(r.confirmed_at),
    lastError: textOrNull(r.last_error),
    errorName: textOrNull(r.error_name),
  };
}

function movementView(r: Row): ConsignmentMovement {
  return {
    kind: text(r.kind) as ConsignmentMovement["kind"],
    shipmentId: text(r.shipment_id),
    orderId: text(r.order_id),
    hospital: text(r.hospital),
    supplier: text(r.supplier),
    batchId: textOrNull(r.batch_id),
    units: int(r.units),
    amount: text(r.amount),
    toSupplier: r.to_supplier === true,
    actor: textOrNull(r.actor),
    reasonCode: intOrNull(r.reason_code),
    at: iso(r.at),
    txHash: text(r.tx_hash),
  };
}

export class ConsignmentRepository {
  constructor(private readonly db: Db) {}

  /** Consigned stock per shipment, oldest first. */
  stock(q: ConsignmentQuery): Promise<ConsignedStockPage> {
    return keysetList(
      this.db,
      {
        from: `SELECT * FROM (SELECT cs.*, s.gtin, s.lot,
                 cs.received - cs.used - cs.returned - cs.expired - cs.pending_units AS on_hand
               FROM consigned_stock cs JOIN shipments s ON s.id = cs.shipment_id) c`,
        filters: [
          ["hospital", q.hospital],
          ["supplier", q.supplier],
        ],
        key: "shipment_id",
        numericKey: true,
        view: stockView,
      },
      q,
    );
  }

  /**
   * Consumption batches in the order they were cut (or, for one paid outside the outbox, were
   * paid), with their outbox status; a batch the chain shows paid (indexed) is confirmed with
   * what it paid.
   */
  batches(q: ConsignmentQuery): Promise<ConsumptionBatchPage> {
    return keysetList(
      this.db,
      {
        from: `SELECT * FROM (SELECT COALESCE(j.batch_id, b.batch_id) AS batch_id,
                 COALESCE(j.hospital, b.hospital) AS hospital, COALESCE(j.supplier, b.supplier) AS supplier,
                 COALESCE(b.units, j.accepted::int) AS units, j.last_error, j.error_name,
                 CASE WHEN b.batch_id IS NOT NULL THEN 'confirmed' ELSE j.status END AS status,
                 b.amount, COALESCE(b.tx_hash, j.tx_hash) AS tx_hash, b.confirmed_at,
                 to_char(COALESCE(j.created_at, b.confirmed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
                   AS cut_key,
                 -- What the chain paid once indexed, else what the outbox will send.
                 COALESCE(
                   (SELECT json_agg(json_build_object('shipmentId', m.shipment_id::text, 'units', m.units)
                      ORDER BY m.shipment_id)
                    FROM consignment_movements m WHERE m.batch_id = b.batch_id),
                   (SELECT json_agg(json_build_object('shipmentId', l.shipment_id::text, 'units', l.units)
                      ORDER BY l.shipment_id)
                    FROM consumption_batch_lines l WHERE l.batch_id = j.batch_id)) AS lines
               FROM (SELECT * FROM settlement_jobs WHERE kind = 'consumption') j
               FULL JOIN consumption_batches b ON b.batch_id = j.batch_id) c`,
        filters: [
          ["hospital", q.hospital],
          ["supplier", q.supplier],
        ],
        key: ["cut_key", "batch_id"],
        numericKey: false,
        view: batchView,
      },
      q,
    );
  }

  /** Consumption lines, returns and write-offs in chain order. */
  movements(q: ConsignmentQuery): Promise<ConsignmentMovementPage> {
    return keysetList(
      this.db,
      {
        // Chain order as fixed-width text, so the cursor is one text key.
        from: `SELECT * FROM (SELECT m.*, to_char(m.block_number, 'FM00000000000000000000') || ':' ||
                 to_char(m.log_index, 'FM000000') AS move_key FROM consignment_movements m) c`,
        filters: [
          ["hospital", q.hospital],
          ["supplier", q.supplier],
        ],
        key: ["move_key"],
        numericKey: false,
        view: movementView,
      },
      q,
    );
  }
}
