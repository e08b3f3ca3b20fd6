import { setTimeout as delay } from "node:timers/promises";
import { Transaction, type BaseWallet, type JsonRpcProvider, type TransactionReceipt } from "ethers";
import type { Db } from "../../db";
import { isCallException, isNonceConsumed, isUncodedRpcError } from "../../lib/failures";
import { latestBlock, ledgerTime } from "../../plugins/chain";
import { PollLoop } from "../../lib/poll-loop";
import type { ConsignmentBook, DeliveryTrace, OrderBook } from "../../../typechain-types";
import { decodeRevert, revertDataOf } from "../../../ledger/revert";
import { withGasHeadroom } from "../../../ledger/gas";
import { REASONS } from "../../../ledger/reasons";
import { raise } from "../exceptions/exceptions.repository";
import type { ShipmentRecord } from "../../../api/shipments";
import { shipmentRecord } from "../indexer/indexer.repository";
import * as repo from "./settlement.repository";
import type { SettlementJob } from "./settlement.repository";

/**
 * The payment worker: sends each queued job's transaction once with the settler key and records
 * the outcome. A job is a settlement (`OrderBook.confirmShipment`), a consignment's
 * consumption batch (`ConsignmentBook.confirmConsumption`) or a held receipt's dispute
 * (`OrderBook.disputeShipment`); what differs between them is only how the call is built, how
 * the chain tells it is done and what a refusal raises (`JobCalls`), so all get the same
 * exactly-once path below. The call carries the shipment's record exactly as its
 * `ShipmentCreated` event did (the chain checks it against the stored hash) and no receipt time:
 * the chain derives the delivery time from the trace.
 *
 * Exactly once, at any crash point:
 * - the signed transaction and its hash are committed (status `submitted`) BEFORE it is
 *   broadcast, so after a crash the worker knows what it may have sent;
 * - a mined job stays `submitted` until its block is `confirmations` deep, looked at again each
 *   poll: a reorganisation that drops the block leaves the transaction unknown to the node, and
 *   the reconciliation below sends it again;
 * - a `submitted` job is leased to the worker that signed it for one receipt wait; after that
 *   (its worker died, or gave up waiting) it is reconciled against the chain before anything
 *   new is signed: mined → recorded; still in the mempool → waited for; unknown to the node →
 *   the shipment's on-chain `confirmed` flag is asked, and only if unpaid is the same signed
 *   transaction broadcast again (same nonce, so it can never land twice);
 * - a pending job whose shipment the chain already shows confirmed (or whose batch id it shows
 *   paid) is recorded, not resent;
 * - the contract itself refuses a second confirmation (TraceAlreadyConfirmed) and a second
 *   batch with the same id (ConsignmentBatchRepeated).
 * Jobs are claimed with FOR UPDATE SKIP LOCKED and nonces allocated under an advisory lock,
 * so replicas sharing one PostgreSQL never send the same job.
 */

/**
 * How far apart an idle worker's looks may grow (from the poll interval, doubling). New jobs wake
 * it (a receipt, a resolved exception, a consumption batch), so its polls find only what no wake
 * announced: a job deferred or retried by a step (the interval again, as any step that did work
 * resets the pause), a job whose lease ran out (a replica died while reconciling it), a settler
 * role granted; these are found within 2 s of being due.
 */
const IDLE_MAX_MS = 2_000;

export interface WorkerOptions {
  pollMs: number;
  receiptTimeoutMs: number;
  /**
   * Blocks a payment's block must be buried under before its outcome is recorded, as the indexer
   * reads (`CONFIRMATIONS`): until then the job stays submitted with its signed bytes, so a
   * reorganisation that drops the block is found and the same transaction sent again. 0 records
   * it once mined (an immediate-finality chain, or a local one).
   */
  confirmations: number;
  /**
   * Asked before the first job is touched (settler-check.ts): a reason to wait keeps the worker
   * idle, asking again at each poll or wake, with nothing sent; a PermanentError stops it; a
   * passing answer (null) is not asked again.
   */
  preflight?: () => Promise<string | null>;
}

export interface WorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WorkerHooks {
  /** Test seam: called at named points of the payment path (the crash test kills there). */
  at?(point: "signed" | "broadcast" | "mined"): void | Promise<void>;
}

/**
 * A mined failure that the contract does not reproduce is signed anew while the job has had
 * fewer attempts (signings, and waits for its inputs) than this; then it becomes an exception.
 */
const MAX_CONTEXT_RETRIES = 10;

/**
 * The first wait before asking for a payment's receipt again, doubling up to the provider's
 * polling interval. A node that mines at once (a local chain's automine) often has the receipt a
 * few milliseconds after the first "not yet"; a whole polling interval there (250 ms) was most of
 * a payment's time (bench:e2e).
 */
const FIRST_RECEIPT_WAIT_MS = 10;

/**
 * The block a job's "done" is read at: "latest", or a block number `confirmations` below the head
 * (`SettlementWorker.finalBlock`). A job recorded done on a block that a reorganisation then drops
 * would never be paid.
 */
type At = number | "latest";

/** What a kind of job needs from the chain and the database. */
interface JobCalls {
  /** The chain shows the job done at block `at`. */
  done(job: SettlementJob, at: At): Promise<boolean>;
  /** The transaction to send, or a reason to wait (its inputs are not indexed yet). */
  call(tx: Db, job: SettlementJob): Promise<{ to: string; data: string } | { wait: string }>;
  /** The chain refused the job for good, as of `ledgerTime` (`ledgerNow`). */
  refused(tx: Db, job: SettlementJob, errorName: string, message: string, ledgerTime: Date): Promise<void>;
  /**
   * Whether a refusal no longer matters, asked before the job is failed: a dispute that lost a
   * race to the shipment's settlement (an approver's decision, or the supplier's claim) is moot.
   */
  moot(job: SettlementJob, at: At): Promise<boolean>;
}

export class SettlementWorker {
  /**
   * Ticks between `start()` and `stop()`: transient failures (the node or the database out of
   * reach) are retried with backoff and never give a job up; a permanent one stops the loop.
   */
  private readonly loop: PollLoop;
  private preflightPassed = false;
  /** Why the preflight last said to wait (logged when it changes, not at every poll). */
  private waitingFor: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly provider: JsonRpcProvider,
    private readonly wallet: BaseWallet,
    private readonly orderBook: OrderBook,
    private readonly trace: DeliveryTrace,
    private readonly consignment: ConsignmentBook,
    private readonly options: WorkerOptions,
    private readonly log: WorkerLogger,
    private readonly hooks: WorkerHooks = {},
  ) {
    this.loop = new PollLoop({
      name: "settlement worker",
      step: () => this.tick(),
      intervalMs: options.pollMs,
      idleMaxMs: IDLE_MAX_MS,
      backoff: { baseMs: 2 * options.pollMs, maxMs: 30_000 },
      log,
    });
  }

  /** Starts the loop; the promise resolves when it ends (stopped, or halted). */
  start(): Promise<void> {
    return this.loop.start();
  }

  /** Stops the loop promptly, after the job in hand is recorded. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** A job was committed: look now rather than at the next poll (a running loop only). */
  wake(): void {
    this.loop.poke();
  }

  /** Stopped by a permanent failure: payments wait for an operator. */
  halted(): boolean {
    return this.loop.status().halted;
  }

  /** Reconciles one submitted job, else sends one pending job. Returns false when idle. */
  async tick(): Promise<boolean> {
    if (!this.preflightPassed) {
      const reason = (await this.options.preflight?.()) ?? null;
      if (reason !== null) {
        if (reason !== this.waitingFor) this.log.warn({ reason }, "settlement worker waiting");
        this.waitingFor = reason;
        return false;
      }
      if (this.waitingFor !== null) this.log.info({}, "settlement worker may pay now");
      this.preflightPassed = true;
    }
    if (await this.reconcileOne()) return true;
    return this.sendOne();
  }

  /** Works until nothing is pending or submitted (for tests and one-shot runs). */
  async drain(maxTicks = 1000): Promise<void> {
    for (let i = 0; i < maxTicks && (await this.tick()); i++) {
      // keep going
    }
  }

  private async sendOne(): Promise<boolean> {
    const prepared = await this.db.transaction(async (tx) => {
      const job = await repo.claimPending(tx);
      if (!job) return null;
      const calls = this.calls[job.kind];
      if (await calls.done(job, await this.finalBlock())) {
        // Paid already (by an earlier run whose record was lost, or by another settler).
        await repo.markConfirmed(tx, job.id, null);
        this.log.info(subject(job), `${job.kind} found already confirmed on-chain`);
        return "done" as const;
      }
      const call = await calls.call(tx, job);
      if ("wait" in call) {
        await repo.deferJob(tx, job.id, call.wait, this.options.pollMs);
        return "done" as const;
      }
      await repo.lockSettlerNonce(tx);
      const inFlight = await repo.highestNonceInFlight(tx);
      const chainNonce = await this.wallet.getNonce("pending");
      const nonce = Math.max(chainNonce, inFlight === null ? 0 : inFlight + 1);
      let raw: string;
      try {
        raw = await this.sign(call, nonce);
      } catch (error) {
        const revert = decodeRevert(revertDataOf(error));
        if (revert || isCallException(error)) {
          if (await this.recordedMoot(tx, job)) return "done" as const;
          if (this.options.confirmations > 0 && (await calls.done(job, "latest"))) {
            // Done in a block not yet final (another settler, the supplier's claim): recorded once
            // that block is final, signed again if a reorganisation drops it. Waiting is no attempt.
            await repo.deferJob(
              tx,
              job.id,
              "done on the chain in a block not yet final",
              this.waitForDepthMs(),
              {
                attempt: false,
              },
            );
            return "done" as const;
          }
          const name = revert?.name ?? "UnknownRevert";
          const message = revert?.message ?? (error as Error).message;
          await repo.markFailed(tx, job.id, name, message);
          await calls.refused(tx, job, name, message, await this.ledgerNow());
          this.log.warn({ ...subject(job), error: message }, `${job.kind} refused by the chain`);
          return "done" as const;
        }
        throw error;
      }
      const hash = Transaction.from(raw).hash!;
      await repo.markSubmitted(tx, job.id, hash, raw, nonce, this.options.receiptTimeoutMs);
      // What the row now holds: recording the outcome needs the hash and the signed bytes (a
      // mined revert is replayed from them), which the claimed pending row does not carry.
      const submitted: SettlementJob = {
        ...job,
        status: "submitted",
        tx_hash: hash,
        raw_tx: raw,
        nonce: String(nonce),
        attempts: job.attempts + 1,
      };
      return { job: submitted, raw, hash };
    });
    if (prepared === null) return false;
    if (prepared === "done") return true;
    await this.hooks.at?.("signed");
    await this.broadcast(prepared.job);
    await this.hooks.at?.("broadcast");
    await this.awaitReceipt(prepared.job, prepared.hash);
    return true;
  }

  private async reconcileOne(): Promise<boolean> {
    const job = await this.db.transaction(async (tx) => {
      const claimed = await repo.claimSubmitted(tx);
      if (claimed) await repo.leaseSubmitted(tx, claimed.id, this.options.receiptTimeoutMs);
      return claimed;
    });
    if (!job || !job.tx_hash) return false;
    const receipt = await this.provider.getTransactionReceipt(job.tx_hash);
    if (receipt) {
      await this.record(job, receipt.status === 1, receipt.blockNumber);
      return true;
    }
    const nonce = Transaction.from(job.raw_tx!).nonce;
    if (await this.provider.getTransaction(job.tx_hash)) {
      // Still in the node's pool: waited for. It may wait behind a nonce nobody holds any more.
      await this.fillGapsBelow(nonce);
      return true;
    }
    if (await this.calls[job.kind].done(job, await this.finalBlock())) {
      // Done by someone else while this transaction was lost. Its nonce may be unused; later
      // payments signed after it would wait behind the gap, so a transfer of nothing to the
      // settler itself takes it first (fillGapsBelow fills it again, should that one be lost too).
      await this.fillNonce(nonce);
      await repo.markConfirmed(this.db, job.id, null);
      return true;
    }
    await this.broadcast(job);
    await this.awaitReceipt(job, job.tx_hash);
    return true;
  }

  /** Each kind of job's calls. */
  private readonly calls: Record<repo.JobKind, JobCalls> = {
    settlement: {
      done: (job, at) => this.settled(job.shipment_id!, at),
      call: async (tx, job) => {
        const record = await shipmentRecord(tx, job.shipment_id!);
        // The creation is on chain (its state was just read) but not indexed here yet.
        if (!record) return { wait: "the shipment's creation is not indexed yet" };
        return { to: await this.orderBook.getAddress(), data: settlementCall(this.orderBook, job, record) };
      },
      refused: raiseRefusal,
      moot: async () => false,
    },
    dispute: {
      // Done once the chain holds at least these units disputed (an approver's larger dispute
      // stands: a hold never lowers one); moot once the shipment is settled (an approver's
      // decision paid first, or a claim did).
      done: async (job, at) => {
        const id = job.disputed_shipment_id!;
        return (
          (await this.settled(id, at)) ||
          (await this.orderBook.disputedUnits(id, { blockTag: at })) >= BigInt(job.rejected)
        );
      },
      moot: (job, at) => this.settled(job.disputed_shipment_id!, at),
      call: async (tx, job) => {
        const record = await shipmentRecord(tx, job.disputed_shipment_id!);
        if (!record) return { wait: "the shipment's creation is not indexed yet" };
        return { to: await this.orderBook.getAddress(), data: disputeCall(this.orderBook, job, record) };
      },
      // The receipt's exception is open already: the job's row keeps the refusal.
      refused: async () => {},
    },
    consumption: {
      done: (job, at) => this.consignment.batchConfirmed(job.batch_id!, { blockTag: at }),
      call: async (tx, job) => ({
        to: await this.consignment.getAddress(),
        data: this.consignment.interface.encodeFunctionData("confirmConsumption", [
          job.batch_id!,
          await repo.batchLines(tx, job.batch_id!),
        ]),
      }),
      refused: (tx, job) => repo.releaseBatchUsages(tx, job.batch_id!),
      moot: async () => false,
    },
  };

  /**
   * A refusal that no longer matters is recorded as done, not failed: the job was done by someone
   * else first (a consumption batch refused as repeated must not give its usages back to be paid
   * again), or it is moot (`JobCalls.moot`). Both read at the final block.
   */
  private async recordedMoot(db: Db, job: SettlementJob): Promise<boolean> {
    const at = await this.finalBlock();
    const calls = this.calls[job.kind];
    if (!(await calls.done(job, at)) && !(await calls.moot(job, at))) return false;
    await repo.markConfirmed(db, job.id, null);
    this.log.info(subject(job), `${job.kind} moot: the chain shows it done first`);
    return true;
  }

  /** Whether shipment `id` is settled on the chain at block `at` (by whoever settled it). */
  private async settled(id: string, at: At): Promise<boolean> {
    try {
      return (await this.trace.shipmentState(id, { blockTag: at })).confirmed;
    } catch (error) {
      // Created after block `at`, so not settled there.
      if (decodeRevert(revertDataOf(error))?.name === "TraceShipmentNotFound") return false;
      throw error;
    }
  }

  /** The newest block a reorganisation is not expected to drop: `confirmations` below the head. */
  private async finalBlock(): Promise<At> {
    if (this.options.confirmations === 0) return "latest";
    return Math.max(0, (await this.provider.getBlockNumber()) - this.options.confirmations);
  }

  /**
   * Uses up `nonce` with a transfer of nothing to the settler itself, unless the chain has used it
   * already. Sent and not awaited: later payments' reconciliations see them mined once it is.
   */
  private async fillNonce(nonce: number): Promise<void> {
    if ((await this.provider.getTransactionCount(this.wallet.address, "latest")) > nonce) return;
    const raw = await this.sign({ to: this.wallet.address, data: "0x" }, nonce);
    try {
      await this.provider.broadcastTransaction(raw);
      this.log.warn({ nonce }, "settler nonce no payment holds: filled with a transfer of nothing");
    } catch (error) {
      // Taken meanwhile (another replica filled it, a transaction already in the pool there) or
      // sent already (the node says so in its own words): nothing to fill.
      if (!isNonceConsumed(error) && !isUncodedRpcError(error)) throw error;
    }
  }

  /** How long a job done in a block not yet final waits before it is asked again. */
  private waitForDepthMs(): number {
    return this.options.pollMs * Math.max(1, this.options.confirmations);
  }

  /**
   * A transaction waiting in the node's pool behind nonces below it that the chain has not used
   * and no submitted job holds (a payment lost and found done elsewhere, whose filler was lost
   * too) would wait for ever, and every later payment with it: each such nonce is filled.
   * Nonces are handed out above every submitted job's, so no job of ours is signed into one.
   */
  private async fillGapsBelow(nonce: number): Promise<void> {
    const mined = await this.provider.getTransactionCount(this.wallet.address, "latest");
    if (nonce <= mined) return;
    const held = new Set(await repo.submittedNonces(this.db, mined, nonce));
    for (let n = mined; n < nonce; n++) if (!held.has(n)) await this.fillNonce(n);
  }

  /** The ledger's now (`ledgerTime` of the chain's head), which a refusal's exception is dated by. */
  private async ledgerNow(): Promise<Date> {
    return ledgerTime(await latestBlock(this.provider));
  }

  private async sign(call: { to: string; data: string }, nonce: number): Promise<string> {
    const request = await this.wallet.populateTransaction({ ...call, nonce });
    // Signed now, mined after what lands first (after a crash, or from another replica): the
    // last shipment of an order also closes it and needs more gas than a middle one's estimate.
    request.gasLimit = withGasHeadroom(BigInt(request.gasLimit!));
    return this.wallet.signTransaction(request);
  }

  private async broadcast(job: SettlementJob): Promise<void> {
    try {
      await this.provider.broadcastTransaction(job.raw_tx!);
    } catch (error) {
      if (isNonceConsumed(error)) {
        // The nonce went to another transaction: this one can never land, so sign anew
        // (the pending path re-checks the chain's confirmed flag first).
        await repo.markRetry(this.db, job.id, job.tx_hash!, (error as Error).message, 0);
        return;
      }
      // A node that has the transaction already says so in its own words ("already known",
      // "known transaction"), which ethers leaves uncoded: ask it for the transaction instead.
      if (isUncodedRpcError(error) && (await this.provider.getTransaction(job.tx_hash!))) return;
      throw error;
    }
  }

  private async awaitReceipt(job: SettlementJob, hash: string): Promise<void> {
    const receipt = await this.receiptOf(hash);
    if (!receipt) return; // reconciled on a later tick
    await this.hooks.at?.("mined");
    await this.record(job, receipt.status === 1, receipt.blockNumber);
  }

  /**
   * The receipt of `hash`, asked for until it comes or the receipt wait ends (null; a node that
   * does not answer counts as "not yet"), at waits growing from FIRST_RECEIPT_WAIT_MS to the
   * provider's polling interval. Not ethers' waitForTransaction: its block listener takes the
   * first block it sees as known, so a transaction mined in that very block is noticed only at
   * the next one — and an automining chain makes none until someone sends again, so the payment
   * waited out the whole timeout.
   */
  private async receiptOf(hash: string): Promise<TransactionReceipt | null> {
    const deadline = Date.now() + this.options.receiptTimeoutMs;
    let wait = FIRST_RECEIPT_WAIT_MS;
    for (;;) {
      const receipt = await this.provider.getTransactionReceipt(hash).catch(() => null);
      if (receipt || Date.now() >= deadline) return receipt;
      await delay(Math.min(wait, this.provider.pollingInterval));
      wait *= 2;
    }
  }

  private async record(job: SettlementJob, success: boolean, blockNumber: number): Promise<void> {
    if (this.options.confirmations > 0) {
      const head = await this.provider.getBlockNumber();
      const toCome = blockNumber + this.options.confirmations - head;
      if (toCome > 0) {
        // Not final: either outcome may yet be dropped. Looked at again after a poll per block
        // still to come, so many payments waiting do not keep the worker from sending new ones.
        await repo.awaitDepth(this.db, job.id, job.tx_hash!, this.options.pollMs * toCome);
        return;
      }
    }
    if (success) {
      await repo.markConfirmed(this.db, job.id, job.tx_hash);
      this.log.info({ ...subject(job), tx: job.tx_hash }, `${job.kind} confirmed on-chain`);
      return;
    }
    let revert = await this.replayRevert(job, blockNumber);
    if (!revert) {
      // The contract accepts the call on its own: the transaction failed for its context (out
      // of gas, or an earlier transaction in the same block), not because the contract refuses.
      // Sign it anew: the pending path asks the chain first and estimates against fresh state.
      const message = `transaction ${job.tx_hash} failed but its call does not revert when replayed`;
      if (job.attempts < MAX_CONTEXT_RETRIES) {
        await repo.markRetry(this.db, job.id, job.tx_hash!, message, this.options.pollMs);
        this.log.warn({ ...subject(job), tx: job.tx_hash }, message);
        return;
      }
      revert = { name: "UnknownRevert", message };
    }
    if (await this.recordedMoot(this.db, job)) return;
    const failure = revert;
    const at = await this.ledgerNow();
    await this.db.transaction(async (tx) => {
      await repo.markFailed(tx, job.id, failure.name, failure.message);
      await this.calls[job.kind].refused(tx, job, failure.name, failure.message, at);
    });
  }

  /**
   * A mined revert carries no reason in its receipt: replay the call on the state before its
   * block to get it. Null when the replay does not revert; network trouble is thrown (the job
   * stays submitted and is reconciled again), never taken for a revert.
   */
  private async replayRevert(
    job: SettlementJob,
    blockNumber: number,
  ): Promise<{ name: string; message: string } | null> {
    const tx = Transaction.from(job.raw_tx!);
    try {
      await this.provider.call({
        to: tx.to,
        from: this.wallet.address,
        data: tx.data,
        blockTag: blockNumber - 1,
      });
    } catch (error) {
      const revert = decodeRevert(revertDataOf(error));
      if (revert) return revert;
      if (isCallException(error))
        return { name: "UnknownRevert", message: `transaction ${job.tx_hash} reverted` };
      throw error;
    }
    return null;
  }
}

/** What a log line names the job by. */
function subject(job: SettlementJob): { shipmentId: string } | { batchId: string } {
  if (job.kind === "consumption") return { batchId: job.batch_id! };
  return { shipmentId: job.kind === "settlement" ? job.shipment_id! : job.disputed_shipment_id! };
}

/** `disputeShipment` of the units a held receipt withholds, with the shipment's record as created. */
function disputeCall(orderBook: OrderBook, job: SettlementJob, record: ShipmentRecord): string {
  return orderBook.interface.encodeFunctionData("disputeShipment", [
    job.disputed_shipment_id!,
    record,
    job.rejected,
    REASONS.receipt_held.code,
  ]);
}

/**
 * `confirmShipment` with the shipment's record exactly as its `ShipmentCreated` event did (the
 * chain checks it against the stored hash) and no receipt time: the chain derives the delivery
 * time from the trace.
 */
function settlementCall(orderBook: OrderBook, job: SettlementJob, record: ShipmentRecord): string {
  return orderBook.interface.encodeFunctionData("confirmShipment", [
    job.shipment_id!,
    record,
    { accepted: job.accepted, rejected: job.rejected, receiptHash: job.receipt_hash! },
  ]);
}

/** The chain refused the job's settlement: an exception, raised with the exceptions module, for an approver. */
async function raiseRefusal(
  tx: Db,
  job: SettlementJob,
  errorName: string,
  message: string,
  ledgerTime: Date,
): Promise<void> {
  await raise(tx, {
    receiptNo: job.receipt_no!,
    shipmentId: job.shipment_id!,
    source: "settlement",
    reasons: [{ code: "CHAIN_REVERT", error: errorName, message }],
    proposedAccepted: BigInt(job.accepted),
    ledgerTime,
  });
}
