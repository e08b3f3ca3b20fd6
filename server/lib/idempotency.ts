import { createHash } from "node:crypto";
import type { Db } from "../db";
import { appError } from "../plugins/error-catalogue";
import { isUniqueViolation } from "./failures";

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

function attempt<T>(
  db: Db,
  scope: string,
  key: string,
  hash: string,
  effect: (tx: Db) => Promise<{ statusCode: number; body: T }>,
): Promise<IdempotentResponse<T>> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ request_hash: string; status_code: number; response: T }>(
      `SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2 FOR UPDATE`,
      [scope, key],
    );
    if (rows[0]) {
      if (rows[0].request_hash !== hash)
        throw appError(
          "IDEMPOTENCY_KEY_REUSED",
          `Idempotency-Key ${key} was already used with a different request body`,
        );
      return { statusCode: rows[0].status_code, body: rows[0].response, replayed: true };
    }
    const result = await effect(tx);
    await tx.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response) VALUES ($1, $2, $3, $4, $5)`,
      [scope, key, hash, result.statusCode, JSON.stringify(result.body)],
    );
    return { ...result, replayed: false };
  });
}
