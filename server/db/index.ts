/**
 * Database access for the gateway: one `Db` interface over PGlite (embedded, the default) and
 * PostgreSQL (`DATABASE_URL`, for several replicas), the same SQL and migrations on both.
 *
 * Invariants:
 * - Values come back identically from both engines; `bigint`/`numeric` as strings (db.ts).
 * - A transaction's statements run on its `tx` handle only; using the root handle inside one
 *   throws, on both engines.
 * - The schema is changed only by `migrations/NNNN_name.sql` files, applied in order, once,
 *   and never edited after they have run anywhere (migrations.ts).
 * - A database mirrors one chain and deployment for its whole life (ledger-identity.ts).
 */

export {
  DbUsageError,
  TransactionAbortedError,
  type Db,
  type Engine,
  type QueryOptions,
  type QueryResult,
} from "./db";
export { assertLedgerIdentity, LedgerIdentityError, type LedgerIdentity } from "./ledger-identity";
export { loadMigrations, migrate, MigrationError, type Migration } from "./migrations";
export { openDb } from "./open";
export { openPglite } from "./pglite";
export { DataDirLockedError } from "./pglite-lock";
export { openPostgres } from "./postgres";
