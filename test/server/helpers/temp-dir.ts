import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

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

/** A new empty folder under the OS temp dir, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sunshine-${prefix}-`));
  made.push(dir);
  return dir;
}
