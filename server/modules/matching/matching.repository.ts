import type { Db } from "../../db";
import type { MatchStatus } from "../../../api/receipts";
import type { StatementParams } from "../../lib/statement-params";
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

/** Receipts per match result, for /metrics. */
export async function matchesByStatus(db: Db): Promise<{ status: MatchStatus; n: number }[]> {
  const { rows } = await db.query<{ status: MatchStatus; n: number }>(
    `SELECT status, count(*)::int AS n FROM matches GROUP BY status`,
  );
  return rows;
}
