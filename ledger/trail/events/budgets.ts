import type { EventArgs } from "../../events";
import { pos, spec } from "../event-spec";
import {
  AccountFigure,
  DecimalFigure,
  dec,
  hex,
  int,
  SignedDecimalFigure,
  SmallFigure,
  WordFigure,
} from "../figures";
import { label } from "../../words";

const budgetFields = { hospital: AccountFigure, category: WordFigure, period: SmallFigure };

/** What an order's charge or return moved, and the budget's spent amount after it. */
const moveFields = { orderId: DecimalFigure, ...budgetFields, amount: DecimalFigure, spent: DecimalFigure };
const moveFigures = (a: EventArgs) => ({
  orderId: dec(a.orderId),
  hospital: hex(a.hospital),
  category: hex(a.category),
  period: int(a.period),
  amount: dec(a.amount),
  spent: dec(a.spent),
});

/**
 * BudgetBook's events as trail steps: the charges and returns of the trail's orders, and the
 * setting and confirmed adjustments of the budgets they were charged to.
 */
export const BUDGET_SPECS = [
  spec({
    contract: "budgets",
    event: "BudgetSet",
    kind: "budget",
    fields: { ...budgetFields, amount: DecimalFigure },
    figures: (a) => ({
      hospital: hex(a.hospital),
      category: hex(a.category),
      period: int(a.period),
      amount: dec(a.amount),
    }),
    id: (f) => `budget:${f.hospital}:${f.category}:${f.period}`,
    summary: (f) =>
      `Hospital ${f.hospital} set its ${f.period} budget for ${label(f.category)} to ${f.amount}`,
  }),
  spec({
    contract: "budgets",
    event: "BudgetAdjusted",
    kind: "budget",
    fields: {
      adjustmentId: DecimalFigure,
      ...budgetFields,
      delta: SignedDecimalFigure,
      newAmount: DecimalFigure,
      reasonCode: SmallFigure,
      proposer: AccountFigure,
      confirmer: AccountFigure,
    },
    figures: (a) => ({
      adjustmentId: dec(a.adjustmentId),
      hospital: hex(a.hospital),
      category: hex(a.category),
      period: int(a.period),
      delta: dec(a.delta),
      newAmount: dec(a.newAmount),
      reasonCode: int(a.reasonCode),
      proposer: hex(a.proposer),
      confirmer: hex(a.confirmer),
    }),
    id: (f) => `budget-adjustment:${f.adjustmentId}`,
    summary: (f) =>
      `Approver ${f.proposer} proposed and approver ${f.confirmer} confirmed changing hospital ${f.hospital}'s ` +
      `${f.period} budget for ${label(f.category)} by ${f.delta} to ${f.newAmount} (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "budgets",
    event: "BudgetCharged",
    kind: "budget",
    fields: moveFields,
    figures: moveFigures,
    id: (f) => `budget-charge:${f.orderId}`,
    summary: (f) =>
      `Funding order ${f.orderId} charged ${f.amount} to hospital ${f.hospital}'s ${f.period} budget for ` +
      `${label(f.category)}: ${f.spent} spent`,
  }),
  spec({
    contract: "budgets",
    event: "BudgetReturned",
    kind: "budget",
    fields: moveFields,
    figures: moveFigures,
    id: (f, at) => `budget-return:${f.orderId}${pos(at)}`,
    summary: (f) =>
      `${f.amount} refunded from order ${f.orderId} went back to hospital ${f.hospital}'s ${f.period} budget for ` +
      `${label(f.category)}: ${f.spent} spent`,
  }),
];
