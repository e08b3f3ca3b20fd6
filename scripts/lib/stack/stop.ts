import type { JsonRpcProvider } from "ethers";
import type { LocalChain } from "./chain";
import type { Gateway } from "./gateway";
import type { StackLock } from "./lock";
import { seconds, silentReporter, type Reporter } from "./report";

export interface StackParts {
  lock?: StackLock;
  chain?: LocalChain;
  /** A provider the stack opened for RPC_URL (not the local chain's). */
  provider?: JsonRpcProvider;
  gateway?: Gateway;
}

/**
 * Stops what was started, in order: the gateway (its indexer and payment outbox finish the
 * step in hand), then the chain with SIGINT so Anvil writes its state file, then the lock.
 */
export async function stopStack(parts: StackParts, reporter: Reporter = silentReporter): Promise<void> {
  const started = performance.now();
  try {
    if (parts.gateway) {
      const gateway = parts.gateway;
      parts.gateway = undefined;
      await gateway.close();
    }
  } finally {
    parts.provider?.destroy();
    parts.provider = undefined;
    if (parts.chain) {
      const chain = parts.chain;
      parts.chain = undefined;
      const saved = await chain.stop();
      if (!saved)
        reporter.warn(`the chain did not stop in time and was killed: ${chain.stateFile} may be stale`);
    }
    parts.lock?.release();
  }
  reporter.done(`stopped (${seconds(performance.now() - started)})`);
}

/**
 * SIGINT/SIGTERM: the first calls `onStop`; a second one exits at once (code 130), the chain
 * still getting its SIGINT from the exit hook. Returns a function that removes the handlers.
 */
export function onStopSignals(onStop: (signal: NodeJS.Signals) => void, reporter: Reporter): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count += 1;
    if (count > 1) {
      reporter.warn(`second ${signal}: exiting without waiting`);
      process.exit(130);
    }
    onStop(signal);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.removeListener("SIGINT", handler);
    process.removeListener("SIGTERM", handler);
  };
}
