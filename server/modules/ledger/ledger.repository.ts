import type { Db } from "../../db";
import { decodeCursor, ID_KEY, toPage, type Page } from "../../lib/pagination";

/**
 * Reads of the indexed ledger. Every item carries `lastChange` — the transaction and block of
 * its latest on-chain change — so a client can check it against the chain itself.
 */

type Row = Record<string, unknown>;

export interface ListQuery {
  limit: number;
  cursor?: string;
}

const iso = (v: unknown): string | null =>
  v === null || v === undefined ? null : new Date(v as string).toISOString();
const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const lastChange = (r: Row) => ({ txHash: r.last_tx as string, blockNumber: Number(r.last_block) });

function where(
  filters: [string, unknown][],
  cursorSql: string | null,
  cursor: string | null,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts: string[] = [];
  for (const [column, value] of filters) {
    if (value === undefined || value === null || value === "") continue;
    parts.push(
      `${column} = $${params.push(typeof value === "string" && value.startsWith("0x") ? value.toLowerCase() : value)}`,
    );
  }
  if (cursor !== null && cursorSql) parts.push(cursorSql.replace("?", `$${params.push(cursor)}`));
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

async function list<T>(
  db: Db,
  base: string,
  filters: [string, unknown][],
  q: ListQuery,
  keyColumn: string,
  numericKey: boolean,
  map: (r: Row) => T,
): Promise<Page<T>> {
  const cursor = decodeCursor(q.cursor, numericKey ? ID_KEY : undefined);
  // Numeric ids compare as numbers, addresses as text.
  const cursorSql = numericKey ? `${keyColumn} > ?::bigint` : `${keyColumn} > ?`;
  const w = where(filters, cursorSql, cursor);
  const { rows } = await db.query<Row>(
    `${base} ${w.sql} ORDER BY ${keyColumn} LIMIT $${w.params.length + 1}`,
    [...w.params, q.limit + 1],
  );
  const key = keyColumn.split(".").pop()!;
  return toPage(rows, q.limit, (r) => String(r[key]), map);
}

export function supplierView(r: Row, documents: Row[] = []) {
  return {
    address: r.address as string,
    name: r.name as string,
    registrationId: r.registration_id as string,
    status: r.status as string,
    statusReason: r.status_reason === null ? null : Number(r.status_reason),
    registeredAt: iso(r.registered_at),
    documents: documents.map((d) => ({
      id: String(d.id),
      kind: d.kind as string,
      sha256: d.sha256 as string,
      validFrom: iso(d.valid_from),
      validUntil: iso(d.valid_until),
      categories: d.categories as string[],
      status: d.status as string,
      reasonCode: d.reason_code === null ? null : Number(d.reason_code),
      decidedBy: d.decided_by as string | null,
      lastChange: lastChange(d),
    })),
    lastChange: lastChange(r),
  };
}

export function tenderView(r: Row, bids: Row[] = []) {
  return {
    id: String(r.id),
    category: r.category as string,
    reservePrice: s(r.reserve_price),
    commitDeadline: iso(r.commit_deadline),
    revealDeadline: iso(r.reveal_deadline),
    termSeconds: Number(r.term_seconds),
    leadTimeDays: Number(r.lead_time_days),
    penaltyBpsPerDay: Number(r.penalty_bps_per_day),
    penaltyCapBps: Number(r.penalty_cap_bps),
    winners: Number(r.winners),
    hospitals: r.hospitals as { hospital: string; volume: string }[],
    status: r.status as string,
    openedBy: r.opened_by as string,
    bids: bids.map((b) => ({
      bidder: b.bidder as string,
      commitment: b.commitment as string,
      sequence: String(b.sequence),
      revealed: b.revealed as boolean,
      tiers: (b.tiers as unknown) ?? null,
      skipped: b.skipped as boolean,
      won: b.won as boolean,
    })),
    lastChange: lastChange(r),
  };
}

export function agreementView(r: Row, hospitals: Row[] = []) {
  return {
    id: String(r.id),
    tenderId: String(r.tender_id),
    supplier: r.supplier as string,
    category: r.category as string,
    startAt: iso(r.start_at),
    endAt: iso(r.end_at),
    tiers: r.tiers as { threshold: string; unitPrice: string }[],
    leadTimeDays: Number(r.lead_time_days),
    penaltyBpsPerDay: Number(r.penalty_bps_per_day),
    penaltyCapBps: Number(r.penalty_cap_bps),
    cumulativeVolume: s(r.cumulative_volume),
    hospitals: hospitals.map((h) => ({
      hospital: h.hospital as string,
      committed: s(h.committed),
      ordered: s(h.ordered),
    })),
    lastChange: lastChange(r),
  };
}

export function orderView(r: Row, approvals: Row[] = []) {
  return {
    id: String(r.id),
    agreementId: String(r.agreement_id),
    hospital: r.hospital as string,
    supplier: r.supplier as string,
    placedBy: r.placed_by as string,
    quantity: s(r.quantity),
    value: s(r.value),
    requestedDelivery: iso(r.requested_delivery),
    deliveryDeadline: iso(r.delivery_deadline),
    orderRef: r.order_ref as string,
    status: r.status as string,
    approvals: Number(r.approvals),
    requiredApprovals: r.required_approvals === null ? null : Number(r.required_approvals),
    shipped: s(r.shipped),
    accepted: s(r.accepted),
    cancelled: s(r.cancelled),
    escrow: s(r.escrow),
    paid: s(r.paid),
    placedAt: iso(r.placed_at),
    fundedAt: iso(r.funded_at),
    closedAt: iso(r.closed_at),
    approvers: approvals.map((a) => ({
      approver: a.approver as string,
      approvedAt: iso(a.approved_at),
      txHash: a.tx_hash as string,
      blockNumber: Number(a.block_number),
    })),
    lastChange: lastChange(r),
  };
}

export class LedgerRepository {
  constructor(private readonly db: Db) {}

  listSuppliers(q: ListQuery & { status?: string }) {
    return list(this.db, `SELECT * FROM suppliers`, [["status", q.status]], q, "address", false, (r) =>
      supplierView(r),
    );
  }

  async getSupplier(address: string) {
    const { rows } = await this.db.query<Row>(`SELECT * FROM suppliers WHERE address = $1`, [
      address.toLowerCase(),
    ]);
    if (!rows[0]) return null;
    const { rows: docs } = await this.db.query<Row>(
      `SELECT * FROM supplier_documents WHERE supplier = $1 ORDER BY id`,
      [address.toLowerCase()],
    );
    return supplierView(rows[0], docs);
  }

  listTenders(q: ListQuery & { status?: string; category?: string }) {
    return list(
      this.db,
      `SELECT * FROM tenders`,
      [
        ["status", q.status],
        ["category", q.category],
      ],
      q,
      "id",
      true,
      (r) => tenderView(r),
    );
  }

  async getTender(id: string) {
    const { rows } = await this.db.query<Row>(`SELECT * FROM tenders WHERE id = $1`, [id]);
    if (!rows[0]) return null;
    const { rows: bids } = await this.db.query<Row>(
      `SELECT * FROM bids WHERE tender_id = $1 ORDER BY sequence`,
      [id],
    );
    return tenderView(rows[0], bids);
  }

  listAgreements(q: ListQuery & { supplier?: string; category?: string; tenderId?: string }) {
    return list(
      this.db,
      `SELECT * FROM agreements`,
      [
        ["supplier", q.supplier],
        ["category", q.category],
        ["tender_id", q.tenderId],
      ],
      q,
      "id",
      true,
      (r) => agreementView(r),
    );
  }

  async getAgreement(id: string) {
    const { rows } = await this.db.query<Row>(`SELECT * FROM agreements WHERE id = $1`, [id]);
    if (!rows[0]) return null;
    const { rows: hospitals } = await this.db.query<Row>(
      `SELECT * FROM agreement_hospitals WHERE agreement_id = $1 ORDER BY hospital`,
      [id],
    );
    return agreementView(rows[0], hospitals);
  }

  listOrders(q: ListQuery & { hospital?: string; supplier?: string; agreementId?: string; status?: string }) {
    return list(
      this.db,
      `SELECT * FROM orders`,
      [
        ["hospital", q.hospital],
        ["supplier", q.supplier],
        ["agreement_id", q.agreementId],
        ["status", q.status],
      ],
      q,
      "id",
      true,
      (r) => orderView(r),
    );
  }

  async getOrder(id: string) {
    const { rows } = await this.db.query<Row>(`SELECT * FROM orders WHERE id = $1`, [id]);
    if (!rows[0]) return null;
    const { rows: approvals } = await this.db.query<Row>(
      `SELECT * FROM order_approvals WHERE order_id = $1 ORDER BY block_number, log_index`,
      [id],
    );
    return orderView(rows[0], approvals);
  }

  async getShipment(id: string) {
    const { rows } = await this.db.query<Row>(
      `SELECT s.*, o.hospital, m.serial_count FROM shipments s JOIN orders o ON o.id = s.order_id
       LEFT JOIN manifests m ON m.shipment_id = s.id WHERE s.id = $1`,
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
    const { rows: recalled } = await this.db.query<Row>(
      `SELECT * FROM recalls WHERE gtin = $1 AND lot = $2`,
      [r.gtin, r.lot],
    );
    const st = settled[0];
    return {
      id: String(r.id),
      orderId: String(r.order_id),
      hospital: r.hospital as string,
      supplier: r.supplier as string,
      gtin: r.gtin as string,
      lot: r.lot as string,
      expiry: iso(r.expiry),
      quantity: s(r.quantity),
      serialRoot: r.serial_root as string,
      noticeHash: r.notice_hash as string,
      createdAt: iso(r.created_at),
      excursion: r.excursion as boolean,
      excursionWaived: r.excursion_waived as boolean,
      confirmed: r.confirmed as boolean,
      manifestSerials: r.serial_count === null ? null : Number(r.serial_count),
      recalled: recalled.length > 0,
      traceEvents: events.map((e) => ({
        index: Number(e.event_index),
        step: e.step as string,
        actor: e.actor as string,
        location: e.location as string,
        eventTime: iso(e.event_time),
        sensorDigest: e.sensor_digest as string,
        excursion: e.excursion as boolean,
        txHash: e.tx_hash as string,
        blockNumber: Number(e.block_number),
        logIndex: Number(e.log_index),
      })),
      settlement: st
        ? {
            accepted: s(st.accepted),
            rejected: s(st.rejected),
            receivedAt: iso(st.received_at),
            gross: s(st.gross),
            penalty: s(st.penalty),
            paid: s(st.paid),
            daysLate: Number(st.days_late),
            paidAt: iso(st.paid_at),
            txHash: st.tx_hash as string,
            blockNumber: Number(st.block_number),
          }
        : null,
      lastChange: lastChange(r),
    };
  }
}
