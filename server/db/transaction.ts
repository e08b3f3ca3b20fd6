import { AsyncLocalStorage } from "node:async_hooks";
import {
  DbUsageError,
  TransactionAbortedError,
  type Db,
  type Engine,
  type QueryOptions,
  type QueryResult,
} from "./db";

/**
 * Transactions, written once for both engines over a `Session`: one connection that can run
 * BEGIN … COMMIT (PGlite's only connection while its mutex is held, or a pooled pg client).
 */

export interface Session {
  query<T>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<T>>;
  exec(sql: string): Promise<void>;
  /** Sends COMMIT; false when the server rolled back instead (the transaction was aborted). */
  commit(): Promise<boolean>;
  /** Sends ROLLBACK. Must not throw: a session that cannot roll back is discarded by its driver. */
  rollback(): Promise<void>;
}

export async function runTransaction<T>(
  engine: Engine,
  session: Session,
  fn: (tx: Db) => Promise<T>,
): Promise<T> {
  await session.exec("BEGIN");
  const tx = new TransactionHandle(engine, session);
  let result: T;
  try {
    result = await fn(tx);
  } catch (error) {
    tx.end();
    await session.rollback();
    throw error;
  }
  tx.end();
  if (!(await session.commit())) throw new TransactionAbortedError();
  return result;
}

/** The `tx` passed to a transaction callback; nested `transaction()` calls become savepoints. */
class TransactionHandle implements Db {
  private ended = false;
  private savepoints = 0;

  constructor(
    readonly engine: Engine,
    private readonly session: Session,
  ) {}

  async query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>> {
    this.assertOpen();
    return this.session.query<R>(sql, params, options);
  }

  async exec(sql: string): Promise<void> {
    this.assertOpen();
    await this.session.exec(sql);
  }

  async transaction<R>(fn: (tx: Db) => Promise<R>): Promise<R> {
    this.assertOpen();
    const savepoint = `sp_${++this.savepoints}`;
    await this.session.exec(`SAVEPOINT ${savepoint}`);
    const nested = new TransactionHandle(this.engine, this.session);
    try {
      const result = await fn(nested);
      nested.end();
      await this.session.exec(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (error) {
      nested.end();
      await this.session.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      throw error;
    }
  }

  async close(): Promise<void> {
    throw new DbUsageError("close() called on a transaction handle; close the Db that opened it");
  }

  end(): void {
    this.ended = true;
  }

  private assertOpen(): void {
    // A handle kept past its callback (a promise not awaited, a closure stored away) would run
    // its statements outside the transaction, or inside someone else's on PGlite.
    if (this.ended) throw new DbUsageError("transaction handle used after its transaction ended");
  }
}

/**
 * Catches the root handle being used inside one of its own transactions. On PGlite that waits
 * for the transaction to finish, which waits for the statement: a deadlock. On PostgreSQL it
 * silently runs outside the transaction on another connection. Both engines refuse it, so the
 * mistake shows up in whichever engine the tests run on.
 */
export class TransactionGuard {
  private readonly scope = new AsyncLocalStorage<{ open: boolean }>();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const state = { open: true };
    return this.scope.run(state, async () => {
      try {
        return await fn();
      } finally {
        state.open = false;
      }
    });
  }

  assertOutside(operation: string): void {
    if (this.scope.getStore()?.open) {
      throw new DbUsageError(
        `db.${operation}() called inside db.transaction(); use the tx handle passed to the callback`,
      );
    }
  }
}
