/**
 * Polls `check` until it answers something other than undefined, then returns it; fails after
 * `timeoutMs` naming what it waited for. For waiting on the gateway to index what a script did on
 * the chain: the gateway offers no notification, so there is nothing to await but its answers.
 */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
