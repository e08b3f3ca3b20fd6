import type { ShipmentRecord } from "../../../api/shipments";
import type { Db } from "../../db";
import { chunk } from "../../lib/batches";
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
  for (const rows of chunk(blocks, ROWS_PER_STATEMENT)) {
    await db.query(
      `INSERT INTO indexer_blocks (block_number, block_hash, parent_hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])
       ON CONFLICT (block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash, parent_hash = EXCLUDED.parent_hash`,
      [rows.map((b) => b.blockNumber), rows.map((b) => b.blockHash), rows.map((b) => b.parentHash)],
    );
  }
  await db.query(`DELETE FROM indexer_blocks WHERE block_number < $1`, [keepFrom]);
  await db.query(`DELETE FROM indexer_undo WHERE block_number < $1`, [keepFrom]);
}

/** Rows written by one multi-row statement: large enough to amortise a statement, small enough to parse quickly. */
const ROWS_PER_STATEMENT = 1000;

/**
 * Serialises the transactions that write the index (a block range, a rewind) across replicas
 * sharing one PostgreSQL, until the transaction ends: a rewind reads the undo log and must not
 * interleave with another replica's range or rewind, or it would take back what it never read.
 */
async function lockIndex(db: Db): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(7420212)`);
}

/**
 * Stores `events` (in block and log order) and applies the projection of each one that was new,
 * recording the projection changes of those in blocks from `undoFrom` on (the blocks a reorg may
 * still drop) in the undo log. The events go in with one statement per ROWS_PER_STATEMENT; their
 * projections follow one by one, in order, since each may read what the one before it wrote.
 */
export async function applyEvents(db: Db, events: NewEvent[], undoFrom: number): Promise<void> {
  await lockIndex(db);
  const inserted = new Set<string>();
  for (const rows of chunk(events, ROWS_PER_STATEMENT)) {
    for (const key of await insertEvents(db, rows)) inserted.add(key);
  }
  let recording: number | null = null;
  for (const e of events) {
    if (!inserted.has(eventKey(e.blockHash, e.logIndex))) continue;
    const block = e.blockNumber >= undoFrom ? e.blockNumber : null;
    if (block !== recording) {
      // Transaction-local: the setting ends with the range's transaction (migration 0008).
      await db.query(`SELECT set_config('sunshine.undo_block', $1, true)`, [
        block === null ? "" : String(block),
      ]);
      recording = block;
    }
    await project(db, e);
  }
  if (recording !== null) await db.query(`SELECT set_config('sunshine.undo_block', '', true)`);
}

const eventKey = (blockHash: string, logIndex: number | string) => `${blockHash}:${logIndex}`;

/** Stores the events not stored yet (keyed by block hash and log index); returns the keys of those it stored. */
async function insertEvents(db: Db, events: NewEvent[]): Promise<string[]> {
  const column = <T>(f: (e: NewEvent) => T) => events.map(f);
  const { rows } = await db.query<{ block_hash: string; log_index: number }>(
    `INSERT INTO chain_events (block_number, block_hash, block_time, tx_hash, tx_index, log_index, contract, address,
       event, args)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::int[], $6::int[], $7::text[],
       $8::text[], $9::text[], $10::jsonb[])
     ON CONFLICT (block_hash, log_index) DO NOTHING RETURNING block_hash, log_index`,
    [
      column((e) => e.blockNumber),
      column((e) => e.blockHash),
      column((e) => e.blockTime.toISOString()),
      column((e) => e.txHash),
      column((e) => e.txIndex),
      column((e) => e.logIndex),
      column((e) => e.contract),
      column((e) => e.address),
      column((e) => e.event),
      column((e) => JSON.stringify(e.args)),
    ],
  );
  return rows.map((r) => eventKey(r.block_hash, r.log_index));
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
