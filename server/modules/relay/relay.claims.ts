import { getAddress } from "ethers";
import type { Db } from "../../db";
import { appError, type AppError } from "../../plugins/error-catalogue";

/**
 * Claims on what a relayed transaction uses up besides the relayer's nonce: a signer's nonce at
 * the forwarder (a forward request) or at the settlement token (a permit). Table
 * relay_nonce_claims (migration 0026), shared by every replica, so that across replicas exactly
 * one request per (signer, nonce) is sent: the chain shows a nonce unused until the transaction
 * using it is mined, and a second request for it would pass every check and then revert.
 *
 * A request takes the claim before its checks. While it has sent nothing, the claim lapses
 * CHECK_LEASE_SECONDS after it was taken, so a process that died during the checks wedges
 * nobody; the request records its transaction under the claim before broadcasting it, and only
 * if it still holds the claim, so a request whose claim lapsed and was taken over sends nothing.
 * A claim with a transaction is released once that transaction is mined or can never be (see
 * relay.lane.ts `claim`): never on a timer, since a slow block must not let the same nonce be
 * sent twice.
 */

export type NonceKind = "forward" | "permit";

export interface NonceKey {
  kind: NonceKind;
  /** The signer (a forward request's from, a permit's owner). */
  signer: string;
  nonce: bigint;
}

/** A claim held by another request; `tx` once it recorded its transaction. */
export interface HeldClaim {
  nonce: bigint;
  /** The signed request's deadline, chain time in seconds. */
  deadline: number;
  tx: { hash: string; relayer: string; relayerNonce: number } | null;
  /** Unsent, and its lease has run out: the next request for the nonce takes it over. */
  leaseOver: boolean;
}

/**
 * How long a request may take over its checks (RPC reads, a wait for the lane) before its claim
 * lapses: far longer than they take on a working node, far shorter than a signer would wait.
 */
export const CHECK_LEASE_SECONDS = 120;

interface Row {
  nonce: string;
  deadline: string;
  tx_hash: string | null;
  relayer: string | null;
  relayer_nonce: string | null;
  lease_over: boolean;
}

const COLUMNS = `nonce, deadline, tx_hash, relayer, relayer_nonce,
  tx_hash IS NULL AND claimed_at < now() - make_interval(secs => ${CHECK_LEASE_SECONDS}) AS lease_over`;

/**
 * Takes the claim on `key` for `holder` and returns null; or returns the claim another request
 * holds. An unsent claim whose lease ran out is taken over.
 */
export async function takeClaim(
  db: Db,
  key: NonceKey,
  holder: string,
  deadline: number,
): Promise<HeldClaim | null> {
  const params = [key.kind, key.signer.toLowerCase(), key.nonce.toString()];
  for (;;) {
    const taken = await db.query(
      `INSERT INTO relay_nonce_claims (kind, signer, nonce, holder, claimed_at, deadline)
       VALUES ($1, $2, $3, $4, now(), $5)
       ON CONFLICT (kind, signer, nonce) DO UPDATE
         SET holder = EXCLUDED.holder, claimed_at = EXCLUDED.claimed_at, deadline = EXCLUDED.deadline
         WHERE relay_nonce_claims.tx_hash IS NULL
           AND relay_nonce_claims.claimed_at < now() - make_interval(secs => $6)
       RETURNING holder`,
      [...params, holder, deadline, CHECK_LEASE_SECONDS],
    );
    if (taken.rowCount === 1) return null;
    const { rows } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM relay_nonce_claims WHERE kind = $1 AND signer = $2 AND nonce = $3`,
      params,
    );
    // Released between the two statements: try again.
    if (rows.length === 1) return held(rows[0]);
  }
}

/**
 * Records the transaction `holder` is about to broadcast under its claim; false, and nothing
 * recorded, if the claim is no longer its own (its lease ran out and another request took it).
 */
export async function recordSent(db: Db, key: NonceKey, holder: string, tx: SentTx): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE relay_nonce_claims SET tx_hash = $5, relayer = $6, relayer_nonce = $7, raw_tx = $8
     WHERE kind = $1 AND signer = $2 AND nonce = $3 AND holder = $4 AND tx_hash IS NULL`,
    [
      key.kind,
      key.signer.toLowerCase(),
      key.nonce.toString(),
      holder,
      tx.hash.toLowerCase(),
      tx.relayer.toLowerCase(),
      tx.relayerNonce,
      tx.raw.toLowerCase(),
    ],
  );
  return rowCount === 1;
}

/** A relaying transaction as recorded under its claim before it is broadcast. */
export interface SentTx {
  hash: string;
  relayer: string;
  relayerNonce: number;
  /** The signed transaction. */
  raw: string;
}

/**
 * The transactions `relayer` recorded with relayer nonce `from` or later: what may still be
 * mined, whichever process of that relayer sent it. By nonce, and for one nonce the latest claim
 * first (a transaction the node lost for good gave its nonce to a later one).
 */
export async function sentFrom(db: Db, relayer: string, from: number): Promise<SentTx[]> {
  const { rows } = await db.query<{ tx_hash: string; relayer_nonce: string; raw_tx: string }>(
    `SELECT tx_hash, relayer_nonce, raw_tx FROM relay_nonce_claims
     WHERE relayer = $1 AND relayer_nonce >= $2 AND tx_hash IS NOT NULL
     ORDER BY relayer_nonce, claimed_at DESC`,
    [relayer.toLowerCase(), from],
  );
  return rows.map((r) => ({
    hash: r.tx_hash,
    relayer,
    relayerNonce: Number(r.relayer_nonce),
    raw: r.raw_tx,
  }));
}

/** Frees `holder`'s claim if it sent nothing; a claim with a transaction stays. */
export async function releaseUnsent(db: Db, key: NonceKey, holder: string): Promise<void> {
  await db.query(
    `DELETE FROM relay_nonce_claims
     WHERE kind = $1 AND signer = $2 AND nonce = $3 AND holder = $4 AND tx_hash IS NULL`,
    [key.kind, key.signer.toLowerCase(), key.nonce.toString(), holder],
  );
}

/**
 * Frees the claims of `relayer`'s transactions below relayer nonce `mined` (its count of mined
 * transactions): each was mined, or its nonce went to another transaction and it never can be.
 */
export async function releaseUsed(db: Db, relayer: string, mined: number): Promise<void> {
  await db.query(
    `DELETE FROM relay_nonce_claims WHERE relayer = $1 AND relayer_nonce < $2 AND tx_hash IS NOT NULL`,
    [relayer.toLowerCase(), mined],
  );
}

/** Frees the claim that `txHash` holds, once that transaction is mined or can never be. */
export async function releaseSent(db: Db, key: NonceKey, txHash: string): Promise<void> {
  await db.query(
    `DELETE FROM relay_nonce_claims WHERE kind = $1 AND signer = $2 AND nonce = $3 AND tx_hash = $4`,
    [key.kind, key.signer.toLowerCase(), key.nonce.toString(), txHash.toLowerCase()],
  );
}

/**
 * Forgets the signer's claims below `next`, its next unused nonce on chain: those nonces are
 * used, so nothing can be sent for them again. Clears what a process that died left behind.
 */
export async function forgetUsed(db: Db, kind: NonceKind, signer: string, next: bigint): Promise<void> {
  await db.query(`DELETE FROM relay_nonce_claims WHERE kind = $1 AND signer = $2 AND nonce < $3`, [
    kind,
    signer.toLowerCase(),
    next.toString(),
  ]);
}

/** The claim the relaying transaction `txHash` holds, if it holds one. */
export async function claimOfTx(db: Db, txHash: string): Promise<{ key: NonceKey; held: HeldClaim } | null> {
  // No index: the table holds only the claims in flight.
  const { rows } = await db.query<Row & { kind: NonceKind; signer: string }>(
    `SELECT kind, signer, ${COLUMNS} FROM relay_nonce_claims WHERE tx_hash = $1`,
    [txHash.toLowerCase()],
  );
  const row = rows[0];
  if (!row) return null;
  return { key: { kind: row.kind, signer: row.signer, nonce: BigInt(row.nonce) }, held: held(row) };
}

/** The signer's claims from nonce `from` on, by nonce. */
export async function claimsFrom(
  db: Db,
  kind: NonceKind,
  signer: string,
  from: bigint,
): Promise<HeldClaim[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM relay_nonce_claims WHERE kind = $1 AND signer = $2 AND nonce >= $3
     ORDER BY nonce`,
    [kind, signer.toLowerCase(), from.toString()],
  );
  return rows.map(held);
}

function held(row: Row): HeldClaim {
  return {
    nonce: BigInt(row.nonce),
    deadline: Number(row.deadline),
    tx:
      row.tx_hash === null
        ? null
        : { hash: row.tx_hash, relayer: getAddress(row.relayer!), relayerNonce: Number(row.relayer_nonce) },
    leaseOver: row.lease_over,
  };
}

/** 409 for a request whose nonce another request holds: pending in `txHash`, or being checked. */
export function noncePending(key: NonceKey, txHash: string | null): AppError {
  const signer = getAddress(key.signer);
  const nonce = key.nonce.toString();
  const what =
    key.kind === "forward"
      ? `${signer}'s forward request with nonce ${nonce}`
      : `${signer}'s permit with token nonce ${nonce}`;
  const code = key.kind === "forward" ? "RELAY_NONCE_PENDING" : "RELAY_PERMIT_NONCE_PENDING";
  if (txHash === null) {
    return appError(code, `${what} is being relayed by another request; try again in a moment`, {
      signer,
      nonce,
    });
  }
  return appError(
    code,
    `${what} is still pending in transaction ${txHash}; follow it with GET /v1/relay/${txHash}`,
    { signer, nonce, txHash },
  );
}
