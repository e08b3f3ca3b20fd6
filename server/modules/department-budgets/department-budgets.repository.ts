import type { Db } from "../../db";
import { monthBoundsSql } from "../../lib/month-range";

/**
 * SQL of department budgets and of the consumption they are measured against.
 *
 * Consumption: every usage of the hospital, valued at the locked unit price (value ÷ quantity at
 * funding) of the order its unit came from, to the fen, rounded toward zero per record (so a
 * return of n units takes back exactly what a use of n units added). The order is the shipment's
 * whose uploaded serial list names the used serial; otherwise the hospital's first shipment of
 * the lot (first in, first out). A usage of a lot never shipped to the hospital has no price and
 * no category, and counts nowhere here (the reconciliation flags it as PHANTOM_USE). A return
 * counts against the department and month of the usage it corrects: the item never met a
 * patient, so it never used that department's budget.
 */

/** Which usages a consumption query covers: months (YYYY-MM, inclusive) in a time zone. */
export interface ChargedScope {
  hospital?: string;
  from: string;
  to: string;
  timeZone: string;
  department?: string;
  category?: string;
}

/**
 * The `charged` CTE — one row per usage record with the case (usage) it belongs to, its
 * department, category, month, units, order and value — and its parameters.
 */
function charged(scope: ChargedScope) {
  const params: unknown[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;
  const tz = p(scope.timeZone);
  const { start, end } = monthBoundsSql(tz, p(scope.from), p(scope.to));
  const chargedAt = "COALESCE(orig.used_at, u.used_at)";
  const conditions = [
    // A return is never before its usage (usages.service.ts), so this bound holds for both and
    // lets the (hospital, used_at) index narrow the scan.
    `u.used_at >= ${start}`,
    `${chargedAt} >= ${start}`,
    `${chargedAt} < ${end}`,
    scope.hospital === undefined ? "" : `u.hospital = ${p(scope.hospital)}`,
    scope.department === undefined ? "" : `COALESCE(orig.department, u.department) = ${p(scope.department)}`,
    scope.category === undefined ? "" : `a.category = ${p(scope.category.toLowerCase())}`,
  ].filter((c) => c !== "");
  const sql = `charged AS (
       SELECT u.hospital, COALESCE(u.corrects_usage_id, u.usage_id) AS case_id,
         COALESCE(orig.department, u.department) AS department, a.category,
         to_char(${chargedAt} AT TIME ZONE ${tz}, 'YYYY-MM') AS month,
         u.quantity, src.order_id, div(u.quantity * src.value, src.quantity) AS value
       FROM usages u
       LEFT JOIN usages orig ON orig.hospital = u.hospital AND orig.usage_id = u.corrects_usage_id
       JOIN LATERAL (
         SELECT o.id AS order_id, o.value, o.quantity, o.agreement_id
         FROM shipments s
         JOIN orders o ON o.id = s.order_id
         LEFT JOIN manifest_serials m ON m.shipment_id = s.id AND m.serial = COALESCE(orig.serial, u.serial)
         WHERE o.hospital = u.hospital AND s.gtin = COALESCE(orig.gtin, u.gtin) AND s.lot = COALESCE(orig.lot, u.lot)
           AND o.quantity > 0
         ORDER BY (m.serial IS NOT NULL) DESC, s.id
         LIMIT 1
       ) src ON TRUE
       JOIN agreements a ON a.id = src.agreement_id
       WHERE ${conditions.join(" AND ")}
     )`;
  return { sql, params, p };
}

export interface BudgetStatusRow {
  hospital: string;
  month: string;
  department: string;
  category: string;
  /** Fen, or null where there is consumption but no budget. */
  amount: string | null;
  consumed: string;
  set_by: string | null;
  set_at: Date | null;
}

/** Budgets beside consumption, per hospital × month × department × category with either. */
export async function budgetStatus(db: Db, scope: ChargedScope): Promise<BudgetStatusRow[]> {
  const { sql, params, p } = charged(scope);
  const budgetScope = [
    `b.month BETWEEN ${p(scope.from)} AND ${p(scope.to)}`,
    scope.hospital === undefined ? "" : `b.hospital = ${p(scope.hospital)}`,
    scope.department === undefined ? "" : `b.department = ${p(scope.department)}`,
    scope.category === undefined ? "" : `b.category = ${p(scope.category.toLowerCase())}`,
  ].filter((c) => c !== "");
  const { rows } = await db.query<BudgetStatusRow>(
    `WITH ${sql},
     consumed AS (
       SELECT hospital, month, department, category, sum(value) AS consumed
       FROM charged GROUP BY hospital, month, department, category
     ),
     budgets AS (
       SELECT b.hospital, b.month, b.department, b.category, b.amount, b.set_by, b.set_at
       FROM department_budgets b WHERE ${budgetScope.join(" AND ")}
     )
     SELECT hospital, month, department, category, b.amount, COALESCE(c.consumed, 0) AS consumed, b.set_by, b.set_at
     FROM budgets b FULL JOIN consumed c USING (hospital, month, department, category)
     ORDER BY hospital, month, department, category`,
    params,
  );
  return rows;
}

export interface NewBudget {
  hospital: string;
  month: string;
  department: string;
  category: string;
  amount: string;
  setBy: string;
  setAt: Date;
}

/** Sets (or replaces) one budget. */
export async function upsertBudget(db: Db, b: NewBudget): Promise<void> {
  await db.query(
    `INSERT INTO department_budgets (hospital, month, department, category, amount, set_by, set_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (hospital, month, department, category)
     DO UPDATE SET amount = EXCLUDED.amount, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
    [b.hospital, b.month, b.department, b.category.toLowerCase(), b.amount, b.setBy, b.setAt.toISOString()],
  );
}

export interface CaseRow {
  usage_id: string;
  used_at: Date;
  patient_hash: string;
  gtin: string;
  lot: string;
  serial: string | null;
  units: number;
  order_id: string;
  value: string;
}

/**
 * The cases (a usage with its returns) charged to one hospital × department × category × month,
 * largest value first (then by usage id): the first `limit` after `after`. A case wholly
 * returned is left out: it consumed nothing.
 */
export async function overspendCases(
  db: Db,
  scope: ChargedScope & { hospital: string; department: string; category: string },
  after: { value: string; usageId: string } | null,
  limit: number,
): Promise<CaseRow[]> {
  const { sql, params, p } = charged(scope);
  const page =
    after === null
      ? ""
      : `WHERE value < ${p(after.value)}::numeric OR (value = ${p(after.value)}::numeric AND usage_id > ${p(after.usageId)})`;
  const { rows } = await db.query<CaseRow>(
    `WITH ${sql},
     cases AS (
       SELECT c.case_id AS usage_id, u.used_at, u.patient_hash, u.gtin, u.lot, u.serial,
         sum(c.quantity)::int AS units, min(c.order_id)::text AS order_id, sum(c.value) AS value
       FROM charged c JOIN usages u ON u.hospital = c.hospital AND u.usage_id = c.case_id
       GROUP BY c.case_id, u.used_at, u.patient_hash, u.gtin, u.lot, u.serial
       HAVING sum(c.quantity) > 0
     )
     SELECT * FROM cases ${page}
     ORDER BY value DESC, usage_id
     LIMIT ${p(limit)}`,
    params,
  );
  return rows;
}
