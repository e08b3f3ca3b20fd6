import { existsSync, writeFileSync } from "node:fs";
import type { DemoOptions } from "../../demo";
import { StackError } from "./errors";
import { resetCommand, stackPaths } from "./paths";
import { silentReporter, type Reporter } from "./report";

export type DemoOutcome = "loaded" | "already-loaded" | "not-local" | "disabled";

/**
 * Loads the demo scenario once per DATA_DIR, on the local chain only: `scripts/demo.ts`'s
 * `runDemo(options)`, then the `.demo-loaded` marker. DEMO=false skips it.
 */
export async function loadDemoOnce(
  options: DemoOptions & { dataDir: string; local: boolean; env?: NodeJS.ProcessEnv },
  reporter: Reporter = silentReporter,
): Promise<DemoOutcome> {
  const marker = stackPaths(options.dataDir).demoMarker;
  if (!options.local) return "not-local";
  if (existsSync(marker)) return "already-loaded";
  if (/^(false|0|no)$/i.test((options.env ?? process.env).DEMO ?? "")) {
    reporter.info("  demo scenario skipped (DEMO=false)");
    return "disabled";
  }
  // Loaded here, not at the top: the demo pulls in the ledger SDK, which `npm start` on an
  // external chain (or with DEMO=false) never needs.
  const { runDemo } = await import("../../demo");
  const { gatewayUrl, rpcUrl, dataDir, cast, deployment } = options;
  try {
    await reporter.step("loading demo scenario", () =>
      runDemo({
        gatewayUrl,
        rpcUrl,
        cast,
        deployment,
        log: (line) => reporter.info(line),
      }),
    );
  } catch (error) {
    const where = (error as Error)?.stack?.split("\n").find((l) => /^\s+at .*scripts[\\/]/.test(l));
    throw new StackError(
      [
        `the demo scenario failed: ${(error as Error)?.message ?? String(error)}${where ? `\n  ${where.trim()}` : ""}`,
        "The chain and the database now hold part of the demo; to start over with a fresh one:",
        `  ${resetCommand(dataDir)}`,
        "or run without the demo on a fresh DATA_DIR: DEMO=false npm start",
      ].join("\n"),
    );
  }
  writeFileSync(marker, new Date().toISOString() + "\n");
  return "loaded";
}
