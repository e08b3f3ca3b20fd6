import { randomUUID } from "node:crypto";
import { id as keccakId } from "ethers";
import type { Db } from "../../db";
import { enqueueBatch, type NewBatch } from "../payments/settlement.repository";

/**
 * Cuts consumption batches of consigned stock from usage records, for the payment outbox to pay
 * (`ConsignmentBook.confirmConsumption`). The rules:
 * - a usage counts for consigned stock when its hospital holds consigned stock of its GTIN and
 *   lot that was in its custody when the unit was used (the shipment's first custody step on
 *   chain; usages are dated on the ledger's clock too), so a unit of the same lot used from
 *   earlier, ordinary stock is never paid again; it is paid at its net quantity (less the corrections recorded before the cut) from the
 *   oldest consigned shipment of that lot with units on hand (on hand less units in batches not
 *   yet indexed as paid), all from one supplier's stock, or waits until it fits;
 * - per hospital × supplier, a batch is cut when its unbatched units reach `batchUnits`, or when
 *   the oldest of its unbatched usages was recorded `batchIntervalMs` ago;
 * - a usage is in at most one batch (consumption_batch_usages' key), and a batch the chain
 *   refuses gives its usages back for a later cut — not before `batchIntervalMs` has passed for
 *   that hospital × supplier, so a refusal that lasts (a pause, a wrong settler key) costs one
 *   failed batch per interval, not one per poll; a correction recorded after its usage was
 *   batched does not unpay it (the stocktake reconciles the shelf).
 * Runs in one transaction under an advisory lock, so replicas never cut the same usages twice.
 */

export interface BatchRules {
  batchIntervalMs: number;
  batchUnits: number;
}

interface Stock {
  shipment_id: string;
  hospital: string;
  supplier: string;
  gtin: string;
  lot: string;
  available: number;
  in_custody_at: Date;
}

interface Usage {
  hospital: string;
  usage_id: string;
  gtin: string;
  lot: string;
  used_at: Date;
  recorded_at: Date;
  net: number;
}

/** The batches cut now, each already queued in the outbox. */
export async function cutBatches(db: Db, rules: BatchRules, now = new Date()): Promise<NewBatch[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7420212)`);
    const stock = await availableStock(tx);
    const usages = await unbatchedUsages(tx);
    const refused = await recentlyRefused(tx, new Date(now.getTime() - rules.batchIntervalMs));
    const groups = new Map<string, { batch: NewBatch; units: number; oldest: Date }>();
    for (const u of usages) {
      const lines = allocate(stock, u);
      if (!lines) continue;
      const key = `${u.hospital}:${lines.supplier}`;
      let g = groups.get(key);
      if (!g) {
        g = {
          batch: { batchId: "", hospital: u.hospital, supplier: lines.supplier, lines: [], usageIds: [] },
          units: 0,
          oldest: u.recorded_at,
        };
        groups.set(key, g);
      }
      for (const l of lines.lines) {
        const line = g.batch.lines.find((x) => x.shipmentId === l.shipmentId);
        if (line) line.units += l.units;
        else g.batch.lines.push({ ...l });
      }
      g.batch.usageIds.push(u.usage_id);
      g.units += u.net;
    }
    const cut: NewBatch[] = [];
    for (const g of groups.values()) {
      const due = g.units >= rules.batchUnits || now.getTime() - g.oldest.getTime() >= rules.batchIntervalMs;
      if (!due || refused.has(`${g.batch.hospital}:${g.batch.supplier}`)) continue;
      const batch = { ...g.batch, batchId: keccakId(`consumption:${g.batch.hospital}:${randomUUID()}`) };
      await enqueueBatch(tx, batch);
      cut.push(batch);
    }
    return cut;
  });
}

/**
 * Takes a usage's units from the oldest shipments of its lot at its hospital, all of one
 * supplier; null (and nothing taken) when no supplier's stock covers it.
 */
function allocate(
  stock: Stock[],
  u: Usage,
): { supplier: string; lines: { shipmentId: string; units: number }[] } | null {
  const fitting = stock.filter(
    (s) => s.hospital === u.hospital && s.gtin === u.gtin && s.lot === u.lot && s.in_custody_at <= u.used_at,
  );
  for (const supplier of new Set(fitting.map((s) => s.supplier))) {
    const mine = fitting.filter((s) => s.supplier === supplier);
    if (mine.reduce((n, s) => n + s.available, 0) < u.net) continue;
    const lines: { shipmentId: string; units: number }[] = [];
    let left = u.net;
    for (const s of mine) {
      const take = Math.min(left, s.available);
      if (take === 0) continue;
      s.available -= take;
      left -= take;
      lines.push({ shipmentId: s.shipment_id, units: take });
      if (left === 0) break;
    }
    return { supplier, lines };
  }
  return null;
}

async function availableStock(tx: Db): Promise<Stock[]> {
  const { rows } = await tx.query<Stock>(
    `SELECT cs.shipment_id::text AS shipment_id, cs.hospital, cs.supplier, s.gtin, s.lot,
       COALESCE(s.chain_received_at, cs.consigned_at) AS in_custody_at,
       (cs.received - cs.used - cs.returned - cs.expired - cs.pending_units - COALESCE(q.units, 0))::int AS available
     FROM consigned_stock cs
     JOIN shipments s ON s.id = cs.shipment_id
     LEFT JOIN (
       -- Units in batches queued or in flight, or paid but not yet indexed as used.
       SELECT l.shipment_id, sum(l.units) AS units
       FROM consumption_batch_lines l JOIN settlement_jobs j ON j.batch_id = l.batch_id
       WHERE j.status <> 'failed' AND NOT EXISTS (SELECT 1 FROM consumption_batches b WHERE b.batch_id = j.batch_id)
       GROUP BY l.shipment_id
     ) q ON q.shipment_id = cs.shipment_id
     ORDER BY cs.shipment_id`,
  );
  return rows
    .map((r) => ({ ...r, available: Number(r.available), in_custody_at: new Date(r.in_custody_at) }))
    .filter((r) => r.available > 0);
}

/** The hospital × supplier pairs whose batch the chain refused since `since`. */
async function recentlyRefused(tx: Db, since: Date): Promise<Set<string>> {
  const { rows } = await tx.query<{ hospital: string; supplier: string }>(
    `SELECT DISTINCT hospital, supplier FROM settlement_jobs
     WHERE kind = 'consumption' AND status = 'failed' AND created_at > $1`,
    [since],
  );
  return new Set(rows.map((r) => `${r.hospital}:${r.supplier}`));
}

async function unbatchedUsages(tx: Db): Promise<Usage[]> {
  const { rows } = await tx.query<Usage>(
    // Driven from the consigned lots (few) into usages by their (hospital, gtin, lot, used_at)
    // index, so a poll reads the usages of consigned lots only, not every usage ever recorded.
    `SELECT u.hospital, u.usage_id, u.gtin, u.lot, u.used_at, u.recorded_at,
       (u.quantity + COALESCE((SELECT sum(c.quantity) FROM usages c
          WHERE c.hospital = u.hospital AND c.corrects_usage_id = u.usage_id), 0))::int AS net
     FROM (SELECT cs.hospital, s.gtin, s.lot, min(COALESCE(s.chain_received_at, cs.consigned_at)) AS since
           FROM consigned_stock cs JOIN shipments s ON s.id = cs.shipment_id
           GROUP BY cs.hospital, s.gtin, s.lot) lots
     JOIN usages u ON u.hospital = lots.hospital AND u.gtin = lots.gtin AND u.lot = lots.lot
       AND u.used_at >= lots.since
     WHERE u.quantity > 0
       AND NOT EXISTS (SELECT 1 FROM consumption_batch_usages b WHERE b.hospital = u.hospital AND b.usage_id = u.usage_id)
     ORDER BY u.recorded_at, u.usage_id`,
  );
  return rows
    .map((r) => ({
      ...r,
      net: Number(r.net),
      used_at: new Date(r.used_at),
      recorded_at: new Date(r.recorded_at),
    }))
    .filter((r) => r.net > 0);
}
