import type { Db } from "../../db";
import { decodeCursor, ID_KEY, toPage, type Page } from "../../lib/pagination";

/**
 * Reads of the indexed ledger. Every item carries `lastChange` — the transaction and block of
 * its latest on-chain change — so a client can check it against the chain itself.
 */

type Row = Record<string, unknown>;

/** The scope of a regulator's recall: every supplier's shipments of the lot. */
const GLOBAL_SCOPE = "0x0000000000000000000000000000000000000000";

export interface ListQuery {
  limit: number;
  cursor?: string;
}

const iso = (v: unknown): string | null =>
  v === null || v === undefined ? null : new Date(v as string).toISOString();
const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
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

export function supplierView(r: Row, documents: Row[] = [], gtins: Row[] = []) {
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
      gtins: (d.gtins as string[] | null) ?? null,
      status: d.status as string,
      reasonCode: d.reason_code === null ? null : Number(d.reason_code),
      decidedBy: d.decided_by as string | null,
      lastChange: lastChange(d),
    })),
    // The GTINs it may ship: each with its current attested product registration.
    gtins: gtins.map((g) => ({
      gtin: g.gtin as string,
      documentId: String(g.document_id),
      validFrom: iso(g.valid_from),
      validUntil: iso(g.valid_until),
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
    bidBond: s(r.bid_bond),
    fundingWindowSeconds: n(r.funding_window),
    receivingWindowSeconds: n(r.receiving_window),
    confirmWindowSeconds: n(r.confirm_window),
    forfeited: s(r.forfeited),
    hospitals: r.hospitals as { hospital: string; volume: string; forfeitClaimed: string }[],
    status: r.status as string,
    openedBy: r.opened_by as string,
    bids: bids.map((b) => ({
      bidder: b.bidder as string,
      commitment: b.commitment as string,
      committedAt: iso(b.committed_at),
      bond: s(b.bond),
      bondReturned: b.bond_returned as boolean,
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
    fundingWindowSeconds: n(r.funding_window),
    receivingWindowSeconds: n(r.receiving_window),
    confirmWindowSeconds: n(r.confirm_window),
    fundedVolume: s(r.funded_volume),
    // The position on the tier schedule.
    acceptedVolume: s(r.accepted_volume),
    hospitals: hospitals.map((h) => ({
      hospital: h.hospital as string,
      committed: s(h.committed),
      funded: s(h.ordered),
      accepted: s(h.accepted),
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
    // The escrow funding took: 0 while the order waits for its approvals.
    value: s(r.value),
    requestedDelivery: iso(r.requested_delivery),
    deliveryDeadline: iso(r.delivery_deadline),
    fundingExpiresAt: iso(r.funding_expires_at),
    excessConsented: r.excess_consented as boolean,
    lateShipmentAllowed: r.late_shipment_allowed as boolean,
    orderRef: r.order_ref as string,
    status: r.status as string,
    approvals: Number(r.approvals),
    // Decided at placement (OrderBook.order(id).twoApprovals), which no event states: the first
    // OrderApproved tells it, so it is null until then.
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
    const { rows: gtins } = await this.db.query<Row>(
      `SELECT * FROM supplier_gtins WHERE supplier = $1 ORDER BY gtin`,
      [address.toLowerCase()],
    );
    return supplierView(rows[0], docs, gtins);
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
      `SELECT * FROM bids WHERE tender_id = $1 ORDER BY committed_at, bidder`,
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
      `SELECT s.*, m.serial_count FROM shipments s LEFT JOIN manifests m ON m.shipment_id = s.id WHERE s.id = $1`,
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
      [r.lot_key, GLOBAL_SCOPE, r.supplier],
    );
    const st = settled[0];
    return {
      id: String(r.id),
      orderId: String(r.order_id),
      hospital: r.hospital as string,
      supplier: r.supplier as string,
      gtin: r.gtin as string,
      lot: r.lot as string,
      lotKey: r.lot_key as string,
      expiry: iso(r.expiry),
      quantity: s(r.quantity),
      serialRoot: r.serial_root as string,
      noticeHash: r.notice_hash as string,
      createdAt: iso(r.created_at),
      // The two on-chain records the chain derives the delivery time from.
      arrivedAt: iso(r.arrived_at),
      chainReceivedAt: iso(r.chain_received_at),
      excursion: r.excursion as boolean,
      excursionWaived: r.excursion_waived as boolean,
      dispute:
        r.disputed_units === null
          ? null
          : { units: s(r.disputed_units), reasonCode: Number(r.dispute_reason) },
      confirmed: r.confirmed as boolean,
      manifestSerials: r.serial_count === null ? null : Number(r.serial_count),
      recalled: recalls.some((x) => x.lifted_at === null),
      recalls: recalls.map((x) => ({
        scope: x.scope as string,
        recalledBy: x.recalled_by as string,
        reasonCode: Number(x.reason_code),
        recalledAt: iso(x.recalled_at),
        txHash: x.tx_hash as string,
        blockNumber: Number(x.block_number),
        lifted:
          x.lifted_at === null
            ? null
            : {
                at: iso(x.lifted_at),
                by: x.lifted_by as string,
                reasonCode: Number(x.lift_reason_code),
                txHash: x.lift_tx_hash as string,
                blockNumber: Number(x.lift_block_number),
              },
      })),
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
            settledBy: st.settled_by as string,
            accepted: s(st.accepted),
            rejected: s(st.rejected),
            deliveredAt: iso(st.delivered_at),
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
