import * as act from "../../ledger/acts";
import {
  isoTime,
  parseAddress,
  parseCategory,
  parseDuration,
  parseReason,
  parseWhen,
  parseWhole,
  readInput,
  reasonFields,
  reasonOption,
  UsageError,
  type CommandSpec,
  type Opts,
} from "./command";
import { chainAct } from "./options";
import { record } from "./output";

/**
 * Tenders: a regulator opens one (terms, bid bond, windows, hospital commitments), anyone
 * finalizes it after the reveal deadline (agreements for the winners, forfeited bonds for the
 * hospitals), a regulator may cancel it before award, and each hospital claims its share of the
 * forfeited bonds. Bids are in bids.ts.
 */

const DAY = 86_400;

const TENDER_OPTION = {
  tender: { type: "string", value: "<id>", description: "tender id", required: true },
} as const;

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
  "bid-bond": "bidBond",
  "funding-window": "fundingWindow",
  "receiving-window": "receivingWindow",
  "confirm-window": "confirmWindow",
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

export const tenderOpen: CommandSpec = {
  path: ["tender", "open"],
  summary: "open a tender (from options, a JSON spec, or both)",
  details:
    'Times are ISO dates or date-times, unix seconds, or +<n>d|h|m from the chain\'s now; windows are <n>d|h|m|s (at least an hour). Each bidder escrows the bid bond (settlement token base units) with its first commitment and gets it back when it reveals; the bonds of bidders that never reveal go to the hospitals when the tender is awarded. A --spec file holds the same fields in camelCase, e.g. {"category":"C0401-DES","reservePrice":12000,"bidBond":50000,"commitDeadline":"+7d","revealDeadline":"+14d","termDays":365,"hospitals":[{"hospital":"0x…","volume":1000}]}; options override it.',
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
    "bid-bond": {
      type: "string",
      value: "<units>",
      description: "bond each bidder escrows with its sealed bid (token base units, > 0)",
    },
    "funding-window": {
      type: "string",
      value: "<span>",
      description: "how long an order may wait for funding before it expires (default 14d)",
    },
    "receiving-window": {
      type: "string",
      value: "<span>",
      description: "how far a supplier's arrival record may precede the hospital's receipt (default 1d)",
    },
    "confirm-window": {
      type: "string",
      value: "<span>",
      description:
        "time the hospital has to confirm after receipt before the supplier may claim (default 7d)",
    },
    hospital: {
      type: "string",
      multiple: true,
      value: "<address:volume>",
      description: "a committed hospital and its volume (repeat or comma-separate)",
    },
  },
  examples: [
    "sunshine regulator tender open --category C0401-DES --reserve-price 12000 --bid-bond 50000 --commit-deadline +7d --reveal-deadline +14d --hospital 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65:1000",
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
    const bidBond = parseWhole(need("bid-bond"), "--bid-bond");
    const span = (option: string, fallback: number) =>
      fields[option] === undefined ? fallback : parseDuration(fields[option], `--${option}`);
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
      bidBond,
      fundingWindow: span("funding-window", 14 * DAY),
      receivingWindow: span("receiving-window", DAY),
      confirmWindow: span("confirm-window", 7 * DAY),
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
        bidBond,
        fundingWindow: `${terms.fundingWindow} s`,
        receivingWindow: `${terms.receivingWindow} s`,
        confirmWindow: `${terms.confirmWindow} s`,
        hospitals: commitments.map((c) => `${c.hospital}:${c.volume}`),
      }),
    );
  },
};

export const tenderFinalize: CommandSpec = {
  path: ["tender", "finalize"],
  summary: "finalize a tender after its reveal deadline: award agreements to the winners",
  details:
    "Anyone may finalize. The bonds of bidders that committed and never revealed are forfeited to the tender's hospitals (each claims its share with `sunshine hospital claim-forfeit`). A tender nobody eligible revealed in fails, and its bidders withdraw their bonds.",
  options: TENDER_OPTION,
  positional: "tender",
  examples: ["sunshine regulator tender finalize --tender 1"],
  async run(ctx, o) {
    const tenderId = o.id("tender");
    const chain = await ctx.chain();
    const receipt = await act.sent(chain.ledger.tenders.connect(chain.signer).finalize(tenderId));
    const agreementIds = act
      .eventsOf(receipt, chain.ledger.agreements, "AgreementCreated")
      .map((e) => e.agreementId as bigint);
    const [forfeit] = act.eventsOf(receipt, chain.ledger.tenders, "BondsForfeited");
    const winners: string[] = [];
    for (const id of agreementIds) winners.push((await chain.ledger.agreements.agreementTerms(id)).supplier);
    return record(
      chainAct(chain, {
        tenderId,
        status: agreementIds.length ? "awarded" : "failed",
        agreements: agreementIds,
        winners,
        bondsForfeited: forfeit ? (forfeit.amount as bigint) : 0n,
        forfeitedBy: forfeit ? [...(forfeit.bidders as string[])] : [],
      }),
    );
  },
};

export const tenderCancel: CommandSpec = {
  path: ["tender", "cancel"],
  summary: "cancel an open tender before award (regulators); every bidder may withdraw its bond",
  options: { ...TENDER_OPTION, ...reasonOption("cancelTender") },
  positional: "tender",
  examples: ["sunshine regulator tender cancel --tender 2 --reason tender_specification_error"],
  async run(ctx, o) {
    const tenderId = o.id("tender");
    const reason = parseReason(o, "cancelTender");
    const chain = await ctx.chain();
    await act.sent(chain.ledger.tenders.connect(chain.signer).cancelTender(tenderId, reason.code));
    return record(chainAct(chain, { tenderId, status: "cancelled", ...reasonFields(reason) }));
  },
};

export const claimForfeit: CommandSpec = {
  path: ["claim-forfeit"],
  summary: "take the hospital's share of a tender's forfeited bid bonds (the hospital account)",
  details:
    "Each hospital of an awarded tender gets the forfeited bonds in proportion to its committed volume.",
  options: TENDER_OPTION,
  positional: "tender",
  examples: ["sunshine hospital claim-forfeit --tender 1"],
  async run(ctx, o) {
    const tenderId = o.id("tender");
    const chain = await ctx.chain();
    const receipt = await act.sent(chain.ledger.tenders.connect(chain.signer).claimForfeit(tenderId));
    const [claimed] = act.eventsOf(receipt, chain.ledger.tenders, "ForfeitClaimed");
    return record(chainAct(chain, { tenderId, hospital: chain.address, amount: claimed.amount as bigint }));
  },
};
