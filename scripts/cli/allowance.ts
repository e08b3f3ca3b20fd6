import { MaxUint256, type TransactionReceipt } from "ethers";
import type { PermitSpenderName } from "../../api/relay";
import { PAYER_ROLE } from "../../ledger/roles";
import { CliError, parseWhole, UsageError, type CommandSpec } from "./command";
import { chainAct, type Chain } from "./options";
import { record, type Result } from "./output";

/**
 * The settlement-token allowance a role's acts draw on: a supplier's to the tender house (its
 * sealed bids' bonds), a hospital account's to the order book (its orders' escrow), a payer's to
 * the fund book (its prepayments and escrow). `show` reads
 * it; `grant` sets it — with --relay as an EIP-2612 permit the gateway's relayer sends (no gas),
 * otherwise as an approve from the key, which pays the gas.
 */

interface Holder {
  /** Who the allowance is for, in help text. */
  spenderName: string;
  /** What the spender takes under it. */
  takes: string;
  /** Whose allowance the spender draws on; the reason a key is not it, or null. */
  notHolder(chain: Chain): Promise<string | null>;
}

const HOLDERS: Record<PermitSpenderName, Holder> = {
  tenders: {
    spenderName: "the tender house",
    takes: "the bid bond of your first sealed bid on each tender",
    async notHolder(chain) {
      const status = await chain.ledger.registry.supplierStatus(chain.address);
      return status === 0n
        ? `${chain.address} is no registered supplier: the tender house takes bonds from bidders`
        : null;
    },
  },
  orderBook: {
    spenderName: "the order book",
    takes: "the escrow of your hospital's orders when an approval funds them",
    async notHolder(chain) {
      const hospital = await chain.ledger.hospitals.hospitalOf(chain.address);
      return hospital === chain.address
        ? null
        : `${chain.address} is not a hospital account: the order book funds orders from the hospital account's allowance, so grant it with that key`;
    },
  },
  fund: {
    spenderName: "the fund book",
    takes: "the prepayments and direct-settlement escrow you pay in",
    async notHolder(chain) {
      return (await chain.ledger.roles.hasRole(PAYER_ROLE, chain.address))
        ? null
        : `${chain.address} is not a payer: a regulator grants PAYER_ROLE to the fund's account`;
    },
  },
};

/** `<group> allowance show` and `<group> allowance grant` for the spender the group's acts draw on. */
export function allowanceCommands(
  spender: PermitSpenderName,
  group: "supplier" | "hospital" | "fund",
): CommandSpec[] {
  const holder = HOLDERS[spender];
  const show: CommandSpec = {
    path: ["allowance", "show"],
    summary: `your settlement-token balance and what ${holder.spenderName} may take from it`,
    details: `${holder.spenderName[0].toUpperCase()}${holder.spenderName.slice(1)} takes ${holder.takes} under this allowance. Amounts in token base units (fen); an allowance of 2^256 - 1 prints as unlimited (--json gives the number).`,
    options: {},
    examples: [`sunshine ${group} allowance show`],
    async run(ctx) {
      const chain = await ctx.chain();
      const address = chain.deployment.contracts[spender];
      const { token } = chain.ledger;
      const [balance, allowance] = await Promise.all([
        token.balanceOf(chain.address),
        token.allowance(chain.address, address),
      ]);
      return allowanceRecord(holder, { owner: chain.address, balance, spender: address, allowance });
    },
  };
  const grant: CommandSpec = {
    path: ["allowance", "grant"],
    summary: `set what ${holder.spenderName} may take from your settlement token (with --relay: no gas)`,
    details: `${holder.spenderName[0].toUpperCase()}${holder.spenderName.slice(1)} takes ${holder.takes} under this allowance. The amount replaces the allowance (it does not add to it); 0 withdraws it. With --relay the key signs an EIP-2612 permit and the gateway's relayer sends it (POST /v1/relay/permits, within the relay's quotas); without, the key sends the token's approve and pays the gas.`,
    options: {
      amount: {
        type: "string",
        value: "<fen>",
        description: "the allowance in token base units (fen)",
        required: true,
      },
    },
    positional: "amount",
    examples: [
      `sunshine ${group} allowance grant --amount 50000000`,
      `sunshine ${group} allowance grant 50000000 --relay http://127.0.0.1:8080`,
    ],
    async run(ctx, o) {
      const value = parseWhole(o.string("amount"), "--amount");
      if (value > MaxUint256) throw new UsageError("--amount must be at most 2^256 - 1");
      const chain = await ctx.chain();
      const problem = await holder.notHolder(chain);
      if (problem) throw new CliError(problem, "NOT_THE_ALLOWANCE_HOLDER");
      const address = chain.deployment.contracts[spender];
      await setAllowance(chain, address, value);
      const allowance = await chain.ledger.token.allowance(chain.address, address);
      return allowanceRecord(holder, chainAct(chain, { owner: chain.address, spender: address, allowance }));
    },
  };
  return [show, grant];
}

/**
 * An allowance as a person reads it: the spender by name beside its address, and the token's
 * "unlimited" (2^256 - 1) as the word. `--json` keeps the raw values for scripts.
 */
function allowanceRecord(
  holder: Holder,
  data: Record<string, unknown> & { spender: string; allowance: bigint },
): Result {
  return {
    ...record({
      ...data,
      spender: `${holder.spenderName} (${data.spender})`,
      allowance: data.allowance === MaxUint256 ? "unlimited" : data.allowance,
    }),
    json: data,
  };
}

/**
 * Sets `spender`'s allowance of the caller's settlement token to `value`: with --relay by a
 * permit the gateway's relayer sends, otherwise by the key's own approve.
 */
export async function setAllowance(
  chain: Chain,
  spender: string,
  value: bigint,
): Promise<TransactionReceipt> {
  const sent = chain.signer.relay
    ? await chain.signer.sendPermit(chain.ledger.token, spender, value)
    : await chain.ledger.token.connect(chain.signer).approve(spender, value);
  const receipt = await sent.wait();
  if (!receipt) throw new CliError(`the allowance's transaction ${sent.hash} was dropped`, "TX_DROPPED");
  return receipt;
}
