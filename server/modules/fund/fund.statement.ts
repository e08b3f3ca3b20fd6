import type { FundAccount, FundAccounts, FundStatementLine } from "../../../api/fund";
import type { CsvColumn } from "../reconciliation/reconciliation.csv";

/** The accounts' totals: paid in = drawn + returned + held, and what the drawn money paid. */
export function accountTotals(items: readonly FundAccount[]): FundAccounts["totals"] {
  const sum = (...fields: (keyof FundAccount)[]) =>
    items.reduce((t, a) => fields.reduce((u, f) => u + BigInt(a[f] as string), t), 0n).toString();
  return {
    paidIn: sum("prepaid", "escrowed"),
    drawn: sum("drawn"),
    spent: sum("spent"),
    returned: sum("returned"),
    held: sum("prepaymentBalance", "escrowBalance"),
  };
}

/**
 * The statement's two sides per hospital: what the fund's money paid suppliers for the
 * hospital's deliveries, and the deduction from its reimbursement, which is the same amount by
 * rule (README "The insurance fund"); and the month's net draw on the fund by its orders.
 */
export function statementTotals(lines: readonly FundStatementLine[]) {
  const byHospital = new Map<string, { spent: bigint; drawn: bigint }>();
  for (const l of lines) {
    const t = byHospital.get(l.hospital) ?? { spent: 0n, drawn: 0n };
    const amount = BigInt(l.amount);
    if (l.kind === "spent") t.spent += amount;
    else t.drawn += l.kind === "drawn" ? amount : -amount;
    byHospital.set(l.hospital, t);
  }
  return [...byHospital.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([hospital, t]) => ({
      hospital,
      fundPaidSuppliers: t.spent.toString(),
      reimbursementDeduction: t.spent.toString(),
      drawn: t.drawn.toString(),
    }));
}

export const STATEMENT_COLUMNS: readonly CsvColumn<FundStatementLine>[] = [
  { header: "at", value: (l) => l.at },
  { header: "kind", value: (l) => l.kind },
  { header: "hospital", value: (l) => l.hospital },
  { header: "agreement_id", value: (l) => l.agreementId },
  { header: "supplier", value: (l) => l.supplier },
  { header: "category", value: (l) => l.category },
  { header: "order_id", value: (l) => l.orderId },
  { header: "shipment_id", value: (l) => l.shipmentId ?? "" },
  { header: "amount_fen", value: (l) => l.amount },
  { header: "reimbursement_deduction_fen", value: (l) => (l.kind === "spent" ? l.amount : "0") },
  { header: "tx_hash", value: (l) => l.txHash },
];
