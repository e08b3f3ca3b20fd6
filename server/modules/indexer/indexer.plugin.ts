import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { LedgerEventDecoder } from "../../../ledger/events";
import { Indexer } from "./indexer.service";

/**
 * `app.indexer`: keeps the database in step with the ledger. Its loop starts when the app is
 * ready and is stopped and awaited on close, so a shutdown never cuts a block range in half
 * (each range is one transaction anyway). Reports its lag to /ready and /metrics.
 */

declare module "fastify" {
  interface FastifyInstance {
    indexer: Indexer;
  }
}

export interface IndexerPluginOptions {
  /** Run the polling loop (off in tests that step the indexer themselves). */
  run: boolean;
}

async function indexerPlugin(app: FastifyInstance, options: IndexerPluginOptions): Promise<void> {
  const { chain, config } = app;
  const indexer = new Indexer(
    app.db,
    chain.provider,
    new LedgerEventDecoder(chain.deployment.contracts),
    {
      deploymentBlock: chain.deployment.deploymentBlock,
      confirmations: config.chain.confirmations,
      batchBlocks: config.indexer.batchBlocks,
      pollMs: config.indexer.pollMs,
      reorgWindow: config.indexer.reorgWindow,
    },
    app.log.child({ module: "indexer" }),
  );
  app.decorate("indexer", indexer);

  app.readiness.register("indexer", async () => {
    const s = indexer.status();
    return {
      ok: !s.stopped && s.lagBlocks !== null,
      lagBlocks: s.lagBlocks,
      indexedTo: s.indexedTo,
      head: s.head,
      error: s.lastError,
    };
  });
  app.metrics.gauge({
    name: "indexer_lag_blocks",
    help: "blocks between the chain head and the last indexed block (confirmations included)",
    collect: (g) => {
      const lag = indexer.status().lagBlocks;
      if (lag !== null) g.set(lag);
    },
  });
  app.metrics.gauge({
    name: "indexer_indexed_block",
    help: "the last block the indexer has applied",
    collect: (g) => {
      const to = indexer.status().indexedTo;
      if (to !== null) g.set(to);
    },
  });

  if (!options.run) return;
  app.addHook("onReady", async () => {
    void indexer.start();
  });
  app.addHook("onClose", () => indexer.stop());
}

export default fp(indexerPlugin, {
  name: "indexer",
  fastify: "5.x",
  dependencies: ["db", "chain", "metrics", "readiness"],
});
