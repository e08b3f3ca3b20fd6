import { Type, type Static } from "typebox";
import { Address, Amount, DateTime, IdString, TxHash } from "./common";
import { Month } from "./department-budgets";

/**
 * /v1/fund: the medical-insurance fund's money on the ledger (FundBook). The payer (an account a
 * regulator granted PAYER_ROLE) covers a tender with a prepayment share and, if it chooses,
 * direct settlement; it pays in per agreement and hospital; orders draw on that money first;
 * settlements spend it; refunds restore it; after the term the undrawn rest goes back to the
 * payer. Every amount is in fen and sums the indexed events, each of which links to its
 * transaction.
 */

const closed = { additionalProperties: false } as const;

export const FundAccountsQuery = Type.Object(
  {
    hospital: Type.Optional(Type.With(Address, { description: "one hospital's accounts" })),
    agreementId: Type.Optional(IdString),
  },
  closed,
);
export type FundAccountsQuery = Static<typeof FundAccountsQuery>;

export const FundAccount = Type.Object(
  {
    agreementId: IdString,
    tenderId: IdString,
    supplier: Address,
    category: Type.String({ description: "the agreement's product category" }),
    termEnd: DateTime,
    hospital: Address,
    payer: Address,
    prepayShareBps: Type.Integer({
      description: "the cover's prepayment share of committed value, basis points",
    }),
    direct: Type.Boolean({ description: "the fund settles the agreement directly" }),
    prepaid: Type.With(Amount, { description: "prepayments paid in" }),
    escrowed: Type.With(Amount, { description: "direct-settlement escrow paid in" }),
    drawn: Type.With(Amount, { description: "drawn by orders' funding, net of what their refunds restored" }),
    spent: Type.With(Amount, {
      description: "paid to suppliers out of drawn money: the reimbursement deductions",
    }),
    inOrders: Type.With(Amount, { description: "drawn and not yet spent: in order escrow" }),
    returned: Type.With(Amount, { description: "returned to the payer after the term" }),
    prepaymentBalance: Type.With(Amount, { description: "undrawn prepayment" }),
    escrowBalance: Type.With(Amount, { description: "undrawn direct-settlement escrow" }),
  },
  closed,
);
export type FundAccount = Static<typeof FundAccount>;

export const FundAccounts = Type.Object(
  {
    items: Type.Array(FundAccount),
    totals: Type.Object(
      {
        paidIn: Amount,
        drawn: Amount,
        spent: Type.With(Amount, { description: "of the drawn money, paid to suppliers" }),
        returned: Amount,
        held: Type.With(Amount, { description: "undrawn in the fund book" }),
      },
      { ...closed, description: "paid in = drawn + returned + held, every fen accounted for" },
    ),
  },
  closed,
);
export type FundAccounts = Static<typeof FundAccounts>;

export const FundStatementQuery = Type.Object(
  {
    month: Month,
    hospital: Type.Optional(Address),
  },
  closed,
);
export type FundStatementQuery = Static<typeof FundStatementQuery>;

export const FundStatementLine = Type.Object(
  {
    at: DateTime,
    kind: Type.Enum(["spent", "drawn", "restored"], {
      description:
        "spent: the fund's money paid a supplier for this hospital (deducted from its reimbursement); drawn / restored: an order's funding took prepayment or escrow, or a refund gave it back",
    }),
    hospital: Address,
    agreementId: IdString,
    supplier: Address,
    category: Type.String(),
    orderId: IdString,
    shipmentId: Type.Union([IdString, Type.Null()]),
    amount: Amount,
    txHash: TxHash,
  },
  closed,
);
export type FundStatementLine = Static<typeof FundStatementLine>;

export const FundStatementHospital = Type.Object(
  {
    hospital: Address,
    fundPaidSuppliers: Type.With(Amount, {
      description: "the fund's money paid to suppliers for this hospital's deliveries in the month",
    }),
    reimbursementDeduction: Type.With(Amount, {
      description: "what the fund deducts from the hospital's reimbursement for the month: the same amount",
    }),
    drawn: Type.With(Amount, { description: "drawn by the month's order fundings, net of restored refunds" }),
  },
  closed,
);

export const FundStatement = Type.Object(
  {
    month: Month,
    timeZone: Type.String(),
    hospitals: Type.Array(FundStatementHospital),
    lines: Type.With(Type.Array(FundStatementLine), { description: "chain order" }),
  },
  closed,
);
export type FundStatement = Static<typeof FundStatement>;
