import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { isParallelRun } from "./parallel";

const ROOT = path.resolve(__dirname, "../../..");

let build: Promise<void> | undefined;

/** Set by a parallel run's main process once it has built, for its workers to inherit. */
const BUILT = "SUNSHINE_TEST_BUILT";

/**
 * Brings dist/ up to date once per test process (`npm run build:ts`: an incremental tsc, a few
 * seconds when nothing changed), so the tests of `npm start`, `npm run reset` and the CLI run
 * the compiled JavaScript users run, never a stale build. Call it from a `before` hook.
 */
export function buildOnce(): Promise<void> {
  if (process.env[BUILT] === "1") return Promise.resolve();
  build ??= promisify(execFile)("npm", ["run", "--silent", "build:ts"], { cwd: ROOT }).then(
    () => undefined,
    (error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`npm run build:ts failed: ${error.stdout ?? ""}${error.stderr ?? error.message}`);
    },
  );
  return build;
}

/** Where `source` (relative to the project, e.g. "scripts/start.ts") lands in dist/. */
export function compiled(source: string): string {
  return path.join(ROOT, "dist", source.replace(/\.ts$/, ".js"));
}

/**
 * Mocha global fixture (.mocharc.cjs "require"). In a parallel run every worker would run tsc
 * over the same dist/ at once, one reading a file another is rewriting: the main process builds
 * once before it starts any worker, and the workers inherit that it did. A serial run keeps
 * building on first use, so a run that never needs dist/ never waits for it.
 */
export async function mochaGlobalSetup(this: unknown): Promise<void> {
  if (!isParallelRun(this)) return;
  await buildOnce();
  process.env[BUILT] = "1";
}
