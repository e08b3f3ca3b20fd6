import type { Lot } from "../../../api/trail";
import type { Db } from "../../db";
import { raisedAtSql, resolvedAtSql } from "../exceptions/exceptions.repository";
import { matchedAtSql } from "../matching/matching.repository";
import type { EventArgs } from "../../../ledger/events";
import { BUDGET_EVENTS, HOSPITAL_EVENTS, MEMBER_EVENTS } from "../../../ledger/trail/trail-rule";

const HOSPITAL_EVENT_NAMES = [...HOSPITAL_EVENTS];
const MEMBER_EVENT_NAMES = [...MEMBER_EVENTS];

/**
 * SQL of the audit trail: the projections and raw events of one order, lot or serial, and the
 * gateway's own documents about them. Only reads; every function takes the connection or
 * transaction to use (the service reads a whole trail in one REPEATABLE READ transaction, so a
 * trail never mixes two indexer states).
 *
 * Ids travel as decimal strings, NUMERIC as strings and TIMESTAMPTZ as Date (see db.ts).
 */

/** Who may see what: nothing set = everything (a regulator). */
export interface TrailScope {
  hospital?: string;
  supplier?: string;
}

export interface OrderRow {
  id: string;
  agreement_id: string;
  hospital: string;
  supplier: string;
  placed_by: string;
  quantity: string;
  /** The escrow taken when the order was funded (0 until then). */
  value: string;
  /** The escrow held now. */
  escrow: string;
  shipped: string;
  accepted: string;
  cancelled: string;
  excess_consented: boolean;
  late_shipment_allowed: boolean;
  requested_delivery: Date;
  delivery_deadline: Date;
  funding_expires_at: Date;
  order_ref: string;
  status: string;
  placed_at: Date;
}

export interface ShipmentRow {
  id: string;
  order_id: string;
  supplier: string;
  hospital: string;
  lot_key: string;
  gtin: string;
  lot: string;
  expiry: Date;
  quantity: string;
  serial_root: string;
  notice_hash: string;
  created_at: Date;
  /** Block time of the supplier's first Arriving step. */
  arrived_at: Date | null;
  /** Block time of the hospital's first step from Receiving on, or of the settlement. */
  chain_received_at: Date | null;
  excursion: boolean;
  excursion_waived: boolean;
  confirmed: boolean;
  disputed_units: string | null;
}

export interface ApprovalRow {
  order_id: string;
  approver: string;
  approvals: number;
  required: number;
  approved_at: Date;
  tx_hash: string;
  block_number: string;
  log_index: number;
}

export interface TraceEventRow {
  shipment_id: string;
  event_index: number;
  step: string;
  actor: string;
  location: string;
  event_time: Date;
  sensor_digest: string;
  excursion: boolean;
  tx_hash: string;
  block_number: string;
  log_index: number;
}

export interface SettlementRow {
  shipment_id: string;
  order_id: string;
  supplier: string;
  settled_by: string;
  accepted: string;
  rejected: string;
  /** The delivery time the chain derived (payout.deliveredAt). */
  delivered_at: Date;
  receipt_hash: string;
  gross: string;
  penalty: string;
  paid: string;
  days_late: number;
  paid_at: Date;
  tx_hash: string;
  block_number: string;
  log_index: number;
}

/** One recall of a lot in one scope (LotRecalled), with its lift (RecallLifted) once lifted. */
export interface RecallRow {
  lot_key: string;
  gtin: string;
  lot: string;
  /** The zero address for a regulator's recall, else the supplier whose shipments it covers. */
  scope: string;
  recalled_by: string;
  reason_code: number;
  recalled_at: Date;
  tx_hash: string;
  block_number: string;
  log_index: number;
  lifted_at: Date | null;
  lifted_by: string | null;
  lift_reason_code: number | null;
  lift_tx_hash: string | null;
  lift_block_number: string | null;
  lift_log_index: number | null;
}

export interface AgreementRow {
  id: string;
  tender_id: string;
  supplier: string;
  category: string;
  start_at: Date;
  end_at: Date;
  funded_volume: string;
  accepted_volume: string;
}

export interface AgreementHospitalRow {
  agreement_id: string;
  hospital: string;
  committed: string;
  /** Funded, uncancelled units. */
  ordered: string;
  accepted: string;
}

/** One row of `chain_events`: a decoded ledger log as the indexer stored it. */
export interface ChainEventRow {
  contract: string;
  event: string;
  args: EventArgs;
  tx_hash: string;
  block_number: string;
  block_time: Date;
  log_index: number;
}

export interface ManifestRow {
  shipment_id: string;
  serial_root: string;
  serial_count: number;
  uploaded_by: string;
  /** When it was uploaded: on the ledger's clock, the gateway's for uploads before migration 0029. */
  at: Date;
}

export interface ReceiptRow {
  receipt_no: string;
  shipment_id: string;
  hospital: string;
  received_at: Date;
  received_by: string;
  received_qty: string;
  rejected_qty: string;
  receipt_hash: string;
}

export interface ReceiptLineRow {
  receipt_no: string;
  line_no: number;
  gtin: string;
  lot: string | null;
  serial: string | null;
  quantity: string;
  rejected: string;
  reject_reason: string | null;
}

export interface MatchRow {
  receipt_no: string;
  shipment_id: string;
  status: string;
  accepted: string;
  rejected: string;
  reasons: unknown;
  matched_at: Date;
  /** When it was matched (`matchedAtSql`). */
  at: Date;
}

export interface ExceptionRow {
  id: string;
  receipt_no: string | null;
  shipment_id: string;
  source: string;
  reasons: unknown;
  proposed_accepted: string;
  status: string;
  resolution: string | null;
  resolved_accepted: string | null;
  note: string | null;
  resolved_by: string | null;
  /** When it was raised and resolved (`raisedAtSql`, `resolvedAtSql`). */
  raised_at: Date;
  resolved_at: Date | null;
}

export interface SettlementJobRow {
  shipment_id: string;
  receipt_no: string;
  accepted: string;
  rejected: string;
  status: string;
  tx_hash: string | null;
  attempts: number;
  last_error: string | null;
  /**
   * When it was queued, on the ledger's clock; for jobs queued before migration 0029, when it was
   * sent (or else queued) on the gateway's.
   */
  at: Date;
}

export interface UsageRow {
  hospital: string;
  usage_id: string;
  gtin: string;
  lot: string;
  serial: string | null;
  department: string;
  patient_hash: string;
  used_at: Date;
  billing_code: string;
  billed_amount: string;
  quantity: number;
  corrects_usage_id: string | null;
  recorded_by: string;
}

const SHIPMENT_COLUMNS = `s.id, s.order_id, s.supplier, s.hospital, s.lot_key, s.gtin, s.lot, s.expiry, s.quantity,
  s.serial_root, s.notice_hash, s.created_at, s.arrived_at, s.chain_received_at, s.excursion, s.excursion_waived,
  s.confirmed, s.disputed_units`;
const EVENT_COLUMNS = `contract, event, args, tx_hash, block_number, block_time, log_index`;

/** Adds the caller's scope to a query over shipments `s` (which name their hospital). */
function scoped(scope: TrailScope, params: unknown[]): string {
  const parts: string[] = [];
  if (scope.hospital) parts.push(`s.hospital = $${params.push(scope.hospital.toLowerCase())}`);
  if (scope.supplier) parts.push(`s.supplier = $${params.push(scope.supplier.toLowerCase())}`);
  return parts.map((p) => ` AND ${p}`).join("");
}

/** Reads the rest of the trail from one snapshot of the database. */
export async function inSnapshot<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    return fn(tx);
  });
}

export async function ordersById(db: Db, ids: string[]): Promise<OrderRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<OrderRow>(
    `SELECT id, agreement_id, hospital, supplier, placed_by, quantity, value, escrow, shipped, accepted, cancelled,
       excess_consented, late_shipment_allowed, requested_delivery, delivery_deadline, funding_expires_at, order_ref,
       status, placed_at
     FROM orders WHERE id = ANY($1::bigint[]) ORDER BY id`,
    [ids],
  );
  return rows;
}

export async function shipmentsOfOrder(db: Db, orderId: string): Promise<ShipmentRow[]> {
  const { rows } = await db.query<ShipmentRow>(
    `SELECT ${SHIPMENT_COLUMNS} FROM shipments s WHERE s.order_id = $1 ORDER BY s.id`,
    [orderId],
  );
  return rows;
}

export async function shipmentsOfLot(db: Db, lot: Lot, scope: TrailScope): Promise<ShipmentRow[]> {
  const params: unknown[] = [lot.gtin, lot.lot];
  const { rows } = await db.query<ShipmentRow>(
    `SELECT ${SHIPMENT_COLUMNS} FROM shipments s
     WHERE s.gtin = $1 AND s.lot = $2${scoped(scope, params)} ORDER BY s.id`,
    params,
  );
  return rows;
}

/** The shipments whose uploaded manifest lists the serial, with its leaf index. */
export async function shipmentsOfSerial(
  db: Db,
  gtin: string,
  serial: string,
  scope: TrailScope,
): Promise<(ShipmentRow & { leaf_index: number })[]> {
  const params: unknown[] = [gtin, serial];
  const { rows } = await db.query<ShipmentRow & { leaf_index: number }>(
    `SELECT ${SHIPMENT_COLUMNS}, m.leaf_index FROM manifest_serials m
       JOIN shipments s ON s.id = m.shipment_id
     WHERE s.gtin = $1 AND m.serial = $2${scoped(scope, params)} ORDER BY s.id`,
    params,
  );
  return rows;
}

export async function approvalsOf(db: Db, orderIds: string[]): Promise<ApprovalRow[]> {
  if (orderIds.length === 0) return [];
  const { rows } = await db.query<ApprovalRow>(
    `SELECT * FROM order_approvals WHERE order_id = ANY($1::bigint[]) ORDER BY block_number, log_index`,
    [orderIds],
  );
  return rows;
}

export async function traceEventsOf(db: Db, shipmentIds: string[]): Promise<TraceEventRow[]> {
  if (shipmentIds.length === 0) return [];
  const { rows } = await db.query<TraceEventRow>(
    `SELECT * FROM trace_events WHERE shipment_id = ANY($1::bigint[]) ORDER BY shipment_id, event_index`,
    [shipmentIds],
  );
  return rows;
}

export async function settlementsOf(db: Db, shipmentIds: string[]): Promise<SettlementRow[]> {
  if (shipmentIds.length === 0) return [];
  const { rows } = await db.query<SettlementRow>(
    `SELECT * FROM settlements WHERE shipment_id = ANY($1::bigint[]) ORDER BY shipment_id`,
    [shipmentIds],
  );
  return rows;
}

/** A lot in one recall scope: the zero address (a regulator's recall) or a supplier. */
export interface LotScope extends Lot {
  scope: string;
}

/** The recalls (and their lifts) of each lot in each of the given scopes. */
export async function recallsOf(db: Db, scopes: LotScope[]): Promise<RecallRow[]> {
  if (scopes.length === 0) return [];
  const { rows } = await db.query<RecallRow>(
    `SELECT lot_key, gtin, lot, scope, recalled_by, reason_code, recalled_at, tx_hash, block_number, log_index,
       lifted_at, lifted_by, lift_reason_code, lift_tx_hash, lift_block_number, lift_log_index
     FROM recalls WHERE (gtin, lot, scope) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
     ORDER BY block_number, log_index`,
    [scopes.map((l) => l.gtin), scopes.map((l) => l.lot), scopes.map((l) => l.scope.toLowerCase())],
  );
  return rows;
}

export async function agreementsById(db: Db, ids: string[]): Promise<AgreementRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<AgreementRow>(
    `SELECT id, tender_id, supplier, category, start_at, end_at, funded_volume, accepted_volume
     FROM agreements WHERE id = ANY($1::bigint[]) ORDER BY id`,
    [ids],
  );
  return rows;
}

/** Each agreement's volume per hospital, for the given agreements and hospitals. */
export async function agreementHospitals(
  db: Db,
  agreementIds: string[],
  hospitals: string[],
): Promise<AgreementHospitalRow[]> {
  if (agreementIds.length === 0 || hospitals.length === 0) return [];
  const { rows } = await db.query<AgreementHospitalRow>(
    `SELECT agreement_id, hospital, committed, ordered, accepted FROM agreement_hospitals
     WHERE agreement_id = ANY($1::bigint[]) AND hospital = ANY($2::text[]) ORDER BY agreement_id, hospital`,
    [agreementIds, hospitals],
  );
  return rows;
}

/** Stored events of `contract` named in `events` whose argument `key` is one of `values`. */
export async function eventsByArg(
  db: Db,
  contract: string,
  events: readonly string[],
  key: string,
  values: string[],
): Promise<ChainEventRow[]> {
  if (values.length === 0 || events.length === 0) return [];
  const { rows } = await db.query<ChainEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM chain_events
     WHERE contract = $1 AND event = ANY($2::text[]) AND args->>$3 = ANY($4::text[])
     ORDER BY block_number, log_index`,
    [contract, events, key, values],
  );
  return rows;
}

/**
 * Stored events of `contract` named in `events` whose argument `key` is one of `values`, logged
 * in one of the transactions `txHashes`.
 */
export async function eventsInTransactions(
  db: Db,
  contract: string,
  events: readonly string[],
  key: string,
  values: string[],
  txHashes: string[],
): Promise<ChainEventRow[]> {
  if (values.length === 0 || txHashes.length === 0) return [];
  const { rows } = await db.query<ChainEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM chain_events
     WHERE contract = $1 AND event = ANY($2::text[]) AND args->>$3 = ANY($4::text[]) AND tx_hash = ANY($5::text[])
     ORDER BY block_number, log_index`,
    [contract, events, key, values, txHashes.map((t) => t.toLowerCase())],
  );
  return rows;
}

/**
 * The supplier registry's events about `suppliers` (registration, documents and their decisions,
 * product declarations, suspensions), the registrations of the GTINs they shipped in the trail
 * (`gtins`: supplier and GTIN-14 pairs), and the regulator's changes of the required document
 * kinds, up to `toBlock`.
 */
export async function registryEvents(
  db: Db,
  suppliers: string[],
  gtins: { supplier: string; gtin: string }[],
  toBlock: number,
): Promise<ChainEventRow[]> {
  const { rows } = await db.query<ChainEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM chain_events
     WHERE contract = 'registry' AND block_number <= $2
       AND ((event <> 'GtinRegistered' AND args->>'supplier' = ANY($1::text[]))
         OR event = 'RequiredKindsChanged'
         OR (event = 'GtinRegistered'
             -- lpad cuts a longer string: a product key (15 to 20 digits) is kept whole.
             AND (args->>'supplier', lpad(args->>'gtin', greatest(14, length(args->>'gtin')), '0'))
               IN (SELECT * FROM unnest($3::text[], $4::text[]))))
     ORDER BY block_number, log_index`,
    [
      suppliers.map((s) => s.toLowerCase()),
      toBlock,
      gtins.map((g) => g.supplier.toLowerCase()),
      gtins.map((g) => g.gtin),
    ],
  );
  return rows;
}

/**
 * The hospital registry's events about `hospitals` (enrolment, approval threshold) and about the
 * membership of `members` in them (invitation, joining, role changes, leaving, unbinding), up to
 * `toBlock`.
 */
export async function membershipEvents(
  db: Db,
  hospitals: string[],
  members: string[],
  toBlock: number,
): Promise<ChainEventRow[]> {
  if (hospitals.length === 0) return [];
  const { rows } = await db.query<ChainEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM chain_events
     WHERE contract = 'hospitals' AND block_number <= $3 AND args->>'hospital' = ANY($1::text[])
       AND (event = ANY($4::text[]) OR (event = ANY($5::text[]) AND args->>'member' = ANY($2::text[])))
     ORDER BY block_number, log_index`,
    [
      hospitals.map((h) => h.toLowerCase()),
      members.map((m) => m.toLowerCase()),
      toBlock,
      HOSPITAL_EVENT_NAMES,
      MEMBER_EVENT_NAMES,
    ],
  );
  return rows;
}

/**
 * The setting and confirmed adjustments (BUDGET_EVENTS) of each of `budgets` (hospital,
 * category and period as their events state them), up to `toBlock`.
 */
export async function budgetEvents(
  db: Db,
  budgets: { hospital: string; category: string; period: string }[],
  toBlock: number,
): Promise<ChainEventRow[]> {
  if (budgets.length === 0) return [];
  const { rows } = await db.query<ChainEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM chain_events
     JOIN unnest($1::text[], $2::text[], $3::text[]) AS b(h, c, p)
       ON args->>'hospital' = b.h AND args->>'category' = b.c AND args->>'period' = b.p
     WHERE contract = 'budgets' AND event = ANY($4::text[]) AND block_number <= $5
     ORDER BY block_number, log_index`,
    [
      budgets.map((b) => b.hospital),
      budgets.map((b) => b.category),
      budgets.map((b) => b.period),
      [...BUDGET_EVENTS],
      toBlock,
    ],
  );
  return rows;
}

export async function manifestsOf(db: Db, shipmentIds: string[]): Promise<ManifestRow[]> {
  if (shipmentIds.length === 0) return [];
  const { rows } = await db.query<ManifestRow>(
    `SELECT shipment_id, serial_root, serial_count, uploaded_by, COALESCE(ledger_time, uploaded_at) AS at FROM manifests
     WHERE shipment_id = ANY($1::bigint[]) ORDER BY shipment_id`,
    [shipmentIds],
  );
  return rows;
}

/** Each shipment's manifest serials in leaf order (the order they were uploaded in). */
export async function manifestSerialsOf(db: Db, shipmentIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (shipmentIds.length === 0) return out;
  const { rows } = await db.query<{ shipment_id: string; serial: string }>(
    `SELECT shipment_id, serial FROM manifest_serials WHERE shipment_id = ANY($1::bigint[])
     ORDER BY shipment_id, leaf_index`,
    [shipmentIds],
  );
  for (const r of rows) {
    const list = out.get(String(r.shipment_id)) ?? [];
    list.push(r.serial);
    out.set(String(r.shipment_id), list);
  }
  return out;
}

export async function receiptsOf(db: Db, shipmentIds: string[]): Promise<ReceiptRow[]> {
  if (shipmentIds.length === 0) return [];
  const { rows } = await db.query<ReceiptRow>(
    `SELECT receipt_no, shipment_id, hospital, received_at, received_by, received_qty, rejected_qty, receipt_hash
     FROM receipts WHERE shipment_id = ANY($1::bigint[]) ORDER BY received_at, receipt_no`,
    [shipmentIds],
  );
  return rows;
}

/** Receipt lines that scanned one item (GTIN + serial), with their receipts, in the scope's hospitals. */
export async function receiptLinesOfSerial(
  db: Db,
  gtin: string,
  serial: string,
  hospital: string | null,
): Promise<(ReceiptLineRow & ReceiptRow)[]> {
  const params: unknown[] = [gtin, serial];
  const { rows } = await db.query<ReceiptLineRow & ReceiptRow>(
    `SELECT l.receipt_no, l.line_no, l.gtin, l.lot, l.serial, l.quantity, l.rejected, l.reject_reason,
       r.shipment_id, r.hospital, r.received_at, r.received_by, r.received_qty, r.rejected_qty, r.receipt_hash
     FROM receipt_lines l JOIN receipts r ON r.hospital = l.hospital AND r.receipt_no = l.receipt_no
     WHERE l.gtin = $1 AND l.serial = $2${hospital ? ` AND r.hospital = $${params.push(hospital)}` : ""}
     ORDER BY r.received_at, l.receipt_no, l.line_no`,
    params,
  );
  return rows;
}

/** The match results of these shipments' receipts (receipt numbers repeat across hospitals). */
export async function matchesOf(db: Db, shipmentIds: string[]): Promise<MatchRow[]> {
  if (shipmentIds.length === 0) return [];
  const { rows } = await db.query<MatchRow>(
    `SELECT m.*, ${matchedAtSql("m")} AS at FROM matches m WHERE m.shipment_id = ANY($1::bigint[])
     ORDER BY at, m.receipt_no`,
    [shipmentIds],
  );
  return rows;
}

export async function exceptionsOf(db: Db, shipmentIds: string[]): Promise<ExceptionRow[]> {
  if (shipmentIds.length === 0) return [];
  const { rows } = await db.query<ExceptionRow>(
    `SELECT x.id, x.receipt_no, x.shipment_id, x.source, x.reasons, x.proposed_accepted, x.status, x.resolution,
       x.resolved_accepted, x.note, x.resolved_by, ${raisedAtSql("x")} AS raised_at, ${resolvedAtSql("x")} AS resolved_at
     FROM exceptions x WHERE x.shipment_id = ANY($1::bigint[]) AND x.source <> 'stocktake' ORDER BY x.id`,
    [shipmentIds],
  );
  return rows;
}

export async function settlementJobsOf(db: Db, shipmentIds: string[]): Promise<SettlementJobRow[]> {
  if (shipmentIds.length === 0) return [];
  const { rows } = await db.query<SettlementJobRow>(
    `SELECT shipment_id, receipt_no, accepted, rejected, status, tx_hash, attempts, last_error,
       COALESCE(ledger_time, submitted_at, created_at) AS at
     FROM settlement_jobs WHERE shipment_id = ANY($1::bigint[]) ORDER BY shipment_id`,
    [shipmentIds],
  );
  return rows;
}

/**
 * Whether the billing usage table exists: it arrives with its own migration, and a trail must
 * work on a database migrated before it (no usage steps then).
 */
export async function usagesTableExists(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ present: boolean }>(
    `SELECT to_regclass('usages') IS NOT NULL AS present`,
  );
  return rows[0]?.present === true;
}

const USAGE_COLUMNS = `hospital, usage_id, gtin, lot, serial, department, patient_hash, used_at, billing_code,
  billed_amount, quantity, corrects_usage_id, recorded_by`;

/** Usages of any of `lots` by `hospitals` (null: every hospital). */
export async function usagesOfLots(db: Db, lots: Lot[], hospitals: string[] | null): Promise<UsageRow[]> {
  if (lots.length === 0 || hospitals?.length === 0) return [];
  const params: unknown[] = [lots.map((l) => l.gtin), lots.map((l) => l.lot)];
  const { rows } = await db.query<UsageRow>(
    `SELECT ${USAGE_COLUMNS} FROM usages
     WHERE (gtin, lot) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       ${hospitals ? `AND hospital = ANY($${params.push(hospitals)}::text[])` : ""}
     ORDER BY used_at, hospital, usage_id`,
    params,
  );
  return rows;
}

/** Usages of one item (GTIN + serial) by `hospitals` (null: every hospital). */
export async function usagesOfSerial(
  db: Db,
  gtin: string,
  serial: string,
  hospitals: string[] | null,
): Promise<UsageRow[]> {
  if (hospitals?.length === 0) return [];
  const params: unknown[] = [gtin, serial];
  const { rows } = await db.query<UsageRow>(
    `SELECT ${USAGE_COLUMNS} FROM usages WHERE gtin = $1 AND serial = $2
       ${hospitals ? `AND hospital = ANY($${params.push(hospitals)}::text[])` : ""}
     ORDER BY used_at, hospital, usage_id`,
    params,
  );
  return rows;
}
