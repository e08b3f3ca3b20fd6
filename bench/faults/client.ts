import type { HDNodeWallet } from "ethers";
import { formatSiwe } from "../../ledger/siwe";
import { pause } from "./poll";

/**
 * The bench's HTTP client, behaving as a real client behind a load balancer would: each request
 * goes to the next replica in turn; on a network error (refused, reset, timed out), a 5xx or a
 * 429 it is sent again — to the other replica, with the same Idempotency-Key and body — after a
 * growing pause, until it gets a definitive answer or its deadline passes. Every attempt and
 * every final answer is counted by kind, and every 5xx is kept for the report.
 */

const REQUEST_TIMEOUT_MS = 15_000;
const RETRY_DEADLINE_MS = 180_000;

export interface Outcome<T = unknown> {
  status: number;
  body: T;
  attempts: number;
  /**
   * An earlier attempt may have taken effect without its answer reaching us (a network error
   * or a 5xx after the request was sent): a conflict on the retry is then not the client's fault.
   */
  ambiguous: boolean;
}

export interface ServerError {
  at: number;
  kind: string;
  replica: string;
  method: string;
  path: string;
  status: number;
  error: string;
  message: string;
}

export interface KindStats {
  requests: number;
  attempts: number;
  retries: number;
  /** Final answers by status ("gave up" when the deadline passed). */
  final: Record<string, number>;
  /** Failed attempts by cause: "network", or status and error code ("503 CHAIN_UNAVAILABLE"). */
  failedAttempts: Record<string, number>;
}

export class Stats {
  readonly kinds: Record<string, KindStats> = {};
  readonly serverErrors: ServerError[] = [];

  kind(name: string): KindStats {
    return (this.kinds[name] ??= { requests: 0, attempts: 0, retries: 0, final: {}, failedAttempts: {} });
  }
}

export interface Endpoint {
  name: string;
  url: string;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export class BenchClient {
  private next = 0;

  constructor(
    private readonly endpoints: readonly Endpoint[],
    readonly stats: Stats,
    private token: string | null = null,
  ) {}

  /** A client for the same replicas signed in as `wallet` (SIWE), sharing the counters. */
  static async signedIn(
    endpoints: readonly Endpoint[],
    stats: Stats,
    wallet: HDNodeWallet,
  ): Promise<BenchClient> {
    const client = new BenchClient(endpoints, stats);
    const nonce = await client.request<{ nonce: string; domain: string; uri: string; chainId: number }>(
      "auth",
      "POST",
      "/v1/auth/nonce",
    );
    if (nonce.status !== 200) throw new Error(`nonce: ${nonce.status} ${JSON.stringify(nonce.body)}`);
    const message = formatSiwe({
      domain: nonce.body.domain,
      address: wallet.address,
      statement: "Sign in to the Sunshine Ledger gateway",
      uri: nonce.body.uri,
      chainId: nonce.body.chainId,
      nonce: nonce.body.nonce,
      issuedAt: new Date(),
    });
    const login = await client.request<{ token: string }>("auth", "POST", "/v1/auth/login", {
      message,
      signature: await wallet.signMessage(message),
    });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    client.token = login.body.token;
    return client;
  }

  async request<T = unknown>(
    kind: string,
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<Outcome<T>> {
    const stats = this.stats.kind(kind);
    stats.requests++;
    const deadline = Date.now() + RETRY_DEADLINE_MS;
    let ambiguous = false;
    for (let attempt = 1; ; attempt++) {
      const endpoint = this.endpoints[this.next++ % this.endpoints.length];
      stats.attempts++;
      if (attempt > 1) stats.retries++;
      let failure: string;
      try {
        const res = await fetch(`${endpoint.url}${path}`, {
          method,
          headers: {
            ...(body === undefined ? {} : { "content-type": "application/json" }),
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
            ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await res.text();
        const parsed = (text ? JSON.parse(text) : undefined) as T;
        if (res.status < 500 && res.status !== 429) {
          const code = res.ok ? "" : ` ${(parsed as { error?: string } | undefined)?.error ?? ""}`;
          bump(stats.final, `${res.status}${code}`.trim());
          return { status: res.status, body: parsed, attempts: attempt, ambiguous };
        }
        const error = parsed as { error?: string; message?: string } | undefined;
        failure = `${res.status} ${error?.error ?? ""}`.trim();
        if (res.status >= 500) {
          this.stats.serverErrors.push({
            at: Date.now(),
            kind,
            replica: endpoint.name,
            method,
            path,
            status: res.status,
            error: error?.error ?? "",
            message: error?.message ?? text.slice(0, 200),
          });
          // A 503 is refused before any effect; any other 5xx may have come after one.
          if (res.status !== 503) ambiguous = true;
        }
      } catch (error) {
        // Refused before sending changes nothing; anything else may have reached the gateway.
        const code = (error as { cause?: { code?: string } }).cause?.code;
        failure =
          code === "ECONNREFUSED" ? "network ECONNREFUSED" : `network ${code ?? (error as Error).name}`;
        if (code !== "ECONNREFUSED") ambiguous = true;
      }
      bump(stats.failedAttempts, failure);
      if (Date.now() > deadline) {
        bump(stats.final, "gave up");
        return { status: 0, body: undefined as T, attempts: attempt, ambiguous: true };
      }
      await pause(Math.min(2_000, 100 * 2 ** Math.min(attempt - 1, 5)));
    }
  }
}
