import { existsSync, lstatSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pidLockOwner } from "../server/lib/pid-lock";
import { DEFAULT_DATA_DIR, PROJECT_ROOT, stackPaths } from "./lib/stack/paths";

/**
 * `npm run reset`: deletes a stack's DATA_DIR (default ./data) — database, chain state,
 * deployment, demo accounts and keys, secrets — so the next `npm start` begins afresh.
 *
 *   npm run reset                      # ./data
 *   DATA_DIR=/tmp/stack2 npm run reset # another stack's folder (or: npm run reset -- /tmp/stack2)
 *   npm run reset -- --force           # also a folder that does not look like a stack's
 *
 * It prints what it removes first. It refuses a folder that holds none of accounts.json,
 * deployment.json or pglite/ unless --force; a folder outside the project unless DATA_DIR (or
 * the argument) named it; a running stack, or a gateway using its database; and never deletes
 * /, the home folder, the project or a folder containing the project. A PostgreSQL database
 * (DATABASE_URL) is not touched.
 */

const STACK_MARKERS = ["accounts.json", "deployment.json", "pglite"];

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

function size(file: string): number {
  const stat = lstatSync(file);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of readdirSync(file)) total += size(path.join(file, entry));
  return total;
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

function main(argv: string[], env: NodeJS.ProcessEnv): number {
  const force = argv.includes("--force");
  const unknown = argv.filter((a) => a.startsWith("-") && a !== "--force");
  const positional = argv.filter((a) => !a.startsWith("-"));
  if (unknown.length > 0 || positional.length > 1) {
    console.error("usage: [DATA_DIR=<folder>] npm run reset [-- [<folder>] [--force]]");
    return 2;
  }
  const given = positional[0] ?? (env.DATA_DIR || undefined);
  if (given === ":memory:") {
    console.error("DATA_DIR=:memory: keeps nothing on disk: nothing to reset");
    return 0;
  }
  const dir = path.resolve(given ?? DEFAULT_DATA_DIR);
  const explicit = given !== undefined;

  const forbidden = [path.parse(dir).root, os.homedir(), PROJECT_ROOT];
  if (forbidden.includes(dir) || isInside(PROJECT_ROOT, dir)) {
    console.error(`refusing to delete ${dir}: it is /, the home folder, the project or contains the project`);
    return 1;
  }
  if (!explicit && !isInside(dir, PROJECT_ROOT)) {
    console.error(
      `refusing to delete ${dir}: it is outside the project (${PROJECT_ROOT}); name it with DATA_DIR=… to confirm`,
    );
    return 1;
  }
  if (!existsSync(dir)) {
    console.log(`${dir} does not exist: nothing to reset`);
    return 0;
  }
  if (!statSync(dir).isDirectory()) {
    console.error(`refusing to delete ${dir}: it is not a folder`);
    return 1;
  }
  const paths = stackPaths(dir);
  const stack = pidLockOwner(paths.lock);
  if (stack !== undefined) {
    console.error(`a stack is running on ${dir} (pid ${stack}): stop it with Ctrl-C first`);
    return 1;
  }
  // A gateway run on its own (npm run gateway) with this DATA_DIR holds the database's lock.
  const gateway = pidLockOwner(`${paths.pglite}.lock`);
  if (gateway !== undefined) {
    console.error(`a gateway is using the database in ${dir} (pid ${gateway}): stop it first`);
    return 1;
  }
  const entries = readdirSync(dir);
  const looksLikeStack = STACK_MARKERS.some((m) => entries.includes(m));
  if (!looksLikeStack && !force && entries.length > 0) {
    console.error(
      `refusing to delete ${dir}: it does not look like a stack's data folder (none of ${STACK_MARKERS.join(", ")}); ` +
        "add --force if you are sure",
    );
    return 1;
  }

  console.log(`Resetting the stack in ${dir} — removing:`);
  const described: Record<string, string> = {
    "accounts.json": "demo accounts and their development keys",
    "deployment.json": "the local chain's deployment",
    pglite: "the gateway's database",
    "pglite.lock": "the database lock",
    chain: "the local chain's state and log",
    "gateway.log": "the gateway's log",
    "auth-secret": "the token signing key (issued tokens stop working)",
    "patient-ref-salt": "the patient reference salt",
    ".demo-loaded": "the demo-loaded marker",
    "stack.lock": "a stale stack lock",
  };
  for (const entry of entries.sort()) {
    const full = path.join(dir, entry);
    console.log(
      `  ${entry.padEnd(18)} ${human(size(full)).padStart(9)}  ${described[entry] ?? ""}`.trimEnd(),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`✓ removed ${dir}`);
  if (env.DATABASE_URL) {
    console.log(
      "DATABASE_URL is set: that PostgreSQL database was not touched — drop or recreate it yourself.",
    );
  }
  console.log(`Next: ${dir === path.resolve(DEFAULT_DATA_DIR) ? "" : `DATA_DIR=${dir} `}npm start`);
  return 0;
}

process.exitCode = main(process.argv.slice(2), process.env);
