import type { ShipmentRecord } from "../../../api/shipments";
import type { Db } from "../../db";
import { PROJECTION_KEYS, project, type StoredEvent } from "./indexer.projections";

/** SQL of the indexer: the event log, the recent-block window and the undo log of reorgs. */

export interface BlockRow {
  blockNumber: number;
  blockHash: string;
  parentHash: string;
}

export interface NewEvent extends StoredEvent {
  blockHash: string;
  txIndex: number;
  address: string;
}

export async function latestBlock(db: Db): Promise<BlockRow | null> {
  const { rows } = await db.query<{ block_number: string; block_hash: string; parent_hash: string }>(
    `SELECT block_number, block_hash, parent_hash FROM indexer_blocks ORDER BY block_number DESC LIMIT 1`,
  );
  return rows[0] ? toBlock(rows[0]) : null;
}

/** Stored recent blocks, newest first: the candidates for a common ancestor after a reorg. */
export async function recentBlocks(db: Db): Promise<BlockRow[]> {
  const { rows } = await db.query<{ block_number: string; block_hash: string; parent_hash: string }>(
    `SELECT block_number, block_hash, parent_hash FROM indexer_blocks ORDER BY block_number DESC`,
  );
  return rows.map(toBlock);
}

/**
 * Stores `blocks` in the window and forgets blocks below `keepFrom`, with their undo records:
 * no rewind can reach below the oldest stored block.
 */
export async function saveBlocks(db: Db, blocks: BlockRow[], keepFrom: number): Promise<void> {
  for (const b of blocks) {
    await db.query(
      `INSERT INTO indexer_blocks (block_number, block_hash, parent_hash) VALUES ($1, $2, $3)
       ON CONFLICT (block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash, parent_hash = EXCLUDED.parent_hash`,
      [b.blockNumber, b.blockHash, b.parentHash],
    );
  }
  await db.query(`DELETE FROM indexer_blocks WHERE block_number < $1`, [keepFrom]);
  await db.query(`DELETE FROM indexer_undo WHERE block_number < $1`, [keepFrom]);
}

/**
 * Serialises the transactions that write the index (a block range, a rewind) across replicas
 * sharing one PostgreSQL, until the transaction ends: a rewind reads the undo log and must not
 * interleave with another replica's range or rewind, or it would take back what it never read.
 */
async function lockIndex(db: Db): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(7420212)`);
}

/**
 * Applies `events` (in block and log order) with `applyEvent`, recording the projection changes
 * of those in blocks from `undoFrom` on (the blocks a reorg may still drop) in the undo log.
 */
export async function applyEvents(db: Db, events: NewEvent[], undoFrom: number): Promise<void> {
  await lockIndex(db);
  let recording: number | null = null;
  for (const e of events) {
    const block = e.blockNumber >= undoFrom ? e.blockNumber : null;
    if (block !== recording) {
      // Transaction-local: the setting ends with the range's transaction (migration 0008).
      await db.query(`SELECT set_config('sunshine.undo_block', $1, true)`, [
        block === null ? "" : String(block),
      ]);
      recording = block;
    }
    await applyEvent(db, e);
  }
  if (recording !== null) await db.query(`SELECT set_config('sunshine.undo_block', '', true)`);
}

/** Stores `e` unless it is already stored and, only if it was new, applies its projection. */
export async function applyEvent(db: Db, e: NewEvent): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO chain_events (block_number, block_hash, block_time, tx_hash, tx_index, log_index, contract, address,
       event, args)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (block_hash, log_index) DO NOTHING RETURNING log_index`,
    [
      e.blockNumber,
      e.blockHash,
      e.blockTime.toISOString(),
      e.txHash,
      e.txIndex,
      e.logIndex,
      e.contract,
      e.address,
      e.event,
      JSON.stringify(e.args),
    ],
  );
  if (rows.length === 0) return false;
  await project(db, e);
  return true;
}

/**
 * Forgets everything above `ancestor`: the events of the dropped blocks, their blocks, and every
 * projection change they made, taken back newest first from the undo log (a row an event
 * inserted is deleted, a row it updated or deleted is put back as it was). The work is
 * proportional to what the dropped blocks changed, not to the history. `ancestor` must be a
 * stored block (the indexer rewinds only to one): the undo log covers every block above the
 * oldest stored one. Returns the number of events dropped.
 */
export async function rewindTo(db: Db, ancestor: number): Promise<number> {
  await lockIndex(db);
  const { rows: changes } = await db.query<UndoEntry>(
    `SELECT id, table_name, old_row IS NOT NULL AS had_row, new_row IS NOT NULL AS left_row
     FROM indexer_undo WHERE block_number > $1 ORDER BY id DESC`,
    [ancestor],
  );
  for (const change of changes) await undoChange(db, change);
  await db.query(`DELETE FROM indexer_undo WHERE block_number > $1`, [ancestor]);
  const { rows: dropped } = await db.query<{ n: string }>(
    `WITH d AS (DELETE FROM chain_events WHERE block_number > $1 RETURNING 1) SELECT count(*) AS n FROM d`,
    [ancestor],
  );
  await db.query(`DELETE FROM indexer_blocks WHERE block_number > $1`, [ancestor]);
  return Number(dropped[0]?.n ?? 0);
}

/**
 * Takes back one recorded change. The rows are read from the undo log inside the statements, so
 * values stay exact (JSON numbers of NUMERIC(78,0) columns never pass through JavaScript).
 */
interface UndoEntry {
  id: string;
  table_name: string;
  /** The row existed before the change (an update or a delete). */
  had_row: boolean;
  /** The row exists after the change (an insert or an update). */
  left_row: boolean;
}

async function undoChange(db: Db, change: UndoEntry): Promise<void> {
  const table = change.table_name;
  const key = PROJECTION_KEYS[table];
  if (!key) throw new Error(`the undo log names ${table}, which is not a projection table`);
  const columns = key.join(", ");
  const recorded = key.map((c) => `r.${c}`).join(", ");
  if (change.left_row) {
    await db.query(
      `DELETE FROM ${table} WHERE (${columns}) = (
         SELECT ${recorded} FROM indexer_undo u, jsonb_populate_record(NULL::${table}, u.new_row) r WHERE u.id = $1)`,
      [change.id],
    );
  }
  if (change.had_row) {
    await db.query(
      `INSERT INTO ${table} SELECT r.* FROM indexer_undo u, jsonb_populate_record(NULL::${table}, u.old_row) r
       WHERE u.id = $1`,
      [change.id],
    );
  }
}

/** The record of `shipmentId` from the stored event log; null until its creation is indexed. */
export async function shipmentRecord(db: Db, shipmentId: string): Promise<ShipmentRecord | null> {
  const { rows } = await db.query<{ record: ShipmentRecord }>(
    `SELECT args->'record' AS record FROM chain_events
     WHERE contract = 'trace' AND event = 'ShipmentCreated' AND args->>'shipmentId' = $1`,
    [shipmentId],
  );
  return rows[0]?.record ?? null;
}

function toBlock(r: { block_number: string; block_hash: string; parent_hash: string }): BlockRow {
  return { blockNumber: Number(r.block_number), blockHash: r.block_hash, parentHash: r.parent_hash };
}
