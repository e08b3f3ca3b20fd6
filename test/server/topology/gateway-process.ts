import { spawn, type ChildProcess } from "node:child_process";
import { compiled } from "../helpers/build";

/**
 * A gateway as operators run it: `node dist/server/main.js` (`npm run gateway`) in its own
 * process, configured by its environment alone (the test runner's is not passed on). The tests
 * that use it call `buildOnce()` first.
 */

const MAIN = compiled("server/main.ts");

export interface GatewayProcess {
  /** http://127.0.0.1:<port> it listens on. */
  url: string;
  child: ChildProcess;
  /** Everything it printed (JSON log lines). */
  output(): string;
  /** SIGTERM, then waits for it to exit; its exit code (0 after a clean shutdown). */
  stop(): Promise<number | null>;
}

/**
 * Starts the gateway with `env` (and PATH) and resolves once it listens. `env` must leave
 * PORT=0 or name a free port, and LOG_LEVEL at info or below: the address is read from Fastify's
 * "Server listening at" line. Rejects with the output if it exits first, or after `timeoutMs`.
 */
export async function startGatewayProcess(
  name: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ["--enable-source-maps", MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`gateway ${name} did not listen within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const append = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway ${name} exited with ${code} before it listened:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
