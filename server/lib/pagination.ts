import { PaginationQuery } from "../../api/common";
import { appError } from "../plugins/error-catalogue";

/**
 * Keyset (cursor) pagination: the cursor is the last item's sort key, opaque to clients, so
 * pages stay stable while new rows arrive (unlike offsets).
 */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The schema's page size when the query names none (ajv fills it in on a validated query). */
export const DEFAULT_LIMIT: number = Reflect.get(PaginationQuery.limit, "default");

export function encodeCursor(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url");
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The shape of a BIGINT id key, for `decodeCursor`. */
export const ID_KEY = /^[0-9]{1,18}$/;

/** `shape`: what a key must look like (one that is not would fail in SQL, not as a 400). */
export function decodeCursor(cursor: string | undefined, shape?: RegExp): string | null {
  if (cursor === undefined || cursor === "") return null;
  const key = Buffer.from(cursor, "base64url").toString("utf8");
  // A key with a control character (a NUL) was never issued, and would fail in SQL as a 500.
  if (key.length === 0 || encodeCursor(key) !== cursor || CONTROL.test(key) || (shape && !shape.test(key)))
    throw invalidCursor(cursor);
  return key;
}

/** The 400 for a cursor this API did not issue. */
export function invalidCursor(cursor: string): Error {
  return appError("CURSOR_INVALID", `cursor "${cursor}" is not one this API issued`);
}

/** Splits `limit + 1` fetched rows into a page and the cursor of the next one. */
export function toPage<R, T>(rows: R[], limit: number, key: (row: R) => string, map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return { items: items.map(map), nextCursor: more ? encodeCursor(key(items[items.length - 1])) : null };
}

/**
 * The key a cursor carries: a single column's value as itself, several as a JSON array (JSON
 * escapes control characters, which decodeCursor refuses, so any text value round-trips).
 */
export function cursorKey(values: string[]): string {
  return values.length === 1 ? values[0] : JSON.stringify(values);
}

/** The `count` values a cursorKey cursor carries, or null for no cursor. */
export function cursorValues(cursor: string | undefined, count: number, numeric = false): string[] | null {
  const key = decodeCursor(cursor, numeric ? ID_KEY : undefined);
  if (key === null || count === 1) return key === null ? null : [key];
  let values: unknown;
  try {
    values = JSON.parse(key);
  } catch {
    throw invalidCursor(cursor!);
  }
  // A NUL would fail in SQL (a 500); no stored key has one, so no issued cursor does.
  const ok = (v: unknown) => typeof v === "string" && !v.includes("\u0000");
  if (!Array.isArray(values) || values.length !== count || !values.every(ok)) throw invalidCursor(cursor!);
  return values as string[];
}
