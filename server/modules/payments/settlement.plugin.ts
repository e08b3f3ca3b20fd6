import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ConsignmentBook__factory, OrderBook__factory } from "../../../typechain-types";
import { PollLoop } from "../../lib/poll-loop";
import { cutBatches } from "../consignment/consumption.batcher";
import { jobsByStatus, outboxDepth } from "./settlement.repository";
import { settlerCheck } from "./settler-check";
import { SettlementWorker } from "./settlement.worker";

/**
 * `app.settlementWorker`: the payment outbox's worker, when payments are enabled (the settler
 * key is configured). Its loop starts on ready; on close it is stopped and awaited, so the job
 * in hand is recorded before the process exits. Outbox depth goes to /metrics. Beside it, the
 * consumption batcher cuts consigned stock's usages into batches for the worker to pay
 * (consumption.batcher.ts), looking at most every 10 s (sooner for a shorter interval).
 */

declare module "fastify" {
  interface FastifyInstance {
    settlementWorker: SettlementWorker | null;
  }
}

export interface SettlementPluginOptions {
  run: boolean;
}

async function settlementPlugin(app: FastifyInstance, options: SettlementPluginOptions): Promise<void> {
  const { chain, config } = app;
  app.metrics.gauge({
    name: "settlement_outbox_depth",
    help: "payment worker jobs (payments, consumption batches, held receipts' disputes) pending or submitted",
    collect: async (g) => g.set(await outboxDepth(app.db)),
  });
  app.metrics.gauge({
    name: "settlement_jobs",
    help: "payment worker jobs by kind (settlement, consumption, dispute) and status",
    labelNames: ["kind", "status"],
    collect: async (g) => {
      const rows = await jobsByStatus(app.db);
      // A kind and status with no jobs left is dropped, not left at its last count.
      g.reset();
      for (const r of rows) g.set({ kind: r.kind, status: r.status }, r.n);
    },
  });
  const { settler } = chain;
  if (!settler) {
    app.decorate("settlementWorker", null);
    return;
  }
  const worker = new SettlementWorker(
    app.db,
    chain.provider,
    settler,
    OrderBook__factory.connect(chain.deployment.contracts.orderBook, settler),
    chain.ledger.trace,
    ConsignmentBook__factory.connect(chain.deployment.contracts.consignment, settler),
    {
      pollMs: config.indexer.pollMs,
      receiptTimeoutMs: 30_000,
      confirmations: config.chain.confirmations,
      preflight: () => settlerCheck(chain.ledger, settler.address, config.hospital),
    },
    app.log.child({ module: "settlement" }),
  );
  app.decorate("settlementWorker", worker);
  app.metrics.gauge({
    name: "settlement_worker_halted",
    help: "1 when the payment worker stopped on a permanent failure (see its error log)",
    collect: (g) => g.set(worker.halted() ? 1 : 0),
  });
  if (!options.run || !config.payments.enabled) return;
  const batcher = new PollLoop({
    name: "consumption batcher",
    step: async () => {
      const cut = (await cutBatches(app.db, config.consignment)).length > 0;
      // A batch is a payment job: the worker pays it now, not at its next idle look.
      if (cut) worker.wake();
      return cut;
    },
    intervalMs: Math.min(config.consignment.batchIntervalMs, 10_000),
    backoff: { baseMs: 2 * config.indexer.pollMs, maxMs: 30_000 },
    log: app.log.child({ module: "consumption-batcher" }),
  });
  app.addHook("onReady", async () => {
    void worker.start();
    void batcher.start();
  });
  app.addHook("onClose", async () => {
    await batcher.stop();
    await worker.stop();
  });
}

export default fp(settlementPlugin, {
  name: "settlement",
  fastify: "5.x",
  dependencies: ["db", "chain", "metrics"],
});
