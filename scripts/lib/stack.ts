import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { JsonRpcProvider, NonceManager } from "ethers";
import type { FastifyInstance } from "fastify";
import { loadConfig, type Config } from "../../server/config";
import { anvilBinary, DEV_MNEMONIC, devWallet } from "./anvil";
import type { DeploymentRecord } from "../../ledger/contracts";
import { ADMIN_INDEX, REGULATOR_INDEX, settlerDevKey } from "./stack-accounts";
import {
  DEFAULT_DATA_DIR,
  DEFAULT_PORT,
  LOCAL_CHAIN_ID,
  LOCAL_NETWORK,
  PROJECT_ROOT,
  resetCommand,
  stackPaths,
  type StackPaths,
} from "./stack-paths";
import { seconds, silentReporter, type Reporter } from "./stack-report";
import type { DemoOptions } from "../demo";

export { demoAccounts, demoCast, writeAccounts, type StackAccount } from "./stack-accounts";
export { consoleReporter, silentReporter, type Reporter } from "./stack-report";
export {
  DEFAULT_DATA_DIR,
  DEFAULT_PORT,
  LOCAL_CHAIN_ID,
  LOCAL_NETWORK,
  PROJECT_ROOT,
  resetCommand,
  stackPaths,
  type StackPaths,
} from "./stack-paths";

/**
 * `npm start` as functions: compile if needed, run a local chain (Anvil, its state in
 * DATA_DIR), deploy if needed, start the gateway in this process, load the demo once, stop
 * gracefully. Everything a stack keeps lives under its DATA_DIR:
 *
 *   DATA_DIR/
 *     chain/state.json     Anvil's chain state (written when Anvil stops on SIGINT)
 *     chain/anvil.log      Anvil's output of the current run
 *     deployment.json      the local chain's deployment (the repo's deployments/ is for real networks)
 *     accounts.json        the demo accounts by role
 *     pglite/              the gateway's database (unless DATABASE_URL points at PostgreSQL)
 *     gateway.log          the gateway's log (JSON lines)
 *     auth-secret          token signing key, so sign-ins survive a restart
 *     patient-ref-salt     salt for patient references
 *     .demo-loaded         marker: the demo scenario has been loaded
 *     stack.lock           pid of the running stack and its chain
 *
 * so two stacks with different DATA_DIR and PORT (the chain takes CHAIN_PORT, default PORT+1)
 * run side by side.
 */

/** A failure the stack explains itself: print `message` as is, no stack trace. */
export class StackError extends Error {
  override readonly name: string = "StackError";
}

/** The chain and the database (or deployment) in DATA_DIR are from different ledgers. */
export class StackMismatchError extends StackError {
  override readonly name = "StackMismatchError";
}

/** Ctrl-C arrived while starting: the current step finished, the rest was skipped. */
export class StackInterrupted extends StackError {
  override readonly name = "StackInterrupted";
}

function mismatch(dataDir: string, detail: string): StackMismatchError {
  return new StackMismatchError(
    [
      `The chain and the database in ${dataDir} no longer belong together.`,
      detail,
      "Nothing was changed or deleted. To start over with a fresh chain, database and demo, run",
      `  ${resetCommand(dataDir)}`,
      "which deletes that folder (database, chain state, deployment, demo accounts) — then npm start again.",
    ].join("\n"),
  );
}

/** DATA_DIR holds a stack built on an earlier version of the ledger's contracts. */
function outdated(dataDir: string, detail: string): StackMismatchError {
  return new StackMismatchError(
    [
      `${dataDir} holds a stack of an earlier version of the ledger: ${detail}`,
      "The contracts have changed since (v2: the agreement book, bid bonds, shipment records, scoped recalls),",
      "so that chain, database and demo cannot carry on. Nothing was changed or deleted. To start over, run",
      `  ${resetCommand(dataDir)}`,
      "which deletes that folder (database, chain state, deployment, demo accounts) — then npm start again.",
    ].join("\n"),
  );
}

// ---------------------------------------------------------------------------------------------
// Settings

/** DATA_DIR as an absolute folder; the stack needs a real folder, never `:memory:`. */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const value = env.DATA_DIR || DEFAULT_DATA_DIR;
  if (value === ":memory:") {
    throw new StackError("DATA_DIR=:memory: is for tests of the gateway alone; npm start needs a folder");
  }
  return path.resolve(value);
}

function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new StackError(`${name} must be a port from 0 to 65535`);
  return port;
}

/** PORT (default 8080) for the gateway. */
export function gatewayPort(env: NodeJS.ProcessEnv = process.env): number {
  return parsePort("PORT", env.PORT, DEFAULT_PORT);
}

/** CHAIN_PORT, default PORT + 1 (so stacks on different ports do not collide); PORT=0: any free port. */
export async function chainPort(env: NodeJS.ProcessEnv, port: number): Promise<number> {
  const explicit = parsePort("CHAIN_PORT", env.CHAIN_PORT, -1);
  if (explicit > 0) return explicit;
  if (port === 0 || explicit === 0) return freePort();
  if (port === 65535) throw new StackError("PORT 65535 leaves no room for the chain: set CHAIN_PORT");
  return port + 1;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Fails with a clear message when `port` is taken (checked before anything starts). */
export async function ensurePortFree(port: number, setting: string, host = "127.0.0.1"): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE")
        reject(
          new StackError(
            `${setting} ${port} is in use (another stack, or something else): set ${setting} to a free port`,
          ),
        );
      else reject(error);
    });
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

// ---------------------------------------------------------------------------------------------
// Compile

function newestMtime(dir: string, suffix: string): { file: string; mtimeMs: number } | undefined {
  let best: { file: string; mtimeMs: number } | undefined;
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(suffix)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(file);
    if (!best || mtimeMs > best.mtimeMs) best = { file, mtimeMs };
  }
  return best;
}

/** Why the contracts need compiling, or undefined when artifacts and typechain-types are up to date. */
export function compileReason(root = PROJECT_ROOT): string | undefined {
  if (!existsSync(path.join(root, "typechain-types", "index.ts"))) return "typechain-types missing";
  if (!existsSync(path.join(root, "artifacts", "contracts"))) return "artifacts missing";
  const cache = path.join(root, "cache", "solidity-files-cache.json");
  if (!existsSync(cache)) return "no compile cache";
  // Hardhat rewrites its files cache at the end of every compile, so it dates the last build.
  const built = statSync(cache).mtimeMs;
  const sources = [newestMtime(path.join(root, "contracts"), ".sol")];
  const config = path.join(root, "hardhat.config.ts");
  if (existsSync(config)) sources.push({ file: config, mtimeMs: statSync(config).mtimeMs });
  for (const source of sources) {
    if (source && source.mtimeMs > built) return `${path.relative(root, source.file)} changed`;
  }
  return undefined;
}

/**
 * Runs `npx hardhat compile` (or `npx hardhat typechain` when the typings are gone, which
 * compile alone would not regenerate) only when artifacts or typechain-types are missing or
 * older than the sources.
 */
export async function ensureCompiled(
  reporter: Reporter = silentReporter,
  root = PROJECT_ROOT,
): Promise<{ compiled: boolean; reason?: string }> {
  const reason = compileReason(root);
  if (reason === undefined) {
    reporter.done("contracts up to date");
    return { compiled: false };
  }
  const task = reason === "typechain-types missing" ? "typechain" : "compile";
  await reporter.step(`compiling contracts (${reason})`, () => run("npx", ["hardhat", task], root));
  return { compiled: true, reason };
}

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve(output);
      else
        reject(
          new StackError(
            `${command} ${args.join(" ")} failed (${signal ?? `exit code ${code}`}):\n${output.trim()}`,
          ),
        );
    });
  });
}

// ---------------------------------------------------------------------------------------------
// One stack per DATA_DIR

export interface StackLock {
  /** Records the chain's pid, so a later start can stop a chain this stack left behind. */
  setChainPid(pid: number): void;
  release(): void;
}

interface LockContent {
  pid: number;
  chainPid?: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readLock(file: string): LockContent | undefined {
  try {
    const content = JSON.parse(readFileSync(file, "utf8")) as Partial<LockContent>;
    return typeof content.pid === "number" ? (content as LockContent) : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is an Anvil serving this stack's state file (Linux: /proc). */
function isOurChain(pid: number, stateFile: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return path.basename(argv[0] ?? "") === "anvil" && argv.includes(stateFile);
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * Takes `<DATA_DIR>/stack.lock`. Another live stack on the folder is refused. A stack that
 * died without stopping (killed) may have left its chain running: that chain (identified by
 * pid and by serving this folder's state file) is stopped with SIGINT, which saves its state.
 */
export async function lockStack(dataDir: string, reporter: Reporter = silentReporter): Promise<StackLock> {
  const paths = stackPaths(dataDir);
  mkdirSync(paths.dataDir, { recursive: true });
  const previous = readLock(paths.lock);
  if (previous && previous.pid !== process.pid && isAlive(previous.pid)) {
    throw new StackError(
      `a stack is already running on ${paths.dataDir} (pid ${previous.pid}): stop it with Ctrl-C, ` +
        "or give this one another DATA_DIR and PORT",
    );
  }
  if (previous?.chainPid !== undefined && isOurChain(previous.chainPid, paths.stateFile)) {
    reporter.warn(`the previous run left its chain running (pid ${previous.chainPid}): stopping it`);
    process.kill(previous.chainPid, "SIGINT");
    if (!(await waitGone(previous.chainPid, 15_000))) {
      throw new StackError(`the chain left by the previous run (pid ${previous.chainPid}) does not stop`);
    }
  }
  let content: LockContent = { pid: process.pid };
  const write = () => writeFileSync(paths.lock, JSON.stringify(content) + "\n");
  write();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const current = readLock(paths.lock);
    if (current?.pid === process.pid) rmSync(paths.lock, { force: true });
  };
  process.once("exit", release);
  return {
    setChainPid(pid) {
      content = { ...content, chainPid: pid };
      write();
    },
    release,
  };
}

// ---------------------------------------------------------------------------------------------
// Local chain

export interface LocalChain {
  url: string;
  port: number;
  pid: number;
  stateFile: string;
  provider: JsonRpcProvider;
  /** Stops Anvil with SIGINT, so it writes its state file; SIGKILL after `timeoutMs`. True if it saved. */
  stop(timeoutMs?: number): Promise<boolean>;
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

export function localProvider(url: string): JsonRpcProvider {
  // Anvil mines each transaction at once: a short polling interval keeps deploying quick.
  return new JsonRpcProvider(url, undefined, { cacheTimeout: -1, pollingInterval: 20, staticNetwork: true });
}

/**
 * Starts Anvil on 127.0.0.1:`port` with its state in `<dataDir>/chain/state.json` (loaded if
 * present, written when it stops) and 20 funded accounts of DEV_MNEMONIC. It runs in its own
 * process group, so a Ctrl-C in the terminal reaches only this process, which stops the
 * gateway first and the chain after it; if this process exits without stopping it, the chain
 * still gets SIGINT and saves its state.
 */
export async function startLocalChain(dataDir: string, port: number): Promise<LocalChain> {
  const paths = stackPaths(dataDir);
  mkdirSync(paths.chainDir, { recursive: true });
  await ensurePortFree(port, "CHAIN_PORT");
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--accounts",
    "20",
    "--chain-id",
    String(LOCAL_CHAIN_ID),
    "--mnemonic",
    DEV_MNEMONIC,
    "--state",
    paths.stateFile,
    "--preserve-historical-states",
  ];
  // Output to a file, not a pipe: a pipe would break if this process died first.
  const log = openSync(paths.anvilLog, "w");
  let child: ChildProcess;
  try {
    child = spawn(anvilBinary(), args, { stdio: ["ignore", log, log], detached: true });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new StackError("could not start anvil");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const onExit = () => {
    if (running()) child.kill("SIGINT");
  };
  process.once("exit", onExit);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!running()) {
      process.removeListener("exit", onExit);
      throw new StackError(
        `the local chain (anvil) exited at start (${child.exitCode ?? child.signalCode}):\n${tail(paths.anvilLog)}`,
      );
    }
    try {
      await rpc(url, "eth_chainId");
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new StackError(
          `the local chain did not answer on ${url} within 30 s:\n${tail(paths.anvilLog)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const provider = localProvider(url);
  return {
    url,
    port,
    pid,
    stateFile: paths.stateFile,
    provider,
    async stop(timeoutMs = 15_000) {
      provider.destroy();
      if (running()) {
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener("exit", onExit);
      return child.signalCode !== "SIGKILL";
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Deployment

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
  const { LEDGER_CONTRACTS } = await import("../../ledger/contracts");
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
  const { loadDeployment } = await import("../../ledger/deployment");
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
  const { deployLedger, deploymentRecord } = await import("../../ledger/contracts");
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

// ---------------------------------------------------------------------------------------------
// Gateway

/** A secret kept in `file` (created once with `bytes` random bytes, hex, mode 600). */
export function persistentSecret(file: string, bytes: number): string {
  if (existsSync(file)) {
    const value = readFileSync(file, "utf8").trim();
    if (value !== "") return value;
  }
  const value = randomBytes(bytes).toString("hex");
  writeFileSync(file, value + "\n", { mode: 0o600 });
  return value;
}

export interface GatewayEnvOptions {
  dataDir: string;
  port: number;
  rpcUrl: string;
  deploymentFile: string;
  /** The stack runs the chain itself (Anvil with development keys). */
  local: boolean;
}

/**
 * The gateway's environment (names as in server/config.ts): DATA_DIR, PORT, RPC_URL and
 * DEPLOYMENT_FILE from the stack; on the local chain the settler's development key,
 * CONFIRMATIONS=0 (Anvil mines each transaction in its own block and never reorgs) and
 * INDEXER_POLL_MS=100, unless set; AUTH_SECRET and PATIENT_REF_SALT kept in DATA_DIR so tokens and patient hashes survive
 * a restart, unless set. Everything else passes through from `base`.
 */
export function gatewayEnv(base: NodeJS.ProcessEnv, options: GatewayEnvOptions): NodeJS.ProcessEnv {
  const paths = stackPaths(options.dataDir);
  mkdirSync(paths.dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...base,
    DATA_DIR: paths.dataDir,
    PORT: String(options.port),
    RPC_URL: options.rpcUrl,
    DEPLOYMENT_FILE: options.deploymentFile,
  };
  if (options.local) {
    if (!env.SETTLER_KEY && !env.SETTLER_KEYSTORE) env.SETTLER_KEY = settlerDevKey();
    env.CONFIRMATIONS ||= "0";
    env.INDEXER_POLL_MS ||= "100"; // a local node answers at once: index (and settle) promptly
  }
  env.AUTH_SECRET ||= persistentSecret(paths.authSecret, 32);
  env.PATIENT_REF_SALT ||= persistentSecret(paths.patientRefSalt, 16);
  return env;
}

export interface Gateway {
  app: FastifyInstance;
  config: Config;
  /** http://host:port it listens on (127.0.0.1 when it listens on every address). */
  url: string;
  logFile: string | undefined;
  /** app.close(): the indexer and the payment outbox finish their current step, the database closes. */
  close(): Promise<void>;
}

/**
 * Where the gateway logs: JSON lines appended to `file` (synchronously, so nothing is lost
 * on exit); errors are also echoed to stderr in one line.
 */
function gatewayLogStream(file: string): { write(line: string): void } {
  const fd = openSync(file, "a");
  return {
    write(line: string) {
      writeSync(fd, line);
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        if ((entry.level ?? 0) >= 50) {
          const detail =
            entry.err?.message && entry.err.message !== entry.msg ? `: ${entry.err.message}` : "";
          process.stderr.write(`gateway error: ${entry.msg ?? ""}${detail} (see ${file})\n`);
        }
      } catch {
        // not JSON: already in the file
      }
    },
  };
}

function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  let current = error;
  while (current instanceof Error && chain.length < 10) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

/**
 * Builds the gateway with loadConfig(env) and buildApp(config) and listens, in this process.
 * A database indexed from another deployment (LedgerIdentityError) becomes StackMismatchError;
 * a taken port, a StackError naming PORT.
 */
export async function startGateway(
  env: NodeJS.ProcessEnv,
  options: { logFile?: string } = {},
): Promise<Gateway> {
  const config = loadConfig(env);
  const { buildApp } = await import("../../server/app");
  const app = buildApp(config, options.logFile ? { logStream: gatewayLogStream(options.logFile) } : {});
  try {
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (error) {
    await app.close().catch(() => undefined);
    const all = causes(error);
    const identity = all.find(
      (e) => e.name === "LedgerIdentityError" || /indexed from chain/.test(e.message),
    );
    if (identity) {
      throw mismatch(
        config.dataDir,
        `The gateway refuses the database: ${identity.message.replace(/; use a fresh.*$/, "")}.`,
      );
    }
    if (all.some((e) => (e as NodeJS.ErrnoException).code === "EADDRINUSE")) {
      throw new StackError(`PORT ${config.http.port} is in use: set PORT to a free port`);
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.http.port;
  const host = ["0.0.0.0", "::", ""].includes(config.http.host) ? "127.0.0.1" : config.http.host;
  return {
    app,
    config,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    logFile: options.logFile,
    close: () => app.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// Demo scenario

export type DemoOutcome = "loaded" | "already-loaded" | "not-local" | "disabled";

/**
 * Loads the demo scenario once per DATA_DIR, on the local chain only: `scripts/demo.ts`'s
 * `runDemo(options)`, then the `.demo-loaded` marker. DEMO=false skips it.
 */
export async function loadDemoOnce(
  options: DemoOptions & { dataDir: string; local: boolean; env?: NodeJS.ProcessEnv },
  reporter: Reporter = silentReporter,
): Promise<DemoOutcome> {
  const marker = stackPaths(options.dataDir).demoMarker;
  if (!options.local) return "not-local";
  if (existsSync(marker)) return "already-loaded";
  if (/^(false|0|no)$/i.test((options.env ?? process.env).DEMO ?? "")) {
    reporter.info("  demo scenario skipped (DEMO=false)");
    return "disabled";
  }
  // Loaded here, not at the top: the demo pulls in the ledger SDK, which `npm start` on an
  // external chain (or with DEMO=false) never needs.
  const { runDemo } = await import("../demo");
  const { gatewayUrl, rpcUrl, dataDir, cast, deployment } = options;
  try {
    await reporter.step("loading demo scenario", () =>
      runDemo({
        gatewayUrl,
        rpcUrl,
        cast,
        deployment,
        log: (line) => reporter.info(line),
      }),
    );
  } catch (error) {
    const where = (error as Error)?.stack?.split("\n").find((l) => /^\s+at .*scripts[\\/]/.test(l));
    throw new StackError(
      [
        `the demo scenario failed: ${(error as Error)?.message ?? String(error)}${where ? `\n  ${where.trim()}` : ""}`,
        "The chain and the database now hold part of the demo; to start over with a fresh one:",
        `  ${resetCommand(dataDir)}`,
        "or run without the demo on a fresh DATA_DIR: DEMO=false npm start",
      ].join("\n"),
    );
  }
  writeFileSync(marker, new Date().toISOString() + "\n");
  return "loaded";
}

// ---------------------------------------------------------------------------------------------
// Stopping

export interface StackParts {
  lock?: StackLock;
  chain?: LocalChain;
  /** A provider the stack opened for RPC_URL (not the local chain's). */
  provider?: JsonRpcProvider;
  gateway?: Gateway;
}

/**
 * Stops what was started, in order: the gateway (its indexer and payment outbox finish the
 * step in hand), then the chain with SIGINT so Anvil writes its state file, then the lock.
 */
export async function stopStack(parts: StackParts, reporter: Reporter = silentReporter): Promise<void> {
  const started = performance.now();
  try {
    if (parts.gateway) {
      const gateway = parts.gateway;
      parts.gateway = undefined;
      await gateway.close();
    }
  } finally {
    parts.provider?.destroy();
    parts.provider = undefined;
    if (parts.chain) {
      const chain = parts.chain;
      parts.chain = undefined;
      const saved = await chain.stop();
      if (!saved)
        reporter.warn(`the chain did not stop in time and was killed: ${chain.stateFile} may be stale`);
    }
    parts.lock?.release();
  }
  reporter.done(`stopped (${seconds(performance.now() - started)})`);
}

/**
 * SIGINT/SIGTERM: the first calls `onStop`; a second one exits at once (code 130), the chain
 * still getting its SIGINT from the exit hook. Returns a function that removes the handlers.
 */
export function onStopSignals(onStop: (signal: NodeJS.Signals) => void, reporter: Reporter): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count += 1;
    if (count > 1) {
      reporter.warn(`second ${signal}: exiting without waiting`);
      process.exit(130);
    }
    onStop(signal);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.removeListener("SIGINT", handler);
    process.removeListener("SIGTERM", handler);
  };
}
