import type { Db } from "../db";
import { decodeCursor, DEFAULT_LIMIT, ID_KEY, toPage, type Page } from "./pagination";
import type { Row } from "./projection-row";

/**
 * One page of a table's rows in key order, narrowed by equality filters: the list routes of
 * the indexed ledger (suppliers, tenders, agreements, orders) differ only in table, key and
 * filters.
 */

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

export interface KeysetList<T> {
  /** `SELECT … FROM …` without WHERE or ORDER BY. */
  from: string;
  /** Column and value; an absent value filters nothing. Addresses compare lower-cased. */
  filters: [column: string, value: string | undefined][];
  key: string;
  /** Numeric ids compare (and are checked in the cursor) as numbers, addresses as text. */
  numericKey: boolean;
  /** Newest (highest key) first; by default the lowest key comes first. */
  descending?: boolean;
  view: (row: Row) => T;
}

export async function keysetList<T>(db: Db, list: KeysetList<T>, q: PageQuery): Promise<Page<T>> {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const cursor = decodeCursor(q.cursor, list.numericKey ? ID_KEY : undefined);
  const params: unknown[] = [];
  const where: string[] = [];
  for (const [column, value] of list.filters) {
    if (value === undefined || value === "") continue;
    where.push(`${column} = $${params.push(value.startsWith("0x") ? value.toLowerCase() : value)}`);
  }
  if (cursor !== null) {
    const after = list.descending ? "<" : ">";
    where.push(`${list.key} ${after} $${params.push(cursor)}${list.numericKey ? "::bigint" : ""}`);
  }
  const { rows } = await db.query<Row>(
    `${list.from} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${list.key}${list.descending ? " DESC" : ""} LIMIT $${params.push(limit + 1)}`,
    params,
  );
  return toPage(rows, limit, (r) => String(r[list.key]), list.view);
}
