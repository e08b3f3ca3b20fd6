import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";

import { freePort } from "../../../scripts/lib/stack/settings";
import { isParallelRun } from "./parallel";

/**
 * A throw-away PostgreSQL server for the gateway tests, one per mocha run. This file is a
 * mocha global fixture (.mocharc.cjs "require"): mocha calls `mochaGlobalSetup` before the
 * run and `mochaGlobalTeardown` after it. The server starts on first use, so runs that never
 * touch PostgreSQL pay nothing.
 *
 * - DATABASE_URL set: that server is used instead; its user must be allowed to CREATE DATABASE.
 * - SKIP_POSTGRES=1: PostgreSQL suites are skipped, and the run says so.
 * - A parallel run (`npm test`) starts the server before its workers, which share it.
 * - Otherwise the newest /usr/lib/postgresql/<version>/bin is used; without one the suites
 *   that need PostgreSQL fail with the command that installs it.
 */

const run = promisify(execFile);

export const postgresSkipped = process.env.SKIP_POSTGRES === "1";

interface Server {
  /** URL of a database the tests may CREATE DATABASE from. */
  adminUrl: string;
  stop(): Promise<void>;
}

let server: Promise<Server> | undefined;

/** A parallel run's server, started by its main process and inherited by its workers. */
const SHARED = "SUNSHINE_TEST_POSTGRES_URL";

/** Starts the server on first call; later calls share it. */
export function postgresAdminUrl(): Promise<string> {
  const given = process.env.DATABASE_URL ?? process.env[SHARED];
  server ??= given ? Promise.resolve({ adminUrl: given, stop: async () => undefined }) : startCluster();
  return server.then((s) => s.adminUrl);
}

/**
 * A new, empty database on that server, named `prefix` and random hex (tests and benches never
 * share one): its URL, and how to drop it again.
 */
export async function throwawayDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = await postgresAdminUrl();
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function mochaGlobalSetup(this: unknown): Promise<void> {
  if (postgresSkipped) {
    console.log("SKIP_POSTGRES=1: PostgreSQL tests are skipped; only PGlite is tested.");
    return;
  }
  // Workers of a parallel run would each start a server of their own and none would stop it:
  // the main process starts the one they share now, before any worker exists, and stops it at
  // the end.
  if (isParallelRun(this)) process.env[SHARED] = await postgresAdminUrl();
}

export async function mochaGlobalTeardown(): Promise<void> {
  const started = await server?.catch(() => undefined);
  await started?.stop();
}

function findPgBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter(
      (v) =>
        existsSync(path.join(root, v, "bin", "pg_ctl")) && existsSync(path.join(root, v, "bin", "initdb")),
    )
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], "bin");
}

async function startCluster(): Promise<Server> {
  const bin = findPgBin();
  if (bin === undefined) {
    throw new Error(
      "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. Install them with " +
        "`apt-get update && apt-get install -y postgresql`, or set DATABASE_URL to a server whose " +
        "user may CREATE DATABASE, or set SKIP_POSTGRES=1 to test on PGlite only.",
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "sunshine-pg-"));
  const data = path.join(dir, "data");
  // initdb refuses to run as root: as root, run the server as the postgres user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot
      ? ["runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]]
      : [path.join(bin, tool), args];
  const pg = (tool: string, args: string[]) => run(...command(tool, args));

  const port = await freePort();
  // Durability is pointless for a throw-away cluster and costs seconds.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  let running = false;
  const stopNow = () => {
    if (!running) return;
    running = false;
    try {
      execFileSync(...command("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]));
    } catch {
      // Already gone; nothing left to stop.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // If the run is killed before teardown, do not leave a server behind.
  process.once("exit", stopNow);

  try {
    await pg("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
    await pg("pg_ctl", ["-D", data, "-l", path.join(dir, "log"), "-w", "-o", serverOptions, "start"]);
    running = true;
  } catch (error) {
    const log = existsSync(path.join(dir, "log")) ? readFileSync(path.join(dir, "log"), "utf8") : "(no log)";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a PostgreSQL test cluster: ${(error as Error).message}\n${log}`);
  }

  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (!running) return;
      running = false;
      process.removeListener("exit", stopNow);
      await pg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
