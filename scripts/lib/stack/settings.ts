import { createServer } from "node:net";
import path from "node:path";
import { StackError } from "./errors";
import { DEFAULT_DATA_DIR, DEFAULT_PORT } from "./paths";

/** DATA_DIR as an absolute folder; the stack needs a real folder, never `:memory:`. */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const value = env.DATA_DIR || DEFAULT_DATA_DIR;
  if (value === ":memory:") {
    throw new StackError("DATA_DIR=:memory: is for tests of the gateway alone; npm start needs a folder");
  }
  return path.resolve(value);
}

function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new StackError(`${name} must be a port from 0 to 65535`);
  return port;
}

/** PORT (default 8080) for the gateway. */
export function gatewayPort(env: NodeJS.ProcessEnv = process.env): number {
  return parsePort("PORT", env.PORT, DEFAULT_PORT);
}

/** CHAIN_PORT, default PORT + 1 (so stacks on different ports do not collide); PORT=0: any free port. */
export async function chainPort(env: NodeJS.ProcessEnv, port: number): Promise<number> {
  const explicit = parsePort("CHAIN_PORT", env.CHAIN_PORT, -1);
  if (explicit > 0) return explicit;
  if (port === 0 || explicit === 0) return freePort();
  if (port === 65535) throw new StackError("PORT 65535 leaves no room for the chain: set CHAIN_PORT");
  return port + 1;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Fails with a clear message when `port` is taken (checked before anything starts). */
export async function ensurePortFree(port: number, setting: string, host = "127.0.0.1"): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE")
        reject(
          new StackError(
            `${setting} ${port} is in use (another stack, or something else): set ${setting} to a free port`,
          ),
        );
      else reject(error);
    });
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}
