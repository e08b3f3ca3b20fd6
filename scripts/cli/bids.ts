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
import * as act from "../../ledger/acts";
import { CliError, parseWhole, readInput, UsageError, type CommandSpec, type Opts } from "./command";
import { setAllowance } from "./allowance";
import { chainAct, type Chain, type Context } from "./options";
import { record } from "./output";

/**
 * Sealed bids and their bonds: commit (the salt is kept in a local 0600 file from before the
 * commitment is sent until the reveal; the first commitment escrows the tender's bid bond), reveal
 * (the bond comes back), and withdraw the bond of a tender that failed or was cancelled.
 */

const MAX_TIERS = 8;

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
  // The home folder from the CLI's environment, like every other setting it reads.
  const home = ctx.env.SUNSHINE_HOME || path.join(ctx.env.HOME || os.homedir(), ".sunshine");
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

export const bidCommit: CommandSpec = {
  path: ["bid", "commit"],
  summary: "commit a sealed bid (escrows the bid bond); the salt is saved locally for the reveal",
  details:
    "The first commitment to a tender escrows its bid bond (settlement token): the CLI first allows the tender house the bond on top of any allowance left (with --relay by an EIP-2612 permit the gateway relays, so no gas is needed; otherwise by an approve from your key), and the reveal pays it back. The salt file is written (mode 0600) before the commitment is sent, so a crash cannot lose it. An unrevealed bid already saved for the tender is never overwritten unless --replace is given.",
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
    const bond = await act.bondDue(chain.ledger, tenderId, chain.address);
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
    if (bond > 0n) await allowBond(chain, bond);
    writeSavedBid(file, bid);
    const sentBefore = chain.signer.sent.length;
    try {
      await act.commitBid(chain.ledger, chain.signer, tenderId, tiers, salt);
    } catch (error) {
      // The commitment was not sent (the node refused the estimate): put back what was there before.
      if (chain.signer.sent.length === sentBefore) {
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
        bond,
        saltFile: file,
      }),
    );
  },
};

export const bidReveal: CommandSpec = {
  path: ["bid", "reveal"],
  summary: "reveal the bid committed for a tender, from its salt file; the bid bond comes back",
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
    const { bidBond } = await chain.ledger.tenders.tenderTerms(tenderId);
    return record(
      chainAct(chain, {
        tenderId,
        bidder: chain.address,
        tiers: bid.tiers.map((t) => `${t.threshold}:${t.unitPrice}`),
        bondReturned: bidBond,
        saltFile: file,
      }),
    );
  },
};

/**
 * Lets the tender house take `bond` from the bidder, checked before anything is saved or sent:
 * the bidder must hold it, and a missing allowance is given for the bond on top of what is left
 * (a permit sets, it does not add) — with --relay by a permit the gateway relays, so a key
 * without gas can bid.
 */
async function allowBond(chain: Chain, bond: bigint): Promise<void> {
  const { token, tenders } = chain.ledger;
  const held = await token.balanceOf(chain.address);
  if (held < bond) {
    throw new CliError(
      `the tender's bid bond is ${bond} but ${chain.address} holds ${held} of the settlement token`,
      "BOND_NOT_HELD",
    );
  }
  const spender = await tenders.getAddress();
  const allowance = await token.allowance(chain.address, spender);
  if (allowance < bond) await setAllowance(chain, spender, allowance + bond);
}

export const withdrawBond: CommandSpec = {
  path: ["withdraw-bond"],
  summary: "take back your bid bond of a tender that failed or was cancelled before you revealed",
  options: { tender: { type: "string", value: "<id>", description: "tender id", required: true } },
  positional: "tender",
  examples: ["sunshine supplier withdraw-bond --tender 4"],
  async run(ctx, o) {
    const tenderId = o.id("tender");
    const chain = await ctx.chain();
    const receipt = await act.sent(chain.ledger.tenders.connect(chain.signer).withdrawBond(tenderId));
    const [withdrawn] = act.eventsOf(receipt, chain.ledger.tenders, "BondWithdrawn");
    return record(chainAct(chain, { tenderId, bidder: chain.address, amount: withdrawn.amount as bigint }));
  },
};
