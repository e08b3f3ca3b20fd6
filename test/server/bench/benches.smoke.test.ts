import { expect } from "chai";
import { postgresSkipped } from "../helpers/postgres";
import { figures, runBench } from "./run-bench";

/**
 * The gateway, indexer and end-to-end benches (npm run bench:gateway, bench:indexer, bench:e2e)
 * in their smoke modes, one round each: they still run and check what they measure. Their
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
          "POST /v1/usages",
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
      // 2,000 trace steps, and the procurement and orders that made them possible.
      expect(r.events, r.engine).to.be.at.least(2_000);
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
    expect(results.map((r) => r.receipts)).to.deep.equal([20, 5]);
    console.log(figures(run.output, /posted → paid/));
  });
});
