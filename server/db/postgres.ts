import { createHash } from "node:crypto";
import { Pool, types, type CustomTypesConfig, type PoolClient } from "pg";
import { DbUsageError, type Db, type QueryOptions, type QueryResult } from "./db";
import { runTransaction, TransactionGuard, type Session } from "./transaction";

/**
 * PostgreSQL through a `pg` pool (pg's default of 10 connections per process): what several
 * gateway replicas share. Statements outside a transaction take any pooled connection; a
 * transaction holds one client from BEGIN to COMMIT/ROLLBACK, and replicas coordinate through
 * row locks and advisory locks.
 */

export interface PostgresOptions {
  url: string;
  /** An idle pooled connection failed (server restart, network cut); pg replaces it. */
  onIdleClientError?: (error: Error) => void;
}

const TEXT_ARRAY = 1009;
const NUMERIC_ARRAY = 1231;
const DATE_ARRAY = 1182;

// text[]'s parser yields string[] (NULL kept); pg's typings list scalar type ids only.
const textArray: (text: string) => unknown = types.getTypeParser(
  TEXT_ARRAY as Parameters<typeof types.getTypeParser>[0],
);

/**
 * pg already returns `bigint` and `numeric` as strings but `numeric[]` as floats (lossy) and
 * `date` as a local-midnight Date: these align it with the table in db.ts. Set per pool so the
 * process-wide parsers, which other libraries may rely on, stay untouched.
 */
const PARSERS = new Map<number, (text: string) => unknown>([
  [types.builtins.DATE, (text) => text],
  [NUMERIC_ARRAY, textArray],
  [DATE_ARRAY, textArray],
]);
const TYPES: CustomTypesConfig = {
  getTypeParser: (oid, format) =>
    (format === "binary" ? undefined : PARSERS.get(oid)) ?? types.getTypeParser(oid, format),
};

export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const pool = new Pool({
    connectionString: options.url,
    application_name: "sunshine-gateway",
    types: TYPES,
    // No JIT compiling: the gateway's statements are index reads of milliseconds, but a report's
    // nested loops are estimated far above what they read, over the JIT thresholds. A report
    // page over ten million usages spent 247 ms of its 396 ms compiling (docs/performance.md).
    // An `options` parameter in DATABASE_URL takes precedence over this one.
    options: "-c jit=off",
  });
  // Without a listener an idle client's error event would crash the process.
  pool.on("error", (error) => options.onIdleClientError?.(error));
  try {
    await pool.query("SELECT 1"); // a bad URL or credentials fail at start, not at the first request
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresDb(pool);
}

/**
 * pg's query config. A prepared statement is named by a digest of its text: pg parses a name once
 * per connection and then sends only its parameters, and the server plans it once it has seen that
 * a generic plan does as well as the custom ones.
 */
function statement(sql: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined) {
  const values = params ? [...params] : undefined;
  if (!options?.prepared) return { text: sql, values };
  return { name: `p_${createHash("sha256").update(sql).digest("hex").slice(0, 32)}`, text: sql, values };
}

class PostgresDb implements Db {
  readonly engine = "postgres";
  private readonly guard = new TransactionGuard();
  private closed = false;

  constructor(private readonly pool: Pool) {}

  async query<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<T>> {
    this.assertUsable("query");
    const result = await this.pool.query(statement(sql, params, options));
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    this.assertUsable("exec");
    await this.pool.query(sql); // without parameters pg uses the simple protocol: several statements are fine
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    this.assertUsable("transaction");
    const client = await this.pool.connect();
    const session = new ClientSession(client);
    try {
      return await this.guard.run(() => runTransaction(this.engine, session, fn));
    } finally {
      // A client whose ROLLBACK failed is destroyed rather than handed to the next caller.
      client.release(session.broken);
    }
  }

  async close(): Promise<void> {
    this.guard.assertOutside("close");
    if (this.closed) return;
    this.closed = true;
    await this.pool.end(); // waits for checked-out clients to be released
  }

  private assertUsable(operation: string): void {
    this.guard.assertOutside(operation);
    if (this.closed) throw new DbUsageError(`db.${operation}() called after the database was closed`);
  }
}

class ClientSession implements Session {
  broken: Error | undefined;

  constructor(private readonly client: PoolClient) {}

  async query<T>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<T>> {
    const result = await this.client.query(statement(sql, params, options));
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  async commit(): Promise<boolean> {
    return (await this.client.query("COMMIT")).command !== "ROLLBACK";
  }

  async rollback(): Promise<void> {
    try {
      await this.client.query("ROLLBACK");
    } catch (error) {
      this.broken = error instanceof Error ? error : new Error(String(error));
    }
  }
}
