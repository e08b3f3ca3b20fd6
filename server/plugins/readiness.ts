import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/**
 * `app.readiness`: whether this instance should receive traffic, answered by GET /ready
 * (health module). Modules register a named check; the instance is ready when every check
 * passes. A check's result goes out under its name, e.g. the indexer's `{ ok: true, lagBlocks: 3 }`
 * at `checks.indexer`; fields beyond `ok` and `error` reach clients only if `Readiness` in
 * api/health.ts lists them for that check (the serialiser drops the rest).
 */

declare module "fastify" {
  interface FastifyInstance {
    readiness: ReadinessRegistry;
  }
}

export interface CheckResult {
  ok: boolean;
  [detail: string]: unknown;
}

export type ReadinessCheck = () => Promise<CheckResult>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** `timeoutMs`: a check still pending after this long fails, so /ready never hangs. */
  constructor(private readonly timeoutMs: number) {}

  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check ${name} is already registered`);
    this.checks.set(name, check);
  }

  async run(): Promise<ReadinessReport> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await this.runOne(check)] as const),
    );
    return { ready: results.every(([, result]) => result.ok), checks: Object.fromEntries(results) };
  }

  private async runOne(check: ReadinessCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, error: `no answer within ${this.timeoutMs} ms` }),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([check(), timeout]);
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Generous: on PGlite a check queues behind whatever transaction is running. */
const CHECK_TIMEOUT_MS = 5000;

async function readinessPlugin(app: FastifyInstance): Promise<void> {
  app.decorate("readiness", new ReadinessRegistry(CHECK_TIMEOUT_MS));
}

export default fp(readinessPlugin, { name: "readiness", fastify: "5.x" });
