import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import path from "node:path";
import { poll } from "./poll";

/**
 * One gateway replica: a real `node dist/server/main.js` process, as `npm run gateway` runs it,
 * with its output appended to its own log file across restarts. `kill()` is a SIGKILL (no
 * shutdown hook runs); `start()` is what a process supervisor does after it: start again,
 * and again if the new process exits (a gateway refuses to start while the chain does not
 * answer), until it serves /health.
 */

const MAIN = path.resolve(__dirname, "../../dist/server/main.js");

export class Replica {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Processes started, the first included. */
  starts = 0;
  /** Starts that exited before serving (e.g. the chain was down), retried. */
  failedStarts = 0;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process, restarting it while it exits early, until /health answers 200. */
  async start(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.spawnOnce();
      const child = this.child!;
      const served = await poll(
        `${this.name} to serve /health`,
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) return false;
          return (await this.healthy()) || undefined;
        },
        { timeoutMs: Math.max(1_000, deadline - Date.now()), everyMs: 100 },
      );
      if (served) return;
      this.failedStarts++;
      if (Date.now() > deadline) throw new Error(`${this.name} did not start (see ${this.logFile})`);
    }
  }

  private spawnOnce(): void {
    const log = openSync(this.logFile, "a");
    try {
      this.child = spawn(process.execPath, [MAIN], {
        env: { PATH: process.env.PATH ?? "", ...this.env, PORT: String(this.port) },
        stdio: ["ignore", log, log],
      });
    } finally {
      closeSync(log);
    }
    const child = this.child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    this.starts++;
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1_000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  /** SIGKILL, and wait until the process is gone (its port is free again). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM (a clean shutdown), SIGKILL if it overruns. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const child = this.child!;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}
