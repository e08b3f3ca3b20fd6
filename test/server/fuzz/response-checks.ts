import type { LightMyRequestResponse } from "fastify";
import { ERROR_CATALOGUE } from "../../../api/errors";

/**
 * What every response of the gateway must be, whatever was sent: never a 5xx; a 4xx is the
 * catalogue's JSON error body with a message; and no response carries a secret of the gateway
 * or the text of an upstream error (a stack trace, SQL, an ethers error, an RPC URL with
 * credentials). Each check returns the problems it finds, as sentences.
 */

export interface Secrets {
  /** Values that must never appear in a response: keys, salts, the database URL … */
  values: readonly string[];
}

/** Text an upstream error (Node, PostgreSQL, PGlite, ethers, the RPC node) would put in a body. */
const LEAKS: readonly [string, RegExp][] = [
  ["a stack frame", /^\s*at .+[(\s][^\s()]+:\d+:\d+\)?$/m],
  ["a source path", /(?:\/[\w.-]+)+\.(?:ts|js|mjs|cjs):\d+/],
  ["node internals", /node:internal|node_modules\//],
  [
    "SQL error text",
    /syntax error at or near|relation "[^"]*" does not exist|column "[^"]*" (?:does not exist|of relation)|violates (?:not-null|check|unique|foreign key) constraint|invalid input syntax for|duplicate key value|out of range for type|current transaction is aborted|could not serialize access/i,
  ],
  ["SQL text", /\b(?:SELECT\s[\s\S]{0,200}\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\s+\w/],
  ["an ethers error", /\bcode=[A-Z_]+,\s*version=|could not coalesce error|missing revert data|\(action="/],
  ["a socket error", /\bE(?:CONNREFUSED|CONNRESET|TIMEDOUT|PIPE|ADDRINUSE)\b/],
  ["a URL with credentials", /\b[a-z][\w+.-]*:\/\/[^\s/:@"']+:[^\s/@"']+@/i],
  ["a database URL", /\bpostgres(?:ql)?:\/\//i],
];

/** The problems with `res`, answered for a request the caller sent; none when it is fine. */
export function responseProblems(res: LightMyRequestResponse, secrets: Secrets): string[] {
  const problems: string[] = [];
  if (res.statusCode >= 500) problems.push(`answered ${res.statusCode}`);
  if (res.statusCode >= 400) problems.push(...errorBodyProblems(res));
  const text = `${JSON.stringify(res.headers)}\n${res.body}`;
  for (const [what, pattern] of LEAKS) {
    const match = pattern.exec(text);
    if (match) problems.push(`leaks ${what}: ${JSON.stringify(match[0].slice(0, 120))}`);
  }
  for (const secret of secrets.values)
    if (secret.length >= 8 && text.toLowerCase().includes(secret.toLowerCase()))
      problems.push(`leaks a secret: ${secret.slice(0, 6)}…`);
  return problems;
}

function errorBodyProblems(res: LightMyRequestResponse): string[] {
  if (!String(res.headers["content-type"] ?? "").startsWith("application/json"))
    return [`a ${res.statusCode} with content-type ${String(res.headers["content-type"])}`];
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return [`a ${res.statusCode} whose body is not JSON`];
  }
  const { error, message } = (body ?? {}) as { error?: unknown; message?: unknown };
  const problems: string[] = [];
  if (typeof message !== "string" || message.trim() === "")
    problems.push(`a ${res.statusCode} without a message`);
  if (typeof error !== "string" || !(error in ERROR_CATALOGUE))
    problems.push(`a ${res.statusCode} with error ${JSON.stringify(error)}, not a catalogue code`);
  else if (ERROR_CATALOGUE[error as keyof typeof ERROR_CATALOGUE].status !== res.statusCode)
    problems.push(`a ${res.statusCode} with error ${error}, which the catalogue answers with another status`);
  return problems;
}

/** The error code of a 4xx (undefined for anything else or an unreadable body). */
export function errorCode(res: LightMyRequestResponse): string | undefined {
  if (res.statusCode < 400) return undefined;
  try {
    return (JSON.parse(res.body) as { error?: string }).error;
  } catch {
    return undefined;
  }
}

/** Refusals Fastify makes while routing, before any hook (so before authentication) runs. */
export const ROUTING_ERRORS: ReadonlySet<string> = new Set([
  "ROUTE_NOT_FOUND",
  "URI_TOO_LONG",
  "BAD_REQUEST",
]);
