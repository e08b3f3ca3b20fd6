import { ethers } from "ethers";
import * as act from "../../ledger/acts";
import {
  parseAddress,
  parseGtin,
  parseLot,
  parseReason,
  reasonFields,
  reasonOption,
  type CommandSpec,
} from "./command";
import { chainAct } from "./options";
import { record } from "./output";

/**
 * Recalls: a regulator's recall of a lot covers every supplier's shipments of it (its scope is
 * "global"); anyone else's covers only its own shipments (its scope is its own address). A
 * regulator can lift a recall of either scope.
 */

const LOT_OPTIONS = {
  gtin: { type: "string", value: "<gtin>", description: "14-digit GTIN", required: true },
  lot: { type: "string", value: "<lot>", description: "lot number", required: true },
} as const;

/** The zero address is the ledger's global scope: shown and taken as "global". */
function scopeText(scope: string): string {
  return scope === ethers.ZeroAddress ? "global" : scope;
}

export const recall: CommandSpec = {
  path: ["recall"],
  summary: "recall a lot: a supplier's recall covers its own shipments of it, a regulator's everyone's",
  options: { ...LOT_OPTIONS, ...reasonOption("recall") },
  examples: ["sunshine supplier recall --gtin 09520123456788 --lot LOT2026A --reason quality_defect"],
  async run(ctx, o) {
    const gtin = parseGtin(o.string("gtin"));
    const lot = parseLot(o.string("lot"));
    const reason = parseReason(o, "recall");
    const chain = await ctx.chain();
    const receipt = await act.sent(
      chain.ledger.trace.connect(chain.signer).recall(BigInt(gtin), lot, reason.code),
    );
    const [recalled] = act.eventsOf(receipt, chain.ledger.trace, "LotRecalled");
    return record(
      chainAct(chain, {
        gtin,
        lot,
        ...reasonFields(reason),
        scope: scopeText(recalled.scope as string),
        by: chain.address,
      }),
    );
  },
};

export const liftRecall: CommandSpec = {
  path: ["lift-recall"],
  summary: "lift a recall of a lot (regulators): the global one, or one supplier's",
  options: {
    ...LOT_OPTIONS,
    scope: {
      type: "string",
      value: "<address|global>",
      description: "whose recall: global (a regulator's) or the supplier's address",
      required: true,
    },
    ...reasonOption("liftRecall"),
  },
  examples: [
    "sunshine regulator lift-recall --gtin 09520123456788 --lot LOT2026A --scope global --reason field_action_completed",
    "sunshine regulator lift-recall --gtin 09520123456788 --lot LOT2026A --scope 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  ],
  async run(ctx, o) {
    const gtin = parseGtin(o.string("gtin"));
    const lot = parseLot(o.string("lot"));
    const scopeOption = o.string("scope");
    const scope = scopeOption === "global" ? ethers.ZeroAddress : parseAddress(scopeOption, "--scope");
    const reason = parseReason(o, "liftRecall");
    const chain = await ctx.chain();
    await act.sent(
      chain.ledger.trace.connect(chain.signer).liftRecall(BigInt(gtin), lot, scope, reason.code),
    );
    return record(
      chainAct(chain, { gtin, lot, scope: scopeText(scope), ...reasonFields(reason), lifted: true }),
    );
  },
};
