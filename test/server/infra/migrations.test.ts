import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadMigrations, migrate, MigrationError, type Db } from "../../../server/db";
import { forEachEngine } from "../helpers/engines";
import { rejectionOf } from "../helpers/rejection";
import { tempDir } from "../helpers/temp-dir";
import { until } from "../helpers/latch";

/** A migrations folder holding `files` (name → SQL). */
function migrationsDir(files: Record<string, string>): string {
  const dir = tempDir("migrations");
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

async function recorded(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY version");
  return rows.map((r) => r.name);
}

/** Advisory locks held (`granted`) or waited for on the database's server. */
async function advisoryLocks(db: Db, granted: boolean): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks
     WHERE locktype = 'advisory' AND granted = $1
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [granted],
  );
  return rows[0].n;
}

async function tables(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
  );
  return rows.map((r) => r.table_name);
}

describe("loadMigrations", function () {
  it("reads the gateway's migrations in version order, starting with 0001_meta.sql", function () {
    const migrations = loadMigrations();
    expect(migrations[0]).to.include({ version: 1, name: "0001_meta.sql" });
    expect(migrations.map((m) => m.version)).to.deep.equal(
      [...migrations.map((m) => m.version)].sort((a, b) => a - b),
    );
  });

  it("orders by version, ignores other files and normalises line endings for the checksum", function () {
    const dir = migrationsDir({
      "0002_b.sql": "SELECT 2;\r\n",
      "0001_a.sql": "SELECT 1;\n",
      "README.md": "not a migration",
    });
    const migrations = loadMigrations(dir);
    expect(migrations.map((m) => m.name)).to.deep.equal(["0001_a.sql", "0002_b.sql"]);
    expect(migrations[1].sql).to.equal("SELECT 2;\n");
    expect(migrations[1].checksum).to.equal(
      loadMigrations(migrationsDir({ "0002_b.sql": "SELECT 2;\n" }))[0].checksum,
    );
  });

  it("rejects a badly named file", function () {
    expect(() => loadMigrations(migrationsDir({ "2_orders.sql": "" }))).to.throw(
      MigrationError,
      "2_orders.sql: migration files are named NNNN_name.sql (four digits, then [a-z0-9_])",
    );
  });

  it("rejects two files with one version", function () {
    expect(() => loadMigrations(migrationsDir({ "0002_a.sql": "", "0002_b.sql": "" }))).to.throw(
      MigrationError,
      "0002_a.sql and 0002_b.sql share version 0002; renumber one of them",
    );
  });
});

describe("migrate", function () {
  forEachEngine((engine) => {
    it("applies the gateway's migrations and records them", async function () {
      const applied = await migrate(engine.db);
      expect(applied.map((m) => m.name)).to.deep.equal(loadMigrations().map((m) => m.name));
      expect(await tables(engine.db)).to.include.members(["ledger_meta", "schema_migrations"]);
      expect(await recorded(engine.db)).to.deep.equal(loadMigrations().map((m) => m.name));
    });

    it("applies nothing on the next start", async function () {
      // On PostgreSQL through a new pool, as a restarted gateway would connect.
      const restarted = engine.engine === "postgres" ? await engine.connect() : engine.db;
      expect(await migrate(restarted)).to.deep.equal([]);
      expect(await recorded(restarted)).to.deep.equal(loadMigrations().map((m) => m.name));
    });
  });
});

// One database through successive releases: each test starts from where the previous one left it.
describe("migrate, as the migration files change", function () {
  const v1 = { "0001_a.sql": "CREATE TABLE a (id INT);" };
  const v2 = { ...v1, "0002_b.sql": "CREATE TABLE b (id INT);" };
  const broken = { ...v2, "0003_c.sql": "CREATE TABLE half (id INT);\nINSERT INTO missing VALUES (1);" };

  forEachEngine((engine) => {
    before(() => migrate(engine.db, loadMigrations(migrationsDir(v1))));

    it("applies only the migrations added since the last start", async function () {
      const applied = await migrate(engine.db, loadMigrations(migrationsDir(v2)));
      expect(applied.map((m) => m.name)).to.deep.equal(["0002_b.sql"]);
      expect(await tables(engine.db)).to.deep.equal(["a", "b", "schema_migrations"]);
    });

    it("rolls a failing migration back entirely, records nothing for it and names it", async function () {
      const error = await rejectionOf(migrate(engine.db, loadMigrations(migrationsDir(broken))));
      expect(error).to.be.instanceOf(MigrationError);
      expect(error.message).to.equal('0003_c.sql failed: relation "missing" does not exist');
      expect(await recorded(engine.db)).to.deep.equal(["0001_a.sql", "0002_b.sql"]);
      expect(await tables(engine.db)).not.to.include("half");
    });

    it("refuses an applied migration that was edited since", async function () {
      const edited = { ...v2, "0001_a.sql": "CREATE TABLE a (id BIGINT);" };
      const error = await rejectionOf(migrate(engine.db, loadMigrations(migrationsDir(edited))));
      expect(error).to.be.instanceOf(MigrationError);
      expect(error.message).to.equal(
        "0001_a.sql was edited after it was applied to this database; restore it and put the change in a new migration",
      );
    });

    it("refuses a database migrated by a newer build", async function () {
      const error = await rejectionOf(migrate(engine.db, loadMigrations(migrationsDir(v1))));
      expect(error).to.be.instanceOf(MigrationError);
      expect(error.message).to.equal(
        "the database records migrations this build does not have (0002_b.sql): a newer gateway migrated it; " +
          "run that version, or use a fresh database",
      );
    });
  });
});

describe("migrate, with replicas starting together", function () {
  forEachEngine((engine) => {
    it("applies each migration exactly once", async function () {
      // 0002 waits for a gate the test holds (on PostgreSQL), so the replicas are known to meet
      // while one of them is inside a migration. PGlite's one session never waits on itself.
      const GATE = 4242;
      const migrations = loadMigrations(
        migrationsDir({
          "0001_a.sql": "CREATE TABLE a (id INT);",
          "0002_b.sql": `CREATE TABLE b (id INT); SELECT pg_advisory_xact_lock(${GATE});`,
          "0003_c.sql": "CREATE TABLE c (id INT);",
        }),
      );
      // PostgreSQL: a pool each, as separate processes would have. PGlite serves one process,
      // so there the same handle starts three times at once.
      const postgres = engine.engine === "postgres";
      const replicas = postgres
        ? await Promise.all([engine.connect(), engine.connect(), engine.connect()])
        : [engine.db, engine.db, engine.db];
      const gate = postgres ? await engine.connect() : null;
      // A session lock outlives its statement only on one connection: hold it in a transaction.
      let openGate = (): void => undefined;
      const gateHeld = gate?.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_lock($1)`, [GATE]);
        await new Promise<void>((resolve) => (openGate = resolve));
        await tx.query(`SELECT pg_advisory_unlock($1)`, [GATE]);
      });
      if (gate) {
        await until("the gate to be held", async () => (await advisoryLocks(engine.db, true)) === 1);
      }
      const running = Promise.all(replicas.map((db) => migrate(db, migrations)));
      if (gate) {
        // One replica waits at the gate inside 0002, holding the migration lock; the other two
        // wait for that lock.
        await until("three replicas waiting", async () => (await advisoryLocks(engine.db, false)) === 3);
        openGate();
        await gateHeld;
      }
      const results = await running;
      expect(
        results
          .flat()
          .map((m) => m.name)
          .sort(),
      ).to.deep.equal(["0001_a.sql", "0002_b.sql", "0003_c.sql"]);
      expect(await recorded(engine.db)).to.deep.equal(["0001_a.sql", "0002_b.sql", "0003_c.sql"]);
    });
  });
});

describe("migrate, 0008 on a database indexed before it", function () {
  forEachEngine((engine) => {
    it("keeps only the newest stored block: no rewind can reach blocks that have no undo record", async function () {
      const all = loadMigrations();
      await migrate(
        engine.db,
        all.filter((m) => m.version < 8),
      );
      for (const n of [10, 11, 12]) {
        await engine.db.query(
          `INSERT INTO indexer_blocks (block_number, block_hash, parent_hash) VALUES ($1, $2, $3)`,
          [n, `0x${n}`, `0x${n - 1}`],
        );
      }
      await migrate(engine.db, all);
      const { rows } = await engine.db.query<{ block_number: string }>(
        `SELECT block_number FROM indexer_blocks`,
      );
      expect(rows).to.deep.equal([{ block_number: "12" }]);
    });
  });
});
