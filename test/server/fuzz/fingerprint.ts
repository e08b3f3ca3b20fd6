import type { Db } from "../../../server/db";

/**
 * A cheap fingerprint of everything the gateway stores: for each table of the public schema,
 * its row count and an md5 of its rows (as text, sorted). Two equal fingerprints mean no row
 * was added, removed or changed in between.
 *
 * Left out, each for a reason that has nothing to do with the request being rejected:
 * - `relay_usage`: the relay's daily quotas count refused requests too, by design (a caller's
 *   quota bounds the work it makes the gateway do, see relay.lane.ts `chargeRequest`).
 * - `auth_nonces` rows that expire within PURGE_MARGIN_MS: the auth routes delete expired
 *   nonces on a timer (every minute), whatever the requests. Rows expiring later cannot be purged
 *   while one fuzzed request runs, so those are still fingerprinted: a refused sign-in must not
 *   consume or add a nonce.
 */

const EXCLUDED = new Set(["relay_usage"]);
const PURGE_MARGIN_MS = 5 * 60_000;

export type Fingerprint = Record<string, string>;

export async function publicTables(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name).filter((t) => !EXCLUDED.has(t));
}

/**
 * The fingerprint of `tables` (from `publicTables`) in one statement. `cutoff` bounds the
 * nonces fingerprinted (see above): pass the same value to the two fingerprints compared.
 */
export async function fingerprint(db: Db, tables: readonly string[], cutoff: Date): Promise<Fingerprint> {
  const columns = tables.map((t) => {
    const where = t === "auth_nonces" ? ` WHERE r.expires_at > $1` : "";
    return `(SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '')
             FROM "${t}" r${where}) AS "${t}"`;
  });
  const limit = new Date(cutoff.getTime() + PURGE_MARGIN_MS).toISOString();
  const { rows } = await db.query<Fingerprint>(
    `SELECT ${columns.join(",\n")}`,
    tables.includes("auth_nonces") ? [limit] : [],
  );
  return rows[0];
}

/** The tables whose fingerprints differ. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}

/**
 * Watches the database across one request at a time, cheaply: a fingerprint costs a scan of
 * every table, so it is taken again only when the server's transaction-id horizon moved (every
 * transaction that writes, committed or rolled back, takes an id; reads take none). An unmoved
 * horizon means nothing was written; a moved one may still have changed nothing (a rolled-back
 * write), which the fingerprints tell.
 */
export class DatabaseWatch {
  private state: { horizon: string; fingerprint: Fingerprint; cutoff: Date } | undefined;

  constructor(
    private readonly db: Db,
    private readonly tables: readonly string[],
  ) {}

  /** Call before the request. */
  async begin(): Promise<void> {
    // Renewed every minute, so the nonce cutoff stays well inside its margin.
    if (this.state && Date.now() - this.state.cutoff.getTime() < 60_000) return;
    const cutoff = new Date();
    const horizon = await this.horizon();
    this.state = { horizon, fingerprint: await fingerprint(this.db, this.tables, cutoff), cutoff };
  }

  /** Call after the request: the tables it changed. */
  async changed(): Promise<string[]> {
    const before = this.state;
    if (!before) throw new Error("DatabaseWatch.changed() before begin()");
    const horizon = await this.horizon();
    if (horizon === before.horizon) return [];
    const after = await fingerprint(this.db, this.tables, before.cutoff);
    this.state = { horizon, fingerprint: after, cutoff: before.cutoff };
    return changedTables(before.fingerprint, after);
  }

  private async horizon(): Promise<string> {
    const { rows } = await this.db.query<{ xmax: string }>(
      `SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`,
    );
    return rows[0].xmax;
  }
}
