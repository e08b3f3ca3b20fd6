import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, watch, writeFileSync } from "node:fs";
import path from "node:path";
import { compiled } from "../../server/helpers/build";
import { freePorts } from "../../../scripts/lib/stack/settings";
import { isParallelRun } from "../../server/helpers/parallel";
import { tempDir } from "../../server/helpers/temp-dir";

/**
 * The demo year, loaded once per test run. Deploying and playing the demo scenario is most of a
 * demo stack's start, and every console file that needs a stack of its own would do it again:
 * instead one `npm start` loads it and is stopped with Ctrl-C (the chain saves its state file,
 * the gateway closes its PGlite database), and each stack starts `npm start` on a copy of that
 * DATA_DIR, a warm restart as a user's second `npm start`. Each copy is a chain and a database
 * of its own, so what one stack changes no other sees.
 *
 * In a parallel run the workers share one load: this file is a mocha global fixture
 * (.mocharc.cjs "require") whose main process only names a folder for it, so a run without
 * console tests loads nothing; the first worker that needs the demo claims the folder and loads
 * it there, and the others wait for it. A serial run loads it on first use.
 */

const ROOT = path.resolve(__dirname, "../../..");

/** Set by a parallel run's main process: the folder its workers share the demo in. */
const SHARED = "SUNSHINE_TEST_DEMO_FOLDER";

/** In that folder: made by the worker that loads the demo (and never removed, so one worker does). */
const CLAIMED = "claimed";
/** In that folder: where that worker loads it, renamed to READY once its stack stopped. */
const LOADING = "loading";
const READY = "demo";
/** In that folder: why loading failed (written elsewhere, then renamed here, so it is read whole). */
const FAILED = "failed";

export interface StartedStack {
  port: number;
  chainPort: number;
  /** Everything it printed. */
  output(): string;
  /** Ctrl-C, as a user stops it (the chain saves its state): its exit code, null if a signal ended it. */
  stop(): Promise<number | null>;
}

/** `npm start` (compiled, from dist/) on `dataDir` with ports of its own, once it says it is running. */
export async function startStack(dataDir: string): Promise<StartedStack> {
  const [port, chainPort] = await freePorts(2);
  const child: ChildProcess = spawn(process.execPath, [compiled("scripts/start.ts")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DATA_DIR: dataDir,
      PORT: String(port),
      CHAIN_PORT: String(chainPort),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Sunshine Ledger is running.")) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`npm start exited (${code}) before it was up:\n${output}`)));
  });
  // However the run ends (mocha --exit, or a parallel run's worker exiting), the stack does not
  // outlive it: asked to stop (it stops its chain) before the temporary folders are removed
  // (helpers/temp-dir.ts), so it is gone or going before its files are.
  const stopOnExit = () => child.kill("SIGINT");
  process.prependOnceListener("exit", stopOnExit);
  return {
    port,
    chainPort,
    output: () => output,
    stop: async () => {
      process.removeListener("exit", stopOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

let demo: Promise<string> | undefined;

/**
 * The DATA_DIR of a stopped stack that loaded the demo year. It is shared: copy it, never start
 * a stack on it.
 */
export function demoDataDir(): Promise<string> {
  const shared = process.env[SHARED];
  return (demo ??= shared === undefined ? loadDemo(tempDir("console-demo")) : sharedDemo(shared));
}

async function loadDemo(dataDir: string): Promise<string> {
  const stack = await startStack(dataDir);
  const code = await stack.stop();
  if (code !== 0)
    throw new Error(`npm start did not stop cleanly (${code}) after loading the demo:\n${stack.output()}`);
  return dataDir;
}

/** Loads the demo in `folder` if no other worker has claimed it; else waits for that worker's. */
async function sharedDemo(folder: string): Promise<string> {
  try {
    mkdirSync(path.join(folder, CLAIMED));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return loadedBy(folder);
    throw error;
  }
  const loading = path.join(folder, LOADING);
  try {
    await loadDemo(loading);
  } catch (error) {
    const why = path.join(folder, `${FAILED}.tmp`);
    writeFileSync(why, `another worker could not load the demo: ${(error as Error).message}`);
    renameSync(why, path.join(folder, FAILED));
    throw error;
  }
  renameSync(loading, path.join(folder, READY));
  return path.join(folder, READY);
}

/** The demo another worker loads in `folder`, once it is ready (or why it failed). */
function loadedBy(folder: string): Promise<string> {
  const ready = path.join(folder, READY);
  const failed = path.join(folder, FAILED);
  return new Promise((resolve, reject) => {
    // Watched before looking, so a rename between the look and the watch is not missed.
    const watcher = watch(folder);
    const look = () => {
      if (existsSync(ready)) {
        watcher.close();
        resolve(ready);
      } else if (existsSync(failed)) {
        watcher.close();
        reject(new Error(readFileSync(failed, "utf8")));
      }
    };
    watcher.on("change", look);
    watcher.once("error", (error) => {
      watcher.close();
      reject(error);
    });
    look();
  });
}

/**
 * Mocha global fixture: a parallel run's main process names the folder its workers share the
 * demo in, before it starts them (they inherit its environment), and removes it when it exits.
 */
export function mochaGlobalSetup(this: unknown): void {
  if (isParallelRun(this)) process.env[SHARED] = tempDir("console-demo");
}
