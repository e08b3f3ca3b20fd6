/**
 * A counter tests can wait on: the code under test (through a logger, a hook or a provider
 * wrapper) counts what happened, and the test awaits `reach(n)` instead of sleeping and hoping
 * it happened. A wait that is never satisfied fails by the test's timeout.
 */
export class Counter {
  private count = 0;
  private waiters: { target: number; resolve: () => void }[] = [];

  get value(): number {
    return this.count;
  }

  increment(): void {
    this.count++;
    const due = this.waiters.filter((w) => this.count >= w.target);
    this.waiters = this.waiters.filter((w) => this.count < w.target);
    for (const w of due) w.resolve();
  }

  /** Resolves once the count is at least `target` (at once if it is already). */
  reach(target: number): Promise<void> {
    if (this.count >= target) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }
}

/**
 * Polls `condition` until it holds, for state only another process can show (a database
 * server's lock table, a child process's files): fails after `timeoutMs` naming `what`.
 */
export async function until(
  what: string,
  condition: () => Promise<boolean> | boolean,
  { timeoutMs = 20_000, everyMs = 10 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
