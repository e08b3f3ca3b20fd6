import type { Db } from "../../db";
import type { MatchStatus } from "../../../api/receipts";
import type { StatementParams } from "../../lib/statement-params";
import { resolvedAtSql } from "../exceptions/exceptions.repository";
import type { MatchResult } from "./matching.service";

/** SQL of the match results, one per goods receipt. */

/** The INSERT of a receipt's match result, for the receipt's one write statement (receipts.service.ts). */
export function insertMatch(
  p: StatementParams,
  receiptNo: string,
  shipmentId: string,
  m: MatchResult,
  ledgerTime: Date,
): string {
  return `INSERT INTO matches (receipt_no, shipment_id, status, accepted, rejected, reasons, accepted_ledger_time)
     VALUES (${p.add(receiptNo)}, ${p.add(shipmentId)}, ${p.add(m.status)}, ${p.add(m.accepted.toString())},
       ${p.add(m.rejected.toString())}, ${p.add(JSON.stringify(m.reasons))}, ${p.add(ledgerTime.toISOString())})`;
}

/**
 * When a delivery was accepted, as SQL over a `matches` row `m` and its latest resolved exception
 * `x` (either may be a LEFT JOIN's nulls): the approver's resolution if there is one, else the
 * match. On the ledger's clock, where payments and deadlines are; the gateway's for rows recorded
 * before it kept the ledger's (migration 0025).
 */
export function acceptedAtSql(m: string, x: string): string {
  return `CASE WHEN ${x}.resolved_at IS NOT NULL THEN ${resolvedAtSql(x)} ELSE ${matchedAtSql(m)} END`;
}

/** When a `matches` row `m` was matched: on the ledger's clock, the gateway's before migration 0025. */
export const matchedAtSql = (m: string): string => `COALESCE(${m}.accepted_ledger_time, ${m}.matched_at)`;

/** Receipts per match result, for /metrics. */
export async function matchesByStatus(db: Db): Promise<{ status: MatchStatus; n: number }[]> {
  const { rows } = await db.query<{ status: MatchStatus; n: number }>(
    `SELECT status, count(*)::int AS n FROM matches GROUP BY status`,
  );
  return rows;
}
