import * as act from "../../ledger/acts";
import { LEDGER_BASED_CONTRACTS } from "../../ledger/contracts";
import { UsageError, type CommandSpec } from "./command";
import { list } from "./output";

/**
 * Pausing (the pauser role): stops new business on one ledger contract or all of them until
 * unpaused. Refunds, cancellations of unshipped volume, recalls, bond withdrawals, forfeit claims
 * and members leaving keep working while paused.
 */

/** The ledger contracts a pauser can stop (the forwarder, roles and token cannot be paused). */
const PAUSABLE = LEDGER_BASED_CONTRACTS;
type Pausable = (typeof PAUSABLE)[number];

function pauseCommand(name: "pause" | "unpause"): CommandSpec {
  const pausing = name === "pause";
  return {
    path: [name],
    summary: pausing
      ? "pause ledger contracts: new business stops until unpaused (pausers)"
      : "unpause paused ledger contracts (pausers)",
    details: `--contract names one of ${PAUSABLE.join(", ")} (repeat or comma-separate), or all. A contract named explicitly that is already ${pausing ? "paused" : "running"} is refused by the ledger; with all, only those not yet ${pausing ? "paused" : "running"} are changed.`,
    options: {
      contract: {
        type: "string",
        multiple: true,
        value: "<name|all>",
        description: `${PAUSABLE.join(", ")}, or all`,
        required: true,
      },
    },
    positional: "contract",
    examples: [
      `sunshine regulator ${name} --contract all`,
      `sunshine regulator ${name} --contract orderBook`,
    ],
    async run(ctx, o) {
      const names = o.list("contract");
      if (names.length === 0) throw new UsageError("--contract is required");
      const all = names.includes("all");
      if (all && names.length > 1) throw new UsageError("--contract all goes alone");
      for (const n of names) {
        if (!all && !(PAUSABLE as readonly string[]).includes(n))
          throw new UsageError(`--contract takes ${PAUSABLE.join(", ")} or all (got "${n}")`);
      }
      const chain = await ctx.chain();
      const targets = (all ? [...PAUSABLE] : [...new Set(names)]) as Pausable[];
      const rows = [];
      for (const target of targets) {
        const contract = chain.ledger[target];
        const before = await contract.paused();
        const change = !all || before !== pausing;
        if (change) {
          const c = contract.connect(chain.signer);
          await act.sent(pausing ? c.pause() : c.unpause());
        }
        rows.push({
          contract: target,
          address: await contract.getAddress(),
          paused: await contract.paused(),
          changed: change,
          tx: change ? chain.lastTx() : undefined,
        });
      }
      return list(rows, { columns: ["contract", "address", "paused", "changed", "tx"] });
    },
  };
}

export const pause = pauseCommand("pause");
export const unpause = pauseCommand("unpause");
