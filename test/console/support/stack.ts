import { cpSync, readFileSync } from "node:fs";
import path from "node:path";
import { Wallet, type ContractRunner } from "ethers";
import { HeadroomProvider } from "../../../ledger/gas";
import type { Browser } from "playwright-core";
import type { DemoAccount } from "../../../api/console";
import * as act from "../../../ledger/acts";
import { connectLedger, type DeploymentRecord, type Ledger } from "../../../ledger/contracts";
import { devWallet } from "../../../scripts/lib/anvil";
import { ADMIN_INDEX } from "../../../scripts/lib/stack/accounts";
import { tempDir } from "../../server/helpers/temp-dir";
import { GatewayClient } from "../../../scripts/lib/gateway-client";
import { launchBrowser } from "./browser";
import { demoDataDir, startStack } from "./demo-data";

/**
 * The console's end-to-end tests run against what a user runs: `npm start` (compiled), with its
 * local chain, gateway, console and the demo year loaded, in a throw-away DATA_DIR: a copy of
 * one that loaded the demo for the whole run (demo-data.ts), which `npm start` carries on with.
 */

export interface DemoStack {
  url: string;
  rpcUrl: string;
  accounts: DemoAccount[];
  /** The account of the demo cast named `name` (accounts.json). */
  account(name: string): DemoAccount;
  /** The ledger's contracts (`<DATA_DIR>/deployment.json`), connected to `runner`. */
  ledger(runner: ContractRunner): Ledger;
  /** Everything the stack printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

export async function startDemoStack(): Promise<DemoStack> {
  const dataDir = tempDir("console-e2e");
  cpSync(await demoDataDir(), dataDir, { recursive: true });
  const started = await startStack(dataDir);
  const accounts = JSON.parse(readFileSync(path.join(dataDir, "accounts.json"), "utf8")) as DemoAccount[];
  const deployment = JSON.parse(
    readFileSync(path.join(dataDir, "deployment.json"), "utf8"),
  ) as DeploymentRecord;
  return {
    url: `http://127.0.0.1:${started.port}`,
    rpcUrl: `http://127.0.0.1:${started.chainPort}`,
    accounts,
    account: (name) => {
      const found = accounts.find((a) => a.name === name);
      if (!found) throw new Error(`no demo account ${name}: ${accounts.map((a) => a.name).join(", ")}`);
      return found;
    },
    ledger: (runner) => connectLedger(deployment, runner),
    output: started.output,
    stop: async () => {
      await started.stop();
    },
  };
}

/**
 * An insurance-fund payer of the test's own: development account `index`, past the demo cast's,
 * so nothing of the demo year is its. The demo regulator grants it PAYER_ROLE and the ledger
 * admin mints it `fen`; it holds no ether, as its acts are relayed.
 */
export async function addPayer(stack: DemoStack, fen: bigint, index = 30): Promise<Wallet> {
  // No cache: the regulator's and the admin's acts each read their account's current nonce.
  const provider = new HeadroomProvider(stack.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const payer = new Wallet(devWallet(index).privateKey);
    const regulator = new Wallet(
      stack.account("Provincial Medical Products Administration").privateKey,
      provider,
    );
    const ledger = stack.ledger(provider);
    await act.grantPayer(ledger, regulator, payer.address);
    await act.sent(ledger.token.connect(devWallet(ADMIN_INDEX, provider)).mint(payer.address, fen));
    return payer;
  } finally {
    provider.destroy();
  }
}

let shared: Promise<DemoStack> | undefined;

/**
 * One demo stack for the files that only read the demo year, or change what none of them reads
 * (sign-in, spend, the regulator's reports, a wallet's suspension of Delta): the first starts it
 * and it stops when the run ends, which saves a stack's start per file. Files whose
 * acts change what others read (orders, receipts, bids, the registry's documents) start their own.
 */
export function sharedDemoStack(): Promise<DemoStack> {
  return (shared ??= startDemoStack());
}

/** A suite's own demo stack, its browser, and a gateway client signed in as one demo account. */
export interface DemoSuite {
  stack: DemoStack;
  browser: Browser;
  client: GatewayClient;
}

/**
 * Starts a demo stack of the suite's own, a browser and a client signed in as `account` before
 * the suite's tests, and stops them after. The fields are set once the before hook has run.
 */
export function demoSuite(account: string): DemoSuite {
  const suite = {} as DemoSuite;
  before(async function () {
    suite.stack = await startDemoStack();
    suite.browser = await launchBrowser();
    suite.client = new GatewayClient(suite.stack.url);
    await suite.client.login(new Wallet(suite.stack.account(account).privateKey));
  });
  after(async function () {
    await suite.browser?.close();
    await suite.stack?.stop();
  });
  return suite;
}
