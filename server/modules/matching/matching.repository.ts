import type { Db } from "../../db";
import type { MatchStatus } from "../../../api/receipts";
import type { MatchResult } from "./matching.service";

/** SQL of the match results, one per goods receipt. Every function takes the connection or transaction to use. */

export async function recordMatch(
  db: Db,
  receiptNo: string,
  shipmentId: string,
  m: MatchResult,
  ledgerTime: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO matches (receipt_no, shipment_id, status, accepted, rejected, reasons, accepted_ledger_time)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      receiptNo,
      shipmentId,
      m.status,
      m.accepted.toString(),
      m.rejected.toString(),
      JSON.stringify(m.reasons),
      ledgerTime.toISOString(),
    ],
    { prepared: true }, // every receipt's
  );
}

/** Receipts per match result, for /metrics. */
export async function matchesByStatus(db: Db): Promise<{ status: MatchStatus; n: number }[]> {
  const { rows } = await db.query<{ status: MatchStatus; n: number }>(
    `SELECT status, count(*)::int AS n FROM matches GROUP BY status`,
  );
  return rows;
}
