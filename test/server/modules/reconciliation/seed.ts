import { ZeroAddress } from "ethers";
import { lotKeyOf as lotKey } from "../../../../ledger/contracts";
import type { Db } from "../../../../server/db";
import { UsagesService } from "../../../../server/modules/usages/usages.service";
import { insertTransfer, type IndexedTransfer } from "../stock/stock-seed";

/**
 * Writes the indexer's projections and the back office's rows directly, so reconciliation tests
 * can set up any ledger state in a few lines. Only the columns the reports read are chosen;
 * the rest get fixed placeholders.
 */

export const hash = (n: number): string => `0x${n.toString(16).padStart(64, "0")}`;
export const address = (byte: string): string => `0x${byte.repeat(20)}`;
/** The scope of a regulator's recall: every supplier's shipments of the lot. */
export const GLOBAL = ZeroAddress;

const TX = hash(0xfff);

/**
 * Records uses of one unit of `gtin`, each billed 1,000 fen in cardiology, through the usage
 * service (its checks and patient hashing), as the hospital's own staff at `now`.
 */
export function unitUses(
  db: Db,
  salt: string,
  gtin: string,
  now: Date,
): (hospital: string, usageId: string, lot: string, usedAt: string) => Promise<unknown> {
  const usages = new UsagesService(db, salt);
  return (hospital, usageId, lot, usedAt) =>
    usages.record(
      {
        usageId,
        gtin,
        lot,
        department: "cardiology",
        patientRef: `P-${usageId}`,
        usedAt,
        billingCode: "C-1",
        billedAmount: "1000",
      },
      { address: hospital, hospital },
      usageId,
      now,
    );
}

export class LedgerSeed {
  constructor(private readonly db: Db) {}

  async supplier(supplier: string): Promise<void> {
    await this.db.query(
      `INSERT INTO suppliers (address, name, registration_id, status, registered_at, last_tx, last_block)
       VALUES ($1, 'Supplier', 'REG-1', 'active', '2025-01-01T00:00:00Z', $2, 1)`,
      [supplier, TX],
    );
  }

  async hospital(hospital: string): Promise<void> {
    await this.db.query(
      `INSERT INTO hospitals (address, name_hash, enrolled_by, enrolled_at, last_tx, last_block)
       VALUES ($1, $2, $3, '2025-01-01T00:00:00Z', $2, 1)`,
      [hospital, TX, address("99")],
    );
  }

  /**
   * A supplier and its stent agreement `id` over 2026, with no hospital volumes: the year the
   * reconciliation tests play.
   */
  async stentYear(supplier: string, id = 1): Promise<void> {
    await this.supplier(supplier);
    await this.agreement({
      id,
      supplier,
      category: "stent",
      startAt: "2026-01-01T00:00:00Z",
      endAt: "2027-01-01T00:00:00Z",
      hospitals: [],
    });
  }

  async agreement(a: {
    id: number;
    supplier: string;
    category: string;
    startAt: string;
    endAt: string;
    /** `ordered`: funded, uncancelled units; `accepted`: units accepted on delivery. */
    hospitals: { hospital: string; committed: number; ordered: number; accepted: number }[];
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO agreements (id, tender_id, supplier, category, start_at, end_at, tiers, lead_time_days,
         penalty_bps_per_day, penalty_cap_bps, last_tx, last_block)
       VALUES ($1, 1, $2, $3, $4, $5, '[]', 7, 10, 1000, $6, 1)`,
      [a.id, a.supplier, a.category, a.startAt, a.endAt, TX],
    );
    for (const h of a.hospitals) {
      await this.db.query(
        `INSERT INTO agreement_hospitals (agreement_id, hospital, committed, ordered, accepted)
         VALUES ($1, $2, $3, $4, $5)`,
        [a.id, h.hospital, h.committed, h.ordered, h.accepted],
      );
    }
  }

  /** A funded order under an agreement; its supplier is the agreement's. */
  async order(o: {
    id: number;
    agreementId: number;
    hospital: string;
    quantity: number;
    value: number;
    placedAt: string;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO orders (id, agreement_id, hospital, supplier, placed_by, quantity, value, requested_delivery,
         delivery_deadline, funding_expires_at, order_ref, status, placed_at, last_tx, last_block)
       SELECT $1::bigint, a.id, $3::text, a.supplier, $3, $4::numeric, $5::numeric, $6::timestamptz, $6, $6, 'REF', 'funded',
         $6, $7::text, 1
       FROM agreements a WHERE a.id = $2`,
      [o.id, o.agreementId, o.hospital, o.quantity, o.value, o.placedAt, TX],
    );
  }

  /** A shipment against an order, by the order's supplier to its hospital. */
  async shipment(s: {
    id: number;
    orderId: number;
    gtin: string;
    lot: string;
    expiry: string;
    quantity: number;
    createdAt: string;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO shipments (id, order_id, supplier, hospital, lot_key, gtin, lot, expiry, quantity, serial_root,
         notice_hash, created_at, confirmed, last_tx, last_block)
       SELECT $1::bigint, o.id, o.supplier, o.hospital, $9::text, $3::text, $4::text, $5::timestamptz, $6::numeric,
         $7::text, $7, $8::timestamptz, TRUE, $7, 1
       FROM orders o WHERE o.id = $2`,
      [s.id, s.orderId, s.gtin, s.lot, s.expiry, s.quantity, TX, s.createdAt, lotKey(s.gtin, s.lot)],
    );
  }

  /**
   * The on-chain settlement (ShipmentSettled) of a shipment by the hospital, with the delivery time
   * the chain derived.
   */
  async settlement(s: {
    shipmentId: number;
    accepted: number;
    rejected?: number;
    deliveredAt: string;
    /** The settlement's block time (`paid_at`); by default the delivery time. */
    settledAt?: string;
    txHash: string;
    /** Fen paid and kept back as penalty (0 unless a test counts money); paid at delivery. */
    paid?: number;
    penalty?: number;
    /**
     * Fen the accepted units were settled at, before the penalty: paid + penalty when a test
     * counts money, else the accepted units at the order's funded price (value / quantity).
     */
    gross?: number;
  }): Promise<void> {
    const paid = s.paid ?? 0;
    const penalty = s.penalty ?? 0;
    const gross = s.gross ?? (s.paid === undefined && s.penalty === undefined ? null : paid + penalty);
    await this.db.query(
      `INSERT INTO settlements (shipment_id, order_id, supplier, settled_by, accepted, rejected, delivered_at,
         receipt_hash, gross, penalty, paid, days_late, paid_at, tx_hash, block_number, log_index)
       SELECT s.id, s.order_id, s.supplier, s.hospital, $2::numeric, $3::numeric, $4::timestamptz, $5::text,
         COALESCE($9::numeric, $2::numeric * o.value / o.quantity), $8::numeric, $7::numeric, 0,
         COALESCE($10::timestamptz, $4::timestamptz), $6::text, 1, 0
       FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.id = $1`,
      [
        s.shipmentId,
        s.accepted,
        s.rejected ?? 0,
        s.deliveredAt,
        TX,
        s.txHash,
        paid,
        penalty,
        gross,
        s.settledAt ?? null,
      ],
    );
  }

  /** A goods receipt of a whole shipment, its received serials, and optionally its match result. */
  async receipt(r: {
    receiptNo: string;
    shipmentId: number;
    hospital: string;
    receivedAt: string;
    received: number;
    rejected?: number;
    gtin?: string;
    serials?: string[];
    /** `ledgerTime`: the acceptance on the ledger's clock, where it differs from `matchedAt`'s wall clock. */
    match?: {
      status: "matched" | "exception";
      accepted: number;
      matchedAt: string;
      ledgerTime?: string;
      reasons?: unknown[];
    };
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO receipts (receipt_no, shipment_id, hospital, received_at, received_by, received_qty, rejected_qty,
         document, receipt_hash)
       VALUES ($1, $2, $3, $4, $3, $5, $6, '{}', $7)`,
      [r.receiptNo, r.shipmentId, r.hospital, r.receivedAt, r.received, r.rejected ?? 0, TX],
    );
    for (const serial of r.serials ?? []) {
      await this.db.query(
        `INSERT INTO received_serials (gtin, serial, receipt_no, hospital, received_at) VALUES ($1, $2, $3, $4, $5)`,
        [r.gtin, serial, r.receiptNo, r.hospital, r.receivedAt],
      );
    }
    if (r.match) {
      await this.db.query(
        `INSERT INTO matches (receipt_no, shipment_id, status, accepted, rejected, reasons, matched_at,
           accepted_ledger_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          r.receiptNo,
          r.shipmentId,
          r.match.status,
          r.match.accepted,
          r.received - r.match.accepted,
          JSON.stringify(r.match.reasons ?? []),
          r.match.matchedAt,
          r.match.ledgerTime ?? null,
        ],
      );
    }
  }

  /**
   * A recall (LotRecalled): a regulator's (global, the default) or a supplier's of its own
   * shipments; lifted by a regulator when `lift` is given.
   */
  async recall(r: {
    gtin: string;
    lot: string;
    recalledAt: string;
    txHash: string;
    reasonCode?: number;
    scope?: string;
    lift?: { liftedAt: string; txHash: string; reasonCode: number };
  }): Promise<void> {
    const scope = (r.scope ?? GLOBAL).toLowerCase();
    await this.db.query(
      `INSERT INTO recalls (lot_key, gtin, lot, scope, recalled_by, reason_code, recalled_at, tx_hash, block_number,
         log_index, lifted_at, lifted_by, lift_reason_code, lift_tx_hash, lift_block_number, lift_log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, 0, $9, $10, $11, $12, $13, $14)`,
      [
        lotKey(r.gtin, r.lot),
        r.gtin,
        r.lot,
        scope,
        scope === GLOBAL ? address("99") : scope,
        r.reasonCode ?? 1,
        r.recalledAt,
        r.txHash,
        r.lift?.liftedAt ?? null,
        r.lift ? address("99") : null,
        r.lift?.reasonCode ?? null,
        r.lift?.txHash ?? null,
        r.lift ? 2 : null,
        r.lift ? 0 : null,
      ],
    );
  }

  /**
   * A trace event of a shipment, numbered after its others and marking an excursion on the
   * shipment, as the indexer does (indexer.projections.ts, trace.TraceEventRecorded). The chain
   * records it at `recordedAt` (its block's time), by default its sensor time.
   */
  async traceEvent(e: {
    shipmentId: number;
    eventTime: string;
    excursion: boolean;
    txHash: string;
    recordedAt?: string;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO trace_events (shipment_id, event_index, step, actor, location, event_time, sensor_digest, excursion,
         tx_hash, block_number, log_index, recorded_at)
       SELECT $1, 1 + count(*), 'departing', $2, $2, $3, $2, $4, $5, 1, 0, $6 FROM trace_events WHERE shipment_id = $1`,
      [e.shipmentId, TX, e.eventTime, e.excursion, e.txHash, e.recordedAt ?? e.eventTime],
    );
    if (e.excursion) {
      await this.db.query(`UPDATE shipments SET excursion = TRUE, excursion_waived = FALSE WHERE id = $1`, [
        e.shipmentId,
      ]);
    }
  }

  /**
   * An approver's waiver of a shipment's excursions so far, in a block of time `at`
   * (trace.ExcursionWaived).
   */
  async excursionWaiver(shipmentId: number, at: string, txHash: string): Promise<void> {
    await this.db.query(`UPDATE shipments SET excursion_waived = TRUE WHERE id = $1`, [shipmentId]);
    await this.db.query(
      `INSERT INTO excursion_waivers (shipment_id, approver, reason_code, waived_at, covers_through, tx_hash,
         block_number, log_index)
       SELECT $1, $2, 1, $3, count(*), $4, 1, 0 FROM trace_events WHERE shipment_id = $1`,
      [shipmentId, address("99"), at, txHash],
    );
  }

  /**
   * An exception; resolved when `resolvedAt` is given (the wall clock; `resolvedLedgerTime` the
   * ledger's, where it differs). Returns its id.
   */
  async exception(e: {
    shipmentId: number;
    receiptNo: string;
    source: "match" | "settlement";
    reasons: { code: string }[];
    proposedAccepted: number;
    resolvedAccepted?: number;
    resolvedAt?: string;
    resolvedLedgerTime?: string;
  }): Promise<string> {
    const resolved = e.resolvedAt !== undefined;
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO exceptions (receipt_no, shipment_id, source, reasons, proposed_accepted, status, resolution,
         resolved_accepted, resolved_at, resolved_ledger_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        e.receiptNo,
        e.shipmentId,
        e.source,
        JSON.stringify(e.reasons),
        e.proposedAccepted,
        resolved ? "resolved" : "open",
        resolved ? (e.resolvedAccepted === 0 ? "reject" : "accept_part") : null,
        e.resolvedAccepted ?? null,
        e.resolvedAt ?? null,
        e.resolvedLedgerTime ?? null,
      ],
    );
    return String(rows[0].id);
  }

  async campus(hospital: string, gln: string): Promise<void> {
    await this.db.query(
      `INSERT INTO campuses (hospital, gln, name, main, registered_by, registered_at)
       VALUES ($1, $2, $2, FALSE, $1, '2026-01-01T00:00:00Z')`,
      [hospital, gln],
    );
  }

  /** An indexed CampusTransferRecorded: to one of the hospital's campuses, or anywhere else. */
  transfer(t: IndexedTransfer): Promise<void> {
    return insertTransfer(this.db, t);
  }

  /** An indexed ConsignmentBook movement of consigned shipment `shipmentId`'s units. */
  async consignmentMovement(m: {
    logIndex: number;
    shipmentId: number;
    hospital: string;
    kind: "consumption" | "return" | "return-requested" | "return-confirmed" | "return-refused" | "expiry";
    units: number;
    at: string;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO consignment_movements (tx_hash, log_index, kind, shipment_id, order_id, hospital, supplier, units,
         amount, to_supplier, at, block_number)
       VALUES ($1, $2, $3, $4, 0, $5, $6, $7, 0, FALSE, $8, 1)`,
      [TX, m.logIndex, m.kind, m.shipmentId, m.hospital, address("aa"), m.units, m.at],
    );
  }

  async settlementJob(j: {
    shipmentId: number;
    receiptNo: string;
    accepted: number;
    status: "pending" | "submitted" | "confirmed" | "failed";
    txHash?: string;
    errorName?: string;
  }): Promise<void> {
    // No receipt time: the chain derives the delivery time itself (migration 0006).
    await this.db.query(
      `INSERT INTO settlement_jobs (shipment_id, receipt_no, accepted, rejected, receipt_hash, status, tx_hash,
         error_name)
       VALUES ($1, $2, $3, 0, $4, $5, $6, $7)`,
      [j.shipmentId, j.receiptNo, j.accepted, TX, j.status, j.txHash ?? null, j.errorName ?? null],
    );
  }
}
