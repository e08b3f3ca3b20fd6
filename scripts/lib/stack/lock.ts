import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { acquirePidLock, isAlive, PidLockHeldError, type PidLock } from "../../../server/lib/pid-lock";
import { StackError } from "./errors";
import { stackPaths } from "./paths";
import { silentReporter, type Reporter } from "./report";

export interface StackLock {
  /** Records the chain's pid, so a later start can stop a chain this stack left behind. */
  setChainPid(pid: number): void;
  release(): void;
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

function takeLock(file: string, dataDir: string): PidLock {
  try {
    return acquirePidLock(file);
  } catch (error) {
    if (!(error instanceof PidLockHeldError)) throw error;
    throw new StackError(
      `a stack is already running on ${dataDir}${error.owner ? ` (pid ${error.owner})` : ""}: ` +
        "stop it with Ctrl-C, or give this one another DATA_DIR and PORT",
    );
  }
}

/**
 * Takes `<DATA_DIR>/stack.lock` (a pid lock, server/lib/pid-lock.ts). Another live stack on
 * the folder is refused. A stack that died without stopping (killed) may have left its chain
 * running: that chain (identified by pid and by serving this folder's state file) is stopped
 * with SIGINT, which saves its state.
 */
export async function lockStack(dataDir: string, reporter: Reporter = silentReporter): Promise<StackLock> {
  const paths = stackPaths(dataDir);
  mkdirSync(paths.dataDir, { recursive: true });
  const lock = takeLock(paths.lock, paths.dataDir);
  const chainPid = lock.previous?.chainPid;
  if (typeof chainPid === "number" && isOurChain(chainPid, paths.stateFile)) {
    reporter.warn(`the previous run left its chain running (pid ${chainPid}): stopping it`);
    process.kill(chainPid, "SIGINT");
    if (!(await waitGone(chainPid, 15_000))) {
      lock.release();
      throw new StackError(`the chain left by the previous run (pid ${chainPid}) does not stop`);
    }
  }
  return {
    setChainPid: (pid) => lock.update({ chainPid: pid }),
    release: () => lock.release(),
  };
}
