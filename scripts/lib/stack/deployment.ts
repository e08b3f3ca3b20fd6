import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { JsonRpcProvider, NonceManager } from "ethers";
import type { DeploymentRecord } from "../../../ledger/contracts";
import { devWallet } from "../anvil";
import { ADMIN_INDEX, REGULATOR_INDEX } from "./accounts";
import { mismatch, outdated, StackError } from "./errors";
import { LOCAL_NETWORK, stackPaths, type StackPaths } from "./paths";
import { silentReporter, type Reporter } from "./report";

export interface DeploymentState {
  record: DeploymentRecord;
  file: string;
  /** Deployed by this call (a fresh chain), rather than found. */
  deployed: boolean;
}

/** What is wrong with `record` on the chain behind `provider`: another chain id, contracts without code. */
export async function deploymentProblems(
  record: DeploymentRecord,
  provider: JsonRpcProvider,
): Promise<string[]> {
  const chainId = Number(await provider.send("eth_chainId", []));
  if (chainId !== record.chainId) return [`the chain's id is ${chainId}, the deployment's ${record.chainId}`];
  const entries = Object.entries(record.contracts);
  const missing: string[] = [];
  for (const [name, address] of entries) {
    const code = (await provider.send("eth_getCode", [address, "latest"])) as string;
    if (code === "0x") missing.push(`${name} (${address})`);
  }
  if (missing.length > 0 && missing.length === entries.length)
    return [`none of its ${entries.length} contracts has code on the chain (e.g. ${missing[0]})`];
  return missing.map((m) => `${m} has no code`);
}

/**
 * The contracts of the current ledger that the deployment record in `file` lacks: a record
 * written by an earlier version of the ledger (before v2 there was no agreement book). Empty
 * when it has them all, or when it is not a deployment record at all (loadDeployment says why).
 */
async function missingContracts(file: string): Promise<string[]> {
  const { LEDGER_CONTRACTS } = await import("../../../ledger/contracts");
  let contracts: Record<string, unknown>;
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as { contracts?: unknown };
    if (!record.contracts || typeof record.contracts !== "object") return [];
    contracts = record.contracts as Record<string, unknown>;
  } catch {
    return [];
  }
  const missing = LEDGER_CONTRACTS.filter((name) => contracts[name] === undefined);
  return missing.length === LEDGER_CONTRACTS.length ? [] : missing;
}

async function readDeployment(file: string): Promise<DeploymentRecord> {
  const { loadDeployment } = await import("../../../ledger/deployment");
  try {
    return loadDeployment(file);
  } catch (error) {
    throw new StackError((error as Error).message);
  }
}

/** The gateway has derived data from the local chain: a PGlite database or the demo. */
function hasDerivedData(paths: StackPaths): string | undefined {
  if (existsSync(paths.pglite) && readdirSync(paths.pglite).length > 0) return `the database ${paths.pglite}`;
  if (existsSync(paths.demoMarker)) return `the demo scenario (${paths.demoMarker})`;
  return undefined;
}

function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  renameSync(tmp, file);
}

/**
 * The local chain's deployment, kept in `<dataDir>/deployment.json`. Present and on the chain
 * (same chain id, code at every address): used as is. Missing, or stale while nothing was
 * derived from it yet: the ledger is deployed with dev wallet 0 as admin and dev wallet 1 as
 * regulator, and the file written. Stale while the database (or the demo) was built from it,
 * or missing while a database exists: StackMismatchError — nothing is deleted or redeployed.
 */
export async function ensureDeployment(
  dataDir: string,
  provider: JsonRpcProvider,
  reporter: Reporter = silentReporter,
): Promise<DeploymentState> {
  const paths = stackPaths(dataDir);
  const derived = hasDerivedData(paths);
  const missing = existsSync(paths.deployment) ? await missingContracts(paths.deployment) : [];
  if (missing.length > 0) {
    const why = `${paths.deployment} has no ${missing.join(", ")} contract`;
    if (derived) throw outdated(paths.dataDir, `its deployment ${why}, and ${derived} was built from it.`);
    reporter.warn(
      `${why}: it deploys an earlier ledger. Nothing was built from it yet: deploying the current contracts.`,
    );
  } else if (existsSync(paths.deployment)) {
    const record = await readDeployment(paths.deployment);
    const problems = await deploymentProblems(record, provider);
    if (problems.length === 0) {
      reporter.done(
        `deployment found (${record.deploymentId.slice(0, 10)}…, block ${record.deploymentBlock})`,
      );
      return { record, file: paths.deployment, deployed: false };
    }
    const why = `${paths.deployment} does not match the chain (state ${paths.stateFile}): ${problems.join("; ")}.`;
    if (derived) {
      throw mismatch(
        paths.dataDir,
        `${why}\nWas the chain state deleted or replaced? ${capitalize(derived)} was built from that deployment.`,
      );
    }
    reporter.warn(`${why} Nothing was built from it yet: deploying afresh.`);
  } else if (derived) {
    throw mismatch(
      paths.dataDir,
      `${capitalize(derived)} exists, but the deployment it was built from (${paths.deployment}) is gone.`,
    );
  }
  const record = await reporter.step("deploying contracts", () => deployLocal(provider));
  writeJsonAtomic(paths.deployment, record);
  return { record, file: paths.deployment, deployed: true };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function deployLocal(provider: JsonRpcProvider): Promise<DeploymentRecord> {
  const { deployLedger, deploymentRecord } = await import("../../../ledger/contracts");
  const admin = new NonceManager(devWallet(ADMIN_INDEX, provider));
  const { ledger, deploymentBlock } = await deployLedger(admin, {
    regulators: [devWallet(REGULATOR_INDEX).address],
  });
  return deploymentRecord(LOCAL_NETWORK, ledger, deploymentBlock);
}

/** DEPLOYMENT_FILE, else deployments/<NETWORK>.json — as server/config.ts resolves it. */
export function externalDeploymentFile(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.DEPLOYMENT_FILE || path.join("deployments", `${env.NETWORK || "localhost"}.json`));
}

/** A chain the stack does not run (RPC_URL): its deployment must exist and match; never deploys. */
export async function checkExternalDeployment(
  file: string,
  provider: JsonRpcProvider,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DeploymentState> {
  const network = env.NETWORK || "localhost";
  if (!existsSync(file)) {
    throw new StackError(
      `RPC_URL points at a chain this stack does not run, and its deployment ${file} is missing.\n` +
        `Deploy there first: RPC_URL=… npx hardhat run scripts/deploy.ts --network ${network} ` +
        "(or set DEPLOYMENT_FILE). npm start never deploys to a chain it did not start.",
    );
  }
  const missing = await missingContracts(file);
  if (missing.length > 0) {
    throw new StackError(
      `the deployment ${file} is of an earlier version of the ledger (it has no ${missing.join(", ")} contract): ` +
        `deploy the current contracts there first: RPC_URL=… npx hardhat run scripts/deploy.ts --network ${network}`,
    );
  }
  const record = await readDeployment(file);
  const problems = await deploymentProblems(record, provider);
  if (problems.length > 0) {
    throw new StackError(
      `the deployment ${file} does not match the chain at RPC_URL: ${problems.join("; ")}. ` +
        "Point RPC_URL and DEPLOYMENT_FILE at the same network.",
    );
  }
  return { record, file, deployed: false };
}

/** A provider for RPC_URL (a chain the stack does not run), checked to answer. */
export async function externalProvider(url: string): Promise<JsonRpcProvider> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  try {
    await provider.send("eth_chainId", []);
  } catch (error) {
    provider.destroy();
    throw new StackError(`RPC_URL ${url} does not answer: ${(error as Error).message}`);
  }
  return provider;
}
