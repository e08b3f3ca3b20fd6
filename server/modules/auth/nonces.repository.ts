import type { Db } from "../../db";

/**
 * SQL of `auth_nonces`, which the auth module owns. Sign-in is public, so the table is bounded
 * twice: each client (IP address) holds at most a few unused nonces at once, and expired ones
 * are purged on a timer by the `expires_at` index (migration 0009), never by a scan per request.
 */

/** Lock class of the per-client nonce count; the second key is the client's hash. */
const NONCE_LOCK = 7420213;

/**
 * Records `nonce` for `client` unless it already holds `max` unused, unexpired ones; false then.
 * Under a per-client advisory lock, so concurrent requests from one client cannot all pass the
 * count before any has inserted.
 */
export async function issueNonce(
  db: Db,
  n: { nonce: string; client: string; expiresAt: Date; now: Date; max: number },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${NONCE_LOCK}, hashtext($1))`, [n.client]);
    const { rows } = await tx.query<{ outstanding: number }>(
      `SELECT count(*)::int AS outstanding FROM auth_nonces
       WHERE client = $1 AND used_at IS NULL AND expires_at > $2`,
      [n.client, n.now.toISOString()],
    );
    if (rows[0].outstanding >= n.max) return false;
    await tx.query(`INSERT INTO auth_nonces (nonce, expires_at, client) VALUES ($1, $2, $3)`, [
      n.nonce,
      n.expiresAt.toISOString(),
      n.client,
    ]);
    return true;
  });
}

/** Marks `nonce` used by `address` if it is unused and unexpired at `now`; false otherwise. */
export async function consumeNonce(db: Db, nonce: string, address: string, now: Date): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE auth_nonces SET used_at = now(), address = $2
     WHERE nonce = $1 AND used_at IS NULL AND expires_at > $3
     RETURNING nonce`,
    [nonce, address, now.toISOString()],
  );
  return rows.length > 0;
}

/** Deletes the nonces expired before `now` (used or not: neither can sign anyone in); how many. */
export async function purgeExpiredNonces(db: Db, now: Date): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM auth_nonces WHERE expires_at <= $1`, [now.toISOString()]);
  return rowCount;
}
