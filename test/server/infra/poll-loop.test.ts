import { expect } from "chai";
import { PermanentError, RetryableError } from "../../../server/lib/failures";
import {
  backoffDelay,
  PollLoop,
  realScheduler,
  type PollLoopOptions,
  type Scheduler,
} from "../../../server/lib/poll-loop";
import { Counter } from "../helpers/latch";

/**
 * The background loop of the indexer and the payment worker, on a manual scheduler: no test
 * here sleeps. The scheduler records each wait the loop asks for; the test fires it.
 */

class ManualScheduler implements Scheduler {
  private readonly timers = new Set<{ ms: number; fn: () => void }>();
  /** Waits the loop has asked for, cancelled or not. */
  readonly scheduled = new Counter();
  readonly history: number[] = [];

  schedule(fn: () => void, ms: number): () => void {
    const timer = { ms, fn };
    this.timers.add(timer);
    this.history.push(ms);
    this.scheduled.increment();
    return () => this.timers.delete(timer);
  }

  /** The waits still pending, in ms. */
  pending(): number[] {
    return [...this.timers].map((t) => t.ms);
  }

  /** Ends the one pending wait. */
  fire(): void {
    const [timer, ...others] = this.timers;
    expect(timer, "a pending wait").to.not.equal(undefined);
    expect(others, "one wait at a time").to.have.length(0);
    this.timers.delete(timer);
    timer.fn();
  }
}

interface LogEntry {
  level: "warn" | "error";
  obj: Record<string, unknown>;
  msg: string;
}

function setUp(step: PollLoopOptions["step"], overrides: Partial<PollLoopOptions> = {}) {
  const scheduler = new ManualScheduler();
  const entries: LogEntry[] = [];
  const halts: unknown[] = [];
  const loop = new PollLoop({
    name: "worker",
    step,
    intervalMs: 1000,
    backoff: { baseMs: 100, maxMs: 1600 },
    log: {
      warn: (obj, msg) => entries.push({ level: "warn", obj: obj as Record<string, unknown>, msg }),
      error: (obj, msg) => entries.push({ level: "error", obj: obj as Record<string, unknown>, msg }),
    },
    onHalt: (error) => halts.push(error),
    scheduler,
    ...overrides,
  });
  return { loop, scheduler, entries, halts };
}

/** A step that answers from `script` in turn (true/false: more work or idle; an Error: throws). */
function scripted(script: (boolean | Error)[]) {
  const calls = new Counter();
  const step = async () => {
    const next = script[calls.value] ?? false;
    calls.increment();
    if (next instanceof Error) throw next;
    return next;
  };
  return { step, calls };
}

describe("PollLoop", function () {
  describe("backoffDelay", function () {
    const backoff = { baseMs: 100, maxMs: 1600 };

    it("doubles its ceiling with each failure up to the maximum, jittered in the upper half", function () {
      const ceilings = [100, 200, 400, 800, 1600, 1600, 1600];
      ceilings.forEach((ceiling, i) => {
        const failures = i + 1;
        expect(
          backoffDelay(failures, backoff, () => 0),
          `lowest after ${failures}`,
        ).to.equal(ceiling / 2);
        expect(
          backoffDelay(failures, backoff, () => 0.999_999),
          `highest after ${failures}`,
        ).to.equal(ceiling - 1);
        for (let k = 0; k < 50; k++) {
          expect(backoffDelay(failures, backoff)).to.be.within(ceiling / 2, ceiling - 1);
        }
      });
    });

    it("really jitters: replicas failing together do not retry in lockstep", function () {
      const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, backoff)));
      expect(delays.size).to.be.greaterThan(10);
    });
  });

  it("runs steps back to back while there is work, then waits the interval", async function () {
    const { step, calls } = scripted([true, true, false, false]);
    const { loop, scheduler } = setUp(step);
    const ended = loop.start();
    await scheduler.scheduled.reach(1);
    expect(calls.value).to.equal(3);
    expect(scheduler.pending()).to.deep.equal([1000]);

    scheduler.fire();
    await scheduler.scheduled.reach(2);
    expect(calls.value).to.equal(4);
    expect(loop.status()).to.deep.equal({ running: true, failures: 0, lastError: null, halted: false });

    await loop.stop();
    await ended;
    expect(scheduler.pending()).to.deep.equal([]);
  });

  it("waits the same interval after every idle step unless told it may grow", async function () {
    const { step } = scripted([false, false, false]);
    const { loop, scheduler } = setUp(step);
    const ended = loop.start();
    for (let n = 1; n <= 3; n++) {
      await scheduler.scheduled.reach(n);
      if (n < 3) scheduler.fire();
    }
    expect(scheduler.history).to.deep.equal([1000, 1000, 1000]);
    await loop.stop();
    await ended;
  });

  it("with idleMaxMs, doubles the pause after each idle step up to it, until work or a poke brings back the interval", async function () {
    const { step, calls } = scripted([false, false, false, false, false, true, false, false]);
    const { loop, scheduler } = setUp(step, { idleMaxMs: 5000 });
    const ended = loop.start();
    for (let n = 1; n <= 5; n++) {
      await scheduler.scheduled.reach(n);
      if (n < 5) scheduler.fire();
    }
    expect(scheduler.history).to.deep.equal([1000, 2000, 4000, 5000, 5000]);

    // The sixth step finds work and the seventh nothing: the interval again, then growing.
    scheduler.fire();
    await scheduler.scheduled.reach(6);
    expect(calls.value).to.equal(7);
    scheduler.fire();
    await scheduler.scheduled.reach(7);
    expect(scheduler.history.slice(5)).to.deep.equal([1000, 2000]);

    // A poke ends the 2 s wait; its step finds nothing, and the pause starts from the interval.
    loop.poke();
    await scheduler.scheduled.reach(8);
    expect(calls.value).to.equal(9);
    expect(scheduler.history.slice(7)).to.deep.equal([1000]);
    await loop.stop();
    await ended;
  });

  it("after a failure, starts the idle pauses again from the interval", async function () {
    const { step } = scripted([false, false, false, new RetryableError("node down"), false]);
    const { loop, scheduler } = setUp(step, { idleMaxMs: 5000, random: () => 0 });
    const ended = loop.start();
    for (let n = 1; n <= 5; n++) {
      await scheduler.scheduled.reach(n);
      if (n < 5) scheduler.fire();
    }
    expect(scheduler.history).to.deep.equal([1000, 2000, 4000, 50, 1000]);
    await loop.stop();
    await ended;
  });

  it("a poke ends the interval's wait at once: the step runs again without the timer firing", async function () {
    const { step, calls } = scripted([false, false, false]);
    const { loop, scheduler } = setUp(step);
    const ended = loop.start();
    await scheduler.scheduled.reach(1);
    expect(calls.value).to.equal(1);

    loop.poke();
    await scheduler.scheduled.reach(2);
    expect(calls.value).to.equal(2);
    expect(scheduler.pending()).to.deep.equal([1000]);
    await loop.stop();
    await ended;
  });

  it("a poke during a step makes the loop step again instead of waiting: work that came after the step looked", async function () {
    const calls = new Counter();
    let poke: () => void = () => undefined;
    const { loop, scheduler } = setUp(async () => {
      calls.increment();
      // The first step finds nothing, and work arrives while it is still running.
      if (calls.value === 1) poke();
      return false;
    });
    poke = () => loop.poke();
    const ended = loop.start();
    await scheduler.scheduled.reach(1);
    expect(calls.value).to.equal(2);
    expect(scheduler.history).to.deep.equal([1000]);
    await loop.stop();
    await ended;
  });

  it("a poke keeps a backoff: arriving work does not hammer a failing node", async function () {
    const { step, calls } = scripted([new RetryableError("node down"), false]);
    const { loop, scheduler } = setUp(step, { random: () => 0 });
    const ended = loop.start();
    await scheduler.scheduled.reach(1);
    expect(scheduler.pending()).to.deep.equal([50]);

    loop.poke();
    // Still waiting out the backoff: nothing ran, the same timer is pending.
    await Promise.resolve();
    expect(calls.value).to.equal(1);
    expect(scheduler.pending()).to.deep.equal([50]);
    scheduler.fire();
    await scheduler.scheduled.reach(2);
    expect(calls.value).to.equal(2);
    await loop.stop();
    await ended;
  });

  it("backs off after retryable failures with growing jittered pauses, and resets after a success", async function () {
    const flaky = (n: number) => new RetryableError(`node unreachable ${n}`);
    const { step, calls } = scripted([flaky(1), flaky(2), flaky(3), flaky(4), true, flaky(5), false]);
    const random = [0, 0.5, 0.999_999, 0.25, 0.75];
    let r = 0;
    const { loop, scheduler, entries } = setUp(step, { random: () => random[r++] });
    const ended = loop.start();
    for (let n = 1; n <= 5; n++) {
      await scheduler.scheduled.reach(n);
      scheduler.fire();
    }
    await scheduler.scheduled.reach(6);
    await loop.stop();
    await ended;

    expect(calls.value).to.equal(7);
    // Ceilings 100, 200, 400, 800; the success resets them; then 100 again; then the interval.
    expect(scheduler.history).to.deep.equal([50, 150, 399, 500, 87, 1000]);
    const warnings = entries.filter((e) => e.level === "warn");
    expect(warnings.map((w) => [w.obj.failures, w.obj.retryInMs])).to.deep.equal([
      [1, 50],
      [2, 150],
      [3, 399],
      [4, 500],
      [1, 87],
    ]);
    expect(warnings.every((w) => w.msg === "worker step failed; retrying")).to.equal(true);
    expect(entries.filter((e) => e.level === "error")).to.deep.equal([]);
  });

  it("reports the last failure until a step succeeds", async function () {
    const { step } = scripted([new Error("socket hang up"), false]);
    const { loop, scheduler } = setUp(step);
    const ended = loop.start();
    await scheduler.scheduled.reach(1);
    expect(loop.status()).to.include({ failures: 1, lastError: "socket hang up", halted: false });
    scheduler.fire();
    await scheduler.scheduled.reach(2);
    expect(loop.status()).to.include({ failures: 0, lastError: null });
    await loop.stop();
    await ended;
  });

  it("stops for good on a permanent failure: logs it, calls onHalt once, leaves no timer", async function () {
    const fatal = new PermanentError("reorg deeper than the window");
    const { step, calls } = scripted([new RetryableError("node busy"), fatal, true]);
    const { loop, scheduler, entries, halts } = setUp(step);
    const ended = loop.start();
    await scheduler.scheduled.reach(1);
    scheduler.fire();
    await ended; // the loop ends by itself

    expect(calls.value).to.equal(2);
    expect(halts).to.deep.equal([fatal]);
    expect(scheduler.pending()).to.deep.equal([]);
    expect(scheduler.history).to.have.length(1);
    expect(loop.status()).to.deep.equal({
      running: false,
      failures: 1,
      lastError: "reorg deeper than the window",
      halted: true,
    });
    expect(entries.at(-1)).to.deep.include({ level: "error", msg: "worker stopped" });
    expect(entries.at(-1)!.obj.err).to.equal(fatal);
    // stop() after a halt is harmless.
    await loop.stop();
  });

  it("takes a custom classification", async function () {
    const { step } = scripted([new Error("schema mismatch")]);
    const { loop, halts } = setUp(step, { classify: () => "permanent" });
    await loop.start();
    expect(halts).to.have.length(1);
    expect(loop.status().halted).to.equal(true);
  });

  it("stops at once during a wait and cancels its timer", async function () {
    const { step, calls } = scripted([false]);
    const { loop, scheduler } = setUp(step);
    const ended = loop.start();
    await scheduler.scheduled.reach(1);
    expect(scheduler.pending()).to.deep.equal([1000]);

    await loop.stop(); // resolves without the wait ever firing
    await ended;
    expect(scheduler.pending()).to.deep.equal([]);
    expect(calls.value).to.equal(1);
    expect(loop.status()).to.include({ running: false, halted: false });
  });

  it("stops during a step by letting it finish, aborting its signal, and starting nothing after it", async function () {
    let release!: () => void;
    const inStep = new Counter();
    let seen: AbortSignal | undefined;
    const step = (signal: AbortSignal) => {
      seen = signal;
      inStep.increment();
      return new Promise<boolean>((resolve) => {
        release = () => resolve(true);
      });
    };
    const { loop, scheduler } = setUp(step);
    const ended = loop.start();
    await inStep.reach(1);

    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(seen!.aborted, "the step is told to wrap up").to.equal(true);
    expect(stopped, "stop() waits for the step in hand").to.equal(false);

    release(); // the step reports more work: the loop must not run another
    await stopping;
    await ended;
    expect(inStep.value).to.equal(1);
    expect(scheduler.history).to.deep.equal([]);
  });

  it("does not retry or halt on a failure of the step cut short by stop()", async function () {
    let fail!: () => void;
    const inStep = new Counter();
    const step = () => {
      inStep.increment();
      return new Promise<boolean>((_, reject) => {
        fail = () => reject(new PermanentError("provider destroyed"));
      });
    };
    const { loop, scheduler, entries, halts } = setUp(step);
    const ended = loop.start();
    await inStep.reach(1);
    const stopping = loop.stop();
    fail();
    await stopping;
    await ended;
    expect(halts).to.deep.equal([]);
    expect(loop.status().halted).to.equal(false);
    expect(scheduler.history).to.deep.equal([]);
    expect(entries.map((e) => [e.level, e.msg])).to.deep.equal([
      ["warn", "worker step failed while stopping"],
    ]);
  });

  it("on real timers, stop() during an hour-long wait returns at once and leaves no timer behind", async function () {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const waiting = new Counter();
    const loop = new PollLoop({
      name: "worker",
      step: async () => false,
      intervalMs: 3_600_000,
      backoff: { baseMs: 100, maxMs: 1600 },
      log: { warn: () => undefined, error: () => undefined },
      scheduler: {
        schedule(fn, ms) {
          const cancel = realScheduler.schedule(fn, ms);
          waiting.increment();
          return cancel;
        },
      },
    });
    const ended = loop.start();
    await waiting.reach(1);
    const whileWaiting = timers();
    await loop.stop();
    await ended;
    // The loop's timer, and only it, is gone (mocha keeps timers of its own).
    expect(timers()).to.equal(whileWaiting - 1);
  });
});
