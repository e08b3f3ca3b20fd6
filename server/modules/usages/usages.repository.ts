import type { Db } from "../../db";
import type { ListUsagesQuery, Usage, UsagePage } from "../../../api/usages";
import { keysetList } from "../../lib/keyset-list";
import { int, iso, text, textOrNull, type Row } from "../../lib/projection-row";

/** SQL of usage records. Every function takes the connection or transaction to use. */

export interface NewUsage {
  hospital: string;
  usageId: string;
  gtin: string;
  lot: string;
  serial: string | null;
  expiry: string | null;
  barcode: string | null;
  department: string;
  /** The campus's GLN; null while the hospital has registered none. */
  campus: string | null;
  patientHash: string;
  /** Which salt made `patientHash` (usages.service.ts, `saltId`). */
  patientSaltId: string;
  usedAt: Date;
  billingCode: string;
  billedAmount: bigint;
  quantity: number;
  correctsUsageId: string | null;
  /** The inpatient case and its DRG/DIP group, when the billing system names them. */
  caseId?: string | null;
  caseGroup?: string | null;
  recordedBy: string;
}

/** A usage about to be corrected, with what its earlier corrections already took back. */
export interface CorrectedUsage {
  gtin: string;
  lot: string;
  serial: string | null;
  /** Where it was used: a correction naming no campus goes back there. */
  campus: string | null;
  /** Its case and group: a correction naming no case is the original's. */
  caseId: string | null;
  caseGroup: string | null;
  usedAt: Date;
  quantity: number;
  billedAmount: bigint;
  /** Sum of the (negative) quantities of its corrections so far. */
  correctedQuantity: number;
  /** Sum of the (non-positive) amounts of its corrections so far. */
  refundedAmount: bigint;
}

export async function usageExists(db: Db, hospital: string, usageId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM usages WHERE hospital = $1 AND usage_id = $2`, [
    hospital,
    usageId,
  ]);
  return rows.length > 0;
}

/**
 * Locks the usage being corrected until the transaction ends, so two returns of the same usage
 * arriving together are checked one after the other and cannot over-return it between them.
 */
export async function lockForCorrection(
  tx: Db,
  hospital: string,
  usageId: string,
): Promise<CorrectedUsage | null> {
  const { rows } = await tx.query<{
    gtin: string;
    lot: string;
    serial: string | null;
    campus: string | null;
    case_id: string | null;
    case_group: string | null;
    used_at: Date;
    quantity: number;
    billed_amount: string;
  }>(
    `SELECT gtin, lot, serial, campus, case_id, case_group, used_at, quantity, billed_amount FROM usages
     WHERE hospital = $1 AND usage_id = $2 FOR UPDATE`,
    [hospital, usageId],
  );
  const u = rows[0];
  if (!u) return null;
  const { rows: corrections } = await tx.query<{ quantity: string; amount: string }>(
    `SELECT COALESCE(sum(quantity), 0) AS quantity, COALESCE(sum(billed_amount), 0) AS amount FROM usages
     WHERE hospital = $1 AND corrects_usage_id = $2`,
    [hospital, usageId],
  );
  return {
    gtin: u.gtin,
    lot: u.lot,
    serial: u.serial,
    campus: u.campus,
    caseId: u.case_id,
    caseGroup: u.case_group,
    usedAt: u.used_at,
    quantity: u.quantity,
    billedAmount: BigInt(u.billed_amount),
    correctedQuantity: Number(corrections[0].quantity),
    refundedAmount: BigInt(corrections[0].amount),
  };
}

const USAGE_COLUMNS = `hospital, usage_id, gtin, lot, serial, expiry, barcode, department, patient_hash, patient_salt_id,
  used_at, billing_code, billed_amount, quantity, corrects_usage_id, recorded_by, campus, case_id, case_group`;

function usageParams(u: NewUsage): unknown[] {
  return [
    u.hospital,
    u.usageId,
    u.gtin,
    u.lot,
    u.serial,
    u.expiry,
    u.barcode,
    u.department,
    u.patientHash,
    u.patientSaltId,
    u.usedAt.toISOString(),
    u.billingCode,
    u.billedAmount.toString(),
    u.quantity,
    u.correctsUsageId,
    u.recordedBy,
    u.campus,
    u.caseId ?? null,
    u.caseGroup ?? null,
  ];
}

export async function insertUsage(db: Db, u: NewUsage): Promise<void> {
  await db.query(
    `INSERT INTO usages (${USAGE_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
    usageParams(u),
  );
}

/**
 * The insert of a new usage as `insertOnce`'s effect (lib/idempotency.ts): nothing when the
 * hospital already has this usage id. A usage naming no campus (`campus` null) takes the
 * hospital's main campus, read by the same statement; its response is `view` with that campus.
 */
export function insertNewUsage(u: NewUsage, view: Usage): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO usages (${USAGE_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
       COALESCE($17, (SELECT gln FROM campuses WHERE hospital = $1 AND main)), $18, $19)
     ON CONFLICT (hospital, usage_id) DO NOTHING
     RETURNING $20::jsonb || jsonb_build_object('campus', campus) AS response`,
    params: [...usageParams(u), JSON.stringify(view)],
  };
}

/** A new usage with its idempotency key, for `insertNewUsages`. */
export interface KeyedUsage {
  usage: NewUsage;
  /** Its response, without the campus the statement fills in (as `insertNewUsage`'s `view`). */
  view: Usage;
  scope: string;
  key: string;
  requestHash: string;
}

const GROUP_COLUMNS = [
  ...["hospital text", "usage_id text", "gtin text", "lot text", "serial text", "expiry date"],
  ...["barcode text", "department text", "patient_hash text", "patient_salt_id text"],
  ...["used_at timestamptz", "billing_code text", "billed_amount numeric", "quantity int"],
  ...["corrects_usage_id text", "recorded_by text", "campus text", "case_id text", "case_group text"],
  ...["view jsonb", "scope text", "key text", "request_hash text"],
].map((c) => c.split(" ") as [name: string, type: string]);

/**
 * Several new usages and their idempotency keys in one statement, as `insertNewUsage` inserts one:
 * each column an array (one statement text, prepared once, for any number of usages). Returns,
 * for each usage in order, the response stored under its key, or undefined when the hospital
 * already had its id (skipped with its key). A key already stored fails the whole statement (its primary key): the
 * caller then sends each usage on its own. The rows go in key order, so that two groups running
 * at once take the reconciliation totals' rows (the insert trigger) in the same order.
 */
export async function insertNewUsages(db: Db, usages: readonly KeyedUsage[]): Promise<(Usage | undefined)[]> {
  const rows = usages.map((u) => [
    ...usageParams(u.usage),
    JSON.stringify(u.view),
    u.scope,
    u.key,
    u.requestHash,
  ]);
  const { rows: stored } = await db.query<{ key: string; response: Usage }>(
    `WITH input AS (
       SELECT * FROM unnest(${GROUP_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})
         AS i(${GROUP_COLUMNS.map(([name]) => name).join(", ")})
     ),
     effect AS (
       INSERT INTO usages (${USAGE_COLUMNS})
       SELECT hospital, usage_id, gtin, lot, serial, expiry, barcode, department, patient_hash, patient_salt_id,
         used_at, billing_code, billed_amount, quantity, corrects_usage_id, recorded_by,
         COALESCE(campus, (SELECT gln FROM campuses c WHERE c.hospital = input.hospital AND main)), case_id, case_group
       FROM input ORDER BY hospital, gtin, lot, serial, usage_id
       ON CONFLICT (hospital, usage_id) DO NOTHING
       RETURNING hospital, usage_id, campus
     ),
     stored AS (
       INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
       SELECT i.scope, i.key, i.request_hash, 201, i.view || jsonb_build_object('campus', e.campus)
       FROM effect e JOIN input i USING (hospital, usage_id)
       RETURNING scope, key, response
     )
     SELECT scope || ' ' || key AS key, response FROM stored`,
    GROUP_COLUMNS.map((_, c) => rows.map((r) => r[c])),
    { prepared: true },
  );
  const byKey = new Map(stored.map((r) => [r.key, r.response]));
  return usages.map((u) => byKey.get(`${u.scope} ${u.key}`));
}

/** A stored usage as the API serves it: the patient as its stored hash, never the reference. */
function rowView(r: Row): Usage {
  return {
    hospital: text(r.hospital),
    usageId: text(r.usage_id),
    gtin: text(r.gtin),
    lot: text(r.lot),
    serial: textOrNull(r.serial),
    expiry: textOrNull(r.expiry),
    department: text(r.department),
    campus: textOrNull(r.campus),
    patientRefHash: text(r.patient_hash),
    usedAt: iso(r.used_at),
    billingCode: text(r.billing_code),
    billedAmount: text(r.billed_amount),
    quantity: int(r.quantity),
    correctsUsageId: textOrNull(r.corrects_usage_id),
    caseId: textOrNull(r.case_id),
    caseGroup: textOrNull(r.case_group),
    recordedBy: text(r.recorded_by),
  };
}

/**
 * Usages by hospital and usage id (the primary key), returns and corrections among them.
 * `own`: the caller's hospital (undefined for a regulator); a `hospital` filter naming another
 * narrows to nothing rather than widening or replacing it.
 */
export function listUsages(db: Db, q: ListUsagesQuery, own: string | undefined): Promise<UsagePage> {
  return keysetList(
    db,
    {
      from: `SELECT * FROM usages`,
      filters: [
        ["hospital", own],
        ["hospital", q.hospital],
        ["gtin", q.gtin],
        ["lot", q.lot],
        ["department", q.department],
        ["used_at", q.from, ">="],
        ["used_at", q.to, "<"],
      ],
      key: ["hospital", "usage_id"],
      numericKey: false,
      view: rowView,
    },
    q,
  );
}
