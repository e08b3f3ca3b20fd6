import path from "node:path";
import { ConfigError, loadConfig } from "../server/config";
import { demoAccounts, demoCast, writeAccounts, type StackAccount } from "./lib/stack/accounts";
import { ensureBuilt } from "./lib/stack/build";
import { startLocalChain } from "./lib/stack/chain";
import { loadDemoOnce, type DemoOutcome } from "./lib/stack/demo";
import {
  checkExternalDeployment,
  ensureDeployment,
  externalDeploymentFile,
  externalProvider,
  type DeploymentState,
} from "./lib/stack/deployment";
import { StackError, StackInterrupted, StackMismatchError } from "./lib/stack/errors";
import { gatewayEnv, startGateway, type Gateway } from "./lib/stack/gateway";
import { lockStack } from "./lib/stack/lock";
import { resetCommand, stackPaths } from "./lib/stack/paths";
import { consoleReporter } from "./lib/stack/report";
import { chainPort, ensurePortFree, gatewayPort, resolveDataDir } from "./lib/stack/settings";
import { onStopSignals, stopStack, type StackParts } from "./lib/stack/stop";

/**
 * `npm start` (after `npm run build`, from dist/): start a local chain (Anvil) unless RPC_URL
 * points at another one, deploy if needed, start the gateway, load the demo on a fresh
 * DATA_DIR, print where everything is; Ctrl-C stops it gracefully and `npm start` again carries
 * on where it stopped. The steps are the functions of scripts/lib/stack/, one concern a file.
 *
 * Environment: PORT (gateway, default 8080), CHAIN_PORT (local chain, default PORT+1),
 * DATA_DIR (default ./data), RPC_URL (a chain to use instead of starting one; its deployment
 * is DEPLOYMENT_FILE or deployments/<NETWORK>.json), DEMO=false (skip the demo), and every
 * gateway setting of server/config.ts.
 */

async function main(): Promise<number> {
  const reporter = consoleReporter();
  const env = process.env;
  const parts: StackParts = {};
  let stopSignal: NodeJS.Signals | undefined;
  let running = false;
  let wake: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));
  onStopSignals((signal) => {
    stopSignal = signal;
    if (!running) reporter.info(`${signal}: stopping after the current step (again to exit at once)…`);
    wake();
  }, reporter);
  const checkpoint = () => {
    if (stopSignal) throw new StackInterrupted(`${stopSignal} while starting`);
  };

  let dataDir: string | undefined;
  try {
    dataDir = resolveDataDir(env);
    const paths = stackPaths(dataDir);
    const local = !env.RPC_URL;
    const port = gatewayPort(env);
    reporter.info(`Sunshine Ledger — starting the stack in ${dataDir}`);

    parts.lock = await lockStack(dataDir, reporter);
    const host = env.HOST || "127.0.0.1";
    await ensurePortFree(port, "PORT", host === "0.0.0.0" ? undefined : host);
    const cport = local ? await chainPort(env, port) : undefined;
    const rpcUrl = cport !== undefined ? `http://127.0.0.1:${cport}` : env.RPC_URL!;
    const deploymentFile = local ? paths.deployment : externalDeploymentFile(env);
    const genv = gatewayEnv(env, { dataDir, port, rpcUrl, deploymentFile, local });
    loadConfig(genv); // every configuration problem now, before anything starts

    ensureBuilt(reporter);
    checkpoint();

    let deployment: DeploymentState;
    if (cport !== undefined) {
      const chain = await reporter.step(`starting local chain on ${rpcUrl}`, () =>
        startLocalChain(dataDir!, cport),
      );
      parts.chain = chain;
      parts.lock.setChainPid(chain.pid);
      checkpoint();
      deployment = await ensureDeployment(dataDir, chain.provider, reporter);
    } else {
      const provider = await externalProvider(rpcUrl);
      parts.provider = provider;
      deployment = await checkExternalDeployment(deploymentFile, provider, env);
      reporter.done(`using the chain at RPC_URL with ${deploymentFile}`);
    }
    checkpoint();

    const accounts = demoAccounts();
    writeAccounts(dataDir, accounts, local);

    const gateway = await reporter.step("starting gateway", () =>
      startGateway(genv, { logFile: paths.gatewayLog }),
    );
    parts.gateway = gateway;
    checkpoint();

    const demo = await loadDemoOnce(
      {
        gatewayUrl: gateway.url,
        rpcUrl,
        dataDir,
        cast: demoCast(),
        deployment: deployment.record,
        local,
        env,
      },
      reporter,
    );
    checkpoint();

    reporter.info(page({ gateway, rpcUrl, local, deployment, accounts, dataDir, demo }));
    running = true;
    await stopRequested;
    reporter.info(
      `${stopSignal}: stopping — the gateway finishes its current step, then the chain saves its state…`,
    );
    await withTimeout(stopStack(parts, reporter), 30_000);
    return 0;
  } catch (error) {
    await withTimeout(stopStack(parts), 30_000).catch((e: unknown) =>
      reporter.warn(`while stopping: ${(e as Error).message}`),
    );
    if (error instanceof StackInterrupted || (stopSignal && !(error instanceof StackMismatchError))) {
      reporter.info("stopped before the stack was up");
      return 130;
    }
    process.stderr.write(`\n✗ ${describe(error, dataDir)}\n`);
    return 1;
  }
}

function describe(error: unknown, dataDir: string | undefined): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof StackError) return error.message;
  const name = (error as Error)?.name;
  if (name === "DataDirLockedError" || name === "ChainConfigError" || name === "DeploymentError")
    return (error as Error).message;
  const hint = dataDir ? `\n(if the data in ${dataDir} is at fault: ${resetCommand(dataDir)})` : "";
  return `npm start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}${hint}`;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still stopping after ${ms / 1000} s: giving up`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface PageInfo {
  gateway: Gateway;
  rpcUrl: string;
  local: boolean;
  deployment: DeploymentState;
  accounts: StackAccount[];
  dataDir: string;
  demo: DemoOutcome;
}

function page(info: PageInfo): string {
  const { gateway, deployment, accounts, dataDir, local } = info;
  const url = gateway.url;
  const paths = stackPaths(dataDir);
  const rel = (file: string) => path.relative(dataDir, file);
  const lines: string[] = [
    "",
    "Sunshine Ledger is running.",
    "",
    `  Console     ${url}/   — sign in${local ? " with a demo account below, or" : ""} with a browser wallet`,
    `  Gateway     ${url}`,
    `  API docs    ${url}/docs`,
    `  OpenAPI     ${url}/openapi.json`,
    `  Chain       ${info.rpcUrl} — ${local ? "local Anvil" : "RPC_URL"}, chain ${deployment.record.chainId}`,
    `  Deployment  ${deployment.record.deploymentId} (block ${deployment.record.deploymentBlock}, ${deployment.file})`,
    "",
    local
      ? "Demo accounts — development keys of the public test mnemonic: never use them on a real network."
      : "Demo accounts — addresses only (keys are printed for a local development chain only).",
  ];
  const roleWidth = Math.max(...accounts.map((a) => a.role.length)) + 2;
  let lastRole = "";
  for (const a of accounts) {
    const role = a.role === lastRole ? "" : a.role;
    lastRole = a.role;
    lines.push(`  ${role.padEnd(roleWidth)}${a.address}  ${a.name}`);
    if (local && a.privateKey) lines.push(`  ${"".padEnd(roleWidth)}key ${a.privateKey}`);
  }
  lines.push(
    "",
    "Command line (npx sunshine --help lists every role's acts: bids with their bonds, orders and their",
    "funding, shipments, disputes, claims, recalls, membership, pausing):",
    `  export SUNSHINE_RPC_URL=${info.rpcUrl} SUNSHINE_GATEWAY=${url} SUNSHINE_DEPLOYMENT=${deployment.file}`,
    local
      ? // A lot of the demo year: its trail, from the order to the patient, re-checked against the chain.
        "  SUNSHINE_KEY=<the regulator's key above> npx sunshine regulator verify --gtin 09520123456788 --lot DES2611A"
      : "  SUNSHINE_KEY=<a regulator's key> npx sunshine regulator verify --gtin <GTIN> --lot <lot>",
  );
  lines.push("", "Three things to try:");
  thingsToTry(gateway).forEach((t, i) => lines.push(`  ${i + 1}. ${t}`));
  lines.push(
    "",
    `Data in ${dataDir}:`,
    `  ${[
      `${rel(paths.accounts)} (accounts)`,
      gateway.config.db.engine === "pglite" ? `${rel(paths.pglite)}/ (database)` : "database: DATABASE_URL",
      ...(local ? [`${rel(paths.stateFile)} (chain state)`, `${rel(paths.deployment)}`] : []),
      `${rel(paths.gatewayLog)} (gateway log)`,
    ].join(", ")}`,
    "",
    `Ctrl-C stops it; npm start again carries on where it stopped; ${resetCommand(dataDir)} starts over.`,
  );
  return lines.join("\n");
}

/** Three things a newcomer can do at once, without a token. */
function thingsToTry(gateway: Gateway): string[] {
  const url = gateway.url;
  return [
    `curl -s ${url}/ready   — is the gateway ready (database, chain, indexer checks)`,
    `open ${url}/docs in a browser — every route, with its schemas, to try out`,
    `curl -s -X POST ${url}/v1/barcodes/parse -H 'content-type: application/json' ` +
      `-d '{"barcode":"(01)09520123456788(17)281231(10)LOT2026A(21)SN00001"}'   — parse a GS1 label`,
  ];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
