import type { Db } from "../../db";
import { StatementParams } from "../../lib/statement-params";
import type { SettlementJobStatus } from "../../../api/payments";

/**
 * SQL of the payment outbox. A job settles a shipment (kind `settlement`), pays a consignment's
 * consumption batch (kind `consumption`) or disputes the units a held receipt withholds (kind
 * `dispute`); all are sent by the one worker with the settler key. Every function takes the
 * connection or transaction to use.
 */

export type JobKind = "settlement" | "consumption" | "dispute";

export interface SettlementJob {
  id: string;
  kind: JobKind;
  /** Set for a settlement. */
  shipment_id: string | null;
  /** Set for a dispute: the shipment whose units a held receipt withholds. */
  disputed_shipment_id: string | null;
  receipt_no: string | null;
  /** A settlement's accepted units; a consumption batch's units; a dispute's units left to claim. */
  accepted: string;
  /** A settlement's rejected units; a dispute's units disputed. */
  rejected: string;
  receipt_hash: string | null;
  /** Set for a consumption batch (bytes32 hex), with its hospital and supplier. */
  batch_id: string | null;
  hospital: string | null;
  supplier: string | null;
  status: SettlementJobStatus;
  tx_hash: string | null;
  raw_tx: string | null;
  nonce: string | null;
  attempts: number;
}

export interface NewJob {
  shipmentId: string;
  receiptNo: string;
  accepted: bigint;
  rejected: bigint;
  receiptHash: string;
  /** When it is queued, on the ledger's clock (`ledgerNow`). */
  ledgerTime: Date;
}

/** Queues a job; a shipment has one job, so a second enqueue re-arms only a failed job. */
export async function enqueue(db: Db, job: NewJob): Promise<void> {
  const p = new StatementParams();
  await db.query(enqueueStatement(p, job), p.values);
}

/** `enqueue` as a statement, for a receipt's one write statement (receipts.service.ts). */
export function enqueueStatement(p: StatementParams, job: NewJob): string {
  return `INSERT INTO settlement_jobs (shipment_id, receipt_no, accepted, rejected, receipt_hash, ledger_time)
     VALUES (${p.add(job.shipmentId)}, ${p.add(job.receiptNo)}, ${p.add(job.accepted.toString())},
       ${p.add(job.rejected.toString())}, ${p.add(job.receiptHash)}, ${p.add(job.ledgerTime.toISOString())})
     ON CONFLICT (shipment_id) DO UPDATE SET accepted = EXCLUDED.accepted, rejected = EXCLUDED.rejected,
       receipt_no = EXCLUDED.receipt_no, receipt_hash = EXCLUDED.receipt_hash, ledger_time = EXCLUDED.ledger_time,
       status = 'pending', tx_hash = NULL, raw_tx = NULL, nonce = NULL, last_error = NULL, error_name = NULL,
       next_attempt_at = now()
     WHERE settlement_jobs.status = 'failed'`;
}

export interface NewDispute {
  shipmentId: string;
  receiptNo: string;
  /** The units disputed (above 0) and those a supplier's claim would still be paid for. */
  disputed: bigint;
  undisputed: bigint;
  ledgerTime: Date;
}

/**
 * Queues the dispute of a held receipt's units, as a statement for the receipt's one write
 * statement. A shipment is received once, so it has one: a second breaks the key, as a second
 * receipt of the shipment does.
 */
export function disputeStatement(p: StatementParams, d: NewDispute): string {
  return `INSERT INTO settlement_jobs (kind, disputed_shipment_id, receipt_no, accepted, rejected, ledger_time)
     VALUES ('dispute', ${p.add(d.shipmentId)}, ${p.add(d.receiptNo)}, ${p.add(d.undisputed.toString())},
       ${p.add(d.disputed.toString())}, ${p.add(d.ledgerTime.toISOString())})`;
}

/**
 * Locks the shipment's job until the transaction ends and returns its status (null without a
 * job), so a decision that queues a settlement cannot race the worker or another decision.
 */
export async function lockJobOf(tx: Db, shipmentId: string): Promise<SettlementJobStatus | null> {
  const { rows } = await tx.query<{ status: SettlementJobStatus }>(
    `SELECT status FROM settlement_jobs WHERE shipment_id = $1 FOR UPDATE`,
    [shipmentId],
  );
  return rows[0]?.status ?? null;
}

/** Locks the oldest due pending job for this transaction; other replicas skip it. */
export async function claimPending(tx: Db): Promise<SettlementJob | null> {
  const { rows } = await tx.query<SettlementJob>(
    `SELECT * FROM settlement_jobs WHERE status = 'pending' AND next_attempt_at <= now()
     ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
  );
  return rows[0] ?? null;
}

/** Locks one submitted job whose outcome is not recorded yet. */
export async function claimSubmitted(tx: Db): Promise<SettlementJob | null> {
  const { rows } = await tx.query<SettlementJob>(
    `SELECT * FROM settlement_jobs WHERE status = 'submitted' AND next_attempt_at <= now()
     ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
  );
  return rows[0] ?? null;
}

/** Serialises nonce allocation of the settler key across replicas until the transaction ends. */
export async function lockSettlerNonce(tx: Db): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(7420211)`);
}

export interface NewBatch {
  batchId: string;
  hospital: string;
  supplier: string;
  lines: { shipmentId: string; units: number }[];
  usageIds: string[];
}

/**
 * Queues a consumption batch with its lines and the usages it pays, in the caller's
 * transaction: a usage already in a batch makes the insert fail, so none is paid twice.
 */
export async function enqueueBatch(tx: Db, b: NewBatch): Promise<void> {
  const units = b.lines.reduce((n, l) => n + l.units, 0);
  await tx.query(
    `INSERT INTO settlement_jobs (kind, batch_id, hospital, supplier, accepted, rejected)
     VALUES ('consumption', $1, $2, $3, $4, 0)`,
    [b.batchId, b.hospital, b.supplier, units],
  );
  await tx.query(
    `INSERT INTO consumption_batch_lines (batch_id, shipment_id, units)
     SELECT $1, l.shipment_id, l.units FROM unnest($2::bigint[], $3::int[]) AS l (shipment_id, units)`,
    [b.batchId, b.lines.map((l) => l.shipmentId), b.lines.map((l) => l.units)],
  );
  await tx.query(
    `INSERT INTO consumption_batch_usages (hospital, usage_id, batch_id)
     SELECT $1, u, $2 FROM unnest($3::text[]) AS u`,
    [b.hospital, b.batchId, b.usageIds],
  );
}

/** A batch's lines, as its transaction pays them. */
export async function batchLines(db: Db, batchId: string): Promise<{ shipmentId: string; units: number }[]> {
  const { rows } = await db.query<{ shipment_id: string; units: number }>(
    `SELECT shipment_id, units FROM consumption_batch_lines WHERE batch_id = $1 ORDER BY shipment_id`,
    [batchId],
  );
  return rows.map((r) => ({ shipmentId: String(r.shipment_id), units: Number(r.units) }));
}

/** A refused batch pays nothing: its usages go back to be cut into a later batch. */
export async function releaseBatchUsages(tx: Db, batchId: string): Promise<void> {
  await tx.query(`DELETE FROM consumption_batch_usages WHERE batch_id = $1`, [batchId]);
}

export async function highestNonceInFlight(tx: Db): Promise<number | null> {
  const { rows } = await tx.query<{ n: string | null }>(
    `SELECT max(nonce) AS n FROM settlement_jobs WHERE status = 'submitted'`,
  );
  return rows[0]?.n == null ? null : Number(rows[0].n);
}

/**
 * Records the signed transaction before it is sent. The job is leased to its sender for
 * `leaseMs` (its receipt wait): until then no replica reconciles it, so a transaction is not
 * broadcast by a second replica while its sender is still on it; after a crash it is picked up
 * once the lease runs out.
 */
export async function markSubmitted(
  tx: Db,
  id: string,
  txHash: string,
  rawTx: string,
  nonce: number,
  leaseMs: number,
): Promise<void> {
  await tx.query(
    `UPDATE settlement_jobs SET status = 'submitted', tx_hash = $2, raw_tx = $3, nonce = $4, attempts = attempts + 1,
       submitted_at = now(), last_error = NULL, next_attempt_at = now() + ($5::int * interval '1 millisecond')
     WHERE id = $1`,
    [id, txHash, rawTx, nonce, leaseMs],
  );
}

export async function markConfirmed(db: Db, id: string, txHash: string | null): Promise<void> {
  await db.query(
    `UPDATE settlement_jobs SET status = 'confirmed', tx_hash = COALESCE($2, tx_hash), raw_tx = NULL,
       confirmed_at = now(), last_error = NULL WHERE id = $1`,
    [id, txHash],
  );
}

export async function markFailed(db: Db, id: string, errorName: string, message: string): Promise<void> {
  await db.query(
    `UPDATE settlement_jobs SET status = 'failed', error_name = $2, last_error = $3, raw_tx = NULL WHERE id = $1`,
    [id, errorName, message],
  );
}

/**
 * Back to pending (to be signed again, e.g. its nonce was taken), after `delayMs`. Only while
 * the job is still submitted with transaction `txHash`: a late verdict on that transaction must
 * not undo what another replica has recorded since (a confirmation above all).
 */
export async function markRetry(
  db: Db,
  id: string,
  txHash: string,
  message: string,
  delayMs: number,
): Promise<void> {
  await db.query(
    `UPDATE settlement_jobs SET status = 'pending', tx_hash = NULL, raw_tx = NULL, nonce = NULL, last_error = $3,
       next_attempt_at = now() + ($4::int * interval '1 millisecond')
     WHERE id = $1 AND status = 'submitted' AND tx_hash = $2`,
    [id, txHash, message, delayMs],
  );
}

/**
 * Leases a submitted job to the worker reconciling it, for `leaseMs`. Neither an attempt nor an
 * error: a job waiting for its block to become final is looked at again and again.
 */
export async function leaseSubmitted(tx: Db, id: string, leaseMs: number): Promise<void> {
  await tx.query(
    `UPDATE settlement_jobs SET next_attempt_at = now() + ($2::int * interval '1 millisecond') WHERE id = $1`,
    [id, leaseMs],
  );
}

/**
 * A mined job whose block is not yet final: looked at again after `delayMs`, its signed bytes
 * kept for a resend. Not an attempt and not an error. Only while it is still submitted with
 * transaction `txHash` (as `markRetry`).
 */
export async function awaitDepth(db: Db, id: string, txHash: string, delayMs: number): Promise<void> {
  await db.query(
    `UPDATE settlement_jobs SET last_error = NULL, next_attempt_at = now() + ($3::int * interval '1 millisecond')
     WHERE id = $1 AND status = 'submitted' AND tx_hash = $2`,
    [id, txHash, delayMs],
  );
}

/**
 * Leaves the job as it is, to be looked at again after `delayMs` (transient trouble). Counts as
 * an attempt unless `attempt` is false (waiting for the chain, not trying).
 */
export async function deferJob(
  db: Db,
  id: string,
  message: string,
  delayMs: number,
  { attempt = true }: { attempt?: boolean } = {},
): Promise<void> {
  await db.query(
    `UPDATE settlement_jobs SET last_error = $2, attempts = attempts + $4::int,
       next_attempt_at = now() + ($3::int * interval '1 millisecond') WHERE id = $1`,
    [id, message, delayMs, attempt ? 1 : 0],
  );
}

/** The nonces from `from` (inclusive) to `to` (exclusive) that submitted jobs hold. */
export async function submittedNonces(db: Db, from: number, to: number): Promise<number[]> {
  const { rows } = await db.query<{ nonce: string }>(
    `SELECT nonce FROM settlement_jobs WHERE status = 'submitted' AND nonce >= $1 AND nonce < $2`,
    [from, to],
  );
  return rows.map((r) => Number(r.nonce));
}

export async function outboxDepth(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM settlement_jobs WHERE status IN ('pending', 'submitted')`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** Jobs per kind and status, for /metrics. */
export async function jobsByStatus(
  db: Db,
): Promise<{ kind: JobKind; status: SettlementJobStatus; n: number }[]> {
  const { rows } = await db.query<{ kind: JobKind; status: SettlementJobStatus; n: number }>(
    `SELECT kind, status, count(*)::int AS n FROM settlement_jobs GROUP BY kind, status`,
  );
  return rows;
}
