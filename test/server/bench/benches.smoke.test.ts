import { expect } from "chai";
import { freePort } from "../../../scripts/lib/stack/settings";
import { postgresSkipped } from "../helpers/postgres";
import { figures, runBench } from "./run-bench";

/**
 * The gateway, receipt-grouping, indexer, end-to-end and local-chain benches (npm run
 * bench:gateway, bench:receipt-groups, bench:indexer, bench:e2e, bench:chain) in their smoke modes, one round each: they still run and check what they measure. Their
 * figures are printed, not asserted: a smoke run is too short to mean anything, and speed is
 * the long runs' business (docs/performance.md).
 */

const ENGINES = postgresSkipped ? ["pglite"] : ["pglite", "postgres"];

describe("benches, smoke mode (bench/)", function () {
  this.timeout(300_000);

  it("bench:gateway measures every route against the bare route on each engine, every request answered 2xx", async function () {
    const run = await runBench<{
      results: {
        results: {
          engine: string;
          scenario: string;
          failures: number;
          perSecond: { ratio: { median: number } };
        }[];
      };
    }>("gateway", { BENCH_ROUNDS: "1" });
    expect(run.code, run.output).to.equal(0);
    const results = run.results.results.results;
    expect(results.map((r) => `${r.engine} ${r.scenario}`)).to.deep.equal(
      ENGINES.flatMap((e) =>
        [
          "POST /v1/receipts, 1 line",
          "POST /v1/receipts, 10 lines",
          "POST /v1/receipts, 1 line, its read alone",
          "POST /v1/receipts, 1 line, its service alone",
          "POST /v1/usages",
          "POST /v1/usages, one statement a usage",
          "POST /v1/usages, its service alone",
          "GET /v1/orders as a regulator",
        ].map((s) => `${e} ${s}`),
      ),
    );
    for (const r of results) {
      expect(r.failures, `${r.engine} ${r.scenario}`).to.equal(0);
      expect(r.perSecond.ratio.median, `${r.engine} ${r.scenario}`).to.be.greaterThan(0);
    }
    console.log(figures(run.output, /req\/s/));
  });

  it("bench:receipt-groups sends receipts' writes one by one and in groups, and each stores its receipt", async function () {
    const run = await runBench<{
      results: {
        results: { engine: string; group: number; ratio: { prepared: { median: number } } }[];
      };
    }>("receipt-groups", { BENCH_ROUNDS: "1" });
    expect(run.code, run.output).to.equal(0);
    const results = run.results.results.results;
    expect(results.map((r) => [r.engine, r.group])).to.deep.equal(ENGINES.map((e) => [e, 5]));
    for (const r of results) expect(r.ratio.prepared.median, r.engine).to.be.greaterThan(0);
    console.log(figures(run.output, /groups of/));
  });

  it("bench:indexer indexes a filled chain from scratch and stores every event getLogs decodes", async function () {
    const run = await runBench<{
      results: {
        results: { engine: string; events: number; eventsPerSecond: { ratio: { median: number } } }[];
      };
    }>("indexer", { BENCH_ROUNDS: "1" });
    expect(run.code, run.output).to.equal(0);
    const results = run.results.results.results;
    expect(results.map((r) => r.engine)).to.deep.equal(ENGINES);
    for (const r of results) {
      // 600 trace steps, and the procurement and orders that made them possible.
      expect(r.events, r.engine).to.be.at.least(600);
      expect(r.eventsPerSecond.ratio.median, r.engine).to.be.greaterThan(0);
    }
    console.log(figures(run.output, /events\/s/));
  });

  it("bench:e2e pays every receipt it posts, with automine and with 1-second blocks", async function () {
    const run = await runBench<{
      results: { results: { mining: string; receipts: number }[] };
    }>("e2e");
    expect(run.code, run.output).to.equal(0);
    const results = run.results.results.results;
    expect(results.map((r) => r.receipts)).to.deep.equal([10, 3]);
    console.log(figures(run.output, /posted → paid/));
  });

  it("bench:chain grows the local chain with the stack's flags, restarts it from its state file and still answers every old block and log", async function () {
    const keep = 16;
    const run = await runBench<{
      results: {
        runs: { keep: number; blocks: number; txPerBlock: number; checks: string[]; historyDepth: number }[];
      };
    }>("chain", {
      BENCH_CHAIN_PORT: String(await freePort()),
      BENCH_KEEP: String(keep),
      BENCH_BLOCKS: "300,600",
      BENCH_TX_BLOCKS: "40",
      BENCH_TX_PER_BLOCK: "2",
    });
    expect(run.code, run.output).to.equal(0);
    const runs = run.results.results.runs;
    expect(runs.map((r) => `${r.keep} ${r.blocks}×${r.txPerBlock}`)).to.deep.equal([
      `${keep} 300×0`,
      `${keep} 600×0`,
      `${keep} 40×2`,
    ]);
    expect(runs[2].checks).to.deep.equal([
      "head is block 40",
      "block 2 with its 2 transactions",
      "eth_getLogs over blocks 0–40: 78 logs",
      "a read at the head",
    ]);
    // Old states go: a restarted and regrown chain answers state reads for its last `keep` blocks.
    expect(runs.map((r) => r.historyDepth)).to.deep.equal([keep, keep, keep]);
    console.log(figures(run.output, /^keep/));
  });
});
