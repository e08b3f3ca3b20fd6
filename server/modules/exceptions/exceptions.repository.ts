import type { Db } from "../../db";
import { isoOrNull } from "../../lib/projection-row";
import { StatementParams } from "../../lib/statement-params";
import { decodeCursor, DEFAULT_LIMIT, ID_KEY, toPage, type Page } from "../../lib/pagination";

import type {
  Exception,
  ExceptionReason,
  ExceptionSource,
  ExceptionStatus,
  Resolution,
} from "../../../api/exceptions";
import type { SettlementJobStatus } from "../../../api/payments";
import { claimOpensAtSql } from "../shipments/shipments.repository";

/**
 * SQL of the exceptions table, which this module owns: receipts and the payment worker raise
 * exceptions through `raise`, never by writing the table themselves. Every function takes the
 * connection or transaction to use.
 */

export interface NewException {
  receiptNo: string | null;
  shipmentId: string;
  source: ExceptionSource;
  reasons: ExceptionReason[];
  /** The units matching would pay for (the settlement's, when the chain refused it). */
  proposedAccepted: bigint;
  /** When it is raised, on the ledger's clock (`ledgerNow`). */
  ledgerTime: Date;
}

/** Records an exception, open; returns its id. */
export async function raise(db: Db, e: NewException): Promise<string> {
  const p = new StatementParams();
  const { rows } = await db.query<{ id: string }>(raiseStatement(p, e), p.values);
  return String(rows[0].id);
}

/** `raise` as a statement returning the new `id`, for a receipt's one write statement (receipts.service.ts). */
export function raiseStatement(p: StatementParams, e: NewException): string {
  return `INSERT INTO exceptions (receipt_no, shipment_id, source, reasons, proposed_accepted, ledger_time)
     VALUES (${p.add(e.receiptNo)}, ${p.add(e.shipmentId)}, ${p.add(e.source)}, ${p.add(JSON.stringify(e.reasons))},
       ${p.add(e.proposedAccepted.toString())}, ${p.add(e.ledgerTime.toISOString())}) RETURNING id`;
}

/**
 * When an exception `x` was raised and resolved, as SQL: on the ledger's clock, the gateway's for
 * rows recorded before it kept the ledger's (migrations 0025, 0029). `resolvedAtSql` is NULL while
 * it is open.
 */
export const raisedAtSql = (x: string): string => `COALESCE(${x}.ledger_time, ${x}.created_at)`;
export const resolvedAtSql = (x: string): string => `COALESCE(${x}.resolved_ledger_time, ${x}.resolved_at)`;

interface ExceptionRow {
  id: string;
  shipment_id: string;
  order_id: string;
  hospital: string;
  receipt_no: string | null;
  source: ExceptionSource;
  reasons: ExceptionReason[];
  proposed_accepted: string;
  quantity: string;
  status: ExceptionStatus;
  resolution: Resolution | null;
  resolved_accepted: string | null;
  note: string | null;
  resolved_by: string | null;
  /** On the ledger's clock (`raisedAtSql`, `resolvedAtSql`). */
  raised_at: Date | string;
  decided_at: Date | string | null;
  receipt_hash: string | null;
  /** The held receipt's dispute job, if it withholds units (receipts.service.ts). */
  hold_units: string | null;
  hold_status: SettlementJobStatus | null;
  hold_error: string | null;
  /** The shipment's settlement on the ledger, once indexed (by whoever settled it). */
  settled_accepted: string | null;
  settled_rejected: string | null;
  /** When the supplier may settle the shipment itself (`claimOpensAtSql`). */
  claim_opens_at: Date | string | null;
}

/** An exception with what deciding it needs: the receipt's hash. */
export interface ExceptionForResolution extends Exception {
  receiptHash: string | null;
}

const SELECT = `SELECT e.*, ${raisedAtSql("e")} AS raised_at, ${resolvedAtSql("e")} AS decided_at, s.order_id,
    o.hospital, s.quantity, r.receipt_hash, d.rejected AS hold_units, d.status AS hold_status, d.error_name AS hold_error,
    st.accepted AS settled_accepted, st.rejected AS settled_rejected, ${claimOpensAtSql("s", "a")} AS claim_opens_at
  FROM exceptions e JOIN shipments s ON s.id = e.shipment_id JOIN orders o ON o.id = s.order_id
  LEFT JOIN agreements a ON a.id = o.agreement_id
  LEFT JOIN receipts r ON r.shipment_id = e.shipment_id AND r.receipt_no = e.receipt_no
  LEFT JOIN settlement_jobs d ON d.disputed_shipment_id = e.shipment_id
  LEFT JOIN settlements st ON st.shipment_id = e.shipment_id`;

export async function listExceptions(
  db: Db,
  filter: { status?: ExceptionStatus; hospital?: string; reason?: string; limit?: number; cursor?: string },
): Promise<Page<Exception>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const after = decodeCursor(filter.cursor, ID_KEY);
  const limit = filter.limit ?? DEFAULT_LIMIT;
  if (after !== null) where.push(`e.id > $${params.push(after)}`);
  if (filter.status) where.push(`e.status = $${params.push(filter.status)}`);
  if (filter.hospital) where.push(`o.hospital = $${params.push(filter.hospital.toLowerCase())}`);
  if (filter.reason)
    where.push(`e.reasons @> $${params.push(JSON.stringify([{ code: filter.reason }]))}::jsonb`);
  const { rows } = await db.query<ExceptionRow>(
    `${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY e.id LIMIT $${params.push(limit + 1)}`,
    params,
  );
  return toPage(rows, limit, (r) => String(r.id), view);
}

export async function findException(db: Db, id: string): Promise<Exception | null> {
  const { rows } = await db.query<ExceptionRow>(`${SELECT} WHERE e.id = $1`, [id]);
  return rows[0] ? view(rows[0]) : null;
}

/** Locks the exception until the transaction ends, so two approvers cannot both decide it. */
export async function lockForResolution(tx: Db, id: string): Promise<ExceptionForResolution | null> {
  const { rows } = await tx.query<ExceptionRow>(`${SELECT} WHERE e.id = $1 FOR UPDATE OF e`, [id]);
  return rows[0] ? { ...view(rows[0]), receiptHash: rows[0].receipt_hash } : null;
}

export async function markResolved(
  tx: Db,
  id: string,
  decision: { action: Resolution; accepted: bigint; note: string; approver: string; ledgerTime: Date },
): Promise<void> {
  await tx.query(
    `UPDATE exceptions SET status = 'resolved', resolution = $2, resolved_accepted = $3, note = $4, resolved_by = $5,
       resolved_at = now(), resolved_ledger_time = $6 WHERE id = $1`,
    [
      id,
      decision.action,
      decision.accepted.toString(),
      decision.note,
      decision.approver,
      decision.ledgerTime.toISOString(),
    ],
  );
}

/** Open exceptions per reason code (one with several reasons counts under each), for /metrics. */
export async function openByReason(db: Db): Promise<{ reason: string; n: number }[]> {
  const { rows } = await db.query<{ reason: string; n: number }>(
    `SELECT r->>'code' AS reason, count(*)::int AS n
     FROM exceptions e, jsonb_array_elements(e.reasons) r WHERE e.status = 'open' GROUP BY 1`,
  );
  return rows;
}

function view(r: ExceptionRow): Exception {
  return {
    id: String(r.id),
    shipmentId: String(r.shipment_id),
    orderId: String(r.order_id),
    hospital: r.hospital,
    receiptNo: r.receipt_no,
    source: r.source,
    reasons: r.reasons,
    proposedAccepted: String(r.proposed_accepted),
    shipped: String(r.quantity),
    status: r.status,
    resolution: r.resolution,
    resolvedAccepted: r.resolved_accepted === null ? null : String(r.resolved_accepted),
    note: r.note,
    resolvedBy: r.resolved_by,
    resolvedAt: r.decided_at === null ? null : new Date(r.decided_at).toISOString(),
    createdAt: new Date(r.raised_at).toISOString(),
    ...deliveryStanding(r),
  };
}

/**
 * A delivery's exception's standing on the ledger: its shipment's settlement once made, else the
 * units its held receipt withholds and when the supplier may claim (the decision's deadline). A
 * stocktake's difference concerns the shelf, not a delivery to settle: none applies to it.
 */
function deliveryStanding(
  r: ExceptionRow,
): Pick<Exception, "settledOnLedger" | "ledgerHold" | "claimOpensAt"> {
  if (r.source === "stocktake") return { settledOnLedger: null, ledgerHold: null, claimOpensAt: null };
  if (r.settled_accepted !== null)
    return {
      settledOnLedger: { accepted: String(r.settled_accepted), rejected: String(r.settled_rejected) },
      ledgerHold: null,
      claimOpensAt: null,
    };
  return {
    settledOnLedger: null,
    claimOpensAt: isoOrNull(r.claim_opens_at),
    ledgerHold:
      r.hold_status === null
        ? null
        : { units: String(r.hold_units), status: r.hold_status, error: r.hold_error },
  };
}
