import * as act from "../lib/actions";
import {
  isoTime,
  parseAddress,
  parseWhen,
  parseWhole,
  readInput,
  UsageError,
  type CommandSpec,
  type GroupSpec,
  type Opts,
} from "./command";
import { list, record, type Result, type Row } from "./output";
import { chainAct, parseCategory, parseGtin, recall } from "./supplier";

/**
 * Regulator commands: decide qualification documents, suspend and reinstate suppliers, open
 * and finalize tenders, recall lots, and read (and verify) a lot's or an order's trail from
 * the gateway.
 */

const DAY = 86_400;

const reasonOption = {
  reason: { type: "string", value: "<code>", description: "reason code 0-65535 (default 0)" },
} as const;

const attest: CommandSpec = {
  path: ["attest"],
  summary: "attest a supplier's pending qualification document",
  options: { document: { type: "string", value: "<id>", description: "document id", required: true } },
  positional: "document",
  examples: ["sunshine regulator attest --document 7"],
  async run(ctx, o) {
    const documentId = o.id("document");
    const chain = await ctx.chain();
    await act.sent(chain.ledger.registry.connect(chain.signer).attestDocument(documentId));
    const doc = await chain.ledger.registry.document(documentId);
    return record(chainAct(chain, { documentId, supplier: doc.supplier, status: "attested" }));
  },
};

const reject: CommandSpec = {
  path: ["reject"],
  summary: "reject a supplier's pending qualification document",
  options: {
    document: { type: "string", value: "<id>", description: "document id", required: true },
    ...reasonOption,
  },
  positional: "document",
  examples: ["sunshine regulator reject --document 7 --reason 3"],
  async run(ctx, o) {
    const documentId = o.id("document");
    const reason = o.int("reason", 0, 65_535);
    const chain = await ctx.chain();
    await act.sent(chain.ledger.registry.connect(chain.signer).rejectDocument(documentId, reason));
    const doc = await chain.ledger.registry.document(documentId);
    return record(chainAct(chain, { documentId, supplier: doc.supplier, status: "rejected", reason }));
  },
};

function supplierStatusCommand(name: "suspend" | "reinstate"): CommandSpec {
  return {
    path: [name],
    summary: name === "suspend" ? "suspend a supplier" : "reinstate a suspended supplier",
    options: {
      supplier: { type: "string", value: "<address>", description: "the supplier's account", required: true },
      ...reasonOption,
    },
    positional: "supplier",
    examples: [`sunshine regulator ${name} --supplier 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --reason 2`],
    async run(ctx, o) {
      const supplier = o.address("supplier");
      const reason = o.int("reason", 0, 65_535);
      const chain = await ctx.chain();
      const registry = chain.ledger.registry.connect(chain.signer);
      await act.sent(
        name === "suspend" ? registry.suspend(supplier, reason) : registry.reinstate(supplier, reason),
      );
      return record(
        chainAct(chain, { supplier, status: name === "suspend" ? "suspended" : "active", reason }),
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------
// tender open, tender finalize
// ---------------------------------------------------------------------------------------------

const TENDER_FIELDS: Record<string, string> = {
  category: "category",
  "reserve-price": "reservePrice",
  "commit-deadline": "commitDeadline",
  "reveal-deadline": "revealDeadline",
  "term-days": "termDays",
  "lead-time-days": "leadTimeDays",
  "penalty-bps-per-day": "penaltyBpsPerDay",
  "penalty-cap-bps": "penaltyCapBps",
  winners: "winners",
};

/** The tender spec: a JSON file (keys as in TENDER_FIELDS' values, plus `hospitals`), overridden by options. */
function tenderSpec(o: Opts): { fields: Record<string, string>; hospitals: string[] } {
  const fields: Record<string, string> = {};
  let hospitals: string[] = [];
  if (o.has("spec")) {
    const file = o.string("spec");
    let spec: Record<string, unknown>;
    try {
      spec = JSON.parse(readInput(file, "--spec").toString("utf8")) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--spec ${file}: not JSON (${(error as Error).message})`);
    }
    if (!spec || typeof spec !== "object" || Array.isArray(spec))
      throw new UsageError(`--spec ${file}: expected an object`);
    const known = new Set([...Object.values(TENDER_FIELDS), "hospitals"]);
    const unknown = Object.keys(spec).filter((k) => !known.has(k));
    if (unknown.length) throw new UsageError(`--spec ${file}: unknown field ${unknown.join(", ")}`);
    for (const [option, key] of Object.entries(TENDER_FIELDS)) {
      if (spec[key] !== undefined) fields[option] = String(spec[key]);
    }
    if (spec.hospitals !== undefined) {
      if (!Array.isArray(spec.hospitals)) throw new UsageError(`--spec ${file}: hospitals must be an array`);
      hospitals = spec.hospitals.map((h: unknown) =>
        typeof h === "string"
          ? h
          : `${(h as { hospital?: unknown })?.hospital}:${(h as { volume?: unknown })?.volume}`,
      );
    }
  }
  for (const option of Object.keys(TENDER_FIELDS)) if (o.has(option)) fields[option] = o.string(option);
  if (o.has("hospital")) hospitals = o.list("hospital");
  return { fields, hospitals };
}

const tenderOpen: CommandSpec = {
  path: ["tender", "open"],
  summary: "open a tender (from options, a JSON spec, or both)",
  details:
    'Times are ISO dates or date-times, unix seconds, or +<n>d|h|m from the chain\'s now. A --spec file holds the same fields in camelCase, e.g. {"category":"C0401-DES","reservePrice":12000,"commitDeadline":"+7d","revealDeadline":"+14d","termDays":365,"hospitals":[{"hospital":"0x…","volume":1000}]}; options override it.',
  options: {
    spec: { type: "string", value: "<file>", description: "JSON tender spec" },
    category: { type: "string", value: "<code>", description: "product category code" },
    "reserve-price": {
      type: "string",
      value: "<units>",
      description: "highest first-tier unit price (token base units)",
    },
    "commit-deadline": { type: "string", value: "<when>", description: "end of the commit phase" },
    "reveal-deadline": { type: "string", value: "<when>", description: "end of the reveal phase" },
    "term-days": { type: "string", value: "<days>", description: "agreement term (default 365)" },
    "lead-time-days": { type: "string", value: "<days>", description: "delivery lead time (default 7)" },
    "penalty-bps-per-day": {
      type: "string",
      value: "<bps>",
      description: "late penalty per day (default 0)",
    },
    "penalty-cap-bps": { type: "string", value: "<bps>", description: "late penalty cap (default 0)" },
    winners: { type: "string", value: "<n>", description: "number of winners (default 1)" },
    hospital: {
      type: "string",
      multiple: true,
      value: "<address:volume>",
      description: "a committed hospital and its volume (repeat or comma-separate)",
    },
  },
  examples: [
    "sunshine regulator tender open --category C0401-DES --reserve-price 12000 --commit-deadline +7d --reveal-deadline +14d --hospital 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65:1000",
    "sunshine regulator tender open --spec tender.json",
  ],
  async run(ctx, o) {
    const { fields, hospitals } = tenderSpec(o);
    const need = (option: string) => {
      const v = fields[option];
      if (v === undefined || v === "")
        throw new UsageError(`--${option} is required (as an option or in --spec)`);
      return v;
    };
    const whole = (option: string, fallback: bigint) =>
      fields[option] === undefined ? fallback : parseWhole(fields[option], `--${option}`);
    const categoryCode = need("category");
    const reservePrice = parseWhole(need("reserve-price"), "--reserve-price");
    const commitments = hospitals.map((h) => {
      const m = /^(0x[0-9a-fA-F]{40}):(\d+)$/.exec(h.trim());
      if (!m) throw new UsageError(`--hospital takes address:volume (got "${h}")`);
      return { hospital: parseAddress(m[1], "--hospital"), volume: BigInt(m[2]) };
    });
    if (commitments.length === 0) throw new UsageError("--hospital is required (as an option or in --spec)");
    const chain = await ctx.chain();
    const now = await chain.now();
    const terms = {
      category: parseCategory(categoryCode),
      reservePrice,
      commitDeadline: parseWhen(need("commit-deadline"), "--commit-deadline", now),
      revealDeadline: parseWhen(need("reveal-deadline"), "--reveal-deadline", now),
      termSeconds: whole("term-days", 365n) * BigInt(DAY),
      leadTimeDays: whole("lead-time-days", 7n),
      penaltyBpsPerDay: whole("penalty-bps-per-day", 0n),
      penaltyCapBps: whole("penalty-cap-bps", 0n),
      winners: whole("winners", 1n),
    };
    const tenderId = await act.openTender(chain.ledger, chain.signer, terms, commitments);
    return record(
      chainAct(chain, {
        tenderId,
        category: categoryCode,
        reservePrice,
        commitDeadline: isoTime(terms.commitDeadline),
        revealDeadline: isoTime(terms.revealDeadline),
        termDays: terms.termSeconds / BigInt(DAY),
        winners: terms.winners,
        hospitals: commitments.map((c) => `${c.hospital}:${c.volume}`),
      }),
    );
  },
};

const tenderFinalize: CommandSpec = {
  path: ["tender", "finalize"],
  summary: "finalize a tender after its reveal deadline: award agreements to the winners",
  options: { tender: { type: "string", value: "<id>", description: "tender id", required: true } },
  positional: "tender",
  examples: ["sunshine regulator tender finalize --tender 1"],
  async run(ctx, o) {
    const tenderId = o.id("tender");
    const chain = await ctx.chain();
    const agreementIds = await act.finalizeTender(chain.ledger, chain.signer, tenderId);
    const winners: string[] = [];
    for (const id of agreementIds) winners.push((await chain.ledger.tenders.agreement(id)).supplier);
    return record(
      chainAct(chain, {
        tenderId,
        status: agreementIds.length ? "awarded" : "failed",
        agreements: agreementIds,
        winners,
      }),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// trail, verify (gateway)
// ---------------------------------------------------------------------------------------------

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

interface TrailStep {
  at: string;
  kind: string;
  summary: string;
  source: string;
  onChain: { txHash?: string; blockNumber?: number } | null;
}

const trail: CommandSpec = {
  path: ["trail"],
  summary: "an order's, a lot's or a serial's trail from the gateway: every step with its log on chain",
  details:
    "--format epcis prints the GS1 EPCIS 2.0 document (JSON-LD) of an order or a lot instead. Check the trail against the chain with `sunshine regulator verify`.",
  options: {
    ...trailOptions,
    format: { type: "string", value: "<format>", description: "steps (default) or epcis" },
  },
  examples: [
    "sunshine regulator trail --gtin 09520123456788 --lot LOT2026A --gateway http://localhost:3000",
    "sunshine regulator trail --order 3 --format epcis > order-3.jsonld",
  ],
  async run(ctx, o) {
    const { path, subject } = trailPath(o);
    const format = o.choice("format", ["steps", "epcis"] as const, "steps");
    if (format === "epcis" && subject === "serial")
      throw new UsageError("--format epcis is for orders and lots");
    const gateway = await ctx.gateway();
    if (format === "epcis") return { kind: "document", data: await gateway.get<unknown>(`${path}/epcis`) };
    const body = await gateway.get<Row & { steps?: TrailStep[] }>(path);
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

interface Verification {
  verified: boolean;
  checked: number;
  figures?: number;
  expectedEvents?: number;
  mismatches: { step?: string; field?: string; problem?: string; database?: unknown; chain?: unknown }[];
  proofs?: { shipmentId: string; proofValid: boolean }[];
  toBlock?: number;
}

const verify: CommandSpec = {
  path: ["verify"],
  summary:
    "re-check an order's, a lot's or a serial's trail against the chain (exit 1 if it does not verify)",
  options: trailOptions,
  examples: [
    "sunshine regulator verify --gtin 09520123456788 --lot LOT2026A --gateway http://localhost:3000",
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

export const regulatorGroup: GroupSpec = {
  name: "regulator",
  summary: "qualification decisions, supplier status, tenders, recalls, trails",
  commands: [
    attest,
    reject,
    supplierStatusCommand("suspend"),
    supplierStatusCommand("reinstate"),
    tenderOpen,
    tenderFinalize,
    { ...recall, examples: ["sunshine regulator recall --gtin 09520123456788 --lot LOT2026A --reason 1"] },
    trail,
    verify,
  ],
};
