import type { ClaimsReport } from "../../api/claims";
import { UsageError, type CommandSpec } from "./command";
import { list } from "./output";

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

/** The claim audit (GET /v1/claims): cost per case and DRG/DIP group, and the outlier cases. */
export const claims: CommandSpec = {
  path: ["claims"],
  summary:
    "consumable cost per case and DRG/DIP group per hospital and month; --outliers: the cases above their group's 95th percentile",
  options: {
    from: { type: "string", value: "<YYYY-MM>", description: "first month", required: true },
    to: { type: "string", value: "<YYYY-MM>", description: "last month (inclusive); default --from" },
    hospital: { type: "string", value: "<address>", description: "one hospital only" },
    outliers: { type: "boolean", description: "list the outlier cases instead of the groups" },
  },
  examples: ["sunshine regulator claims --from 2026-11 --outliers"],
  async run(ctx, o) {
    const from = o.string("from");
    const to = o.optional("to") ?? from;
    for (const [name, value] of [
      ["--from", from],
      ["--to", to],
    ])
      if (!MONTH.test(value)) throw new UsageError(`${name} must be a month as YYYY-MM (got "${value}")`);
    const query = new URLSearchParams({ from, to });
    if (o.has("hospital")) query.set("hospital", o.address("hospital"));
    const gateway = await ctx.gateway();
    const report = await gateway.get<ClaimsReport>(`/v1/claims?${query}`);
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
