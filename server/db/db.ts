/**
 * The one database interface every repository codes against, served by PGlite (embedded, the
 * default) and PostgreSQL (`DATABASE_URL`) alike, so the same SQL and migrations run on both.
 *
 * Values come back the same way from both engines (the drivers are configured to agree):
 *
 * | SQL type                              | JavaScript                                       |
 * |---------------------------------------|--------------------------------------------------|
 * | `smallint`, `integer`, `real`, `float8` | `number`                                       |
 * | `bigint`, `numeric` (Money is `NUMERIC(78,0)`) | `string` — convert with `BigInt(value)`; JSON keeps the string |
 * | `boolean`                             | `boolean`                                        |
 * | `text`, `varchar`, `uuid`             | `string`                                         |
 * | `date`                                | `string`, `YYYY-MM-DD` (no time zone shift)      |
 * | `timestamptz`                         | `Date` (millisecond precision)                   |
 * | `json`, `jsonb`                       | the parsed value                                 |
 * | `bytea`                               | `Buffer`                                         |
 * | arrays of the above                   | arrays of the mapped values                      |
 *
 * `bigint` and `numeric` are strings because they routinely exceed 2^53 (token amounts, block
 * numbers summed); use `count(*)::int` where a small number is wanted. Prefer `timestamptz`
 * to `timestamp`: a zone-less timestamp is read in the process's local zone. Parameters may
 * be `bigint`, `number`, `string`, `boolean`, `Date`, `Buffer` or `null`.
 *
 * PGlite runs PostgreSQL 18 and the server may be older (15 in CI): migrations must stick to
 * SQL that PostgreSQL 15 accepts.
 */

export type Engine = "pglite" | "postgres";

export interface QueryResult<T> {
  rows: T[];
  /** Rows returned, or affected by INSERT/UPDATE/DELETE (0 for an `ON CONFLICT DO NOTHING` skip). */
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Keep the statement parsed and planned on its connection and run that again for the same text
   * (pg's named statements; on PGlite, pglite-prepared.ts). For a busy statement only, and one
   * whose result columns are named: a prepared `SELECT *` would fail once a migration run by
   * another replica changed its table.
   */
  prepared?: boolean;
}

export interface Db {
  readonly engine: Engine;
  /** One statement with `$1…$n` placeholders. */
  query<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<T>>;
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction on one connection: committed when `fn` resolves, rolled back
   * when it throws. Inside, use only the `tx` handle; on `tx` itself this opens a savepoint.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Waits for running work, then releases the engine. Not allowed on a `tx` handle. */
  close(): Promise<void>;
}

/** Misuse of the database interface (a programming error, never a data problem). */
export class DbUsageError extends Error {
  override readonly name = "DbUsageError";
}

/**
 * COMMIT found the transaction aborted: a statement failed inside it and the callback caught
 * the error and carried on. PostgreSQL then rolls back silently; this makes it loud.
 */
export class TransactionAbortedError extends Error {
  override readonly name = "TransactionAbortedError";
  constructor() {
    super(
      "transaction was rolled back: a statement inside it failed and its error was caught; " +
        "nothing was committed (use a nested tx.transaction() to recover from an expected failure)",
    );
  }
}
