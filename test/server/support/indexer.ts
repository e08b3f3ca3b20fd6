import type { Db } from "../../../server/db";
import { LedgerEventDecoder } from "../../../ledger/events";
import { Indexer, type IndexerOptions } from "../../../server/modules/indexer/indexer.service";
import type { ChainStack } from "./chain";

/**
 * Catches `db`'s index up with the chain, as the gateway's indexer does (no confirmations).
 * `options` override the defaults, e.g. a `reorgWindow` reaching back to the deployment.
 */
export async function indexLedger(
  db: Db,
  chain: ChainStack,
  options: Partial<IndexerOptions> = {},
): Promise<void> {
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const indexer = new Indexer(
    db,
    chain.provider,
    new LedgerEventDecoder(chain.deployment.contracts),
    {
      deploymentBlock: chain.deployment.deploymentBlock,
      confirmations: 0,
      batchBlocks: 2000,
      pollMs: 20,
      reorgWindow: 16,
      ...options,
    },
    silent,
  );
  await indexer.catchUp();
}
