import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { ethers } from "ethers";
import * as act from "../lib/actions";
import { GatewayError } from "../lib/gateway-client";
import {
  CliError,
  isoDate,
  isoTime,
  parseWhen,
  parseWhole,
  readInput,
  UsageError,
  type CommandSpec,
  type GroupSpec,
  type Opts,
} from "./command";
import { parseCsv } from "./csv";
import type { Chain, Context } from "./options";
import { record } from "./output";

/**
 * Supplier commands: register, file qualification documents, commit and reveal sealed bids
 * (the salt is kept in a local 0600 file from before the commit is sent until the reveal),
 * ship serialised goods (Merkle root on chain, serial manifest to the gateway), record trace
 * events and recall a lot. `trace` and `recall` are shared with the other groups.
 */

const MAX_TIERS = 8;
const MAX_SERIAL_LENGTH = 20;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/** Text that must fit an on-chain bytes32 string. */
export function bytes32Text(text: string, what: string): string {
  if (text === "") throw new UsageError(`${what} must not be empty`);
  if (Buffer.byteLength(text, "utf8") > 31)
    throw new UsageError(`${what} must be at most 31 bytes (got "${text}")`);
  return text;
}

/** A 14-digit GTIN with a valid GS1 check digit. */
export function parseGtin(text: string, what = "--gtin"): string {
  if (!/^\d{14}$/.test(text)) throw new UsageError(`${what} must be a 14-digit GTIN (got "${text}")`);
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(text[i]) * (i % 2 === 0 ? 3 : 1);
  if ((10 - (sum % 10)) % 10 !== Number(text[13])) {
    throw new UsageError(`${what} ${text} has a wrong check digit`);
  }
  return text;
}

/** A category code (hashed or packed as the ledger does) or a raw bytes32. */
export function parseCategory(text: string): string {
  return /^0x[0-9a-fA-F]{64}$/.test(text) ? text.toLowerCase() : act.categoryCode(text);
}

export function chainAct(chain: Chain, data: Record<string, unknown>): Record<string, unknown> {
  return { ...data, tx: chain.lastTx(), relayed: chain.signer.relay ? true : undefined };
}

// ---------------------------------------------------------------------------------------------
// register, qualify add-document
// ---------------------------------------------------------------------------------------------

const register: CommandSpec = {
  path: ["register"],
  summary: "register the key's account as a supplier",
  options: {
    name: { type: "string", value: "<name>", description: "company name (at most 31 bytes)", required: true },
    "registration-id": {
      type: "string",
      value: "<id>",
      description: "business registration number (at most 31 bytes)",
      required: true,
    },
  },
  examples: ['sunshine supplier register --name "Acme Medical" --registration-id 91310000X'],
  async run(ctx, o) {
    const name = bytes32Text(o.string("name"), "--name");
    const registrationId = bytes32Text(o.string("registration-id"), "--registration-id");
    const chain = await ctx.chain();
    await act.registerSupplier(chain.ledger, chain.signer, name, registrationId);
    return record(chainAct(chain, { supplier: chain.address, name, registrationId, status: "active" }));
  },
};

const addDocument: CommandSpec = {
  path: ["qualify", "add-document"],
  summary: "file a qualification document for a regulator to attest",
  details:
    "The document itself stays with you: the ledger records its SHA-256 (of --file, or given as --sha256), its validity window and the product categories it covers.",
  options: {
    kind: {
      type: "string",
      value: "<kind>",
      description: `one of ${act.DOCUMENT_KINDS.join(", ")}`,
      required: true,
    },
    file: { type: "string", value: "<file>", description: "the document (its SHA-256 is filed)" },
    sha256: { type: "string", value: "<hex>", description: "the document's SHA-256, instead of --file" },
    "valid-from": {
      type: "string",
      value: "<when>",
      description: "start of validity: ISO date, date-time or +<n>d (default now)",
    },
    "valid-until": {
      type: "string",
      value: "<when>",
      description: "end of validity: ISO date, date-time or +<n>d",
      required: true,
    },
    category: {
      type: "string",
      multiple: true,
      value: "<code>",
      description: "product category covered (repeat or comma-separate)",
      required: true,
    },
  },
  examples: [
    "sunshine supplier qualify add-document --kind business_licence --file licence.pdf --valid-until 2029-12-31 --category C0401-DES",
  ],
  async run(ctx, o) {
    const kindName = o.choice("kind", act.DOCUMENT_KINDS);
    let sha256: string;
    if (o.has("file") === o.has("sha256")) throw new UsageError("give exactly one of --file and --sha256");
    if (o.has("file")) sha256 = ethers.sha256(readInput(o.string("file"), "--file"));
    else {
      sha256 = o.string("sha256").toLowerCase();
      if (!sha256.startsWith("0x")) sha256 = `0x${sha256}`;
      if (!/^0x[0-9a-f]{64}$/.test(sha256)) throw new UsageError("--sha256 must be 32 bytes of hex");
    }
    const categoryCodes = o.list("category");
    if (categoryCodes.length === 0) throw new UsageError("--category is required");
    const categories = categoryCodes.map(parseCategory);
    const chain = await ctx.chain();
    const now = await chain.now();
    const validFrom = o.has("valid-from") ? parseWhen(o.string("valid-from"), "--valid-from", now) : now;
    const validUntil = parseWhen(o.string("valid-until"), "--valid-until", now);
    const kind = act.DOCUMENT_KINDS.indexOf(kindName);
    const documentId = await act.fileDocument(chain.ledger, chain.signer, {
      kind,
      sha256,
      validFrom,
      validUntil,
      categories,
    });
    return record(
      chainAct(chain, {
        documentId,
        supplier: chain.address,
        kind: kindName,
        sha256,
        validFrom: isoTime(validFrom),
        validUntil: isoTime(validUntil),
        categories: categoryCodes,
        status: "pending",
      }),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// bid commit, bid reveal
// ---------------------------------------------------------------------------------------------

interface SavedBid {
  version: 1;
  chainId: number;
  tenderHouse: string;
  tenderId: string;
  bidder: string;
  tiers: { threshold: string; unitPrice: string }[];
  salt: string;
  commitment: string;
  status: "sending" | "committed" | "revealed";
  createdAt: string;
  commitTx?: string;
  revealTx?: string;
  /** The bid this one replaced, kept until the new commitment is on chain. */
  replaces?: SavedBid;
}

function defaultSaltFile(ctx: Context, chainId: number, tenderId: bigint, bidder: string): string {
  const home = ctx.env.SUNSHINE_HOME || path.join(os.homedir(), ".sunshine");
  return path.join(home, "bids", `${chainId}-${tenderId}-${bidder}.json`);
}

function readSavedBid(file: string): SavedBid | null {
  if (!existsSync(file)) return null;
  try {
    const bid = JSON.parse(readFileSync(file, "utf8")) as SavedBid;
    if (typeof bid.salt !== "string" || !Array.isArray(bid.tiers)) throw new Error("no salt or tiers");
    return bid;
  } catch (error) {
    throw new CliError(
      `salt file ${file} is not a saved bid: ${(error as Error).message}`,
      "SALT_FILE_INVALID",
    );
  }
}

/** Writes the salt file atomically, readable by its owner only. */
function writeSavedBid(file: string, bid: SavedBid): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(bid, null, 2) + "\n", { mode: 0o600, flag: "w" });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** `0:10000,100:9000` (threshold:unitPrice, in token base units) or a JSON file of tiers. */
function parseTiers(o: Opts): { threshold: bigint; unitPrice: bigint }[] {
  if (o.has("tiers") === o.has("tiers-file"))
    throw new UsageError("give exactly one of --tiers and --tiers-file");
  let tiers: { threshold: bigint; unitPrice: bigint }[];
  if (o.has("tiers")) {
    tiers = o.list("tiers").map((pair) => {
      const m = /^(\d+):(\d+)$/.exec(pair);
      if (!m)
        throw new UsageError(
          `--tiers takes threshold:unitPrice pairs, e.g. 0:10000,100:9000 (got "${pair}")`,
        );
      return { threshold: BigInt(m[1]), unitPrice: BigInt(m[2]) };
    });
  } else {
    const file = o.string("tiers-file");
    let raw: unknown;
    try {
      raw = JSON.parse(readInput(file, "--tiers-file").toString("utf8"));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--tiers-file ${file}: not JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(raw))
      throw new UsageError(`--tiers-file ${file}: expected an array of {threshold, unitPrice}`);
    tiers = raw.map((t: { threshold?: unknown; unitPrice?: unknown }, i) => ({
      threshold: parseWhole(String(t?.threshold), `--tiers-file tier ${i + 1} threshold`),
      unitPrice: parseWhole(String(t?.unitPrice), `--tiers-file tier ${i + 1} unitPrice`),
    }));
  }
  return tiers;
}

/** The checks the tender house makes only at reveal, made before committing (a bad schedule would lose the bid). */
function checkSchedule(tiers: { threshold: bigint; unitPrice: bigint }[], reservePrice: bigint): void {
  if (tiers.length === 0 || tiers.length > MAX_TIERS)
    throw new UsageError(`a bid has 1 to ${MAX_TIERS} tiers`);
  if (tiers[0].threshold !== 0n) throw new UsageError("the first tier's threshold must be 0");
  if (tiers[0].unitPrice > reservePrice) {
    throw new UsageError(
      `the first tier's price ${tiers[0].unitPrice} is above the reserve price ${reservePrice}`,
    );
  }
  for (let i = 1; i < tiers.length; i++) {
    if (tiers[i].threshold <= tiers[i - 1].threshold) throw new UsageError("tier thresholds must increase");
    if (tiers[i].unitPrice > tiers[i - 1].unitPrice) throw new UsageError("tier prices must not increase");
  }
  if (tiers[tiers.length - 1].unitPrice === 0n) throw new UsageError("the last tier's price must not be 0");
}

const bidOptions = {
  tender: { type: "string", value: "<id>", description: "tender id", required: true },
  "salt-file": {
    type: "string",
    value: "<file>",
    description: "where the salt is kept (default ~/.sunshine/bids/<chainId>-<tenderId>-<address>.json)",
  },
} as const;

const bidCommit: CommandSpec = {
  path: ["bid", "commit"],
  summary: "commit a sealed bid; the salt and tiers are saved locally for the reveal",
  details:
    "The salt file is written (mode 0600) before the commitment is sent, so a crash cannot lose it. An unrevealed bid already saved for the tender is never overwritten unless --replace is given.",
  options: {
    ...bidOptions,
    tiers: {
      type: "string",
      value: "<t:p,...>",
      description: "price tiers as threshold:unitPrice pairs (token base units), e.g. 0:10000,100:9000",
    },
    "tiers-file": {
      type: "string",
      value: "<file>",
      description: "JSON array of {threshold, unitPrice}, instead of --tiers",
    },
    replace: { type: "boolean", description: "commit a new bid over an unrevealed saved one" },
  },
  positional: "tender",
  examples: ["sunshine supplier bid commit --tender 1 --tiers 0:10000,100:9000"],
  async run(ctx, o) {
    const tenderId = o.id("tender");
    const tiers = parseTiers(o);
    const chain = await ctx.chain();
    const terms = await chain.ledger.tenders.tenderTerms(tenderId);
    checkSchedule(tiers, terms.reservePrice);
    const file = o.optional("salt-file") ?? defaultSaltFile(ctx, chain.chainId, tenderId, chain.address);
    const previous = readSavedBid(file);
    if (previous && previous.status !== "revealed" && !o.flag("replace")) {
      throw new CliError(
        `an unrevealed bid for tender ${previous.tenderId} is saved in ${file}: reveal it, or pass --replace to commit a new bid instead`,
        "BID_ALREADY_SAVED",
      );
    }
    const salt = ethers.hexlify(randomBytes(32));
    const bid: SavedBid = {
      version: 1,
      chainId: chain.chainId,
      tenderHouse: chain.deployment.contracts.tenders,
      tenderId: tenderId.toString(),
      bidder: chain.address,
      tiers: tiers.map((t) => ({ threshold: t.threshold.toString(), unitPrice: t.unitPrice.toString() })),
      salt,
      commitment: act.commitment(tenderId, chain.address, tiers, salt),
      status: "sending",
      createdAt: new Date().toISOString(),
      replaces: previous && previous.status !== "revealed" ? previous : undefined,
    };
    writeSavedBid(file, bid);
    try {
      await act.commitBid(chain.ledger, chain.signer, tenderId, tiers, salt);
    } catch (error) {
      // Nothing was sent (the node refused the estimate): put back what was there before.
      if (chain.signer.sent.length === 0) {
        if (previous) writeSavedBid(file, previous);
        else unlinkSync(file);
      }
      throw error;
    }
    writeSavedBid(file, { ...bid, status: "committed", commitTx: chain.lastTx(), replaces: undefined });
    return record(
      chainAct(chain, {
        tenderId,
        bidder: chain.address,
        commitment: bid.commitment,
        tiers: tiers.map((t) => `${t.threshold}:${t.unitPrice}`),
        saltFile: file,
      }),
    );
  },
};

const bidReveal: CommandSpec = {
  path: ["bid", "reveal"],
  summary: "reveal the bid committed for a tender, from its salt file",
  options: { ...bidOptions },
  positional: "tender",
  examples: ["sunshine supplier bid reveal --tender 1"],
  async run(ctx, o) {
    const tenderId = o.id("tender");
    const chain = await ctx.chain();
    const file = o.optional("salt-file") ?? defaultSaltFile(ctx, chain.chainId, tenderId, chain.address);
    const bid = readSavedBid(file);
    if (!bid) {
      throw new CliError(
        `no saved bid for tender ${tenderId} at ${file}: nothing to reveal (pass --salt-file if it was saved elsewhere)`,
        "SALT_FILE_NOT_FOUND",
      );
    }
    if (bid.tenderId !== tenderId.toString() || bid.chainId !== chain.chainId) {
      throw new CliError(
        `salt file ${file} holds the bid for tender ${bid.tenderId} on chain ${bid.chainId}, not tender ${tenderId} on chain ${chain.chainId}`,
        "SALT_FILE_MISMATCH",
      );
    }
    if (ethers.getAddress(bid.bidder) !== chain.address) {
      throw new CliError(
        `salt file ${file} holds ${bid.bidder}'s bid, not ${chain.address}'s`,
        "SALT_FILE_MISMATCH",
      );
    }
    const tiers = bid.tiers.map((t) => ({ threshold: BigInt(t.threshold), unitPrice: BigInt(t.unitPrice) }));
    await act.revealBid(chain.ledger, chain.signer, tenderId, tiers, bid.salt);
    writeSavedBid(file, { ...bid, status: "revealed", revealTx: chain.lastTx() });
    return record(
      chainAct(chain, {
        tenderId,
        bidder: chain.address,
        tiers: bid.tiers.map((t) => `${t.threshold}:${t.unitPrice}`),
        saltFile: file,
      }),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// ship, manifest
// ---------------------------------------------------------------------------------------------

/** Serials from a .txt (one per line) or a .csv with a `serial` column; checked for the manifest's rules. */
export function readSerials(file: string): { serials: string[]; content: Buffer } {
  const content = readInput(file, "--serials");
  const text = content.toString("utf8");
  let serials: string[];
  if (file.toLowerCase().endsWith(".csv")) {
    const { header, rows } = parseCsv(text, file);
    if (!header.includes("serial")) throw new UsageError(`--serials ${file}: no "serial" column`);
    serials = rows.map((r) => (r.serial ?? "").trim());
  } else {
    serials = text
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s !== "" && !s.startsWith("#"));
  }
  if (serials.length === 0) throw new UsageError(`--serials ${file}: no serial numbers in it`);
  const seen = new Set<string>();
  serials.forEach((s, i) => {
    if (s === "") throw new UsageError(`--serials ${file}: serial ${i + 1} is empty`);
    if (s.length > MAX_SERIAL_LENGTH)
      throw new UsageError(`--serials ${file}: serial "${s}" is longer than ${MAX_SERIAL_LENGTH} characters`);
    if (seen.has(s)) throw new UsageError(`--serials ${file}: serial "${s}" appears twice`);
    seen.add(s);
  });
  return { serials, content };
}

/** PUT /v1/shipments/{id}/manifest, waiting (up to `timeoutMs`) for the gateway to index the shipment. */
async function uploadManifest(
  ctx: Context,
  shipmentId: bigint,
  serials: string[],
  timeoutMs: number,
): Promise<{ created: boolean; serials: number }> {
  const gateway = await ctx.gateway();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await gateway.put(`/v1/shipments/${shipmentId}/manifest`, { serials });
    } catch (error) {
      if (!(error instanceof GatewayError && error.code === "SHIPMENT_NOT_FOUND") || Date.now() > deadline)
        throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const waitOption = {
  "index-timeout": {
    type: "string",
    value: "<seconds>",
    description: "how long to wait for the gateway to index the shipment (default 60)",
  },
} as const;

const ship: CommandSpec = {
  path: ["ship"],
  summary: "ship serialised goods against an order: Merkle root on chain, manifest to the gateway",
  details:
    "Reads the serials from a .txt file (one per line) or a .csv file (a `serial` column), builds the StandardMerkleTree, records the shipment (the notice hash is of --notice or else of the file) and, when a gateway is given, uploads the serial manifest.",
  options: {
    order: { type: "string", value: "<id>", description: "order id", required: true },
    gtin: { type: "string", value: "<gtin>", description: "14-digit GTIN", required: true },
    lot: { type: "string", value: "<lot>", description: "lot / batch number", required: true },
    expiry: { type: "string", value: "<date>", description: "expiry date YYYY-MM-DD", required: true },
    serials: { type: "string", value: "<file>", description: "serial numbers: .txt or .csv", required: true },
    notice: {
      type: "string",
      value: "<text>",
      description: "despatch advice id or text to hash (default the file)",
    },
    ...waitOption,
  },
  examples: [
    "sunshine supplier ship --order 3 --gtin 09520123456788 --lot LOT2026A --expiry 2028-06-30 --serials serials.txt --gateway http://localhost:3000",
  ],
  async run(ctx, o) {
    const orderId = o.id("order");
    const gtin = parseGtin(o.string("gtin"));
    const lot = o.string("lot");
    if (lot.length > 20) throw new UsageError("--lot must be at most 20 characters");
    const expiry = isoDate(o.string("expiry"), "--expiry");
    const { serials, content } = readSerials(o.string("serials"));
    const timeoutMs = o.int("index-timeout", 60) * 1000;
    const notice = o.optional("notice") ?? content.toString("utf8");
    const chain = await ctx.chain();
    const { shipmentId, root } = await act.createShipment(chain.ledger, chain.signer, {
      orderId,
      gtin,
      lot,
      expiry,
      serials,
      notice,
    });
    let manifest = "not uploaded (no --gateway)";
    if (ctx.globals.gateway) {
      try {
        const uploaded = await uploadManifest(ctx, shipmentId, serials, timeoutMs);
        manifest = uploaded.created ? "uploaded" : "already uploaded";
      } catch (error) {
        const why = error instanceof GatewayError ? error.message : (error as Error).message;
        throw new CliError(
          `shipment ${shipmentId} was recorded (root ${root}) but the manifest upload failed: ${why}; retry with: sunshine supplier manifest --shipment ${shipmentId} --serials ${o.string("serials")}`,
          "MANIFEST_UPLOAD_FAILED",
        );
      }
    }
    return record(
      chainAct(chain, {
        shipmentId,
        orderId,
        gtin,
        lot,
        expiry: o.string("expiry"),
        quantity: serials.length,
        root,
        manifest,
      }),
    );
  },
};

const manifest: CommandSpec = {
  path: ["manifest"],
  summary: "upload (again) the serial manifest of a shipment to the gateway",
  options: {
    shipment: { type: "string", value: "<id>", description: "shipment id", required: true },
    serials: { type: "string", value: "<file>", description: "serial numbers: .txt or .csv", required: true },
    ...waitOption,
  },
  positional: "shipment",
  examples: ["sunshine supplier manifest --shipment 4 --serials serials.txt --gateway http://localhost:3000"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const { serials } = readSerials(o.string("serials"));
    const uploaded = await uploadManifest(ctx, shipmentId, serials, o.int("index-timeout", 60) * 1000);
    return record({
      shipmentId,
      root: act.serialTree(serials).root,
      serials: serials.length,
      manifest: uploaded.created ? "uploaded" : "already uploaded",
    });
  },
};

// ---------------------------------------------------------------------------------------------
// trace, recall (shared)
// ---------------------------------------------------------------------------------------------

export const trace: CommandSpec = {
  path: ["trace"],
  summary: "record an EPCIS trace event on a shipment",
  details:
    "Suppliers and their carriers record shipping, departing and arriving; the receiving hospital records the later steps.",
  options: {
    shipment: { type: "string", value: "<id>", description: "shipment id", required: true },
    step: {
      type: "string",
      value: "<step>",
      description: `one of ${act.TRACE_STEPS.join(", ")}`,
      required: true,
    },
    location: {
      type: "string",
      value: "<gln|text>",
      description: "where (a GLN or a place name)",
      required: true,
    },
    "event-time": {
      type: "string",
      value: "<when>",
      description: "when it happened: ISO date-time, unix seconds (default the chain's now)",
    },
    "sensor-log": { type: "string", value: "<file>", description: "sensor log whose hash is recorded" },
    excursion: { type: "boolean", description: "a temperature excursion happened" },
  },
  examples: ["sunshine supplier trace --shipment 4 --step departing --location 6901234000017"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const step = o.choice("step", act.TRACE_STEPS);
    const location = o.string("location");
    const sensorLog = o.has("sensor-log")
      ? readInput(o.string("sensor-log"), "--sensor-log").toString("utf8")
      : undefined;
    const chain = await ctx.chain();
    const now = await chain.now();
    const eventTime = o.has("event-time") ? parseWhen(o.string("event-time"), "--event-time", now) : now;
    await act.recordTrace(chain.ledger, chain.signer, shipmentId, step, {
      location,
      eventTime,
      sensorLog,
      excursion: o.flag("excursion"),
    });
    return record(
      chainAct(chain, {
        shipmentId,
        step,
        location,
        eventTime: isoTime(eventTime),
        excursion: o.flag("excursion"),
        actor: chain.address,
      }),
    );
  },
};

export const recall: CommandSpec = {
  path: ["recall"],
  summary: "recall a lot (its supplier, or a regulator)",
  options: {
    gtin: { type: "string", value: "<gtin>", description: "14-digit GTIN", required: true },
    lot: { type: "string", value: "<lot>", description: "lot number", required: true },
    reason: { type: "string", value: "<code>", description: "reason code 0-65535 (default 0)" },
  },
  examples: ["sunshine supplier recall --gtin 09520123456788 --lot LOT2026A --reason 12"],
  async run(ctx, o) {
    const gtin = parseGtin(o.string("gtin"));
    const lot = o.string("lot");
    const reason = o.int("reason", 0, 65_535);
    const chain = await ctx.chain();
    await act.sent(chain.ledger.trace.connect(chain.signer).recall(BigInt(gtin), lot, reason));
    return record(chainAct(chain, { gtin, lot, reason, recalled: true, by: chain.address }));
  },
};

export const supplierGroup: GroupSpec = {
  name: "supplier",
  summary: "register, qualify, bid, ship, trace and recall",
  commands: [register, addDocument, bidCommit, bidReveal, ship, manifest, trace, recall],
};
