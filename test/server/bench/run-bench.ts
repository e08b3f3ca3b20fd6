import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { postgresAdminUrl, postgresSkipped } from "../helpers/postgres";
import { tempDir } from "../helpers/temp-dir";

const ROOT = path.resolve(__dirname, "../../..");

export interface BenchRun<T> {
  /** The exit code: 0 unless the bench failed a check or crashed. */
  code: number | null;
  /** What it printed, stdout and stderr interleaved. */
  output: string;
  /** Its results file (bench/out/<name>.json in a real run), parsed. */
  results: T;
}

/**
 * Runs `bench/<name>/main.ts` in its smoke mode as its own process (nothing in the tests may
 * import bench/, and a bench ends by tearing the PostgreSQL helpers down): on this run's
 * PostgreSQL server, writing its results to a temporary folder rather than over the published
 * figures in bench/out. `env` adds the bench's own settings.
 */
export async function runBench<T>(name: string, env: Record<string, string> = {}): Promise<BenchRun<T>> {
  const out = tempDir(`bench-${name}`);
  const child = spawn(
    process.execPath,
    ["-r", path.join(ROOT, "test/server/helpers/ts-register.js"), path.join(ROOT, "bench", name, "main.ts")],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...(postgresSkipped ? {} : { DATABASE_URL: await postgresAdminUrl() }),
        BENCH_SMOKE: "1",
        BENCH_OUT_DIR: out,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  let results = undefined as T;
  try {
    results = JSON.parse(readFileSync(path.join(out, `${name}.json`), "utf8")) as T;
  } catch {
    // No results file: the exit code and output say why.
  }
  return { code, output, results };
}

/** The lines of a bench's output that carry its figures, indented under the test's name. */
export function figures(output: string, pattern: RegExp): string {
  return output
    .split("\n")
    .filter((line) => pattern.test(line))
    .map((line) => `      ${line}`)
    .join("\n");
}
