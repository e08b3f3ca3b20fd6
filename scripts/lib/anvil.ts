import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { HDNodeWallet, Mnemonic, type JsonRpcApiProviderOptions, type JsonRpcProvider } from "ethers";
import { HeadroomProvider } from "../../ledger/gas";

/**
 * A local Anvil node as a separate JSON-RPC process (the binary ships inside the npm package
 * @foundry-rs/anvil, so nothing is downloaded). Used by `npm start` and the integration tests.
 */

/** Anvil's (and Hardhat's) well-known development mnemonic: its keys are public, never use them elsewhere. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/**
 * How many recent blocks' states a local chain keeps (`--prune-history`), in memory only: each is
 * a full copy of the state, every block hash of the chain included, so memory grows with this
 * number times the chain's length (docs/performance.md, "The local chain's size").
 */
export const CHAIN_STATES_KEPT = 16;

/**
 * How a script or test talks to a local node, which mines each transaction as it arrives: a short
 * polling interval, the chain id and blocks it already knows, and request batches sent as soon as
 * the current task is done (`batchStallTime: 0`) rather than after ethers' default 10 ms: an act is
 * several requests in a row, and a test's deployment and procurement took 4.6 s with the wait and
 * 1.6 s without. Batching itself stays: `wait()` checks a transaction's receipt and starts watching
 * for blocks in one batch, which reaches the node whole. Sent as separate requests (tried:
 * `batchMaxCount: 1`), the block watch could be answered after the node mined the transaction and
 * the receipt check before, and the wait then hung for a block that an idle chain never mines: in
 * one full test run a bench's wait polled a chain that stayed at its block for 15 minutes, and a
 * second test's set-up timed out the same way.
 */
export const LOCAL_NODE: JsonRpcApiProviderOptions = {
  cacheTimeout: -1,
  pollingInterval: 20,
  staticNetwork: true,
  batchStallTime: 0,
};

export interface AnvilOptions {
  port: number;
  host?: string;
  /** Load and save chain state here (survives restarts). */
  stateFile?: string;
  accounts?: number;
  chainId?: number;
  /** Extra log lines go here; by default Anvil's output is discarded. */
  log?: (line: string) => void;
}

export interface AnvilNode {
  url: string;
  process: ChildProcess;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

export function anvilBinary(): string {
  const candidates = [path.join(process.cwd(), "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")];
  try {
    // Where Node finds the package from this file, whether it runs from scripts/ or dist/scripts/.
    const pkg = require.resolve("@foundry-rs/anvil-linux-amd64/package.json");
    candidates.push(path.join(path.dirname(pkg), "bin/anvil"));
  } catch {
    // not installed here: the working directory's copy, or the error below
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new Error("the anvil binary is missing: run npm ci (it ships in @foundry-rs/anvil-linux-amd64)");
  return found;
}

export async function startAnvil(options: AnvilOptions): Promise<AnvilNode> {
  const host = options.host ?? "127.0.0.1";
  const args = [
    "--host",
    host,
    "--port",
    String(options.port),
    "--accounts",
    String(options.accounts ?? 20),
    "--chain-id",
    String(options.chainId ?? 31337),
    "--mnemonic",
    DEV_MNEMONIC,
  ];
  if (options.stateFile)
    args.push("--state", options.stateFile, "--prune-history", String(CHAIN_STATES_KEPT));
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (line.trim() === "") continue;
      lines.push(line);
      if (lines.length > 50) lines.shift();
      options.log?.(line);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const url = `http://${host}:${options.port}`;
  // Acts sent through it carry gas headroom (ledger/gas.ts), as the demo's and the CLI's do: a
  // gateway running beside it settles while a test acts.
  const provider = new HeadroomProvider(url, options.chainId ?? 31337, LOCAL_NODE);

  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}: ${lines.join("\n")}`);
    try {
      await provider.getBlockNumber();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`anvil did not answer on ${url} within 15 s: ${lines.join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    process: child,
    provider,
    async stop() {
      provider.destroy();
      if (child.exitCode === null) {
        // SIGINT lets anvil write its --state file before it exits.
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * DEV_MNEMONIC's accounts node (m/44'/60'/0'/0) and the accounts derived from it, each derived
 * once per process: a derivation from the phrase (PBKDF2, then five elliptic-curve steps) takes
 * milliseconds of CPU, and the stack and the tests ask for the same accounts again and again.
 */
let accountsNode: HDNodeWallet | undefined;
const accounts = new Map<number, HDNodeWallet>();

/** The i-th development account of DEV_MNEMONIC. */
export function devWallet(index: number, provider?: JsonRpcProvider): HDNodeWallet {
  let wallet = accounts.get(index);
  if (wallet === undefined) {
    accountsNode ??= HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), "m/44'/60'/0'/0");
    wallet = accountsNode.deriveChild(index);
    accounts.set(index, wallet);
  }
  return provider ? wallet.connect(provider) : wallet;
}
