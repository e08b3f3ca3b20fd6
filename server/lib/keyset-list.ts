import { PaginationQuery } from "../../api/common";
import type { Db } from "../db";
import { decodeCursor, ID_KEY, toPage, type Page } from "./pagination";
import type { Row } from "./projection-row";

/**
 * One page of a table's rows in key order, narrowed by equality filters: the list routes of
 * the indexed ledger (suppliers, tenders, agreements, orders) differ only in table, key and
 * filters.
 */

/** The schema's page size when the query names none (ajv fills it in on a validated query). */
const DEFAULT_LIMIT: number = Reflect.get(PaginationQuery.limit, "default");

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
    where.push(`${list.key} > $${params.push(cursor)}${list.numericKey ? "::bigint" : ""}`);
  }
  const { rows } = await db.query<Row>(
    `${list.from} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${list.key} LIMIT $${params.push(limit + 1)}`,
    params,
  );
  return toPage(rows, limit, (r) => String(r[list.key]), list.view);
}
