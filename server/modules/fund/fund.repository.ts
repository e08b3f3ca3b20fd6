import type { FundAccount, FundStatementLine } from "../../../api/fund";
import type { Db } from "../../db";
import { monthBoundsSql } from "../../lib/month-range";
import { iso, text, textOrNull, int, type Row } from "../../lib/projection-row";

/** Whose fund accounts a caller sees: a payer its own covers', a hospital its own, a regulator all. */
export interface FundScope {
  payer?: string;
  hospital?: string;
  agreementId?: string;
}

function where(scope: FundScope, params: unknown[]): string {
  const clauses: string[] = [];
  if (scope.payer !== undefined) clauses.push(`c.payer = $${params.push(scope.payer)}`);
  if (scope.hospital !== undefined) clauses.push(`m.hospital = $${params.push(scope.hospital)}`);
  if (scope.agreementId !== undefined) clauses.push(`m.agreement_id = $${params.push(scope.agreementId)}`);
  return clauses.length === 0 ? "" : `WHERE ${clauses.join(" AND ")}`;
}

/**
 * Every fund account (agreement × hospital) with money moved, its sums by kind and its two
 * balances, which are the sums of the signed changes: nothing is stored that could drift.
 */
export async function fundAccounts(db: Db, scope: FundScope): Promise<FundAccount[]> {
  const params: unknown[] = [];
  const { rows } = await db.query<Row>(
    `SELECT m.agreement_id, a.tender_id, a.supplier, a.category, a.end_at, m.hospital, c.payer,
       c.prepay_share_bps, c.direct,
       sum(CASE WHEN m.kind = 'prepaid' THEN m.amount ELSE 0 END)::text AS prepaid,
       sum(CASE WHEN m.kind = 'escrowed' THEN m.amount ELSE 0 END)::text AS escrowed,
       sum(CASE WHEN m.kind = 'drawn' THEN m.amount WHEN m.kind = 'restored' THEN -m.amount ELSE 0 END)::text AS drawn,
       sum(CASE WHEN m.kind = 'spent' THEN m.amount ELSE 0 END)::text AS spent,
       sum(CASE WHEN m.kind = 'returned' THEN m.amount ELSE 0 END)::text AS returned,
       sum(m.prepayment)::text AS prepayment_balance,
       sum(m.escrow)::text AS escrow_balance
     FROM fund_movements m
     JOIN agreements a ON a.id = m.agreement_id
     JOIN fund_covers c ON c.tender_id = a.tender_id
     ${where(scope, params)}
     GROUP BY m.agreement_id, a.tender_id, a.supplier, a.category, a.end_at, m.hospital, c.payer,
       c.prepay_share_bps, c.direct
     ORDER BY m.agreement_id, m.hospital`,
    params,
  );
  return rows.map((r) => ({
    agreementId: text(r.agreement_id),
    tenderId: text(r.tender_id),
    supplier: text(r.supplier),
    category: text(r.category),
    termEnd: iso(r.end_at),
    hospital: text(r.hospital),
    payer: text(r.payer),
    prepayShareBps: int(r.prepay_share_bps),
    direct: r.direct === true,
    prepaid: text(r.prepaid),
    escrowed: text(r.escrowed),
    drawn: text(r.drawn),
    spent: text(r.spent),
    inOrders: (BigInt(text(r.drawn)) - BigInt(text(r.spent))).toString(),
    returned: text(r.returned),
    prepaymentBalance: text(r.prepayment_balance),
    escrowBalance: text(r.escrow_balance),
  }));
}

/** The month's movements that touch a hospital's reimbursement, in chain order. */
export async function statementLines(
  db: Db,
  scope: FundScope & { month: string; timeZone: string },
): Promise<FundStatementLine[]> {
  const params: unknown[] = [scope.timeZone, scope.month];
  const { start, end } = monthBoundsSql("$1", "$2", "$2");
  const scoped = where(scope, params);
  const { rows } = await db.query<Row>(
    `SELECT m.at, m.kind, m.hospital, m.agreement_id, a.supplier, a.category, m.order_id, m.shipment_id,
       m.amount::text AS amount, m.tx_hash
     FROM fund_movements m
     JOIN agreements a ON a.id = m.agreement_id
     JOIN fund_covers c ON c.tender_id = a.tender_id
     ${scoped ? `${scoped} AND` : "WHERE"} m.kind IN ('spent', 'drawn', 'restored')
       AND m.at >= ${start} AND m.at < ${end}
     ORDER BY m.block_number, m.log_index`,
    params,
  );
  return rows.map((r) => ({
    at: iso(r.at),
    kind: text(r.kind) as FundStatementLine["kind"],
    hospital: text(r.hospital),
    agreementId: text(r.agreement_id),
    supplier: text(r.supplier),
    category: text(r.category),
    orderId: text(r.order_id),
    shipmentId: textOrNull(r.shipment_id),
    amount: text(r.amount),
    txHash: text(r.tx_hash),
  }));
}
