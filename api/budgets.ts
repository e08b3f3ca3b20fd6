import { Type, type Static } from "typebox";
import { ADJUSTMENT_STATUS, existing } from "../ledger/enums";
import {
  Address,
  Amount,
  Bytes32,
  DateTime,
  IdString,
  LastChange,
  Nullable,
  PageOf,
  PaginationQuery,
  TxHash,
} from "./common";

/**
 * GET /v1/budgets: hospitals' budgets per product category and fiscal period as the ledger's
 * BudgetBook holds them, with every adjustment proposed for each. A hospital's accounts see
 * their hospital's; regulators see every hospital's.
 */

const closed = { additionalProperties: false } as const;

/** A fiscal period: the calendar year in the ledger's local time (BudgetBook.periodOf). */
export const FiscalPeriod = Type.Integer({
  minimum: 1970,
  maximum: 65535,
  description: "the fiscal period: a calendar year in the ledger's local time",
});

export const AdjustmentStatus = Type.Enum(existing(ADJUSTMENT_STATUS), { type: "string" });
export type AdjustmentStatus = Static<typeof AdjustmentStatus>;

export const ListBudgetsQuery = Type.Object(
  {
    ...PaginationQuery,
    hospital: Type.Optional(Address),
    category: Type.Optional(Type.With(Bytes32, { description: "a category code (bytes32)" })),
    period: Type.Optional(FiscalPeriod),
  },
  closed,
);
export type ListBudgetsQuery = Static<typeof ListBudgetsQuery>;

export const BudgetAdjustment = Type.Object(
  {
    id: IdString,
    status: AdjustmentStatus,
    delta: Type.With(Amount, { description: "the change to the budget's amount; negative: a cut" }),
    reasonCode: Type.Integer({ minimum: 0, description: "the proposer's reason code" }),
    proposer: Address,
    proposedAt: DateTime,
    proposedTx: TxHash,
    decidedBy: Nullable(
      Type.With(Address, { description: "the approver who confirmed it, or who withdrew it" }),
    ),
    decidedAt: Nullable(DateTime),
    newAmount: Nullable(Type.With(Amount, { description: "the budget's amount once applied" })),
  },
  closed,
);
export type BudgetAdjustment = Static<typeof BudgetAdjustment>;

export const Budget = Type.Object(
  {
    hospital: Address,
    category: Bytes32,
    period: FiscalPeriod,
    amount: Type.With(Amount, { description: "set once, then changed by applied adjustments" }),
    spent: Type.With(Amount, {
      description: "escrow funded orders charged, less the refunds that came back from them",
    }),
    remaining: Type.With(Amount, { description: "amount − spent: what an order may still be funded with" }),
    setAt: DateTime,
    setTx: TxHash,
    adjustments: Type.Array(BudgetAdjustment, { description: "every proposal, oldest first" }),
    lastChange: LastChange,
  },
  closed,
);
export type Budget = Static<typeof Budget>;

export const BudgetPage = PageOf(Budget);
export type BudgetPage = Static<typeof BudgetPage>;
