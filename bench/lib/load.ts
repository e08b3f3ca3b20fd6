import { fork } from "node:child_process";
import { join } from "node:path";

/** One load run: `amount` requests over `connections` keep-alive connections. */
export interface LoadSpec {
  url: string;
  method: "GET" | "POST" | "PUT";
  /** Path with `{{n}}` placeholders; so are the headers' values and the body. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  connections: number;
  amount: number;
  /** The first request's `{{n}}`. */
  first: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** Runs autocannon in a child process (load-client.ts) and returns its figures. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = fork(join(__dirname, "load-client.ts"), [], {
    // TypeScript from the tests' cache of transpiled files: a run forks one client per round.
    execArgv: ["-r", join(__dirname, "../../test/server/helpers/ts-register.js")],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (message: LoadResult | { error: string }) => {
      if ("error" in message) reject(new Error(`autocannon: ${message.error}`));
      else resolve(message);
    });
    child.once("exit", (code) => reject(new Error(`the load client exited (${code}) before answering`)));
    child.once("error", reject);
    child.send(spec);
  });
}
