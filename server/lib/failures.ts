import { isError } from "ethers";
import { DbUsageError, TransactionAbortedError } from "../db/db";

/**
 * What a failure means for work that runs again by itself (the indexer, the payment worker),
 * decided from error classes and codes in this one place, never from message text:
 * - retryable: another attempt may succeed (the node or the database is unreachable, busy or
 *   restarting, a concurrent writer won a race). Unknown failures count as retryable: a worker
 *   that pays suppliers is better retried with growing pauses, loudly, than stopped on a guess.
 * - permanent: the same attempt fails the same way every time (a programming error, a row the
 *   schema refuses, a reorg deeper than the indexer's window). The loop stops and says so.
 */
export type FailureKind = "retryable" | "permanent";

/** A failure the code raising it knows to be worth another attempt. */
export class RetryableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A failure no retry can cure: a loop that meets one stops and alerts. */
export class PermanentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * ethers error codes of mistakes in the request itself (arguments, encodings, a method the node
 * does not have). Every other ethers code (NETWORK_ERROR, TIMEOUT, SERVER_ERROR, BAD_DATA,
 * CALL_EXCEPTION, NONCE_EXPIRED, INSUFFICIENT_FUNDS, UNKNOWN_ERROR, …) depends on the node or
 * the chain's state and may pass next time.
 */
const PERMANENT_ETHERS_CODES = new Set([
  "INVALID_ARGUMENT",
  "MISSING_ARGUMENT",
  "UNEXPECTED_ARGUMENT",
  "VALUE_MISMATCH",
  "NUMERIC_FAULT",
  "BUFFER_OVERRUN",
  "NOT_IMPLEMENTED",
  "UNCONFIGURED_NAME",
]);

/**
 * SQLSTATE classes of a statement the database will refuse again: data exceptions (22),
 * integrity constraints (23), syntax or undefined objects (42), unsupported features (0A).
 * Connection loss (08), serialization failures and deadlocks (40), resources (53), shutdowns
 * (57) and system errors (58) are retryable, like any other class.
 */
const PERMANENT_SQLSTATE_CLASSES = new Set(["0A", "22", "23", "42"]);
/** Integrity violations a concurrent writer can cause (a replica inserting the same key first). */
const RACE_SQLSTATES = new Set(["23505", "23P01"]);

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof PermanentError) return "permanent";
  if (error instanceof RetryableError) return "retryable";
  if (error instanceof DbUsageError || error instanceof TransactionAbortedError) return "permanent";
  const state = sqlState(error);
  if (state !== null) {
    return PERMANENT_SQLSTATE_CLASSES.has(state.slice(0, 2)) && !RACE_SQLSTATES.has(state)
      ? "permanent"
      : "retryable";
  }
  const code = ethersCode(error);
  if (code !== null && PERMANENT_ETHERS_CODES.has(code)) return "permanent";
  return "retryable";
}

/** The chain refused a call or an estimate (a revert, with or without data). */
export function isCallException(error: unknown): boolean {
  return isError(error, "CALL_EXCEPTION");
}

/**
 * The transaction's nonce went to another transaction (already mined, or replaced in the
 * mempool): this signed transaction can never land.
 */
export function isNonceConsumed(error: unknown): boolean {
  return (
    isError(error, "NONCE_EXPIRED") ||
    isError(error, "REPLACEMENT_UNDERPRICED") ||
    isError(error, "TRANSACTION_REPLACED")
  );
}

/**
 * The node answered with an error ethers has no code for (it maps only the common wordings of
 * a few errors): the caller must find out what happened by asking, not by reading the text.
 * A network failure is not this: the request may never have reached the node.
 */
export function isUncodedRpcError(error: unknown): boolean {
  return isError(error, "UNKNOWN_ERROR");
}

/**
 * Node's socket errors (its http client's "socket hang up" is ECONNRESET) and undici's, as a
 * `fetch failed` carries them in its cause: the request did not reach the node, or its answer
 * was lost on the way back.
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * The node could not be reached, or did not answer in time: a socket error (bare, as ethers'
 * FetchRequest passes Node's through, or as the cause of another error such as `fetch failed`)
 * or ethers' NETWORK_ERROR or TIMEOUT. An answer the node gave, even an error, is not this.
 */
export function isConnectionFailure(error: unknown): boolean {
  // The cause chain, bounded: an error may name itself as its own cause.
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isError(e, "NETWORK_ERROR") || isError(e, "TIMEOUT")) return true;
    const { code } = e as NodeJS.ErrnoException;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  }
  return false;
}

/** A unique or primary key refused the row (SQLSTATE 23505), on PGlite and PostgreSQL alike. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === "23505";
}

/** PostgreSQL chose this statement's transaction to break a deadlock: it took no effect. */
export function isDeadlock(error: unknown): boolean {
  return sqlState(error) === "40P01";
}

/**
 * The SQLSTATE of a database error: `pg` and PGlite both raise the server's error message as
 * an object with a five-character `code` and a `severity`; nothing else carries both.
 */
function sqlState(error: unknown): string | null {
  const e = error as { code?: unknown; severity?: unknown } | null;
  return typeof e?.code === "string" && e.code.length === 5 && typeof e.severity === "string" ? e.code : null;
}

/** The code of an ethers error (every one carries a `shortMessage` beside its code). */
function ethersCode(error: unknown): string | null {
  const e = error as { code?: unknown; shortMessage?: unknown } | null;
  return typeof e?.code === "string" && typeof e.shortMessage === "string" ? e.code : null;
}
