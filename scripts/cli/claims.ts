import type { ClaimsReport, ClaimsRisk } from "../../api/claims";
import { UsageError, type CommandSpec, type Opts } from "./command";
import { list } from "./output";

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

/** `from=…&to=…[&hospital=…]` from --from, --to (default --from) and --hospital. */
function periodQuery(o: Opts): URLSearchParams {
  const from = o.string("from");
  const to = o.optional("to") ?? from;
  for (const [name, value] of [
    ["--from", from],
    ["--to", to],
  ])
    if (!MONTH.test(value)) throw new UsageError(`${name} must be a month as YYYY-MM (got "${value}")`);
  const query = new URLSearchParams({ from, to });
  if (o.has("hospital")) query.set("hospital", o.address("hospital"));
  return query;
}

const PERIOD_OPTIONS = {
  from: { type: "string", value: "<YYYY-MM>", description: "first month", required: true },
  to: { type: "string", value: "<YYYY-MM>", description: "last month (inclusive); default --from" },
  hospital: { type: "string", value: "<address>", description: "one hospital only" },
} as const;

/** The claim audit (GET /v1/claims): cost per case and DRG/DIP group, and the outlier cases. */
export const claims: CommandSpec = {
  path: ["claims"],
  summary:
    "consumable cost per case and DRG/DIP group per hospital and month; --outliers: the cases above their group's 95th percentile",
  options: {
    ...PERIOD_OPTIONS,
    outliers: { type: "boolean", description: "list the outlier cases instead of the groups" },
    "rare-high-value": {
      type: "boolean",
      description: "list high-value items billed on cases of groups that rarely use them",
    },
    "high-value-from": {
      type: "string",
      value: "<fen>",
      description: "unit billed price from which an item is high-value (default 50000)",
    },
  },
  examples: ["sunshine regulator claims --from 2026-11 --outliers"],
  async run(ctx, o) {
    const query = periodQuery(o);
    if (o.has("high-value-from")) query.set("highValueFrom", String(o.id("high-value-from")));
    const gateway = await ctx.gateway();
    const report = await gateway.get<ClaimsReport>(`/v1/claims?${query}`);
    if (o.flag("rare-high-value"))
      return list(
        report.rareHighValue.map((u) => ({ ...u })),
        { empty: "no high-value item on a group that rarely uses it", json: report },
      );
    if (o.flag("outliers"))
      return list(
        report.outliers.map((c) => ({ ...c })),
        { empty: "no case above its group's 95th percentile", json: report },
      );
    return list(
      report.groups.map((g) => ({ ...g })),
      { empty: "no cases with a DRG/DIP group in the period", json: report },
    );
  },
};

/** The risk view (GET /v1/claims/risk): per hospital, the flags and findings with their money. */
export const claimsRisk: CommandSpec = {
  path: ["risk"],
  summary:
    "per hospital: the reconciliation's flags and the claim audit's findings in the period, with the money billed on them",
  options: PERIOD_OPTIONS,
  examples: ["sunshine fund risk --from 2027-01 --to 2027-03"],
  async run(ctx, o) {
    const gateway = await ctx.gateway();
    const risk = await gateway.get<ClaimsRisk>(`/v1/claims/risk?${periodQuery(o)}`);
    return list(
      risk.hospitals.flatMap((h) => h.lines.map((l) => ({ ...l, hospitalTotal: h.total }))),
      { empty: "nothing flagged in the period", json: risk },
    );
  },
};
