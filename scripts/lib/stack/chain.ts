import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { JsonRpcProvider } from "ethers";
import { anvilBinary, CHAIN_STATES_KEPT, DEV_MNEMONIC, LOCAL_NODE } from "../anvil";
import { DEV_ACCOUNT_COUNT } from "./accounts";
import { StackError } from "./errors";
import { LOCAL_CHAIN_ID, stackPaths } from "./paths";
import { ensurePortFree } from "./settings";

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

/**
 * Anvil 1.7 does not carry its clock over a restart (foundry-rs/foundry#10331, fixed after
 * 1.7.1): the first block after loading the state file takes the wall clock's time. When the
 * chain's time was moved on (the demo year is months ahead), that block would be older than the
 * saved head and the ledger's deadlines would see time run backwards; the clock is set to the
 * head's time instead, and runs on from there. A chain behind the wall clock is left alone.
 */
async function keepClockFromHead(url: string): Promise<void> {
  const head = (await rpc(url, "eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
  const headTime = Number(head.timestamp);
  if (headTime > Date.now() / 1000) await rpc(url, "evm_setTime", [headTime]);
}

export function localProvider(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, LOCAL_NODE);
}

/**
 * Starts Anvil on 127.0.0.1:`port` with its state in `<dataDir>/chain/state.json` (loaded if
 * present, written when it stops) and the cast's funded accounts of DEV_MNEMONIC (accounts.ts). It runs in its own
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
    String(DEV_ACCOUNT_COUNT),
    "--chain-id",
    String(LOCAL_CHAIN_ID),
    "--mnemonic",
    DEV_MNEMONIC,
    "--state",
    paths.stateFile,
    // Only recent states are kept: every read of the gateway is at or near the head, and keeping
    // them all (--preserve-historical-states) grew the state file by about 0.1 MB a block.
    "--prune-history",
    String(CHAIN_STATES_KEPT),
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
  await keepClockFromHead(url);
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
