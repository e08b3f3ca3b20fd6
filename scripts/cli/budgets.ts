import * as act from "../../ledger/acts";
import { ADJUSTMENT_STATUS } from "../../ledger/enums";
import { parseCategory, parseReason, reasonOption, UsageError, type CommandSpec, type Opts } from "./command";
import { chainAct, type Chain } from "./options";
import { label } from "../../ledger/words";
import { list, record, type Row } from "./output";

/**
 * A hospital's budgets per product category and fiscal period (BudgetBook): the hospital
 * account sets one once; every change after that is an adjustment one approver proposes and a
 * different approver confirms. Funding an order past the remaining budget is refused on chain
 * (BudgetExceeded) until such an adjustment is confirmed.
 */

const BUDGET_OPTIONS = {
  category: {
    type: "string",
    value: "<code>",
    description: "product category code (e.g. C0401-DES) or its bytes32",
    required: true,
  },
  period: {
    type: "string",
    value: "<year>",
    description: "fiscal period: a calendar year in the ledger's local time (default the current one)",
  },
} as const;

const ADJUSTMENT_OPTION = {
  adjustment: { type: "string", value: "<id>", description: "the proposal's id", required: true },
} as const;

async function periodOf(chain: Chain, o: Opts): Promise<number> {
  return o.has("period")
    ? o.int("period", undefined, 65_535)
    : Number(await chain.ledger.budgets.currentPeriod());
}

async function budgetState(chain: Chain, hospital: string, category: string, period: number): Promise<Row> {
  const b = await chain.ledger.budgets.budget(hospital, category, period);
  return {
    hospital,
    category: label(category),
    period,
    set: b.set,
    amount: b.amount,
    spent: b.spent,
    remaining: b.amount - b.spent,
  };
}

/** A signed whole number: `-500000` cuts the budget, `500000` raises it. */
function parseDelta(text: string): bigint {
  if (!/^-?\d+$/.test(text.trim()) || /^-?0+$/.test(text.trim()))
    throw new UsageError(`--delta must be a non-zero whole number, negative to cut (got "${text}")`);
  return BigInt(text.trim());
}

export const budgetSet: CommandSpec = {
  path: ["budget", "set"],
  summary: "set the hospital's budget for a category and fiscal period, once (the hospital account)",
  details:
    "A category without a budget in a period is not budget-controlled: its orders are funded as before. Once set, the budget changes only by an adjustment of two approvers (budget propose, budget confirm).",
  options: {
    ...BUDGET_OPTIONS,
    amount: { type: "string", value: "<units>", description: "settlement token base units", required: true },
  },
  examples: ["sunshine hospital budget set --category C0401-DES --period 2027 --amount 150000000"],
  async run(ctx, o) {
    const category = parseCategory(o.string("category"));
    const amount = o.id("amount");
    const chain = await ctx.chain();
    const period = await periodOf(chain, o);
    await act.setBudget(chain.ledger, chain.signer, { category, period, amount });
    return record(chainAct(chain, await budgetState(chain, chain.address, category, period)));
  },
};

export const budgetPropose: CommandSpec = {
  path: ["budget", "propose"],
  summary: "propose changing your hospital's budget; another approver confirms it (approvers)",
  details:
    "--delta is signed: negative cuts the budget, which can never go below what is spent; write a cut as --delta=-200000 (a bare -200000 reads as an option). Nothing changes until a different approver of the hospital runs `budget confirm`.",
  options: {
    ...BUDGET_OPTIONS,
    delta: {
      type: "string",
      value: "<units>",
      description: "the change, e.g. 500000 or -200000",
      required: true,
    },
    ...reasonOption("proposeAdjustment"),
  },
  examples: [
    "sunshine hospital budget propose --category C0401-DES --delta 500000 --reason 301",
    "sunshine hospital budget propose --category C0401-DES --period 2027 --delta=-200000 --reason 302",
  ],
  async run(ctx, o) {
    const category = parseCategory(o.string("category"));
    const delta = parseDelta(o.string("delta"));
    const reason = parseReason(o, "proposeAdjustment").code;
    const chain = await ctx.chain();
    const period = await periodOf(chain, o);
    const adjustmentId = await act.proposeBudgetAdjustment(chain.ledger, chain.signer, {
      category,
      period,
      delta,
      reasonCode: reason,
    });
    return record(
      chainAct(chain, { adjustmentId, category, period, delta, reasonCode: reason, status: "proposed" }),
    );
  },
};

export const budgetConfirm: CommandSpec = {
  path: ["budget", "confirm"],
  summary: "confirm another approver's proposal: the budget changes (approvers)",
  options: ADJUSTMENT_OPTION,
  positional: "adjustment",
  examples: ["sunshine hospital budget confirm --adjustment 3"],
  async run(ctx, o) {
    const adjustmentId = o.id("adjustment");
    const chain = await ctx.chain();
    const newAmount = await act.confirmBudgetAdjustment(chain.ledger, chain.signer, adjustmentId);
    const a = await chain.ledger.budgets.adjustment(adjustmentId);
    const state = await budgetState(chain, a.hospital, a.category, Number(a.period));
    return record(chainAct(chain, { adjustmentId, ...state, amount: newAmount, proposer: a.proposer }));
  },
};

export const budgetWithdraw: CommandSpec = {
  path: ["budget", "withdraw"],
  summary: "withdraw your proposal, or decline another approver's (approvers)",
  options: ADJUSTMENT_OPTION,
  positional: "adjustment",
  examples: ["sunshine hospital budget withdraw --adjustment 3"],
  async run(ctx, o) {
    const adjustmentId = o.id("adjustment");
    const chain = await ctx.chain();
    await act.sent(chain.ledger.budgets.connect(chain.signer).withdrawAdjustment(adjustmentId));
    const a = await chain.ledger.budgets.adjustment(adjustmentId);
    return record(chainAct(chain, { adjustmentId, status: ADJUSTMENT_STATUS[Number(a.status)] }));
  },
};

export const budgetShow: CommandSpec = {
  path: ["budget", "show"],
  summary: "a hospital's budgets for a period as the ledger holds them: one category, or every one set",
  details:
    "Without --category, every category the hospital set a budget for in the period (its BudgetSet events), one row each; a category without one is not budget-controlled.",
  options: {
    category: { ...BUDGET_OPTIONS.category, required: false },
    period: BUDGET_OPTIONS.period,
    hospital: { type: "string", value: "<address>", description: "the hospital (default: yours)" },
  },
  examples: [
    "sunshine hospital budget show",
    "sunshine hospital budget show --category C0401-DES --period 2027",
  ],
  async run(ctx, o) {
    const category = o.has("category") ? parseCategory(o.string("category")) : undefined;
    const chain = await ctx.chain();
    const hospital = o.has("hospital")
      ? o.address("hospital")
      : await chain.ledger.hospitals.hospitalOf(chain.address);
    const period = await periodOf(chain, o);
    if (category !== undefined) return record(await budgetState(chain, hospital, category, period));
    const budgets = chain.ledger.budgets;
    const set = await budgets.queryFilter(budgets.filters.BudgetSet(hospital, undefined, period));
    const rows = await Promise.all(set.map((e) => budgetState(chain, hospital, e.args.category, period)));
    return list(rows, {
      columns: ["category", "period", "amount", "spent", "remaining"],
      // The default period is the ledger's, which may differ from the wall calendar's (the demo's).
      empty: `no budget set for ${period}${o.has("period") ? "" : " (the ledger's current year)"}: orders in every category are funded with no budget limit`,
    });
  },
};
