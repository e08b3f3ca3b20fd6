import { Type, type Static } from "typebox";
import {
  Address,
  Amount,
  Bytes32,
  DateTime,
  Gtin,
  IdString,
  Nullable,
  PaginationQuery,
  PlainText,
} from "./common";

/**
 * Department budgets (/v1/department-budgets): a hospital's allocation of its spending to its own
 * departments, per product category and month, against what each department consumed — its
 * usage records valued at the locked unit price of the order each used unit came from. Internal
 * to the hospital: its staff read them, its account and approvers set them, nobody else sees them.
 */

/** ok below 80 %, warning from 80 %, over from 100 %; unbudgeted: consumption with no budget set. */
export const DEPARTMENT_BUDGET_STATUSES = ["ok", "warning", "over", "unbudgeted"] as const;
export const DepartmentBudgetStatus = Type.Enum(DEPARTMENT_BUDGET_STATUSES);
export type DepartmentBudgetStatus = Static<typeof DepartmentBudgetStatus>;

/** The share of a budget from which it is in warning, and over, in percent. */
export const WARNING_PERCENT = 80;
export const OVER_PERCENT = 100;

export const Month = Type.String({
  pattern: "^[0-9]{4}-(0[1-9]|1[0-2])$",
  description: "YYYY-MM, a calendar month in the gateway's time zone (TIME_ZONE)",
});
export const Department = PlainText({ minLength: 1, maxLength: 100, description: "as usages name it" });
// At most 30 digits: a budget is a sum of money, and the column (NUMERIC(78,0)) must never refuse it.
export const BudgetAmount = Type.String({ pattern: "^[0-9]{1,30}$", description: "fen, a whole number" });

export const SetDepartmentBudgetRequest = Type.Object(
  {
    department: Department,
    category: Type.With(Bytes32, { description: "the agreement category the budget covers" }),
    month: Month,
    amount: BudgetAmount,
  },
  { additionalProperties: false },
);
export type SetDepartmentBudgetRequest = Static<typeof SetDepartmentBudgetRequest>;

export const DepartmentBudgetRow = Type.Object(
  {
    month: Month,
    department: Type.String(),
    category: Type.String({ description: "the agreement's product category" }),
    budget: Nullable(Type.With(Amount, { description: "fen; null where consumption has no budget" })),
    consumed: Type.With(Amount, {
      description: "fen: units used, net of returns, × the locked unit price of the order each came from",
    }),
    remaining: Nullable(Type.With(Amount, { description: "budget − consumed, fen; negative when over" })),
    percent: Nullable(
      Type.Number({
        description: "consumed / budget × 100, rounded down to one decimal; null without a budget > 0",
      }),
    ),
    status: DepartmentBudgetStatus,
    setBy: Nullable(Address),
    setAt: Nullable(DateTime),
  },
  { additionalProperties: false },
);
export type DepartmentBudgetRow = Static<typeof DepartmentBudgetRow>;

export const DepartmentBudgetsQuery = Type.Object(
  {
    from: Type.Optional(Type.With(Month, { description: "first month; default the current month" })),
    to: Type.Optional(
      Type.With(Month, { description: "last month (inclusive), at most 11 after from; default from" }),
    ),
    department: Type.Optional(Department),
    category: Type.Optional(Bytes32),
    status: Type.Optional(
      Type.String({
        pattern: "^(ok|warning|over|unbudgeted)(,(ok|warning|over|unbudgeted))*$",
        description: "only rows in these statuses, comma-separated: warning,over",
      }),
    ),
    hospital: Type.Optional(
      Type.With(Address, { description: "the caller's own hospital (any other is refused)" }),
    ),
  },
  { additionalProperties: false },
);
export type DepartmentBudgetsQuery = Static<typeof DepartmentBudgetsQuery>;

export const DepartmentBudgetsReport = Type.Object(
  {
    hospital: Address,
    from: Month,
    to: Month,
    timeZone: Type.String({ description: "the time zone months are counted in (TIME_ZONE)" }),
    rows: Type.With(Type.Array(DepartmentBudgetRow), {
      description: "one per month × department × category with a budget or consumption, in that order",
    }),
  },
  { additionalProperties: false },
);
export type DepartmentBudgetsReport = Static<typeof DepartmentBudgetsReport>;

export const OverspendQuery = Type.Object(
  {
    ...PaginationQuery,
    month: Month,
    department: Department,
    category: Bytes32,
    hospital: Type.Optional(
      Type.With(Address, { description: "the caller's own hospital (any other is refused)" }),
    ),
  },
  { additionalProperties: false },
);
export type OverspendQuery = Static<typeof OverspendQuery>;

/** One case: a usage with its returns, valued at the locked price of the order its units came from. */
export const OverspendCase = Type.Object(
  {
    usageId: Type.String({ description: "the billing system's id of the use (the case)" }),
    usedAt: DateTime,
    patientRefHashPrefix: Type.String({
      pattern: "^[0-9a-f]{12}$",
      description: "the first 12 hex digits of the patient's salted hash: enough to tell cases apart",
    }),
    gtin: Gtin,
    lot: Type.String(),
    serial: Nullable(Type.String()),
    units: Type.Integer({ description: "units used net of their returns" }),
    orderId: IdString,
    value: Type.With(Amount, { description: "fen at the order's locked unit price" }),
  },
  { additionalProperties: false },
);
export type OverspendCase = Static<typeof OverspendCase>;

export const OverspendReport = Type.Object(
  {
    hospital: Address,
    month: Month,
    department: Type.String(),
    category: Type.String(),
    budget: Nullable(Amount),
    consumed: Amount,
    items: Type.With(Type.Array(OverspendCase), { description: "a page, largest value first" }),
    nextCursor: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type OverspendReport = Static<typeof OverspendReport>;
