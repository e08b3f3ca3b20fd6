import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
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
 * The first port the kernel hands out on its own: to a listener on port 0, and as the local port
 * of every outgoing connection (to PostgreSQL, to the chain). A port chosen inside that range and
 * given back is soon some connection's, and the process it was chosen for fails to listen on it
 * (a CI run lost its console tests so, 7.7 s after the port was chosen). Linux says where the
 * range starts; elsewhere IANA's dynamic range (49152) is assumed.
 */
export function ephemeralPortsFrom(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 0) return low;
  } catch {
    // not Linux: the IANA range below
  }
  return 49152;
}

/** Chosen ports are drawn from here up to the ephemeral range, clear of the well-known ports. */
const CHOSEN_PORTS_FROM = 10000;

/**
 * `count` distinct free ports for a process started later, drawn at random below the ephemeral
 * range (see ephemeralPortsFrom), where only a process that chose the same number could take it.
 * Each is held until all are chosen: asked one after another, a port just given back could be
 * handed out again (a stack once got one port for its gateway and its chain).
 */
export async function freePorts(count: number): Promise<number[]> {
  const below = ephemeralPortsFrom();
  const servers: Server[] = [];
  try {
    while (servers.length < count) {
      const port =
        below - CHOSEN_PORTS_FROM > 1000 ? CHOSEN_PORTS_FROM + randomInt(below - CHOSEN_PORTS_FROM) : 0;
      const srv = createServer();
      const listening = await new Promise<boolean>((resolve, reject) => {
        srv.once("error", (error: NodeJS.ErrnoException) =>
          error.code === "EADDRINUSE" ? resolve(false) : reject(error),
        );
        srv.listen(port, "127.0.0.1", () => resolve(true));
      });
      if (listening) servers.push(srv);
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
