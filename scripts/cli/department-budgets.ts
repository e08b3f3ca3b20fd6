import type {
  DepartmentBudgetRow,
  DepartmentBudgetsReport,
  SetDepartmentBudgetRequest,
} from "../../api/department-budgets";
import { label } from "../../ledger/words";
import { parseCategory, parseWhole, UsageError, type CommandSpec } from "./command";
import { list, record, type Row } from "./output";

/**
 * The hospital's department budgets on the gateway (internal to the hospital, never on the
 * ledger): set one per department × category × month, and print each against what the
 * department consumed — its usages at the locked price of the order each unit came from.
 */

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

function month(text: string, what: string): string {
  if (!MONTH.test(text)) throw new UsageError(`${what} must be a month as YYYY-MM (got "${text}")`);
  return text;
}

function budgetRow(r: DepartmentBudgetRow): Row {
  return {
    month: r.month,
    department: r.department,
    category: label(r.category),
    budget: r.budget,
    consumed: r.consumed,
    remaining: r.remaining,
    percent: r.percent === null ? null : `${r.percent.toFixed(1)}%`,
    status: r.status,
  };
}

export const departmentBudgetSet: CommandSpec = {
  path: ["department-budget", "set"],
  summary: "set a department's budget for a category and month (account or approvers); prints its status",
  options: {
    department: { type: "string", value: "<name>", description: "as usage records name it", required: true },
    category: { type: "string", value: "<code>", description: "category code or bytes32", required: true },
    month: { type: "string", value: "<YYYY-MM>", description: "in the gateway's TIME_ZONE", required: true },
    amount: { type: "string", value: "<fen>", description: "the budget in fen", required: true },
  },
  examples: [
    "sunshine hospital department-budget set --department Cardiology --category C0401-DES --month 2026-03 --amount 5000000",
  ],
  async run(ctx, o) {
    const body: SetDepartmentBudgetRequest = {
      department: o.string("department"),
      category: parseCategory(o.string("category")),
      month: month(o.string("month"), "--month"),
      amount: parseWhole(o.string("amount"), "--amount").toString(),
    };
    const gateway = await ctx.gateway();
    const row = await gateway.put<DepartmentBudgetRow>("/v1/department-budgets", body);
    return { ...record(budgetRow(row)), json: row };
  },
};

export const departmentBudgets: CommandSpec = {
  path: ["department-budgets"],
  summary: "print department budgets beside consumption: ok, warning (≥ 80 %), over (≥ 100 %)",
  options: {
    from: { type: "string", value: "<YYYY-MM>", description: "first month (default the current one)" },
    to: { type: "string", value: "<YYYY-MM>", description: "last month (default --from)" },
    status: { type: "string", value: "<list>", description: "only these: ok, warning, over, unbudgeted" },
  },
  examples: [
    "sunshine hospital department-budgets --gateway http://127.0.0.1:8080",
    "sunshine hospital department-budgets --from 2026-01 --to 2026-12 --status warning,over",
  ],
  async run(ctx, o) {
    const query = new URLSearchParams();
    if (o.has("from")) query.set("from", month(o.string("from"), "--from"));
    if (o.has("to")) query.set("to", month(o.string("to"), "--to"));
    if (o.has("status")) {
      const statuses = o.list("status");
      const bad = statuses.filter((s) => !["ok", "warning", "over", "unbudgeted"].includes(s));
      if (bad.length)
        throw new UsageError(`--status must list ok, warning, over or unbudgeted (got "${bad.join(", ")}")`);
      query.set("status", statuses.join(","));
    }
    const gateway = await ctx.gateway();
    const qs = query.toString();
    const report = await gateway.get<DepartmentBudgetsReport>(`/v1/department-budgets${qs ? `?${qs}` : ""}`);
    return list(report.rows.map(budgetRow), {
      json: report,
      empty: `no department budgets or consumption from ${report.from} to ${report.to}`,
    });
  },
};
