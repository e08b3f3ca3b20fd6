/**
 * What may leave the process: an RPC URL often carries a provider key (in its path, query or
 * user info), and an upstream error message often quotes that URL. Everything that writes a
 * log line or a response detail from an error passes its text through `redactSecrets`.
 */

export const REDACTED = "[redacted]";

// A URL of any scheme (http, https, ws, wss, postgres, …): scheme://anything up to a space or a quote.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*):\/\/[^\s"'<>`]+/gi;

/**
 * The URL reduced to its scheme and host: user info, path and query (where provider keys and
 * passwords live) are replaced. `https://mainnet.infura.io/v3/KEY` → `https://mainnet.infura.io/[redacted]`.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const rest = parsed.username || parsed.password || parsed.pathname.length > 1 || parsed.search;
    return `${parsed.protocol}//${parsed.host}${rest ? `/${REDACTED}` : ""}`;
  } catch {
    return REDACTED;
  }
}

/** `text` with every URL in it redacted (see `redactUrl`). */
export function redactSecrets(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}

/**
 * Pino's `err` serializer, redacting: the type, message, code and stack of an error (and of its
 * cause), each message and stack without URLs. Ethers errors carry the request (`info`,
 * `payload`) and sometimes the URL in other fields; those are left out.
 */
export interface SerializedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

export function serializeError(error: Error, depth = 0): SerializedError {
  const out: SerializedError = {
    type: error.name,
    message: redactSecrets(error.message),
    stack: redactSecrets(error.stack ?? ""),
  };
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === "string" || typeof code === "number") out.code = code;
  if (typeof statusCode === "number") out.statusCode = statusCode;
  const cause = error.cause;
  if (cause instanceof Error && depth < 5) out.cause = serializeError(cause, depth + 1);
  else if (typeof cause === "string") out.cause = redactSecrets(cause);
  return out;
}
