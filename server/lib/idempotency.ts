import { createHash } from "node:crypto";
import type { Db } from "../db";
import { appError } from "../plugins/error-catalogue";
import { isDeadlock, isUniqueViolation } from "./failures";

/**
 * Idempotent writes keyed by the client's `Idempotency-Key`: the first request's response is
 * stored in the same transaction as its effects; the same key with the same body returns that
 * response again, with a different body it is a conflict. Concurrent duplicates race on the
 * primary key, so only one of them can commit its effects.
 */

export interface IdempotentResponse<T> {
  statusCode: number;
  body: T;
  replayed: boolean;
}

export function requestHash(body: unknown): string {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

/** JSON with object keys sorted, so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export async function withIdempotency<T>(
  db: Db,
  scope: string,
  key: string,
  body: unknown,
  effect: (tx: Db) => Promise<{ statusCode: number; body: T }>,
): Promise<IdempotentResponse<T>> {
  const hash = requestHash(body);
  try {
    return await attempt(db, scope, key, hash, effect);
  } catch (error) {
    // A concurrent request with the same key committed first: replay its response.
    if (!isUniqueViolation(error)) throw error;
    return attempt(db, scope, key, hash, effect);
  }
}

/** How many times `insertOnce` sends a statement PostgreSQL chose as a deadlock's victim again. */
const DEADLOCK_RETRIES = 3;

/**
 * The one-statement form, for an effect that is a single INSERT: the effect and its key are
 * written by one statement, with no transaction around them (a busy write path's every statement
 * counts). `effect` is an `INSERT … ON CONFLICT DO NOTHING RETURNING <response JSON> AS response`
 * using `$1…$n` for `params`; it returns its row, or none when the record already exists.
 * Answers as `withIdempotency` does, and null when the effect found its record already there
 * under no key of this request (the caller's conflict to report).
 *
 * Why one statement is enough: the key is inserted only from the effect's row, in the same
 * statement, so both commit or neither does. A key already used by another request makes the
 * key's insert fail on its primary key, which aborts the effect's insert with it; the key is then
 * read again, and its first request's response replayed or the reuse refused.
 *
 * `with`: more data-modifying statements of the same statement, as named CTEs ahead of the
 * effect (which may read their RETURNING by name): they too commit with the key or not at all.
 * A unique violation in any of them is answered as one in the effect: the key's stored response
 * when the key is there, else null. Their effect may be a plain `SELECT … AS response`: the
 * record's own unique keys, not ON CONFLICT, then tell a record already there (receipts).
 *
 * A statement PostgreSQL aborts to break a deadlock is sent again (up to DEADLOCK_RETRIES
 * times): it took no effect, and the other side of the deadlock (a group of usages inserted
 * together, whose rows lock several totals rows) goes on and commits.
 */
export async function insertOnce<T>(
  db: Db,
  scope: string,
  key: string,
  body: unknown,
  statusCode: number,
  effect: {
    sql: string;
    params: readonly unknown[];
    with?: readonly (readonly [name: string, sql: string])[];
  },
): Promise<IdempotentResponse<T> | null> {
  const hash = requestHash(body);
  const k = effect.params.length;
  const before = (effect.with ?? []).map(([name, sql]) => `${name} AS (${sql}),\n`).join("");
  for (let deadlocks = 0; ; deadlocks++) {
    try {
      // The key's row below is read in the statement's snapshot: the key as it was before it.
      const { rows } = await db.query<StoredKey<T> & { fresh: boolean }>(
        `WITH ${before}effect AS (${effect.sql}),
         stored AS (
           INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
           SELECT $${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, response FROM effect RETURNING request_hash, status_code, response
         )
         SELECT true AS fresh, request_hash, status_code, response FROM stored
         UNION ALL
         SELECT false, request_hash, status_code, response FROM idempotency_keys WHERE scope = $${k + 1} AND key = $${k + 2}`,
        [...effect.params, scope, key, hash, statusCode],
        // A busy path's one statement: planning it on every request cost as much as running it.
        { prepared: true },
      );
      const row = rows[0];
      if (row?.fresh) return { statusCode: row.status_code, body: row.response, replayed: false };
      if (row) return replay(row, key, hash);
      break;
    } catch (error) {
      if (isDeadlock(error) && deadlocks < DEADLOCK_RETRIES) continue;
      if (!isUniqueViolation(error)) throw error;
      break;
    }
  }
  // The key committed by a concurrent request (after this statement's snapshot), or nothing.
  return readKey(db, scope, key, hash);
}

/**
 * The response stored under the key, replayed for a request with the same body (a 409 for
 * another); null when the key was never used. For a write that finds its record already there
 * before trying `insertOnce`: it may be this very request's, sent again.
 */
export function storedResponse<T>(
  db: Db,
  scope: string,
  key: string,
  body: unknown,
): Promise<IdempotentResponse<T> | null> {
  return readKey(db, scope, key, requestHash(body));
}

async function readKey<T>(
  db: Db,
  scope: string,
  key: string,
  hash: string,
): Promise<IdempotentResponse<T> | null> {
  const { rows } = await db.query<StoredKey<T>>(
    `SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2`,
    [scope, key],
  );
  return rows[0] ? replay(rows[0], key, hash) : null;
}

interface StoredKey<T> {
  request_hash: string;
  status_code: number;
  response: T;
}

/** The stored response of a key's first request, for a request with the same body; else a 409. */
function replay<T>(stored: StoredKey<T>, key: string, hash: string): IdempotentResponse<T> {
  if (stored.request_hash !== hash) {
    throw appError(
      "IDEMPOTENCY_KEY_REUSED",
      `Idempotency-Key ${key} was already used with a different request body`,
    );
  }
  return { statusCode: stored.status_code, body: stored.response, replayed: true };
}

function attempt<T>(
  db: Db,
  scope: string,
  key: string,
  hash: string,
  effect: (tx: Db) => Promise<{ statusCode: number; body: T }>,
): Promise<IdempotentResponse<T>> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<StoredKey<T>>(
      `SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2 FOR UPDATE`,
      [scope, key],
      { prepared: true }, // every idempotent write's, as the one below
    );
    if (rows[0]) return replay(rows[0], key, hash);
    const result = await effect(tx);
    await tx.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response) VALUES ($1, $2, $3, $4, $5)`,
      [scope, key, hash, result.statusCode, JSON.stringify(result.body)],
      { prepared: true },
    );
    return { ...result, replayed: false };
  });
}
