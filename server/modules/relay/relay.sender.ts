import { keccak256, type BaseWallet, type Provider, type TransactionRequest } from "ethers";
import type { Db } from "../../db";
import { Mutex } from "../../db/mutex";
import { isConnectionFailure } from "../../lib/failures";
import { noncePending, recordSent, releaseSent, releaseUsed, sentFrom, type NonceKey } from "./relay.claims";

/**
 * The relayer's transactions, one nonce after the other. Nonces are handed out in this process
 * (one relayer key per replica), so no database transaction waits on the chain; but the node
 * decides what is actually in line. A node that restarts loses its pool, and a nonce handed out
 * here that the node no longer holds is a gap every later transaction waits behind, forever, while
 * their callers were told 202. So each transaction is kept, signed, until it is mined: one the node
 * lost is sent again byte for byte (the hash its caller was given stays right, and the forwarder's
 * per-signer nonce still lets it run only once); one the node will not take again is given up, and
 * its nonce goes to the next transaction.
 *
 * A transaction may hold a claim on what it uses up besides the relayer's nonce (a signer's
 * forwarder or token nonce; relay.claims.ts, shared by the replicas). It is recorded under the
 * claim, signed bytes included, before it is broadcast, and the claim is freed here once its
 * relayer nonce is used. The record outlives the process: a gateway restarted after a crash takes
 * its predecessor's transactions back into the lane (same relayer key) and sends again what the
 * node lost. The comparison with the node runs before each send and on its own every few seconds
 * (`reconcile`, relay.routes.ts), so a lost transaction is sent again even when no relay follows.
 */

/** A claim a request took (relay.lane.ts `claim`): the nonce, and the request holding it. */
export interface NonceClaim {
  readonly key: NonceKey;
  readonly holder: string;
}

/** Where a broadcast that failed but counts as sent is told (the relay module's logger). */
export interface SenderLog {
  warn(obj: object, msg: string): void;
}

interface Sent {
  nonce: number;
  hash: string;
  /** The signed transaction, to send again should the node lose it. */
  raw: string;
}

export class RelayerSender {
  /** Serialises nonce choice and broadcast, and the comparison with the node before them. */
  private readonly sending = new Mutex();
  /** The nonce after the last one this process sent: the node may not show it as pending yet. */
  private nextNonce = 0;
  /** Sent and not yet seen mined, by nonce. */
  private readonly sent = new Map<number, Sent>();

  constructor(
    readonly relayer: BaseWallet,
    private readonly db: Db,
    private readonly log: SenderLog,
  ) {}

  /**
   * Signs `tx` with the lane's next nonce and sends it, holding `claim` till it is mined. Sends
   * nothing (409) if the claim is no longer the request's own.
   */
  async send(tx: TransactionRequest, claim?: NonceClaim): Promise<string> {
    return this.sending.run(async () => {
      const nonce = await this.reconcile();
      const raw = await this.relayer.signTransaction(
        await this.relayer.populateTransaction({ ...tx, nonce }),
      );
      const hash = keccak256(raw);
      const relayer = this.relayer.address;
      // Recorded first: a process that dies after the broadcast leaves a claim that says which
      // transaction holds the nonce, so no other request can send it meanwhile.
      if (
        claim &&
        !(await recordSent(this.db, claim.key, claim.holder, { hash, relayer, relayerNonce: nonce, raw }))
      )
        throw noncePending(claim.key, null);
      try {
        await this.provider().broadcastTransaction(raw);
      } catch (error) {
        if (!(await this.sentAfterAll(error, hash, nonce, claim))) throw error;
      }
      this.sent.set(nonce, { nonce, hash, raw });
      this.nextNonce = Math.max(this.nextNonce, nonce + 1);
      return hash;
    });
  }

  /**
   * Whether a transaction whose broadcast failed is sent after all. It is if the node holds it
   * (its answer was lost, or it already knew it), or if the node could not be reached and then not
   * asked: the transaction stays recorded under `claim` and is sent again once the node answers
   * (`reconcile`), so its caller is given its hash like any other, not an error saying the act was
   * not done while it may yet be. A refusal the node answered, or a node that says it does not hold
   * the transaction, frees the claim, and the caller gets the error. Without a claim nothing
   * recorded the transaction, so nothing would send it again: that is a failure too.
   */
  private async sentAfterAll(
    error: unknown,
    hash: string,
    nonce: number,
    claim: NonceClaim | undefined,
  ): Promise<boolean> {
    if (!claim) return false;
    const held = await this.provider()
      .getTransaction(hash)
      .catch(() => undefined);
    if (held || (held === undefined && isConnectionFailure(error))) {
      this.log.warn(
        { err: error, tx: hash, relayerNonce: nonce, nodeHoldsIt: held ? true : "unknown" },
        "relay broadcast failed, but the transaction counts as sent: the node holds it or could not be asked, and the lane sends it again if the node lost it",
      );
      return true;
    }
    await releaseSent(this.db, claim.key, hash);
    return false;
  }

  /** Compares the lane with the node now, between sends: what the node lost is sent again. */
  async reconcileNow(): Promise<void> {
    await this.sending.run(() => this.reconcile());
  }

  /**
   * Compares the lane with the node: forgets what was mined, takes in what an earlier process of
   * this relayer recorded and may not have seen mined, sends again what the node lost, and
   * returns the nonce for the next transaction, the first one the node will not fill otherwise.
   */
  private async reconcile(): Promise<number> {
    const provider = this.provider();
    const address = this.relayer.address;
    const [mined, pending] = await Promise.all([
      provider.getTransactionCount(address, "latest"),
      provider.getTransactionCount(address, "pending"),
    ]);
    for (const nonce of [...this.sent.keys()]) if (nonce < mined) this.sent.delete(nonce);
    await releaseUsed(this.db, address, mined);
    for (const tx of await sentFrom(this.db, address, mined)) {
      if (this.sent.has(tx.relayerNonce)) continue;
      this.sent.set(tx.relayerNonce, { nonce: tx.relayerNonce, hash: tx.hash, raw: tx.raw });
      this.nextNonce = Math.max(this.nextNonce, tx.relayerNonce + 1);
    }
    // The node holds every nonce handed out here (or more, e.g. ones this process sent before
    // a restart of the gateway).
    if (pending >= this.nextNonce) return pending;
    let gap: number | null = null;
    for (let nonce = pending; nonce < this.nextNonce; nonce++) {
      const tx = this.sent.get(nonce);
      if (tx && (await this.resend(tx))) continue;
      // The node has lost it and will not take it again: its nonce goes to another transaction.
      // Its claim stays until the chain shows that nonce used (relay.lane.ts `claim`): another
      // node may still hold it, and mine it first. Then its caller may relay that act anew.
      this.sent.delete(nonce);
      gap ??= nonce;
    }
    return gap ?? this.nextNonce;
  }

  /** Whether the node holds `tx` (pending or mined), once it is sent again if it was lost. */
  private async resend(tx: Sent): Promise<boolean> {
    const provider = this.provider();
    if (await provider.getTransaction(tx.hash)) return true;
    try {
      await provider.broadcastTransaction(tx.raw);
      return true;
    } catch {
      // Refused, or lost on the way: ask again. A node that cannot be reached throws here, and
      // then nothing is given up.
      return (await provider.getTransaction(tx.hash)) !== null;
    }
  }

  private provider(): Provider {
    const provider = this.relayer.provider;
    if (!provider) throw new Error("the relayer wallet is not connected to a provider");
    return provider;
  }
}
