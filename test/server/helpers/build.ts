import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(__dirname, "../../..");

let build: Promise<void> | undefined;

/**
 * Brings dist/ up to date once per test process (`npm run build:ts`: an incremental tsc, a few
 * seconds when nothing changed), so the tests of `npm start`, `npm run reset` and the CLI run
 * the compiled JavaScript users run, never a stale build. Call it from a `before` hook.
 */
export function buildOnce(): Promise<void> {
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
