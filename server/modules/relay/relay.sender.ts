import type { BaseWallet, Provider, TransactionRequest } from "ethers";
import { Mutex } from "../../db/mutex";

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
 * Claims name what a transaction uses up besides the relayer's nonce (a signer's forwarder nonce).
 * A request takes its claim before its checks and holds it until its transaction is mined or given
 * up; a second request with the same claim waits for the first's checks, then is refused while the
 * first is pending, as it could only revert.
 */

interface Sent {
  nonce: number;
  hash: string;
  /** The signed transaction, to send again should the node lose it. */
  raw: string;
  claim: string | null;
}

interface Claim {
  /** Null while the request holding it is being checked. */
  txHash: string | null;
  /** Settles once the claim is sent or freed: whoever waits for it then looks again. */
  settled: Promise<void>;
  settle: () => void;
}

export class RelayerSender {
  /** Serialises nonce choice and broadcast, and the comparison with the node before them. */
  private readonly sending = new Mutex();
  /** The nonce after the last one this process sent: the node may not show it as pending yet. */
  private nextNonce = 0;
  /** Sent and not yet seen mined, by nonce. */
  private readonly sent = new Map<number, Sent>();
  private readonly claims = new Map<string, Claim>();

  constructor(readonly relayer: BaseWallet) {}

  /**
   * Takes `key` for a request about to be checked and sent, and returns null; or, while another
   * request's transaction holding it is pending, returns that transaction's hash.
   */
  async claim(key: string): Promise<{ txHash: string } | null> {
    for (;;) {
      const holder = this.claims.get(key);
      if (!holder) {
        let settle!: () => void;
        const settled = new Promise<void>((resolve) => (settle = resolve));
        this.claims.set(key, { txHash: null, settled, settle });
        return null;
      }
      if (holder.txHash === null) {
        await holder.settled;
        continue;
      }
      // Sent, but perhaps mined or given up since: what the node holds decides.
      await this.sending.run(() => this.reconcile());
      if (this.claims.get(key) === holder) return { txHash: holder.txHash };
    }
  }

  /** Frees a claim whose request was not sent; a sent one is freed once mined or given up. */
  release(key: string): void {
    if (this.claims.get(key)?.txHash === null) this.free(key);
  }

  /** Signs `tx` with the lane's next nonce and sends it, holding `claim` till it is mined. */
  async send(tx: TransactionRequest, claim?: string): Promise<string> {
    return this.sending.run(async () => {
      const nonce = await this.reconcile();
      const raw = await this.relayer.signTransaction(
        await this.relayer.populateTransaction({ ...tx, nonce }),
      );
      const { hash } = await this.provider().broadcastTransaction(raw);
      this.sent.set(nonce, { nonce, hash, raw, claim: claim ?? null });
      this.nextNonce = Math.max(this.nextNonce, nonce + 1);
      const holder = claim === undefined ? undefined : this.claims.get(claim);
      if (holder) {
        holder.txHash = hash;
        holder.settle();
      }
      return hash;
    });
  }

  /**
   * Compares the lane with the node: forgets what was mined, sends again what the node lost, and
   * returns the nonce for the next transaction, the first one the node will not fill otherwise.
   */
  private async reconcile(): Promise<number> {
    const provider = this.provider();
    const address = this.relayer.address;
    const [mined, pending] = await Promise.all([
      provider.getTransactionCount(address, "latest"),
      provider.getTransactionCount(address, "pending"),
    ]);
    for (const nonce of [...this.sent.keys()]) if (nonce < mined) this.forget(nonce);
    // The node holds every nonce handed out here (or more, e.g. ones this process sent before
    // a restart of the gateway).
    if (pending >= this.nextNonce) return pending;
    let gap: number | null = null;
    for (let nonce = pending; nonce < this.nextNonce; nonce++) {
      const tx = this.sent.get(nonce);
      if (tx && (await this.resend(tx))) continue;
      // The node has lost it and will not take it again: it can never run now that its nonce
      // goes to another transaction, so its caller may relay that act anew.
      if (tx) this.forget(nonce);
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

  private forget(nonce: number): void {
    const tx = this.sent.get(nonce);
    this.sent.delete(nonce);
    if (tx?.claim && this.claims.get(tx.claim)?.txHash === tx.hash) this.free(tx.claim);
  }

  private free(key: string): void {
    const holder = this.claims.get(key);
    this.claims.delete(key);
    holder?.settle();
  }

  private provider(): Provider {
    const provider = this.relayer.provider;
    if (!provider) throw new Error("the relayer wallet is not connected to a provider");
    return provider;
  }
}
