import { subtask, type HardhatUserConfig } from "hardhat/config";
import {
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
  TASK_TEST_GET_TEST_FILES,
} from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

/** Pinned compiler; must equal the version of the npm `solc` package in package.json. */
const SOLC_VERSION = "0.8.30";

// Hardhat downloads compilers from the internet, which this project must never need:
// the npm `solc` package (solcjs) is the compiler for SOLC_VERSION.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion: solc.version(),
  };
});

// An invariant test takes over half the contract tests' time: handed out first, it runs on one of
// `--parallel`'s two workers while the other takes the rest, and both end at about the same time.
subtask(TASK_TEST_GET_TEST_FILES, async (args: { testFiles: string[] }, _hre, runSuper) => {
  const files = (await runSuper(args)) as string[];
  const invariant = (file: string) => file.endsWith(".invariant.test.ts");
  return [...files.filter(invariant), ...files.filter((file) => !invariant(file))];
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
  },
  paths: { tests: "./test/contracts" },
  networks: {
    hardhat: {},
    localhost: { url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
  },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    offline: true,
    currency: "USD",
    outputFile: process.env.REPORT_GAS_FILE,
    noColors: process.env.REPORT_GAS_FILE !== undefined,
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  // Sized for instrumented runs on a busy machine (`npm run coverage` is several times slower
  // than a plain run): a test that needs this long is slow, not stuck.
  // `npm run test:contracts` runs the files on two workers (--parallel): the contract tests run
  // alone in `npm test`, and one worker would leave the second core idle.
  mocha: { timeout: 600_000, jobs: 2 },
};

export default config;
