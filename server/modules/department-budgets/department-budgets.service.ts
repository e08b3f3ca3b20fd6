import type { Db } from "../../db";
import {
  OVER_PERCENT,
  WARNING_PERCENT,
  type DepartmentBudgetRow,
  type DepartmentBudgetsReport,
  type DepartmentBudgetStatus,
  type OverspendReport,
  type SetDepartmentBudgetRequest,
} from "../../../api/department-budgets";
import { cursorKey, cursorValues, invalidCursor, toPage } from "../../lib/pagination";
import {
  budgetStatus,
  overspendCases,
  upsertBudget,
  type BudgetStatusRow,
} from "./department-budgets.repository";
import { checkMonthRange, monthOf } from "../../lib/month-range";

/** A case's value as a cursor carries it (a NUMERIC(78,0) sum, possibly negative). */
const VALUE_KEY = /^-?[0-9]{1,78}$/;

/**
 * A budget's status, decided in integers: warning at consumed × 100 ≥ budget × 80, over at
 * consumed ≥ budget. A zero budget allows nothing: any consumption is over it.
 */
export function statusOf(budget: bigint | null, consumed: bigint): DepartmentBudgetStatus {
  if (budget === null) return "unbudgeted";
  if (budget === 0n) return consumed > 0n ? "over" : "ok";
  if (consumed * 100n >= budget * BigInt(OVER_PERCENT)) return "over";
  if (consumed * 100n >= budget * BigInt(WARNING_PERCENT)) return "warning";
  return "ok";
}

/** consumed ÷ budget in percent, rounded down to one decimal (exact: in tenths of a percent). */
export function percentOf(budget: bigint | null, consumed: bigint): number | null {
  if (budget === null || budget === 0n) return null;
  const tenths = (consumed * 1000n) / budget;
  return Number(tenths) / 10;
}

export function rowView(r: BudgetStatusRow): DepartmentBudgetRow {
  const budget = r.amount === null ? null : BigInt(r.amount);
  const consumed = BigInt(r.consumed);
  return {
    month: r.month,
    department: r.department,
    category: r.category,
    budget: budget === null ? null : budget.toString(),
    consumed: consumed.toString(),
    remaining: budget === null ? null : (budget - consumed).toString(),
    percent: percentOf(budget, consumed),
    status: statusOf(budget, consumed),
    setBy: r.set_by,
    setAt: r.set_at === null ? null : new Date(r.set_at).toISOString(),
  };
}

export class DepartmentBudgetsService {
  constructor(
    private readonly db: Db,
    private readonly timeZone: string,
    /** The ledger's clock: "the current month" is the ledger's. */
    private readonly now: () => Date,
  ) {}

  async report(
    hospital: string,
    q: { from?: string; to?: string; department?: string; category?: string; status?: string },
  ): Promise<DepartmentBudgetsReport> {
    const from = q.from ?? monthOf(this.now(), this.timeZone);
    const to = q.to ?? from;
    checkMonthRange(from, to);
    const wanted = q.status === undefined ? null : new Set(q.status.split(","));
    const rows = (
      await budgetStatus(this.db, {
        hospital,
        from,
        to,
        timeZone: this.timeZone,
        department: q.department,
        category: q.category,
      })
    )
      .map(rowView)
      .filter((r) => wanted === null || wanted.has(r.status));
    return { hospital, from, to, timeZone: this.timeZone, rows };
  }

  /** Sets one budget and answers its row as it now stands. */
  async set(hospital: string, setBy: string, body: SetDepartmentBudgetRequest): Promise<DepartmentBudgetRow> {
    await upsertBudget(this.db, { hospital, setBy, setAt: this.now(), ...body });
    const [row] = await budgetStatus(this.db, {
      hospital,
      from: body.month,
      to: body.month,
      timeZone: this.timeZone,
      department: body.department,
      category: body.category,
    });
    return rowView(row);
  }

  /** The cases that make up one department × category × month's consumption, a page at a time. */
  async overspend(
    hospital: string,
    q: { month: string; department: string; category: string; cursor?: string; limit: number },
  ): Promise<OverspendReport> {
    const scope = {
      hospital,
      from: q.month,
      to: q.month,
      timeZone: this.timeZone,
      department: q.department,
      category: q.category,
    };
    const cursor = cursorValues(q.cursor, 2);
    if (cursor !== null && !VALUE_KEY.test(cursor[0])) throw invalidCursor(q.cursor!);
    const after = cursor === null ? null : { value: cursor[0], usageId: cursor[1] };
    const [status] = await budgetStatus(this.db, scope);
    const row = status === undefined ? null : rowView(status);
    const cases = await overspendCases(this.db, scope, after, q.limit + 1);
    const page = toPage(
      cases,
      q.limit,
      (c) => cursorKey([String(c.value), c.usage_id]),
      (c) => ({
        usageId: c.usage_id,
        usedAt: new Date(c.used_at).toISOString(),
        patientRefHashPrefix: c.patient_hash.slice(0, 12),
        gtin: c.gtin,
        lot: c.lot,
        serial: c.serial,
        units: Number(c.units),
        orderId: String(c.order_id),
        value: String(c.value),
      }),
    );
    return {
      hospital,
      month: q.month,
      department: q.department,
      category: q.category.toLowerCase(),
      budget: row?.budget ?? null,
      consumed: row?.consumed ?? "0",
      ...page,
    };
  }
}
