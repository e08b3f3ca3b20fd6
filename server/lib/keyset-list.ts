import type { Db } from "../db";
import { cursorKey, cursorValues, DEFAULT_LIMIT, toPage, type Page } from "./pagination";
import type { Row } from "./projection-row";

/**
 * One page of a table's rows in key order, narrowed by filters: the list routes of the indexed
 * ledger (suppliers, tenders, agreements, orders, shipments) and of the back office (receipts,
 * usages) differ only in table, key and filters.
 */

/**
 * An address or a 32-byte code (a category), stored lower-cased. Only these are folded: a lot or
 * a department that merely begins with "0x" is compared as given.
 */
const HEX_KEY = /^0x([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/;

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/** `>=` and `<` bound a time range: from (inclusive) to (exclusive). */
export type Comparison = "=" | ">=" | "<";

export interface KeysetList<T> {
  /** `SELECT … FROM …` without WHERE or ORDER BY. */
  from: string;
  /**
   * Column, value and comparison (equality unless given); an absent value filters nothing.
   * Addresses and 32-byte codes compare lower-cased. The same column may appear twice: both must hold.
   */
  filters: [column: string, value: string | undefined, op?: Comparison][];
  /**
   * The sort key: a unique column, or text columns unique together (a table whose primary key
   * is composite, such as usages' hospital and usage id).
   */
  key: string | readonly string[];
  /** A single numeric id compares (and is checked in the cursor) as a number, addresses as text. */
  numericKey: boolean;
  /** Newest (highest key) first; by default the lowest key comes first. */
  descending?: boolean;
  view: (row: Row) => T;
}

export async function keysetList<T>(db: Db, list: KeysetList<T>, q: PageQuery): Promise<Page<T>> {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const keys = typeof list.key === "string" ? [list.key] : list.key;
  const cursor = cursorValues(q.cursor, keys.length, list.numericKey);
  const params: unknown[] = [];
  const where: string[] = [];
  for (const [column, value, op = "="] of list.filters) {
    if (value === undefined || value === "") continue;
    where.push(`${column} ${op} $${params.push(HEX_KEY.test(value) ? value.toLowerCase() : value)}`);
  }
  if (cursor !== null) {
    const after = list.descending ? "<" : ">";
    const values = cursor.map((v) => `$${params.push(v)}${list.numericKey ? "::bigint" : ""}`);
    where.push(`(${keys.join(", ")}) ${after} (${values.join(", ")})`);
  }
  const order = keys.map((k) => `${k}${list.descending ? " DESC" : ""}`).join(", ");
  const { rows } = await db.query<Row>(
    `${list.from} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT $${params.push(limit + 1)}`,
    params,
  );
  return toPage(rows, limit, (r) => cursorKey(keys.map((k) => String(r[k]))), list.view);
}
