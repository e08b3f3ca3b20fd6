import type { BaseWallet, TransactionRequest } from "ethers";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import type { Role } from "../auth/tokens";
import { charge, utcDay, type Charge } from "./relay.repository";
import { RelayerSender } from "./relay.sender";

/**
 * What every transaction the relayer sends shares, whether it carries a forward request
 * (relay.service.ts) or a token permit (relay.permits.ts): the caller's daily quotas per account
 * and per client IP, the relayer's daily gas budget, and the relayer's nonce lane. One lane per
 * gateway process, so both kinds count against the same limits and never race for a nonce.
 *
 * The relayer is its own key, never the settler's: relays have their own nonce lane and
 * balance, so they cannot hold up or starve supplier payments. Its nonces: relay.sender.ts.
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
  private readonly sender: RelayerSender;

  constructor(
    private readonly db: Db,
    readonly relayer: BaseWallet,
    readonly limits: RelayLimits,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.sender = new RelayerSender(relayer);
  }

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

  /**
   * Takes `key` (what a request will use up besides the relayer's nonce, e.g. a signer's
   * forwarder nonce) before the request's checks; returns null, or the hash of the pending
   * transaction that holds it. See relay.sender.ts.
   */
  claim(key: string): Promise<{ txHash: string } | null> {
    return this.sender.claim(key);
  }

  /** Frees the claim of a request that was refused before it was sent. */
  release(key: string): void {
    this.sender.release(key);
  }

  /** Sends `tx` from the relayer with the lane's next nonce; returns its hash. */
  send(tx: TransactionRequest, claim?: string): Promise<string> {
    return this.sender.send(tx, claim);
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
