import { GatewayError } from "./gateway-client";

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

/**
 * Calls `fn` until the gateway no longer answers it 404, then returns its answer: what a script
 * just did on the chain is unknown to the gateway (a shipment, a hospital to name) until it has
 * indexed it. Any other error fails at once.
 */
export async function untilIndexed<T>(fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof GatewayError) || error.status !== 404 || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
