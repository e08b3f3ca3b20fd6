import { classifyFailure, type FailureKind } from "./failures";

/**
 * The loop of a background worker (the indexer, the payment worker): run a step; run the next
 * one at once while the step reports more work, else wait `intervalMs` (growing up to
 * `idleMaxMs` while steps stay idle, when given); after a failure wait
 * a jittered, exponentially growing pause and try again, unless the failure is permanent
 * (failures.ts), in which case the loop stops for good and reports it.
 *
 * `stop()` is prompt: it cancels a pending wait at once (no timer is left behind) and waits
 * only for the step in hand, so a shutdown never cuts a unit of work in half. Steps receive
 * an AbortSignal that fires on stop, for work that can end early.
 */

export interface LoopLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The timers the loop waits on; tests pass a manual one and advance it themselves. */
export interface Scheduler {
  /** Calls `fn` once after `ms`; the returned function cancels it. */
  schedule(fn: () => void, ms: number): () => void;
}

export const realScheduler: Scheduler = {
  schedule(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

export interface Backoff {
  /** The ceiling of the first retry's pause; it doubles with every further failure. */
  baseMs: number;
  /** The ceiling never grows beyond this. */
  maxMs: number;
}

export interface PollLoopOptions {
  /** Names the loop in its log messages ("indexer" → "indexer step failed; retrying"). */
  name: string;
  /** One unit of work. Resolves true when more work is waiting, false when idle. */
  step: (signal: AbortSignal) => Promise<boolean>;
  /** The pause after an idle step. */
  intervalMs: number;
  /**
   * Where idle pauses may grow to (default `intervalMs`: they do not): each idle step after an
   * idle step doubles the pause up to this, and a step that found work or a poke brings it back
   * to `intervalMs`. For a loop whose work mostly arrives with a poke, so that idling costs
   * little and the first look after work stays prompt.
   */
  idleMaxMs?: number;
  backoff: Backoff;
  log: LoopLogger;
  /** Called once when a permanent failure stops the loop (after it is logged). */
  onHalt?: (error: unknown) => void;
  classify?: (error: unknown) => FailureKind;
  scheduler?: Scheduler;
  /** Uniform in [0, 1): the jitter source. */
  random?: () => number;
}

export interface PollLoopStatus {
  running: boolean;
  /** Failures since the last successful step. */
  failures: number;
  /** The last failure's message, cleared by the next successful step. */
  lastError: string | null;
  /** Stopped by a permanent failure (not by `stop()`). */
  halted: boolean;
}

/**
 * The pause before retry number `failures` (1 for the first): "equal jitter", uniform in
 * [ceiling/2, ceiling) with ceiling = min(maxMs, baseMs · 2^(failures−1)). The lower half keeps
 * the pauses growing; the random upper half keeps replicas that failed together from retrying
 * in lockstep against the node or the database.
 */
export function backoffDelay(failures: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}

export class PollLoop {
  private readonly abort = new AbortController();
  private readonly scheduler: Scheduler;
  private readonly random: () => number;
  private readonly classify: (error: unknown) => FailureKind;
  private loop: Promise<void> | null = null;
  /** Ends the current wait early (stop). */
  private wake: (() => void) | null = null;
  private failures = 0;
  /** Idle steps in a row: the next idle pause is intervalMs · 2^(idleSteps − 1), capped. */
  private idleSteps = 0;
  private lastError: string | null = null;
  private halted = false;
  /** Waiting out the regular interval (not a backoff): a poke may end the wait. */
  private idle = false;
  /** Poked since the current step began: the step may have looked before the work arrived. */
  private poked = false;

  constructor(private readonly options: PollLoopOptions) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.random = options.random ?? Math.random;
    this.classify = options.classify ?? classifyFailure;
  }

  status(): PollLoopStatus {
    return {
      running: this.loop !== null && !this.abort.signal.aborted && !this.halted,
      failures: this.failures,
      lastError: this.lastError,
      halted: this.halted,
    };
  }

  /**
   * Starts the loop (once; later calls return the same promise). The promise resolves when the
   * loop has ended, by `stop()` or by a permanent failure; it never rejects.
   */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /**
   * Work has arrived (a job committed): ends the regular pause at once, or, during a step, has
   * the loop step again instead of pausing. A backoff after failures is kept: arriving work
   * must not hammer a node or a database that is failing.
   */
  poke(): void {
    if (this.failures > 0) return;
    this.poked = true;
    this.idleSteps = 0;
    if (this.idle) this.wake?.();
  }

  /** Ends the loop: cancels a pending wait at once, lets a running step finish, waits for it. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      let pause: number;
      try {
        this.poked = false;
        const more = await this.options.step(signal);
        this.failures = 0;
        this.lastError = null;
        if (more || this.poked) {
          this.idleSteps = 0;
          continue;
        }
        pause = this.idlePause(++this.idleSteps);
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        if (signal.aborted) {
          // A step cut short by the shutdown (its provider or pool closing under it).
          this.options.log.warn({ err: error }, `${this.options.name} step failed while stopping`);
          return;
        }
        if (this.classify(error) === "permanent") {
          this.halted = true;
          this.options.log.error({ err: error }, `${this.options.name} stopped`);
          this.options.onHalt?.(error);
          return;
        }
        this.failures++;
        this.idleSteps = 0;
        pause = backoffDelay(this.failures, this.options.backoff, this.random);
        this.options.log.warn(
          { err: error, failures: this.failures, retryInMs: pause },
          `${this.options.name} step failed; retrying`,
        );
      }
      this.idle = this.failures === 0;
      await this.wait(pause);
      this.idle = false;
    }
  }

  private idlePause(idleSteps: number): number {
    const { intervalMs, idleMaxMs = intervalMs } = this.options;
    return Math.max(intervalMs, Math.min(idleMaxMs, intervalMs * 2 ** Math.min(idleSteps - 1, 30)));
  }

  private async wait(ms: number): Promise<void> {
    if (this.abort.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const cancel = this.scheduler.schedule(resolve, ms);
      this.wake = () => {
        cancel();
        resolve();
      };
    });
    this.wake = null;
  }
}
