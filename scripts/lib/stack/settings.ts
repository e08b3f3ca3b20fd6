import { createServer, type Server } from "node:net";
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
  return (await freePorts(1))[0];
}

/**
 * `count` distinct free ports. Each is held until all are chosen: asked one after another, a
 * port just given back can be handed out again (a stack once got one port for its gateway and
 * its chain, and its gateway could not start).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", resolve);
      });
    }
    return servers.map((srv) => (srv.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  }
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
