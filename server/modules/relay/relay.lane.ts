import type { BaseWallet } from "ethers";
import type { Db } from "../../db";
import { Mutex } from "../../db/mutex";
import { appError } from "../../plugins/error-catalogue";
import type { Role } from "../auth/tokens";
import { charge, utcDay, type Charge } from "./relay.repository";

/**
 * What every transaction the relayer sends shares, whether it carries a forward request
 * (relay.service.ts) or a token permit (relay.permits.ts): the caller's daily quotas per account
 * and per client IP, the relayer's daily gas budget, and the relayer's nonce lane. One lane per
 * gateway process, so both kinds count against the same limits and never race for a nonce.
 *
 * The relayer is its own key, never the settler's: relays have their own nonce lane and
 * balance, so they cannot hold up or starve supplier payments. Its nonces are handed out in
 * this process (one relayer key per replica), so no database transaction waits on the chain.
 */

export interface RelayLimits {
  maxGasPerRequest: number;
  dailyGasBudget: number;
  accountDailyRequests: number;
  ipDailyRequests: number;
}

/** Who asks: the signed-in account and where the request came from. */
export interface RelayCaller {
  address: string;
  roles: readonly Role[];
  ip: string;
}

export class RelayerLane {
  /** Serialises nonce choice and broadcast of the relayer's transactions. */
  private readonly sending = new Mutex();
  /** The nonce after the last one this process sent: the node may not show it as pending yet. */
  private nextNonce = 0;

  constructor(
    private readonly db: Db,
    readonly relayer: BaseWallet,
    readonly limits: RelayLimits,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Counts one request against the caller's quotas, before any RPC work: refused requests
   * count too, as quotas bound the work a caller makes the gateway do.
   */
  async chargeRequest(caller: RelayCaller): Promise<void> {
    const quota = (subject: string, limit: number): Charge => ({
      subject,
      amount: 1n,
      limit: BigInt(limit),
    });
    await this.charge([
      quota(`account:${caller.address.toLowerCase()}`, this.limits.accountDailyRequests),
      quota(`ip:${caller.ip}`, this.limits.ipDailyRequests),
    ]);
  }

  /** Charges a transaction's gas limit (what it may cost at most) to the relayer's daily budget. */
  async chargeGas(gasLimit: bigint): Promise<void> {
    await this.charge([
      {
        subject: `gas:${this.relayer.address.toLowerCase()}`,
        amount: gasLimit,
        limit: BigInt(this.limits.dailyGasBudget),
      },
    ]);
  }

  /** Sends one transaction from the relayer with the lane's next nonce; returns its hash. */
  async send(transmit: (nonce: number) => Promise<{ hash: string }>): Promise<string> {
    return this.sending.run(async () => {
      const nonce = Math.max(await this.relayer.getNonce("pending"), this.nextNonce);
      const sent = await transmit(nonce);
      this.nextNonce = nonce + 1;
      return sent.hash;
    });
  }

  private async charge(charges: readonly Charge[]): Promise<void> {
    const day = utcDay(this.now());
    const over = await charge(this.db, day, charges);
    if (!over) return;
    if (over.subject.startsWith("gas:")) {
      throw appError(
        "RELAY_BUDGET_EXHAUSTED",
        `the relayer's gas budget for ${day} (UTC) is spent; retry tomorrow or send the transaction yourself`,
      );
    }
    const who = over.subject.startsWith("ip:") ? "this client address" : "this account";
    throw appError("RATE_LIMITED", `${who} has used its ${over.limit} relay requests for ${day} (UTC)`);
  }
}
