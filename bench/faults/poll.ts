/**
 * Waiting on state another process shows (a node answering, a replica listening, an outbox
 * draining): poll `check` until it returns something other than undefined, or fail after
 * `timeoutMs` naming what was awaited. The bench never sleeps for a fixed time to synchronise.
 */
export async function poll<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 60_000, everyMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(everyMs);
  }
}

/** A pause that paces work (request rates, retry backoff); never used to wait for an outcome. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
