// The gateway and console suites (npm run test:server). Parallel: four workers on two cores, as a
// console file waits on its browser, its chain and its stack's start; one file at a time each.
const fs = require("node:fs");
const path = require("node:path");

/**
 * Handed out first, longest first (file times of a full run, 2026-12-06 night, 65–300 s each under
 * the run's load): four workers take files in order, so a long file taken last runs on alone at
 * the end (that run ended with the trail's and the claim's files, 190 and 170 s, started in its
 * last 350 s). The first four mix the console (which waits for the demo year's load) with the
 * busiest server files.
 */
const LONGEST = [
  "test/console/regulator.test.ts",
  "test/server/bench/benches.smoke.test.ts",
  "test/server/modules/payments/settlement.crash.test.ts",
  "test/console/fund.test.ts",
  "test/server/modules/trail/trail.test.ts",
  "test/console/settlement-claim.test.ts",
  "test/server/fuzz/gateway.fuzz.test.ts",
  "test/console/stocktake.test.ts",
  "test/server/start/start.test.ts",
  "test/console/stock.test.ts",
  "test/console/sunshine.test.ts",
  "test/server/bench/faults.smoke.test.ts",
  "test/console/hospital.test.ts",
  "test/console/supplier.test.ts",
  "test/server/api/access.test.ts",
  "test/console/consignment.test.ts",
  "test/console/ledger-budgets.test.ts",
  "test/console/warehouse.test.ts",
];

function testFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) return testFiles(file);
      return e.name.endsWith(".test.ts") ? [file] : [];
    });
}

const all = [...testFiles("test/server"), ...testFiles("test/console")];
for (const file of LONGEST) if (!all.includes(file)) throw new Error(`.mocharc.cjs: no test file ${file}`);

module.exports = {
  require: [
    "test/server/helpers/ts-register.js",
    "test/server/helpers/temp-dir.ts",
    "test/server/helpers/postgres.ts",
    "test/server/helpers/build.ts",
    "test/console/support/demo-data.ts",
  ],
  spec: [...LONGEST, ...all.filter((file) => !LONGEST.includes(file))],
  timeout: 120000,
  exit: true,
  parallel: true,
  jobs: 4,
};
