import { mkdirSync } from "node:fs";
import { PGlite, types, type ParserOptions } from "@electric-sql/pglite";
import { DbUsageError, type Db, type QueryOptions, type QueryResult } from "./db";
import { Mutex } from "./mutex";
import { PreparedStatements } from "./pglite-prepared";
import { lockDataDir, type DirLock } from "./pglite-lock";
import { runTransaction, TransactionGuard, type Session } from "./transaction";

/**
 * PGlite, PostgreSQL compiled to WebAssembly and run in-process: the zero-setup default.
 *
 * It is a single connection. PGlite's own `query()` is not held across our BEGIN … COMMIT, so
 * every statement and transaction goes through one FIFO mutex here: a query from outside a
 * running transaction waits for it instead of landing inside it. Row locks (`FOR UPDATE SKIP
 * LOCKED`) are accepted and trivially granted, since there is never a second session.
 *
 * PGlite runs with fsync off: a killed process loses nothing already committed to the OS, a
 * power cut can. Production belongs on PostgreSQL.
 */

/**
 * PGlite's parsers differ from pg's: `bigint` comes back as a number or a BigInt depending on
 * its size, `date` as a UTC-midnight Date and `bytea` as a plain Uint8Array. These make it
 * return what pg returns (see the table in db.ts). Array types pick these up element-wise.
 */
const PARSERS: ParserOptions = {
  [types.INT8]: (text: string) => text,
  [types.NUMERIC]: (text: string) => text,
  [types.DATE]: (text: string) => text,
  [types.BYTEA]: (text: string) => Buffer.from(text.slice(2), "hex"), // text form is \x<hex>
};

/** Opens PGlite in `dataDir` (created if missing), or in memory when `dataDir` is undefined. */
export async function openPglite(dataDir?: string): Promise<Db> {
  let lock: DirLock | undefined;
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    lock = lockDataDir(dataDir);
  }
  try {
    const pglite =
      dataDir === undefined ? await createInMemory() : await PGlite.create({ dataDir, parsers: PARSERS });
    return new PgliteDb(pglite, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/**
 * The files of a new, empty cluster, copied from the first in-memory database this process
 * opened before anything used it. A new cluster costs initdb (about 2 s); loading these files
 * costs about 1 s, and the test suite opens an in-memory database for nearly every suite.
 */
let freshCluster: Promise<Blob> | undefined;

async function createInMemory(): Promise<PGlite> {
  const image = await freshCluster?.catch(() => undefined);
  if (image) return PGlite.create({ parsers: PARSERS, loadDataDir: image });
  const pglite = await PGlite.create({ parsers: PARSERS });
  if (!freshCluster) {
    freshCluster = pglite.dumpDataDir("none");
    // Should copying fail, every database starts from initdb as before.
    await freshCluster.catch(() => undefined);
  }
  return pglite;
}

class PgliteDb implements Db {
  readonly engine = "pglite";
  private readonly mutex = new Mutex();
  private readonly guard = new TransactionGuard();
  private readonly session: Session;
  private closed = false;
  /** Set when a ROLLBACK failed: the only connection is in an unknown state. */
  private broken: unknown;

  constructor(
    private readonly pglite: PGlite,
    private readonly lock: DirLock | undefined,
  ) {
    const prepared = new PreparedStatements(pglite);
    this.session = {
      query: async <T>(
        sql: string,
        params?: readonly unknown[],
        options?: QueryOptions,
      ): Promise<QueryResult<T>> => {
        if (options?.prepared) return prepared.query<T>(sql, params ?? []);
        const result = await pglite.query<T>(sql, params ? [...params] : undefined);
        return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
      },
      exec: async (sql) => {
        await pglite.exec(sql);
      },
      commit: async () => (await pglite.query("COMMIT")).command !== "ROLLBACK",
      rollback: async () => {
        try {
          await pglite.exec("ROLLBACK");
        } catch (error) {
          this.broken = error;
        }
      },
    };
  }

  async query<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<T>> {
    this.assertUsable("query");
    return this.mutex.run(() => this.session.query<T>(sql, params, options));
  }

  async exec(sql: string): Promise<void> {
    this.assertUsable("exec");
    return this.mutex.run(() => this.session.exec(sql));
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    this.assertUsable("transaction");
    return this.mutex.run(() => this.guard.run(() => runTransaction(this.engine, this.session, fn)));
  }

  async close(): Promise<void> {
    this.guard.assertOutside("close");
    if (this.closed) return;
    this.closed = true;
    // Queued work runs first: the mutex is FIFO and close() takes the last place.
    await this.mutex.run(() => this.pglite.close());
    this.lock?.release();
  }

  private assertUsable(operation: string): void {
    this.guard.assertOutside(operation);
    if (this.closed) throw new DbUsageError(`db.${operation}() called after the database was closed`);
    if (this.broken !== undefined) {
      throw new DbUsageError(`PGlite is unusable after a failed ROLLBACK: ${String(this.broken)}`);
    }
  }
}
