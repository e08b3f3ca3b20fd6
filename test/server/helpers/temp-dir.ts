import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isParallelRun } from "./parallel";

/** Set by a parallel run's main process: the folder its workers make their temporary folders in. */
const RUN_FOLDER = "SUNSHINE_TEST_TMP";

const made: string[] = [];
process.once("exit", () => {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A folder a process still writes to can refuse (ENOTEMPTY): leave it to the OS's temp
      // cleaning rather than skip the exit listeners after this one.
    }
  }
});

/**
 * A new empty folder under the OS temp dir (in a parallel run, under the run's folder), removed
 * when the test process exits.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(process.env[RUN_FOLDER] ?? os.tmpdir(), `sunshine-${prefix}-`));
  made.push(dir);
  return dir;
}

/**
 * Mocha global fixture (.mocharc.cjs "require"): mocha ends a parallel run's workers without
 * their `exit` event, so the folders they made stayed behind (107 folders, 1.8 GB, after two full
 * runs). The main process makes one folder for the run before the workers start (they inherit
 * its environment), they make theirs inside it, and the main process removes it as it exits.
 */
export function mochaGlobalSetup(this: unknown): void {
  if (isParallelRun(this)) process.env[RUN_FOLDER] = tempDir("run");
}
