import type { ShipmentRecord } from "../../../api/shipments";
import type { Db } from "../../db";
import type { EventArgs } from "../../../ledger/events";
import { PROJECTION_TABLES, project, type StoredEvent } from "./indexer.projections";

/** SQL of the indexer: the event log, the recent-block window and projection rebuilds. */

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

export async function saveBlocks(db: Db, blocks: BlockRow[], keepFrom: number): Promise<void> {
  for (const b of blocks) {
    await db.query(
      `INSERT INTO indexer_blocks (block_number, block_hash, parent_hash) VALUES ($1, $2, $3)
       ON CONFLICT (block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash, parent_hash = EXCLUDED.parent_hash`,
      [b.blockNumber, b.blockHash, b.parentHash],
    );
  }
  await db.query(`DELETE FROM indexer_blocks WHERE block_number < $1`, [keepFrom]);
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
 * Forgets everything above `ancestor` and rebuilds the projections from the event log that
 * remains. Reorgs are rare, and a replay from the database needs no RPC calls, so rebuilding
 * is simpler and safer than undoing each projection change.
 */
export async function rewindTo(db: Db, ancestor: number): Promise<number> {
  const { rows: dropped } = await db.query<{ n: string }>(
    `WITH d AS (DELETE FROM chain_events WHERE block_number > $1 RETURNING 1) SELECT count(*) AS n FROM d`,
    [ancestor],
  );
  await db.query(`DELETE FROM indexer_blocks WHERE block_number > $1`, [ancestor]);
  await rebuildProjections(db);
  return Number(dropped[0]?.n ?? 0);
}

export async function rebuildProjections(db: Db): Promise<void> {
  await db.query(`TRUNCATE ${PROJECTION_TABLES.join(", ")}`);
  const { rows } = await db.query<{
    contract: string;
    event: string;
    args: EventArgs;
    block_number: string;
    block_time: Date | string;
    tx_hash: string;
    log_index: number;
  }>(
    `SELECT contract, event, args, block_number, block_time, tx_hash, log_index
     FROM chain_events ORDER BY block_number, log_index`,
  );
  for (const r of rows) {
    await project(db, {
      contract: r.contract,
      event: r.event,
      args: r.args,
      blockNumber: Number(r.block_number),
      blockTime: new Date(r.block_time),
      txHash: r.tx_hash,
      logIndex: r.log_index,
    });
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
