import type { ErrorBody } from "../../../api/errors";

/**
 * The console's HTTP client of the gateway: same origin, the session's bearer token, and every
 * error answer turned into an ApiError with the catalogue's code, message and details. Types
 * come from api/ — the one wire contract — never from copies.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

let bearer: string | null = null;
/** Called when the gateway says the token is no longer good (expired, or the roles changed). */
let onUnauthorized: () => void = () => undefined;

export function setToken(token: string | null, unauthorized?: () => void): void {
  bearer = token;
  if (unauthorized) onUnauthorized = unauthorized;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "NETWORK", "the gateway cannot be reached");
  }
  const text = await res.text();
  if (!res.ok) {
    let error: Partial<ErrorBody> = {};
    try {
      error = JSON.parse(text) as ErrorBody;
    } catch {
      // Not the gateway's error body (a proxy's page): the status is all there is.
    }
    if (res.status === 401 && bearer) onUnauthorized();
    throw new ApiError(
      res.status,
      error.error ?? `HTTP_${res.status}`,
      error.message ?? res.statusText,
      error.details as Record<string, unknown> | undefined,
    );
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body: unknown, headers?: Record<string, string>) =>
    request<T>("POST", path, body, headers),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, body),
};

/** `path` with the query's defined values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const q = params.toString();
  return q ? `${path}?${q}` : path;
}

/**
 * Every page of a cursor-paged list or report, for a figure or chart that needs the whole of it
 * (a table pages with CursorTable instead): pages of 500, following `nextCursor` to the last.
 */
export async function allPages<P extends { nextCursor: string | null }>(
  path: string,
  query: Record<string, string | number | undefined> = {},
): Promise<P[]> {
  const pages: P[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<P>(withQuery(path, { ...query, limit: 500, cursor }));
    pages.push(page);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

/** Every item of a cursor-paged list (`{ items, nextCursor }`). */
export async function fetchAll<T>(
  path: string,
  query: Record<string, string | number | undefined> = {},
): Promise<T[]> {
  return (await allPages<{ items: T[]; nextCursor: string | null }>(path, query)).flatMap((p) => p.items);
}

/**
 * Downloads a CSV report with the session's token (a plain link would carry none) as one file:
 * the report's pages, followed through their `Link: <…>; rel="next"` headers, each after the
 * first without its header row.
 */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const parts: string[] = [];
  let next: string | null = path;
  while (next !== null) {
    const res: Response = await fetch(next, {
      headers: { accept: "text/csv", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    });
    if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText);
    const text = await res.text();
    parts.push(parts.length === 0 ? text : text.slice(text.indexOf("\r\n") + 2));
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1] ?? null;
  }
  const url = URL.createObjectURL(new Blob(parts, { type: "text/csv" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}
