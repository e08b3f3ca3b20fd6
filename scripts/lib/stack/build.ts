import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { StackError } from "./errors";
import { PROJECT_ROOT } from "./paths";
import { silentReporter, type Reporter } from "./report";

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
 * Refuses to start on contracts changed since the last `npm run build`. The stack runs compiled
 * JavaScript with the contracts' typings and bytecode built in (typechain-types), so compiling
 * here would not reach the running code: `npm start` builds first, and this catches running
 * `node dist/scripts/start.js` on a stale build.
 */
export function ensureBuilt(reporter: Reporter = silentReporter, root = PROJECT_ROOT): void {
  const reason = compileReason(root);
  if (reason !== undefined) {
    throw new StackError(
      `the contracts need building (${reason}): run npm start, which builds first, or npm run build`,
    );
  }
  reporter.done("contracts up to date");
}
