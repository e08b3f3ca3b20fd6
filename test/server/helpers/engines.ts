import { openPglite, openPostgres, type Db, type Engine } from "../../../server/db";
import { postgresSkipped, throwawayDatabase } from "./postgres";

/**
 * Runs a block of tests once per database engine, each in its own describe block with a new,
 * empty database: PGlite in memory always; PostgreSQL unless SKIP_POSTGRES=1, as a database
 * created on the run's test server (helpers/postgres.ts) and dropped afterwards.
 *
 *   forEachEngine((engine) => {
 *     before(() => migrate(engine.db));
 *     it("stores an order", async () => { await engine.db.query(...) });
 *   });
 */

export interface EngineFixture {
  readonly engine: Engine;
  /** This suite's database. Read it in hooks and tests; it does not exist while they are defined. */
  readonly db: Db;
  /**
   * Another handle on the same database (a second replica, or the gateway after a restart),
   * closed with the suite. PostgreSQL only: an in-memory PGlite cannot be opened twice.
   */
  connect(): Promise<Db>;
}

export const ENGINES: readonly Engine[] = ["pglite", "postgres"];

export function forEachEngine(define: (fixture: EngineFixture) => void): void {
  for (const engine of ENGINES) {
    const skipped = engine === "postgres" && postgresSkipped;
    (skipped ? describe.skip : describe)(`on ${engine}`, function () {
      const fixture = new SuiteDatabase(engine);
      before(() => fixture.setUp());
      after(() => fixture.tearDown());
      define(fixture);
    });
  }
}

class SuiteDatabase implements EngineFixture {
  private handle: Db | undefined;
  private readonly others: Db[] = [];
  private postgres: { url: string; drop(): Promise<void> } | undefined;

  constructor(readonly engine: Engine) {}

  get db(): Db {
    if (!this.handle)
      throw new Error("fixture.db is available in hooks and tests, after the suite's before hook");
    return this.handle;
  }

  async setUp(): Promise<void> {
    if (this.engine === "pglite") {
      this.handle = await openPglite();
      return;
    }
    this.postgres = await throwawayDatabase("test");
    this.handle = await openPostgres({ url: this.postgres.url });
  }

  async connect(): Promise<Db> {
    if (!this.postgres) throw new Error(`connect() needs PostgreSQL; this suite runs on ${this.engine}`);
    const db = await openPostgres({ url: this.postgres.url });
    this.others.push(db);
    return db;
  }

  async tearDown(): Promise<void> {
    // close() is idempotent, so tests may close these handles themselves.
    await Promise.all([this.handle, ...this.others].map((db) => db?.close()));
    await this.postgres?.drop();
  }
}
