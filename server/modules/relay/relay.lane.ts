import { randomUUID } from "node:crypto";
import type { BaseWallet, Provider, TransactionRequest } from "ethers";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import type { Role } from "../auth/tokens";
import {
  claimOfTx,
  claimsFrom,
  forgetUsed,
  releaseSent,
  releaseUnsent,
  takeClaim,
  type HeldClaim,
  type NonceKey,
  type NonceKind,
} from "./relay.claims";
import { charge, utcDay, type Charge } from "./relay.repository";
import { RelayerSender, type NonceClaim, type SenderLog } from "./relay.sender";

/**
 * What every transaction the relayer sends shares, whether it carries a forward request
 * (relay.service.ts) or a token permit (relay.permits.ts): the caller's daily quotas per account
 * and per client IP, the relayer's daily gas budget, and the relayer's nonce lane. One lane per
 * gateway process, so both kinds count against the same limits and never race for a nonce.
 *
 * The relayer is its own key, never the settler's: relays have their own nonce lane and
 * balance, so they cannot hold up or starve supplier payments. Its nonces: relay.sender.ts.
 * The signers' nonces a request uses up are claimed in the database, across replicas:
 * relay.claims.ts.
 */

export interface RelayLimits {
  maxGasPerRequest: number;
  dailyGasBudget: number;
  accountDailyRequests: number;
  ipDailyRequests: number;
}

/** A claim taken, or the transaction of the request holding it (null while that one is checked). */
export type Claimed = { claim: NonceClaim } | { pending: { txHash: string | null } };

/** Who asks: the signed-in account and where the request came from. */
export interface RelayCaller {
  address: string;
  roles: readonly Role[];
  ip: string;
}

export class RelayerLane {
  private readonly sender: RelayerSender;
  /**
   * This process's requests being checked, by claim: a second request for the same nonce waits
   * for the first's checks before it looks at the claim, rather than being refused while the
   * first may yet fail them.
   */
  private readonly checking = new Map<string, { done: Promise<void>; settle: () => void }>();

  constructor(
    private readonly db: Db,
    readonly relayer: BaseWallet,
    readonly limits: RelayLimits,
    log: SenderLog,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.sender = new RelayerSender(relayer, db, log);
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
   * Takes the claim on `key` (what a request will use up besides the relayer's nonce, e.g. a
   * signer's forwarder nonce) for a request about to be checked and sent, whose signed deadline is
   * `deadline`; or names the transaction of the request holding it. Taken before the checks read
   * the nonce from the chain, which shows it unused until the holder's transaction is mined.
   */
  async claim(key: NonceKey, deadline: number): Promise<Claimed> {
    const id = claimId(key);
    for (let first = this.checking.get(id); first; first = this.checking.get(id)) await first.done;
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.checking.set(id, { done, settle });
    try {
      const outcome = await this.take(key, deadline);
      if ("pending" in outcome) this.unblock(id);
      return outcome;
    } catch (error) {
      this.unblock(id);
      throw error;
    }
  }

  private async take(key: NonceKey, deadline: number): Promise<Claimed> {
    for (;;) {
      const holder = randomUUID();
      const held = await takeClaim(this.db, key, holder, deadline);
      if (!held) return { claim: { key, holder } };
      if (!held.tx) return { pending: { txHash: null } };
      if (!(await this.lapsed(key, held))) return { pending: { txHash: held.tx.hash } };
    }
  }

  /**
   * Whether the transaction holding a claim can no longer use the nonce, freeing the claim if so:
   * its relayer's nonce is used (it was mined, or another transaction took that nonce and it never
   * can be), or chain time has passed the signed deadline (it would be refused). Asks the chain,
   * not the process that sent it, which may have died; a transaction merely slow to be mined
   * keeps its claim.
   */
  async lapsed(key: NonceKey, held: HeldClaim): Promise<boolean> {
    if (!held.tx) return false;
    const provider = this.provider();
    const [latest, relayerMined] = await Promise.all([
      provider.getBlock("latest"),
      provider.getTransactionCount(held.tx.relayer, "latest"),
    ]);
    const lapsed =
      relayerMined > held.tx.relayerNonce || (latest !== null && latest.timestamp > held.deadline);
    if (lapsed) await releaseSent(this.db, key, held.tx.hash);
    return lapsed;
  }

  /**
   * Whether a replica of this gateway may still get `txHash` mined: it holds its claim, and its
   * nonces and deadline still allow it (else the claim is freed). The relayer sends such a
   * transaction again should the node lose it.
   */
  async mayStillMine(txHash: string): Promise<boolean> {
    const claim = await claimOfTx(this.db, txHash);
    return claim !== null && !(await this.lapsed(claim.key, claim.held));
  }

  /**
   * The signer's claims in flight from nonce `from` on, one after the other without a gap: each
   * one's transaction can still use its nonce, or its request is being checked. Frees on the way
   * those whose transaction no longer can.
   */
  async inFlight(kind: NonceKind, signer: string, from: bigint): Promise<HeldClaim[]> {
    const queue: HeldClaim[] = [];
    for (const held of await claimsFrom(this.db, kind, signer, from)) {
      if (held.nonce !== from + BigInt(queue.length)) break;
      const over = held.tx ? await this.lapsed({ kind, signer, nonce: held.nonce }, held) : held.leaseOver;
      if (over) break;
      queue.push(held);
    }
    return queue;
  }

  /** Frees a claim whose request sent nothing; a sent one is freed once mined (relay.sender.ts). */
  async release(claim: NonceClaim): Promise<void> {
    try {
      await releaseUnsent(this.db, claim.key, claim.holder);
    } finally {
      this.unblock(claimId(claim.key));
    }
  }

  /** Forgets the signer's claims below `next`, its next unused nonce on chain. */
  forgetUsed(kind: NonceKind, signer: string, next: bigint): Promise<void> {
    return forgetUsed(this.db, kind, signer, next);
  }

  /** Sends `tx` from the relayer with the lane's next nonce; returns its hash. */
  send(tx: TransactionRequest, claim?: NonceClaim): Promise<string> {
    return this.sender.send(tx, claim);
  }

  /**
   * Compares the lane with the node between sends: sends again what the node lost, takes in what
   * a crashed predecessor recorded, frees the claims of what was mined (relay.routes.ts runs it
   * every few seconds).
   */
  reconcile(): Promise<void> {
    return this.sender.reconcileNow();
  }

  /** Lets the next request of this process for the same claim look at it. */
  private unblock(id: string): void {
    const checking = this.checking.get(id);
    this.checking.delete(id);
    checking?.settle();
  }

  private provider(): Provider {
    const provider = this.relayer.provider;
    if (!provider) throw new Error("the relayer wallet is not connected to a provider");
    return provider;
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

/** A claim's name within this process. */
function claimId(key: NonceKey): string {
  return `${key.kind}:${key.signer.toLowerCase()}:${key.nonce}`;
}
