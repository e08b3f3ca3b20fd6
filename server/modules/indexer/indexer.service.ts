import type { Block, JsonRpcProvider, Log } from "ethers";
import type { Db } from "../../db";
import { PermanentError, RetryableError } from "../../lib/failures";
import { mapLimit } from "../../lib/batches";
import { PollLoop } from "../../lib/poll-loop";
import type { LedgerEventDecoder } from "../../../ledger/events";
import {
  applyEvents,
  latestBlock,
  recentBlocks,
  rewindTo,
  saveBlocks,
  type BlockRow,
  type NewEvent,
} from "./indexer.repository";

/**
 * The ledger indexer. Invariants:
 * - only blocks at least `confirmations` deep are read;
 * - the events of a block range, their projections and the cursor move in one transaction, so
 *   a crash leaves either all of a range or none of it;
 * - every event is stored once (keyed by block hash and log index) and projected once;
 * - a stored block hash the chain no longer has means a reorg: the indexer rewinds to the
 *   newest stored block the chain still has and re-reads from there. The rewind takes back
 *   exactly what the dropped blocks changed, from the undo log kept for the blocks of the
 *   window (indexer.repository.ts `rewindTo`). A reorg deeper than the stored window stops the
 *   indexer loudly instead of guessing.
 */

export interface IndexerOptions {
  deploymentBlock: number;
  confirmations: number;
  batchBlocks: number;
  pollMs: number;
  reorgWindow: number;
  /** Milliseconds now; tests pass a clock they move themselves. */
  now?: () => number;
}

export interface IndexerStatus {
  head: number | null;
  indexedTo: number | null;
  lagBlocks: number | null;
  lastError: string | null;
  stopped: boolean;
}

export interface IndexerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Permanent: no retry makes the lost blocks come back; an operator rebuilds the database. */
export class ReorgTooDeepError extends PermanentError {
  constructor(readonly oldestKnown: number) {
    super(
      `chain reorganisation deeper than the indexer's window: no stored block since ${oldestKnown} is still on the ` +
        `chain; rebuild the database from the chain (npm run reset) after checking the node`,
    );
  }
}

/** How long an unchanged head block may end the indexer's steps before one looks anyway. */
const IDLE_RECHECK_MS = 2_000;

/** Block headers asked at once: ethers sends up to 100 calls in one JSON-RPC batch. */
const HEADER_READS = 100;

export class Indexer {
  private head: number | null = null;
  private indexedTo: number | null = null;
  /**
   * The chain's head block when a step last found nothing to do, and until when that may end a
   * step. A head with the same hash is the same chain (a block's hash commits to all its
   * ancestors), so the step ends there without reading the database or checking the cursor: an
   * idle gateway polls the node with one call (a local stack polls ten times a second). The
   * database may still change under it (another replica rewinding to what its own node has, an
   * operator restoring a backup), so at least every IDLE_RECHECK_MS a step looks anyway.
   */
  private idleAt: { hash: string; until: number } | null = null;
  /**
   * Polls and indexes between `start()` and `stop()`. Transient errors (RPC down, a reorg under
   * our feet) are retried with backoff; a permanent one (a reorg deeper than the window) stops
   * the loop, which /ready then reports.
   */
  private readonly loop: PollLoop;

  constructor(
    private readonly db: Db,
    private readonly provider: JsonRpcProvider,
    private readonly decoder: LedgerEventDecoder,
    private readonly options: IndexerOptions,
    private readonly log: IndexerLogger,
  ) {
    this.loop = new PollLoop({
      name: "indexer",
      step: () => this.step(),
      intervalMs: options.pollMs,
      backoff: { baseMs: 2 * options.pollMs, maxMs: 30_000 },
      log,
    });
  }

  status(): IndexerStatus {
    const lagBlocks =
      this.head === null ? null : this.head - (this.indexedTo ?? this.options.deploymentBlock - 1);
    const loop = this.loop.status();
    return {
      head: this.head,
      indexedTo: this.indexedTo,
      lagBlocks,
      lastError: loop.lastError,
      stopped: loop.halted,
    };
  }

  /** Indexes until caught up with the confirmed head, or until `signal` aborts. */
  async catchUp(signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted && (await this.step())) {
      // keep going while there is work
    }
  }

  /** Starts the polling loop; the promise resolves when it ends (stopped, or halted). */
  start(): Promise<void> {
    return this.loop.start();
  }

  /** Stops the polling loop promptly, after the block range in hand. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One unit of work: a reorg rewind or one block range. Returns false when caught up. */
  async step(): Promise<boolean> {
    const latest = await this.provider.getBlock("latest");
    if (!latest?.hash) throw new RetryableError("the node returned no latest block");
    this.head = latest.number;
    if (latest.hash === this.idleAt?.hash && this.now() < this.idleAt.until) return false;
    this.idleAt = null;
    const target = this.head - this.options.confirmations;
    const cursor = await latestBlock(this.db);
    this.indexedTo = cursor?.blockNumber ?? null;

    if (cursor && (await this.blockHash(cursor.blockNumber)) !== cursor.blockHash) {
      await this.rewind();
      return true;
    }
    const from = cursor ? cursor.blockNumber + 1 : this.options.deploymentBlock;
    if (from > target) {
      this.idleUntilNewBlock(latest.hash);
      return false;
    }
    const to = Math.min(target, from + this.options.batchBlocks - 1);

    const logs = await this.provider.getLogs({
      address: this.decoder.addresses,
      fromBlock: from,
      toBlock: to,
    });
    // Every block of the range that stays in the window is stored, not only those with logs: a
    // sparse window misses the common ancestor of a shallow reorg and calls it too deep. Blocks
    // deeper than the window below the confirmed head are skipped (a long catch-up).
    const windowFrom = Math.max(from, to - this.options.reorgWindow, target - this.options.reorgWindow);
    const tail = Array.from({ length: Math.max(0, to - windowFrom + 1) }, (_, i) => to - i);
    const headers = await this.headers(new Set([from, to, ...tail, ...logs.map((l) => l.blockNumber)]));
    // The range must continue the chain we stored; otherwise it reorganised between calls and
    // the next step's hash check will rewind.
    const first = headers.get(from)!;
    if (cursor && first.parentHash !== cursor.blockHash) return true;
    for (const l of logs) if (headers.get(l.blockNumber)!.hash !== l.blockHash) return true;

    const events = this.decodeAll(logs, headers);
    // A reorg can reach back to the oldest block the window keeps: from there on, projection
    // changes are recorded for a rewind; older blocks are final to the indexer.
    const keepFrom = to - this.options.reorgWindow;
    await this.db.transaction(async (tx) => {
      await applyEvents(tx, events, keepFrom);
      const blocks: BlockRow[] = [...headers.values()].map((b) => ({
        blockNumber: b.number,
        blockHash: b.hash!,
        parentHash: b.parentHash,
      }));
      await saveBlocks(tx, blocks, keepFrom);
    });
    this.indexedTo = to;
    if (events.length > 0) this.log.info({ from, to, events: events.length }, "indexed ledger events");
    if (to < target) return true;
    this.idleUntilNewBlock(latest.hash);
    return false;
  }

  private async rewind(): Promise<void> {
    const stored = await recentBlocks(this.db);
    for (const b of stored) {
      if ((await this.blockHash(b.blockNumber)) !== b.blockHash) continue;
      const dropped = await this.db.transaction((tx) => rewindTo(tx, b.blockNumber));
      this.indexedTo = b.blockNumber;
      this.log.warn(
        { ancestor: b.blockNumber, depth: stored[0].blockNumber - b.blockNumber, droppedEvents: dropped },
        "chain reorganisation: rewound to the common ancestor",
      );
      return;
    }
    throw new ReorgTooDeepError(stored[stored.length - 1]?.blockNumber ?? this.options.deploymentBlock);
  }

  private decodeAll(logs: Log[], headers: Map<number, Block>): NewEvent[] {
    const events: NewEvent[] = [];
    const ordered = [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    for (const l of ordered) {
      const decoded = this.decoder.decode(l);
      if (!decoded) continue;
      events.push({
        ...decoded,
        blockNumber: l.blockNumber,
        blockHash: l.blockHash,
        blockTime: new Date(headers.get(l.blockNumber)!.timestamp * 1000),
        txHash: l.transactionHash,
        txIndex: l.transactionIndex,
        logIndex: l.index,
      });
    }
    return events;
  }

  /**
   * The headers of `numbers`, asked HEADER_READS at a time: reads issued together leave as one
   * JSON-RPC batch, where one at a time each waited for the last (a range with logs in a
   * thousand blocks spent most of its time on them).
   */
  private async headers(numbers: Set<number>): Promise<Map<number, Block>> {
    const blocks = await mapLimit([...numbers], HEADER_READS, async (n) => {
      const block = await this.provider.getBlock(n);
      // A load-balanced or lagging node may not have it yet.
      if (!block) throw new RetryableError(`block ${n} not found on the node`);
      return block;
    });
    return new Map(blocks.map((b) => [b.number, b]));
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private idleUntilNewBlock(hash: string): void {
    this.idleAt = { hash, until: this.now() + IDLE_RECHECK_MS };
  }

  private async blockHash(n: number): Promise<string | null> {
    return (await this.provider.getBlock(n))?.hash ?? null;
  }
}
