import type { Signer } from "ethers";
import type { LoginRequest, NonceResponse, Session } from "../../api/auth";
import type { ErrorBody } from "../../api/errors";
import { formatSiwe } from "../../ledger/siwe";

/**
 * A small client of the gateway's HTTP API for scripts, the CLI and the demo: signs in with
 * SIWE and turns every error body into an Error carrying the gateway's code and message.
 */

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(`${code} (${status}): ${message}`);
  }
}

export class GatewayClient {
  private token: string | null = null;

  constructor(readonly baseUrl: string) {}

  /** Signs in as `signer` (Sign-In with Ethereum); later calls carry the bearer token. */
  async login(signer: Signer): Promise<Session> {
    const nonce = await this.request<NonceResponse>("POST", "/v1/auth/nonce");
    const address = await signer.getAddress();
    const message = formatSiwe({
      domain: nonce.domain,
      address,
      statement: "Sign in to the Sunshine Ledger gateway",
      uri: nonce.uri,
      chainId: nonce.chainId,
      nonce: nonce.nonce,
      issuedAt: new Date(),
    });
    const signature = await signer.signMessage(message);
    const session = await this.request<Session>("POST", "/v1/auth/login", {
      message,
      signature,
    } satisfies LoginRequest);
    this.token = session.token;
    return session;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  /** Every page of a paginated list or report, following `nextCursor` to the last. */
  async *pages<P extends { nextCursor: string | null }>(path: string): AsyncGenerator<P> {
    const url = new URL(path, this.baseUrl);
    for (;;) {
      const page = await this.get<P>(`${url.pathname}${url.search}`);
      yield page;
      if (page.nextCursor === null) return;
      url.searchParams.set("cursor", page.nextCursor);
    }
  }

  post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.request<T>("POST", path, body, headers);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, body);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const e = (parsed ?? {}) as Partial<ErrorBody>;
      throw new GatewayError(res.status, e.error ?? "HTTP_ERROR", e.message ?? text, e.details);
    }
    return parsed as T;
  }
}
