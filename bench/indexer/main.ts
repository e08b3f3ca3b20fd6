import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { JsonRpcProvider } from "ethers";
import { LedgerEventDecoder } from "../../ledger/events";
import { migrate, openPglite, openPostgres, type Db, type Engine } from "../../server/db";
import { Indexer } from "../../server/modules/indexer/indexer.service";
import { openChain } from "../../server/plugins/chain";
import { testConfig } from "../../test/server/helpers/config";
import { mochaGlobalTeardown, throwawayDatabase } from "../../test/server/helpers/postgres";
import { startChain, type ChainStack } from "../../test/server/support/chain";
import { enginesFromEnv } from "../lib/engines";
import { alternate, formatSpread, ratios, spread, writeResults, type Spread } from "../lib/rounds";
import { fillChain } from "./chain";

/**
 * npm run bench:indexer — indexing a chain of EVENTS ledger events from scratch, against reading
 * the same blocks with eth_getLogs and decoding them with the ledger's ABI, no database. Baseline
 * and subject alternate, ROUNDS times each, the indexer on a new database every round. Goal:
 * the indexer at least half as fast. Results go to bench/out/indexer.json.
 *
 * BENCH_EVENTS (default 100,000; BENCH_SMOKE=1: 600), BENCH_ROUNDS (3), BENCH_ENGINES.
 */

export interface IndexerBenchOptions {
  engines: Engine[];
  events: number;
  rounds: number;
}

export interface IndexerBenchResult {
  engine: Engine;
  events: number;
  blocks: number;
  eventsPerSecond: { indexer: Spread; getLogs: Spread; ratio: Spread };
  goal: number;
  met: boolean;
}

const GOAL = 0.5;
const BATCH_BLOCKS = testConfig().indexer.batchBlocks;

export async function benchIndexer(options: IndexerBenchOptions): Promise<IndexerBenchResult[]> {
  const chain = await startChain();
  const dir = mkdtempSync(join(tmpdir(), "bench-indexer-"));
  try {
    const filled = await fillChain(chain, options.events);
    const deploymentFile = join(dir, "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(chain.deployment));
    const { provider } = await openChain(
      testConfig({ RPC_URL: chain.node.url, DEPLOYMENT_FILE: deploymentFile }),
    );
    try {
      const head = await provider.getBlockNumber();
      const results: IndexerBenchResult[] = [];
      for (const engine of options.engines) {
        let stored = 0;
        const series = await alternate(
          options.rounds,
          () => readLogs(provider, chain, head),
          async (round) => {
            const run = await indexFromScratch(
              engine,
              join(dir, `${engine}-${round}`),
              provider,
              chain,
              head,
            );
            stored = run.events;
            return run;
          },
        );
        // Both sides read the same blocks: a ratio over different work would mean nothing.
        const decoded = series.baseline.map((r) => r.events);
        if (decoded.some((n) => n !== stored))
          throw new Error(
            `the indexer stored ${stored} events, getLogs + decoding found ${decoded.join(", ")}`,
          );
        const rate = (runs: { events: number; seconds: number }[]) => runs.map((r) => r.events / r.seconds);
        const ratio = ratios(rate(series.subject), rate(series.baseline));
        const result: IndexerBenchResult = {
          engine,
          events: stored,
          blocks: head - chain.deployment.deploymentBlock + 1,
          eventsPerSecond: {
            indexer: spread(rate(series.subject)),
            getLogs: spread(rate(series.baseline)),
            ratio,
          },
          goal: GOAL,
          met: ratio.median >= GOAL,
        };
        results.push(result);
        console.log(
          `${engine.padEnd(8)} ${stored.toLocaleString("en")} events in ${result.blocks.toLocaleString("en")} blocks ` +
            `(${filled.events.toLocaleString("en")} of them trace steps): indexed from scratch ` +
            `${formatSpread(result.eventsPerSecond.indexer)} events/s vs getLogs + decoding ` +
            `${formatSpread(result.eventsPerSecond.getLogs)}: ratio ${formatSpread(ratio, 2)} (min / median / max)` +
            (result.met ? "  goal met" : "  GOAL MISSED"),
        );
      }
      return results;
    } finally {
      provider.destroy();
    }
  } finally {
    await chain.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline: every ledger log of the deployment's blocks, in the indexer's ranges, decoded. */
async function readLogs(
  provider: JsonRpcProvider,
  chain: ChainStack,
  head: number,
): Promise<{ events: number; seconds: number }> {
  const decoder = new LedgerEventDecoder(chain.deployment.contracts);
  const start = performance.now();
  let events = 0;
  for (let from = chain.deployment.deploymentBlock; from <= head; from += BATCH_BLOCKS) {
    const logs = await provider.getLogs({
      address: decoder.addresses,
      fromBlock: from,
      toBlock: Math.min(head, from + BATCH_BLOCKS - 1),
    });
    for (const l of logs) if (decoder.decode(l)) events++;
  }
  return { events, seconds: (performance.now() - start) / 1000 };
}

/** The subject: the gateway's indexer on a new, migrated database (opening it is not timed). */
async function indexFromScratch(
  engine: Engine,
  dataDir: string,
  provider: JsonRpcProvider,
  chain: ChainStack,
  head: number,
): Promise<{ events: number; seconds: number }> {
  let db: Db;
  let drop = async () => undefined as void;
  if (engine === "pglite") {
    db = await openPglite(dataDir);
  } else {
    const database = await throwawayDatabase("bench_indexer");
    drop = database.drop;
    db = await openPostgres({ url: database.url });
  }
  try {
    await migrate(db);
    const config = testConfig({ CONFIRMATIONS: "0" });
    const indexer = new Indexer(
      db,
      provider,
      new LedgerEventDecoder(chain.deployment.contracts),
      {
        deploymentBlock: chain.deployment.deploymentBlock,
        confirmations: 0,
        batchBlocks: config.indexer.batchBlocks,
        pollMs: config.indexer.pollMs,
        reorgWindow: config.indexer.reorgWindow,
      },
      { info: () => undefined, warn: () => undefined, error: () => undefined },
    );
    const start = performance.now();
    await indexer.catchUp();
    const seconds = (performance.now() - start) / 1000;
    if (indexer.status().indexedTo !== head)
      throw new Error(`the indexer stopped at ${indexer.status().indexedTo}, not ${head}`);
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM chain_events`);
    return { events: Number(rows[0].n), seconds };
  } finally {
    await db.close();
    await drop();
  }
}

function optionsFromEnv(): IndexerBenchOptions {
  const smoke = process.env.BENCH_SMOKE === "1";
  return {
    engines: enginesFromEnv(),
    events: Number(process.env.BENCH_EVENTS ?? (smoke ? 600 : 100_000)),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  };
}

if (require.main === module) {
  const options = optionsFromEnv();
  benchIndexer(options)
    .then((results) => console.log(`written to ${writeResults("indexer", { options, results })}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(() => mochaGlobalTeardown());
}
