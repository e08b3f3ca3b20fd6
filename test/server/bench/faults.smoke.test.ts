import { expect } from "chai";
import { buildOnce } from "../helpers/build";
import { postgresSkipped } from "../helpers/postgres";
import { figures, runBench } from "./run-bench";

/**
 * The faults bench (`npm run bench:faults`, bench/faults/) in its smoke mode: 40 s of mixed
 * traffic over two gateway replicas (the compiled gateway, as deployed) with a fault every
 * 12 s — a replica SIGKILLed, the chain stopped or frozen — then its checks: every receipt paid
 * exactly once or held as an exception, every usage stored once, every relayed act filed once,
 * the index equal to a fresh one.
 */

// Under SKIP_POSTGRES=1 the suite is skipped (the bench runs its replicas on PostgreSQL), and the
// run says so (helpers/postgres.ts).
(postgresSkipped ? describe.skip : describe)("faults bench, smoke mode (bench/faults)", function () {
  this.timeout(300_000);

  before(async function () {
    await buildOnce();
  });

  it("keeps every receipt, usage and relayed act exactly once through replica kills and chain outages", async function () {
    const run = await runBench<{
      passed: boolean;
      faults: { byKind: Record<string, number> };
      receipts: { answered2xx: number; doublePaid: string[] };
      usages: { answered2xx: number; stored: number };
    }>("faults", { BENCH_FAULTS_SECONDS: "40" });
    expect(run.code, run.output).to.equal(0);
    const report = run.results;
    expect(report.passed, run.output).to.equal(true);
    expect(report.faults.byKind["gateway-sigkill"]).to.be.at.least(2);
    expect(report.receipts.answered2xx).to.be.greaterThan(0);
    expect(report.receipts.doublePaid).to.deep.equal([]);
    expect(report.usages.stored).to.equal(report.usages.answered2xx);
    console.log(figures(run.output, /^(faults bench|receipts|usages|relayed|index|settled|faults:|5xx)/));
  });
});
