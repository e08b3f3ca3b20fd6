import type { EpcisDocument } from "../../api/epcis";
import type { Trail, Verification } from "../../api/trail";
import { parseGtin, UsageError, type CommandSpec, type Opts } from "./command";
import { list, record, type Result, type Row } from "./output";

/**
 * A regulator's view from the gateway: an order's, a lot's or a serial's trail (every step with
 * its log on chain, or the GS1 EPCIS document), and its verification against the chain.
 */

const trailOptions = {
  order: { type: "string", value: "<id>", description: "the trail of an order" },
  gtin: {
    type: "string",
    value: "<gtin>",
    description: "the trail of a lot (with --lot) or a serial (with --serial)",
  },
  lot: { type: "string", value: "<lot>", description: "lot number (with --gtin)" },
  serial: { type: "string", value: "<serial>", description: "serial number (with --gtin)" },
} as const;

/** GET path of the trail named by --order, --gtin/--lot or --gtin/--serial. */
function trailPath(o: Opts): { path: string; subject: "order" | "lot" | "serial" } {
  const subjects = [o.has("order"), o.has("lot"), o.has("serial")].filter(Boolean).length;
  if (subjects !== 1)
    throw new UsageError("give one of --order <id>, --gtin with --lot, or --gtin with --serial");
  if (o.has("order")) {
    if (o.has("gtin")) throw new UsageError("--gtin goes with --lot or --serial, not --order");
    return { path: `/v1/trail/orders/${o.id("order")}`, subject: "order" };
  }
  const gtin = parseGtin(o.string("gtin"));
  if (o.has("lot"))
    return { path: `/v1/trail/lots/${gtin}/${encodeURIComponent(o.string("lot"))}`, subject: "lot" };
  return { path: `/v1/trail/serials/${gtin}/${encodeURIComponent(o.string("serial"))}`, subject: "serial" };
}

export const trail: CommandSpec = {
  path: ["trail"],
  summary: "an order's, a lot's or a serial's trail from the gateway: every step with its log on chain",
  details:
    "--format epcis prints the GS1 EPCIS 2.0 document (JSON-LD) of an order or a lot instead. Check the trail against the chain with `sunshine regulator verify`.",
  options: {
    ...trailOptions,
    format: { type: "string", value: "<format>", description: "steps (default) or epcis" },
  },
  examples: [
    "sunshine regulator trail --gtin 09520123456788 --lot LOT2026A --gateway http://127.0.0.1:8080",
    "sunshine regulator trail --order 3 --format epcis > order-3.jsonld",
  ],
  async run(ctx, o) {
    const { path, subject } = trailPath(o);
    const format = o.choice("format", ["steps", "epcis"] as const, "steps");
    if (format === "epcis" && subject === "serial")
      throw new UsageError("--format epcis is for orders and lots");
    const gateway = await ctx.gateway();
    if (format === "epcis")
      return { kind: "document", data: await gateway.get<EpcisDocument>(`${path}/epcis`) };
    const body = await gateway.get<Trail>(path);
    const steps = Array.isArray(body.steps) ? body.steps : [];
    const summary: Row = {};
    for (const [k, v] of Object.entries(body))
      if (k !== "steps" && k !== "contracts" && k !== "qualification") summary[k] = v;
    return {
      kind: "sections",
      sections: [
        record(summary),
        list(
          steps.map((s) => ({
            at: s.at,
            kind: s.kind,
            summary: s.summary,
            source: s.source,
            block: s.onChain?.blockNumber,
            tx: s.onChain?.txHash,
          })),
          { empty: "no steps" },
        ),
      ],
      json: body,
    };
  },
};

export const verify: CommandSpec = {
  path: ["verify"],
  summary:
    "re-check an order's, a lot's or a serial's trail against the chain (exit 1 if it does not verify)",
  options: trailOptions,
  examples: [
    "sunshine regulator verify --gtin 09520123456788 --lot LOT2026A --gateway http://127.0.0.1:8080",
  ],
  async run(ctx, o) {
    const { path } = trailPath(o);
    const gateway = await ctx.gateway();
    const v = await gateway.get<Verification>(`${path}/verify`);
    const mismatches = Array.isArray(v.mismatches) ? v.mismatches : [];
    const summary = record({
      verified: v.verified,
      checked: v.checked,
      figures: v.figures,
      expectedEvents: v.expectedEvents,
      mismatches: mismatches.length,
      proofs: v.proofs?.map((p) => `${p.shipmentId}:${p.proofValid ? "valid" : "INVALID"}`),
      toBlock: v.toBlock,
    });
    const sections: Result[] = [summary];
    if (mismatches.length) {
      sections.push(
        list(
          mismatches.map((m) => ({
            step: m.step,
            field: m.field,
            problem: m.problem,
            database: m.database,
            chain: m.chain,
          })),
        ),
      );
    }
    return { kind: "sections", sections, json: v, exitCode: v.verified === true ? 0 : 1 };
  },
};
