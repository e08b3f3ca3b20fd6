import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { redactSecrets } from "../lib/redact";

/**
 * `app.readiness`: whether this instance should receive traffic, answered by GET /ready
 * (health module). Modules register a named check; the instance is ready when every check
 * passes. A check's result goes out under its name, e.g. the indexer's `{ ok: true, lagBlocks: 3 }`
 * at `checks.indexer`; fields beyond `ok` and `error` reach clients only if `Readiness` in
 * api/health.ts lists them for that check (the serialiser drops the rest). The checks go only to
 * operators (`isOperator`); anyone else learns the status alone.
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
      const result = await Promise.race([check(), timeout]);
      // A check's error often quotes an upstream one, and with it the RPC URL and its key.
      return typeof result.error === "string" ? { ...result, error: redactSecrets(result.error) } : result;
    } catch (error) {
      return { ok: false, error: redactSecrets(error instanceof Error ? error.message : String(error)) };
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

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * Whether a request may see the readiness details (check names, lag, upstream errors). Without
 * OPS_TOKEN: a request from this host (a probe, an operator's shell). With OPS_TOKEN: only a
 * request whose `X-Ops-Token` header equals it — set it whenever a reverse proxy on this host
 * makes every request look local.
 */
export function isOperator(request: FastifyRequest, opsToken: string | undefined): boolean {
  if (opsToken === undefined) return LOOPBACK.has(request.socket.remoteAddress ?? "");
  const given = request.headers["x-ops-token"];
  if (typeof given !== "string") return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(opsToken).digest();
  return timingSafeEqual(a, b);
}
