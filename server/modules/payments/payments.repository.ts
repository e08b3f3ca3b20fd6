import type { Db } from "../../db";
import { decodeCursor, toPage } from "../../lib/pagination";
import { acceptedAtSql } from "../matching/matching.repository";
import type {
  ListPaymentsQuery,
  Payment,
  PaymentPage,
  SettlementJobStatus,
  SpendRow,
} from "../../../api/payments";

/**
 * Payments as the hospital and its suppliers see them: every settlement job with its on-chain
 * outcome, and how long it took from acceptance (the match, or the approver's resolution) to
 * payment — the delay national policy caps at 30 days. Also every supplier's claim the ledger
 * shows without a job: a delivery whose receipt was held and never decided, or was never recorded
 * at this gateway. The money left the hospital's escrow all the same, so its finance office must
 * see it here; it was never accepted, so it has no acceptance time. Only claims: the indexer
 * keeps every hospital's settlements, and another hospital's settler pays through its own
 * gateway; a gateway that keeps one hospital's back office (`served`) lists only its claims. A
 * consigned order's receipts are no payment (their confirmation only takes the units into
 * custody): they are left out here, and its consumption batches (paid on use) count in the spend
 * instead (/v1/consignment).
 */

type Row = Record<string, unknown>;

export async function listPayments(
  db: Db,
  q: Omit<ListPaymentsQuery, "limit"> & { limit: number; hospital?: string; served?: string },
): Promise<PaymentPage> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.supplier) where.push(`s.supplier = $${params.push(q.supplier.toLowerCase())}`);
  if (q.hospital) where.push(`o.hospital = $${params.push(q.hospital.toLowerCase())}`);
  if (q.served) where.push(`(j.id IS NOT NULL OR o.hospital = $${params.push(q.served.toLowerCase())})`);
  if (q.orderId) where.push(`s.order_id = $${params.push(q.orderId)}`);
  where.push(`NOT EXISTS (SELECT 1 FROM consigned_orders co WHERE co.order_id = s.order_id)`);
  if (q.status) where.push(`${STATUS_SQL} = $${params.push(q.status)}`);
  const cursor = decodeCursor(q.cursor, CURSOR_KEY);
  const after = cursor === null ? "" : `AND shipment_id > $${params.push(cursor.slice(1))}::bigint`;
  // By shipment, the key a job and a settlement share (one of each at most per shipment), taken
  // from the two tables' own keys rather than from every shipment on the chain.
  const { rows } = await db.query<Row>(
    `SELECT s.id AS shipment_id, s.order_id, s.supplier, o.hospital, COALESCE(j.receipt_no, r.receipt_no) AS receipt_no,
       ${STATUS_SQL} AS status,
       -- What was settled: the job's units, or a supplier's claim's when it settled first.
       COALESCE(st.accepted, j.accepted) AS accepted, COALESCE(st.rejected, j.rejected) AS rejected,
       j.tx_hash AS job_tx, j.last_error, j.error_name, st.gross, st.penalty, st.paid, st.days_late, st.delivered_at, st.settled_by,
       st.tx_hash, st.block_number, st.paid_at,
       CASE WHEN j.id IS NOT NULL THEN ${acceptedAtSql("m", "e")} END AS accepted_at
     FROM (SELECT shipment_id FROM settlement_jobs WHERE shipment_id IS NOT NULL ${after}
           UNION ALL
           SELECT shipment_id FROM settlements x WHERE settled_by = supplier ${after}
             AND NOT EXISTS (SELECT 1 FROM settlement_jobs y WHERE y.shipment_id = x.shipment_id)) pay
     JOIN shipments s ON s.id = pay.shipment_id
     JOIN orders o ON o.id = s.order_id
     LEFT JOIN settlement_jobs j ON j.shipment_id = s.id
     LEFT JOIN settlements st ON st.shipment_id = s.id
     LEFT JOIN receipts r ON r.shipment_id = s.id
     LEFT JOIN matches m ON m.shipment_id = s.id
     LEFT JOIN LATERAL (SELECT x.resolved_at, x.resolved_ledger_time FROM exceptions x
       WHERE x.shipment_id = s.id AND x.source <> 'stocktake' AND x.resolved_at IS NOT NULL
       ORDER BY x.resolved_at DESC LIMIT 1) e ON TRUE
     WHERE ${where.join(" AND ")}
     ORDER BY s.id LIMIT $${params.push(q.limit + 1)}`,
    params,
  );
  return toPage(rows, q.limit, (r) => `s${String(r.shipment_id)}`, view);
}

/**
 * A payment's status as reported, over its job `j` and its indexed settlement `st`: confirmed
 * once the indexer has seen the settlement, whatever the outbox row says (and a claim, which has
 * no job, is confirmed). A job the worker saw mined is still submitted until then: the indexer
 * reads blocks `CONFIRMATIONS` deep, and a reorganisation may yet drop the worker's block.
 */
const STATUS_SQL = `(CASE WHEN st.paid_at IS NOT NULL THEN 'confirmed'
  WHEN j.status = 'confirmed' THEN 'submitted' ELSE j.status END)`;

/**
 * A page's key: "s" and a shipment id. The letter tells it from the job ids this list's cursors
 * carried before it listed claims, which a client may still hold: those are refused (400), not
 * read as shipment ids.
 */
const CURSOR_KEY = /^s[0-9]{1,18}$/;

function view(r: Row): Payment {
  // On the ledger's clock, as a payment's time is (its block's).
  const acceptedAt = r.accepted_at ? new Date(r.accepted_at as string) : null;
  const paidAt = r.paid_at ? new Date(r.paid_at as string) : null;
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    shipmentId: String(r.shipment_id),
    orderId: String(r.order_id),
    supplier: r.supplier as string,
    hospital: r.hospital as string,
    receiptNo: str(r.receipt_no),
    status: r.status as SettlementJobStatus,
    accepted: String(r.accepted),
    rejected: String(r.rejected),
    gross: str(r.gross),
    penalty: str(r.penalty),
    paid: str(r.paid),
    daysLate: r.days_late === null || r.days_late === undefined ? null : Number(r.days_late),
    deliveredAt: r.delivered_at ? new Date(r.delivered_at as string).toISOString() : null,
    settledBy: (r.settled_by as string | null) ?? null,
    txHash: (r.tx_hash as string | null) ?? (r.job_tx as string | null),
    blockNumber: r.block_number === null || r.block_number === undefined ? null : Number(r.block_number),
    error: (r.last_error as string | null) ?? null,
    errorName: (r.error_name as string | null) ?? null,
    acceptedAt: acceptedAt?.toISOString() ?? null,
    paidAt: paidAt?.toISOString() ?? null,
    // Both ends on one clock, so a chain whose clock differs from the wall reports seconds.
    secondsToPayment:
      paidAt && acceptedAt ? Math.max(0, Math.round((paidAt.getTime() - acceptedAt.getTime()) / 1000)) : null,
  };
}

/**
 * Payments per month (in `timeZone`) and agreement category, in [from, to), narrowed to
 * one hospital or one supplier. Bounded by its range: months × categories rows.
 */
export async function spendByMonth(
  db: Db,
  q: { from: Date; to: Date; timeZone: string; hospital?: string; supplier?: string },
): Promise<SpendRow[]> {
  const params: unknown[] = [q.from.toISOString(), q.to.toISOString(), q.timeZone];
  const where = ["st.paid_at >= $1", "st.paid_at < $2"];
  if (q.hospital) where.push(`o.hospital = $${params.push(q.hospital.toLowerCase())}`);
  if (q.supplier) where.push(`st.supplier = $${params.push(q.supplier.toLowerCase())}`);
  // Money that reached suppliers: settlements, except a consigned shipment's (its value is held
  // until used), and the consumption lines that paid consigned units on use.
  const { rows } = await db.query<{
    month: string;
    category: string;
    paid: string;
    penalties: string;
    settlements: number;
  }>(
    `SELECT to_char(st.paid_at AT TIME ZONE $3, 'YYYY-MM') AS month, a.category,
       sum(st.paid)::text AS paid, sum(st.penalty)::text AS penalties, count(*)::int AS settlements
     FROM (SELECT order_id, supplier, paid, penalty, paid_at FROM settlements x
             WHERE NOT EXISTS (SELECT 1 FROM consigned_stock cs WHERE cs.shipment_id = x.shipment_id)
           UNION ALL
           SELECT order_id, supplier, amount, 0, at FROM consignment_movements WHERE to_supplier) st
     JOIN orders o ON o.id = st.order_id
     JOIN agreements a ON a.id = o.agreement_id
     WHERE ${where.join(" AND ")}
     GROUP BY 1, 2
     ORDER BY 1, 2`,
    params,
  );
  return rows;
}

/** The start (local midnight in `timeZone`) of the month `monthsBack` months before `at`'s. */
export async function monthStart(db: Db, at: Date, monthsBack: number, timeZone: string): Promise<Date> {
  const { rows } = await db.query<{ start: Date | string }>(
    `SELECT (date_trunc('month', $1::timestamptz AT TIME ZONE $2) - make_interval(months => $3::int))
       AT TIME ZONE $2 AS start`,
    [at.toISOString(), timeZone, monthsBack],
  );
  return new Date(rows[0].start);
}
