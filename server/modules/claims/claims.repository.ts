import type { ClaimGroupRow, ClaimOutlier, RareHighValueUse } from "../../../api/claims";
import type { Db } from "../../db";
import { monthBoundsSql } from "../../lib/month-range";
import { int, text, type Row } from "../../lib/projection-row";

/** A group's cases are judged against its 95th percentile only once it has this many. */
export const MIN_GROUP_CASES = 10;
/** An item billed on fewer than this share of a group's cases (percent) is rare for the group. */
export const RARE_USE_PERCENT = 5;
/** Default unit price (fen) from which a consumable counts as high-value: ¥500.00. */
export const HIGH_VALUE_FEN = 50_000;

interface Scope {
  from: string;
  to: string;
  timeZone: string;
  hospital?: string;
}

/**
 * The cases of the period: one row per hospital × case id, its group (the first usage's), its
 * month (of its first usage, in the gateway's time zone), its billed cost and units net of
 * refunds. A refund counts with the case it corrects (usages.service.ts gives it the case).
 */
function cases(scope: Scope) {
  const params: unknown[] = [scope.timeZone, scope.from, scope.to];
  const { start, end } = monthBoundsSql("$1", "$2", "$3");
  const sql = `cases AS (
       SELECT u.hospital, u.case_id, (array_agg(u.case_group ORDER BY u.used_at))[1] AS case_group,
         to_char(min(u.used_at) AT TIME ZONE $1, 'YYYY-MM') AS month,
         sum(u.billed_amount) AS cost, sum(u.quantity)::int AS units
       FROM usages u
       WHERE u.case_id IS NOT NULL AND u.case_group IS NOT NULL
         AND u.used_at >= ${start} AND u.used_at < ${end}
       GROUP BY u.hospital, u.case_id
     ),
     groups AS (
       SELECT case_group, count(*)::int AS cases,
         round(percentile_cont(0.95) WITHIN GROUP (ORDER BY cost)::numeric) AS p95
       FROM cases GROUP BY case_group
     )`;
  return { sql, params };
}

export async function groupRows(db: Db, scope: Scope): Promise<ClaimGroupRow[]> {
  const c = cases(scope);
  const hospital = scope.hospital === undefined ? "" : `WHERE hospital = $${c.params.push(scope.hospital)}`;
  const { rows } = await db.query<Row>(
    `WITH ${c.sql}
     SELECT hospital, month, case_group, count(*)::int AS cases, sum(cost)::text AS cost,
       round(sum(cost) / count(*))::text AS mean
     FROM cases ${hospital}
     GROUP BY hospital, month, case_group ORDER BY hospital, month, case_group`,
    c.params,
  );
  return rows.map((r) => ({
    hospital: text(r.hospital),
    month: text(r.month),
    caseGroup: text(r.case_group),
    cases: int(r.cases),
    cost: text(r.cost),
    meanPerCase: text(r.mean),
  }));
}

/** Cases above their group's 95th percentile across every hospital, dearest first. */
export async function outliers(db: Db, scope: Scope): Promise<ClaimOutlier[]> {
  const c = cases(scope);
  const minCases = `$${c.params.push(MIN_GROUP_CASES)}`;
  const hospital = scope.hospital === undefined ? "" : `AND c.hospital = $${c.params.push(scope.hospital)}`;
  const { rows } = await db.query<Row>(
    `WITH ${c.sql}
     SELECT c.hospital, c.case_id, c.case_group, c.month, c.cost::text AS cost, c.units, g.cases AS group_cases,
       g.p95::text AS p95
     FROM cases c JOIN groups g ON g.case_group = c.case_group
     WHERE g.cases >= ${minCases} AND c.cost > g.p95 ${hospital}
     ORDER BY c.cost DESC, c.hospital, c.case_id`,
    c.params,
  );
  return rows.map((r) => ({
    hospital: text(r.hospital),
    caseId: text(r.case_id),
    caseGroup: text(r.case_group),
    month: text(r.month),
    cost: text(r.cost),
    units: int(r.units),
    groupCases: int(r.group_cases),
    groupP95: text(r.p95),
  }));
}

/**
 * High-value items (billed at `highValueFrom` fen a unit or more on the case) on cases of groups
 * that rarely use them: the item is on fewer than RARE_USE_PERCENT % of the group's cases across
 * every hospital, at any price, for groups of MIN_GROUP_CASES cases or more. One row per case ×
 * item, dearest first.
 */
export async function rareHighValueUses(
  db: Db,
  scope: Scope & { highValueFrom: number },
): Promise<RareHighValueUse[]> {
  const c = cases(scope);
  const [hv, minCases, rare] = [scope.highValueFrom, MIN_GROUP_CASES, RARE_USE_PERCENT].map(
    (v) => `$${c.params.push(v)}`,
  );
  const { start, end } = monthBoundsSql("$1", "$2", "$3");
  const hospital = scope.hospital === undefined ? "" : `AND p.hospital = $${c.params.push(scope.hospital)}`;
  const { rows } = await db.query<Row>(
    `WITH ${c.sql},
     items AS (
       SELECT u.hospital, u.case_id, u.gtin, sum(u.billed_amount) AS billed, sum(u.quantity)::int AS units
       FROM usages u
       WHERE u.case_id IS NOT NULL AND u.used_at >= ${start} AND u.used_at < ${end}
       GROUP BY u.hospital, u.case_id, u.gtin
       HAVING sum(u.quantity) > 0
     ),
     grouped AS (
       SELECT i.*, c.case_group, c.month FROM items i
       JOIN cases c ON c.hospital = i.hospital AND c.case_id = i.case_id
     ),
     -- How common the item is in the group counts every case it is on, however cheaply billed.
     uses AS (SELECT case_group, gtin, count(*)::int AS cases_with FROM grouped GROUP BY case_group, gtin),
     priced AS (SELECT * FROM grouped WHERE billed >= ${hv} * units)
     SELECT p.hospital, p.case_id, p.case_group, p.month, p.gtin, p.units, p.billed::text AS billed,
       g.cases AS group_cases, x.cases_with
     FROM priced p
     JOIN groups g ON g.case_group = p.case_group
     JOIN uses x ON x.case_group = p.case_group AND x.gtin = p.gtin
     WHERE g.cases >= ${minCases} AND x.cases_with * 100 < ${rare} * g.cases ${hospital}
     ORDER BY p.billed DESC, p.hospital, p.case_id, p.gtin`,
    c.params,
  );
  return rows.map((r) => ({
    hospital: text(r.hospital),
    caseId: text(r.case_id),
    caseGroup: text(r.case_group),
    month: text(r.month),
    gtin: text(r.gtin),
    units: int(r.units),
    billed: text(r.billed),
    groupCases: int(r.group_cases),
    groupCasesWithItem: int(r.cases_with),
  }));
}
