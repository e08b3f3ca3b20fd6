import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { loadConfig, type Config } from "../../../server/config";
import { relayerDevKey, settlerDevKey } from "./accounts";
import { mismatch, StackError } from "./errors";
import { stackPaths } from "./paths";

/** A secret kept in `file` (created once with `bytes` random bytes, hex, mode 600). */
export function persistentSecret(file: string, bytes: number): string {
  if (existsSync(file)) {
    const value = readFileSync(file, "utf8").trim();
    if (value !== "") return value;
  }
  const value = randomBytes(bytes).toString("hex");
  writeFileSync(file, value + "\n", { mode: 0o600 });
  return value;
}

export interface GatewayEnvOptions {
  dataDir: string;
  port: number;
  rpcUrl: string;
  deploymentFile: string;
  /** The stack runs the chain itself (Anvil with development keys). */
  local: boolean;
}

/**
 * The gateway's environment (names as in server/config.ts): DATA_DIR, PORT, RPC_URL and
 * DEPLOYMENT_FILE from the stack; on the local chain the settler's and the relayer's
 * development keys,
 * CONFIRMATIONS=0 (Anvil mines each transaction in its own block and never reorgs) and
 * INDEXER_POLL_MS=100, RATE_LIMIT_SIGN_IN_PER_MINUTE=600 (the demo signs its cast in at once) and
 * DEMO_ACCOUNTS_FILE (the console's demo sign-in), unless set; AUTH_SECRET and PATIENT_REF_SALT kept in DATA_DIR so tokens and patient hashes survive
 * a restart, unless set. Everything else passes through from `base`.
 */
export function gatewayEnv(base: NodeJS.ProcessEnv, options: GatewayEnvOptions): NodeJS.ProcessEnv {
  const paths = stackPaths(options.dataDir);
  mkdirSync(paths.dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...base,
    DATA_DIR: paths.dataDir,
    PORT: String(options.port),
    RPC_URL: options.rpcUrl,
    DEPLOYMENT_FILE: options.deploymentFile,
  };
  if (options.local) {
    if (!env.SETTLER_KEY && !env.SETTLER_KEYSTORE) env.SETTLER_KEY = settlerDevKey();
    env.RELAYER_PRIVATE_KEY ||= relayerDevKey();
    env.CONFIRMATIONS ||= "0";
    env.INDEXER_POLL_MS ||= "100"; // a local node answers at once: index (and settle) promptly
    // Consigned stock used is paid within seconds, not the production hour.
    env.CONSUMPTION_BATCH_INTERVAL_MS ||= "2000";
    // The demo signs its whole cast in from one address within seconds.
    env.RATE_LIMIT_SIGN_IN_PER_MINUTE ||= "600";
    // The console offers the demo accounts at sign-in (the gateway does so on chain 31337 only).
    env.DEMO_ACCOUNTS_FILE ||= paths.accounts;
  }
  env.AUTH_SECRET ||= persistentSecret(paths.authSecret, 32);
  env.PATIENT_REF_SALT ||= persistentSecret(paths.patientRefSalt, 16);
  return env;
}

export interface Gateway {
  app: FastifyInstance;
  config: Config;
  /** http://host:port it listens on (127.0.0.1 when it listens on every address). */
  url: string;
  logFile: string | undefined;
  /** app.close(): the indexer and the payment outbox finish their current step, the database closes. */
  close(): Promise<void>;
}

/**
 * Where the gateway logs: JSON lines appended to `file` (synchronously, so nothing is lost
 * on exit); errors are also echoed to stderr in one line.
 */
function gatewayLogStream(file: string): { write(line: string): void } {
  const fd = openSync(file, "a");
  return {
    write(line: string) {
      writeSync(fd, line);
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        if ((entry.level ?? 0) >= 50) {
          const detail =
            entry.err?.message && entry.err.message !== entry.msg ? `: ${entry.err.message}` : "";
          process.stderr.write(`gateway error: ${entry.msg ?? ""}${detail} (see ${file})\n`);
        }
      } catch {
        // not JSON: already in the file
      }
    },
  };
}

function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  let current = error;
  while (current instanceof Error && chain.length < 10) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

/**
 * Builds the gateway with loadConfig(env) and buildApp(config) and listens, in this process.
 * A database indexed from another deployment (LedgerIdentityError) becomes StackMismatchError;
 * a taken port, a StackError naming PORT.
 */
export async function startGateway(
  env: NodeJS.ProcessEnv,
  options: { logFile?: string } = {},
): Promise<Gateway> {
  const config = loadConfig(env);
  const { buildApp } = await import("../../../server/app");
  const app = buildApp(config, options.logFile ? { logStream: gatewayLogStream(options.logFile) } : {});
  try {
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (error) {
    await app.close().catch(() => undefined);
    const all = causes(error);
    const identity = all.find(
      (e) => e.name === "LedgerIdentityError" || /indexed from chain/.test(e.message),
    );
    if (identity) {
      throw mismatch(
        config.dataDir,
        `The gateway refuses the database: ${identity.message.replace(/; use a fresh.*$/, "")}.`,
      );
    }
    if (all.some((e) => (e as NodeJS.ErrnoException).code === "EADDRINUSE")) {
      throw new StackError(`PORT ${config.http.port} is in use: set PORT to a free port`);
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.http.port;
  const host = ["0.0.0.0", "::", ""].includes(config.http.host) ? "127.0.0.1" : config.http.host;
  return {
    app,
    config,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    logFile: options.logFile,
    close: () => app.close(),
  };
}
