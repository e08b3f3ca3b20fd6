import { GLOBAL_RECALL_SCOPE } from "../../../ledger/enums";
import type {
  ListShipmentsQuery,
  Recall,
  Settlement,
  Shipment,
  ShipmentPage,
  ShipmentStatus,
  ShipmentSummary,
  TraceEvent,
} from "../../../api/shipments";
import type { Db } from "../../db";
import { keysetList } from "../../lib/keyset-list";
import { int, intOrNull, iso, isoOrNull, lastChangeOf, text, type Row } from "../../lib/projection-row";
import type { Scope } from "../auth/auth.plugin";
import { shipmentRecord } from "../indexer/indexer.repository";

/**
 * A shipment as the indexer projects it (shipments, trace_events, settlements, recalls) with
 * its manifest's size (manifests).
 */

/**
 * The shipments projection with each row's stage (api/shipments.ts, ShipmentStatus) and the
 * time its supplier's claim opens (OrderBook._claimableAt, from the agreement's windows) as
 * columns, so the list filters on them like on any other. Settling is what marks a shipment
 * confirmed, and it sets chain_received_at too.
 */
const WITH_STATUS = `SELECT * FROM (
  SELECT s.*, CASE WHEN s.confirmed THEN 'confirmed' WHEN s.chain_received_at IS NOT NULL THEN 'received'
    WHEN s.arrived_at IS NOT NULL THEN 'arrived' ELSE 'shipped' END AS status,
    ${claimOpensAtSql("s", "a")} AS claim_opens_at
  FROM shipments s LEFT JOIN orders o ON o.id = s.order_id LEFT JOIN agreements a ON a.id = o.agreement_id) shipments`;

/**
 * When the supplier may settle shipment `s` itself under agreement `a` (OrderBook._claimableAt):
 * the confirmation window after the hospital's receipt on the ledger; without one, the receiving
 * and confirmation windows after the supplier's arrival. NULL once settled, or while neither is
 * recorded.
 */
export function claimOpensAtSql(s: string, a: string): string {
  return `CASE WHEN ${s}.confirmed THEN NULL
      WHEN ${s}.chain_received_at IS NOT NULL THEN ${s}.chain_received_at + make_interval(secs => ${a}.confirm_window)
      ELSE ${s}.arrived_at + make_interval(secs => ${a}.receiving_window + ${a}.confirm_window) END`;
}

function traceEventView(e: Row): TraceEvent {
  return {
    index: int(e.event_index),
    step: text(e.step) as TraceEvent["step"],
    actor: text(e.actor),
    location: text(e.location),
    eventTime: iso(e.event_time),
    sensorDigest: text(e.sensor_digest),
    excursion: e.excursion === true,
    txHash: text(e.tx_hash),
    blockNumber: int(e.block_number),
    logIndex: int(e.log_index),
  };
}

function recallView(x: Row): Recall {
  return {
    scope: text(x.scope),
    recalledBy: text(x.recalled_by),
    reasonCode: int(x.reason_code),
    recalledAt: iso(x.recalled_at),
    txHash: text(x.tx_hash),
    blockNumber: int(x.block_number),
    lifted:
      x.lifted_at === null
        ? null
        : {
            at: iso(x.lifted_at),
            by: text(x.lifted_by),
            reasonCode: int(x.lift_reason_code),
            txHash: text(x.lift_tx_hash),
            blockNumber: int(x.lift_block_number),
          },
  };
}

function settlementView(st: Row): Settlement {
  return {
    settledBy: text(st.settled_by),
    accepted: text(st.accepted),
    rejected: text(st.rejected),
    deliveredAt: iso(st.delivered_at),
    gross: text(st.gross),
    penalty: text(st.penalty),
    paid: text(st.paid),
    daysLate: int(st.days_late),
    paidAt: iso(st.paid_at),
    txHash: text(st.tx_hash),
    blockNumber: int(st.block_number),
  };
}

function summaryView(r: Row): ShipmentSummary {
  return {
    id: text(r.id),
    orderId: text(r.order_id),
    hospital: text(r.hospital),
    supplier: text(r.supplier),
    gtin: text(r.gtin),
    lot: text(r.lot),
    lotKey: text(r.lot_key),
    expiry: iso(r.expiry),
    quantity: text(r.quantity),
    serialRoot: text(r.serial_root),
    noticeHash: text(r.notice_hash),
    createdAt: iso(r.created_at),
    status: text(r.status) as ShipmentStatus,
    arrivedAt: isoOrNull(r.arrived_at),
    chainReceivedAt: isoOrNull(r.chain_received_at),
    excursion: r.excursion === true,
    excursionWaived: r.excursion_waived === true,
    dispute:
      r.disputed_units === null ? null : { units: text(r.disputed_units), reasonCode: int(r.dispute_reason) },
    confirmed: r.confirmed === true,
    claimOpensAt: isoOrNull(r.claim_opens_at),
    lastChange: lastChangeOf(r),
  };
}

export class ShipmentsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Shipments by id (the order they were created in), within the caller's `scope`: a hospital or
   * supplier filter outside it narrows to nothing rather than widening or replacing the scope.
   */
  list(q: ListShipmentsQuery, scope: Scope): Promise<ShipmentPage> {
    return keysetList(
      this.db,
      {
        from: WITH_STATUS,
        filters: [
          ["hospital", scope.hospital],
          ["supplier", scope.supplier],
          ["hospital", q.hospital],
          ["supplier", q.supplier],
          ["order_id", q.orderId],
          ["gtin", q.gtin],
          ["lot", q.lot],
          ["status", q.status],
          ["claim_opens_at", q.claimOpenBefore, "<"],
        ],
        key: "id",
        numericKey: true,
        view: summaryView,
      },
      q,
    );
  }

  async get(id: string): Promise<Shipment | null> {
    const { rows } = await this.db.query<Row>(
      `SELECT s.*, m.serial_count FROM (${WITH_STATUS}) s LEFT JOIN manifests m ON m.shipment_id = s.id WHERE s.id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    const { rows: events } = await this.db.query<Row>(
      `SELECT * FROM trace_events WHERE shipment_id = $1 ORDER BY event_index`,
      [id],
    );
    const { rows: settled } = await this.db.query<Row>(`SELECT * FROM settlements WHERE shipment_id = $1`, [
      id,
    ]);
    // The recalls that reach this shipment: the regulator's (global) and its supplier's own.
    const { rows: recalls } = await this.db.query<Row>(
      `SELECT * FROM recalls WHERE lot_key = $1 AND scope IN ($2, $3) ORDER BY block_number, log_index`,
      [r.lot_key, GLOBAL_RECALL_SCOPE, r.supplier],
    );
    return {
      ...summaryView(r),
      manifestSerials: intOrNull(r.serial_count),
      recalled: recalls.some((x) => x.lifted_at === null),
      recalls: recalls.map(recallView),
      traceEvents: events.map(traceEventView),
      settlement: settled[0] ? settlementView(settled[0]) : null,
      // Indexed with the shipment's creation, as the row itself is (a row written otherwise, as
      // tests seed them, has none).
      record: await shipmentRecord(this.db, id),
    };
  }

  /** The shipment's order parties, for visibility checks; null for an unknown shipment. */
  async parties(id: string): Promise<{ hospital: string; supplier: string } | null> {
    const { rows } = await this.db.query<{ hospital: string; supplier: string }>(
      `SELECT o.hospital, s.supplier FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }
}
