import type { Budget, BudgetAdjustment, BudgetPage, ListBudgetsQuery } from "../../../api/budgets";
import type { AdjustmentStatus } from "../../../api/budgets";
import type { Db } from "../../db";
import { keysetList } from "../../lib/keyset-list";
import { int, iso, isoOrNull, lastChangeOf, text, textOrNull, type Row } from "../../lib/projection-row";

/** Budgets and their adjustments as the indexer projects them (budgets, budget_adjustments). */

function adjustmentView(r: Row): BudgetAdjustment {
  return {
    id: text(r.id),
    status: text(r.status) as AdjustmentStatus,
    delta: text(r.delta),
    reasonCode: int(r.reason_code),
    proposer: text(r.proposer),
    proposedAt: iso(r.proposed_at),
    proposedTx: text(r.proposed_tx),
    decidedBy: textOrNull(r.decided_by),
    decidedAt: isoOrNull(r.decided_at),
    newAmount: textOrNull(r.new_amount),
  };
}

function budgetView(r: Row): Omit<Budget, "adjustments"> {
  return {
    hospital: text(r.hospital),
    category: text(r.category),
    period: int(r.period),
    amount: text(r.amount),
    spent: text(r.spent),
    remaining: text(r.remaining),
    setAt: iso(r.set_at),
    setTx: text(r.set_tx),
    lastChange: lastChangeOf(r),
  };
}

const budgetKey = (b: { hospital: string; category: string; period: number }) =>
  `${b.hospital}/${b.category}/${b.period}`;

export class BudgetsRepository {
  constructor(private readonly db: Db) {}

  /** A page of budgets in (hospital, category, period) order, each with its adjustments. */
  async list(q: ListBudgetsQuery): Promise<BudgetPage> {
    const page = await keysetList(
      this.db,
      {
        // The period is keyed as fixed-width text, so every cursor value compares as text (a
        // forged cursor cannot fail as an integer cast).
        from: `SELECT * FROM (SELECT *, amount - spent AS remaining, to_char(period, 'FM00000') AS period_key
               FROM budgets) b`,
        filters: [
          ["hospital", q.hospital],
          ["category", q.category],
          ["period_key", q.period === undefined ? undefined : String(q.period).padStart(5, "0")],
        ],
        key: ["hospital", "category", "period_key"],
        numericKey: false,
        view: budgetView,
      },
      q,
    );
    const adjustments = await this.adjustmentsOf(page.items);
    return {
      items: page.items.map((b) => ({ ...b, adjustments: adjustments.get(budgetKey(b)) ?? [] })),
      nextCursor: page.nextCursor,
    };
  }

  private async adjustmentsOf(
    budgets: { hospital: string; category: string; period: number }[],
  ): Promise<Map<string, BudgetAdjustment[]>> {
    const out = new Map<string, BudgetAdjustment[]>();
    if (budgets.length === 0) return out;
    const { rows } = await this.db.query<Row>(
      `SELECT a.* FROM budget_adjustments a
       JOIN unnest($1::text[], $2::text[], $3::int[]) AS k(hospital, category, period)
         ON a.hospital = k.hospital AND a.category = k.category AND a.period = k.period
       ORDER BY a.id`,
      [budgets.map((b) => b.hospital), budgets.map((b) => b.category), budgets.map((b) => b.period)],
    );
    for (const r of rows) {
      const key = budgetKey({
        hospital: text(r.hospital),
        category: text(r.category),
        period: int(r.period),
      });
      out.set(key, [...(out.get(key) ?? []), adjustmentView(r)]);
    }
    return out;
  }
}
