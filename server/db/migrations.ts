import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Db } from "./db";

/**
 * Versioned schema migrations: `migrations/NNNN_name.sql`, applied in version order at start,
 * each in its own transaction together with its row in `schema_migrations`, so a migration is
 * either applied and recorded or not at all.
 *
 * Several replicas may start at once against one PostgreSQL: every step takes the same
 * transaction-scoped advisory lock and re-reads `schema_migrations` under it, so each migration
 * runs once and the others wait, then find it done. PGlite runs the same SQL.
 *
 * Applied migrations are immutable: a file whose checksum differs from the recorded one stops
 * the start (write a new migration instead), and so does a database that records a version
 * this build does not have (a newer build migrated it; older code must not run against it).
 */

const MIGRATIONS_DIR = path.join(__dirname, "migrations");

/** "SUNSHINE" in ASCII. Any fixed key works as long as every replica uses the same one. */
const MIGRATION_LOCK = 0x53554e5348494e45n;
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  /** The file name, e.g. `0001_meta.sql`. */
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  // Four-digit versions make name order version order.
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".sql")) continue;
    const match = FILE_NAME.exec(file);
    if (!match) {
      throw new MigrationError(
        `${file}: migration files are named NNNN_name.sql (four digits, then [a-z0-9_])`,
      );
    }
    // A checkout with CRLF line endings must not count as an edit of an applied migration.
    const sql = readFileSync(path.join(dir, file), "utf8").replace(/\r\n/g, "\n");
    const previous = migrations.at(-1);
    const version = Number(match[1]);
    if (previous?.version === version) {
      throw new MigrationError(
        `${previous.name} and ${file} share version ${match[1]}; renumber one of them`,
      );
    }
    migrations.push({ version, name: file, sql, checksum: createHash("sha256").update(sql).digest("hex") });
  }
  return migrations;
}

/** Brings the schema up to date; returns the migrations this call applied. */
export async function migrate(
  db: Db,
  migrations: readonly Migration[] = loadMigrations(),
): Promise<Migration[]> {
  const recorded = await db.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        checksum   TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    const { rows } = await tx.query<Omit<Migration, "sql">>(
      "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
    );
    return new Map(rows.map((row) => [row.version, row]));
  });

  const known = new Set(migrations.map((m) => m.version));
  const foreign = [...recorded.values()].filter((row) => !known.has(row.version));
  if (foreign.length > 0) {
    throw new MigrationError(
      `the database records migrations this build does not have (${foreign.map((r) => r.name).join(", ")}): ` +
        "a newer gateway migrated it; run that version, or use a fresh database",
    );
  }
  for (const migration of migrations) {
    const row = recorded.get(migration.version);
    if (row) assertUnchanged(migration, row.checksum);
  }

  const applied: Migration[] = [];
  for (const migration of migrations) {
    if (recorded.has(migration.version)) continue;
    const ran = await db.transaction(async (tx) => {
      await lock(tx);
      // Another replica may have applied it between our first read and this lock.
      const { rows } = await tx.query<{ checksum: string }>(
        "SELECT checksum FROM schema_migrations WHERE version = $1",
        [migration.version],
      );
      if (rows[0]) {
        assertUnchanged(migration, rows[0].checksum);
        return false;
      }
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new MigrationError(`${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (ran) applied.push(migration);
  }
  return applied;
}

async function lock(tx: Db): Promise<void> {
  // Transaction-scoped: released by COMMIT or ROLLBACK, so a crashed starter never holds it.
  await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
}

function assertUnchanged(migration: Migration, recordedChecksum: string): void {
  if (migration.checksum !== recordedChecksum) {
    throw new MigrationError(
      `${migration.name} was edited after it was applied to this database; ` +
        "restore it and put the change in a new migration",
    );
  }
}
