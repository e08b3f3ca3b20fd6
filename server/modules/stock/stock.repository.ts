import { GLOBAL_RECALL_SCOPE } from "../../../ledger/enums";
import type { Db } from "../../db";
import type { Stocktake, StocktakeDifference, StockRow } from "../../../api/stock";
import { iso, isoDateOrNull, text, textOrNull, type Row } from "../../lib/projection-row";

/**
 * SQL of stock: every movement of a lot at a campus, summed per hospital × campus × GTIN × lot.
 * Movements are read from their own records, so stock can never drift from them:
 * - received: unrejected units of goods-receipt lines (not of a receipt whose exception an
 *   approver rejected: recorded in error), at the receipt's campus;
 * - used: usages net of their corrections (a return from the patient puts a unit back);
 * - transferred: indexed CampusTransfers events, out of the source and into the destination when
 *   the destination is a campus of the same hospital; to any other location (the supplier) the
 *   units leave the hospital: returned;
 * - consigned stock returned to its supplier or written off as expired (ConsignmentBook): returned,
 *   from the campus that received the shipment. A hospital's return leaves the shelf when sent
 *   (requested), whatever the supplier answers; a refusal puts its units back.
 * A record that names no campus (made before the hospital registered one) counts at the main one.
 */
export const STOCK_MOVEMENTS = `
  WITH mains AS (SELECT hospital, gln FROM campuses WHERE main),
  moves AS (
    SELECT r.hospital, COALESCE(r.campus, m.gln) AS campus, l.gtin, l.lot,
      (l.quantity - l.rejected) AS received, 0 AS used, 0 AS returned, 0 AS moved_in, 0 AS moved_out
    FROM receipt_lines l
    JOIN receipts r ON r.hospital = l.hospital AND r.receipt_no = l.receipt_no
    LEFT JOIN mains m ON m.hospital = r.hospital
    WHERE l.lot IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM exceptions e
      WHERE e.shipment_id = r.shipment_id AND e.resolution = 'reject' AND e.source <> 'stocktake')
    UNION ALL
    SELECT u.hospital, COALESCE(u.campus, m.gln), u.gtin, u.lot, 0, u.quantity, 0, 0, 0
    FROM usages u LEFT JOIN mains m ON m.hospital = u.hospital
    UNION ALL
    SELECT t.hospital, t.from_gln, t.gtin, t.lot, 0, 0,
      CASE WHEN c.gln IS NULL THEN t.quantity ELSE 0 END, 0, CASE WHEN c.gln IS NULL THEN 0 ELSE t.quantity END
    FROM campus_transfers t LEFT JOIN campuses c ON c.gln = t.to_gln AND c.hospital = t.hospital
    UNION ALL
    SELECT t.hospital, t.to_gln, t.gtin, t.lot, 0, 0, 0, t.quantity, 0
    FROM campus_transfers t JOIN campuses c ON c.gln = t.to_gln AND c.hospital = t.hospital
    UNION ALL
    SELECT cm.hospital, COALESCE(r.campus, m.gln), s.gtin, s.lot, 0, 0,
      CASE WHEN cm.kind = 'return-refused' THEN -cm.units ELSE cm.units END, 0, 0
    FROM consignment_movements cm
    JOIN shipments s ON s.id = cm.shipment_id
    LEFT JOIN receipts r ON r.shipment_id = cm.shipment_id
    LEFT JOIN mains m ON m.hospital = cm.hospital
    WHERE cm.kind IN ('return', 'return-requested', 'return-refused', 'expiry')
  ),
  lots AS (
    SELECT l.gtin, l.lot, min(l.expiry) AS expiry FROM receipt_lines l WHERE l.lot IS NOT NULL GROUP BY 1, 2
  )
  SELECT s.*, GREATEST(s.net, 0) AS on_hand, GREATEST(-s.net, 0) AS shortfall,
    c.name AS campus_name, lots.expiry
  FROM (
    SELECT hospital, campus, gtin, lot, sum(received) AS received, sum(used) AS used,
      sum(returned) AS returned, sum(moved_in) AS moved_in, sum(moved_out) AS moved_out,
      sum(received) - sum(used) - sum(returned) + sum(moved_in) - sum(moved_out) AS net
    FROM moves GROUP BY hospital, campus, gtin, lot
  ) s
  LEFT JOIN campuses c ON c.gln = s.campus
  LEFT JOIN lots ON lots.gtin = s.gtin AND lots.lot = s.lot`;

export function stockView(r: Row): StockRow {
  return {
    hospital: text(r.hospital),
    campus: textOrNull(r.campus),
    campusName: textOrNull(r.campus_name),
    gtin: text(r.gtin),
    lot: text(r.lot),
    expiry: isoDateOrNull(r.expiry),
    received: text(r.received),
    used: text(r.used),
    returned: text(r.returned),
    transferredIn: text(r.moved_in),
    transferredOut: text(r.moved_out),
    onHand: text(r.on_hand),
    shortfall: text(r.shortfall),
  };
}

/** Every stock row of a hospital (optionally one campus's or one GTIN's), by campus, GTIN and lot. */
export async function stockOf(
  db: Db,
  hospital: string,
  filter: { campus?: string; gtin?: string; lot?: string } = {},
): Promise<StockRow[]> {
  const params: unknown[] = [hospital];
  const where = ["hospital = $1"];
  if (filter.campus !== undefined) where.push(`campus = $${params.push(filter.campus)}`);
  if (filter.gtin !== undefined) where.push(`gtin = $${params.push(filter.gtin)}`);
  if (filter.lot !== undefined) where.push(`lot = $${params.push(filter.lot)}`);
  const { rows } = await db.query<Row>(
    `SELECT * FROM (${STOCK_MOVEMENTS}) stock WHERE ${where.join(" AND ")} ORDER BY campus, gtin, lot`,
    params,
  );
  return rows.map(stockView);
}

/** Units of each GTIN used per campus since `since` (net of returns from patients). */
export async function usageSince(
  db: Db,
  hospital: string,
  since: Date,
): Promise<{ campus: string | null; gtin: string; used: number }[]> {
  const { rows } = await db.query<{ campus: string | null; gtin: string; used: string }>(
    `SELECT COALESCE(u.campus, m.gln) AS campus, u.gtin, sum(u.quantity) AS used
     FROM usages u LEFT JOIN campuses m ON m.hospital = u.hospital AND m.main
     WHERE u.hospital = $1 AND u.used_at >= $2
     GROUP BY 1, 2`,
    [hospital, since.toISOString()],
  );
  return rows.map((r) => ({ campus: r.campus, gtin: r.gtin, used: Number(r.used) }));
}

/** The names of a hospital's campuses by GLN. */
export async function campusNames(db: Db, hospital: string): Promise<Map<string, string>> {
  const { rows } = await db.query<{ gln: string; name: string }>(
    `SELECT gln, name FROM campuses WHERE hospital = $1`,
    [hospital],
  );
  return new Map(rows.map((r) => [r.gln, r.name]));
}

/**
 * The lots under a recall in force that reaches the stock of `hospital` (an SQL expression): a
 * regulator's recall, which covers every supplier's units, or a supplier's own recall of a lot it
 * shipped to that hospital — not another supplier's recall of the same GTIN and lot, which covers
 * only that supplier's units. Not for use. One definition for the suggestions and replenishment
 * (which leave them out) and the holders list (which marks them).
 */
export const recalledLotsReaching = (hospital: string): string =>
  `SELECT DISTINCT r.gtin, r.lot FROM recalls r WHERE r.lifted_at IS NULL AND (r.scope = '${GLOBAL_RECALL_SCOPE}'
     OR EXISTS (SELECT 1 FROM shipments s WHERE s.hospital = ${hospital} AND s.gtin = r.gtin AND s.lot = r.lot
       AND s.supplier = r.scope))`;

export async function recalledLots(db: Db, hospital: string): Promise<{ gtin: string; lot: string }[]> {
  const { rows } = await db.query<{ gtin: string; lot: string }>(recalledLotsReaching("$1"), [hospital]);
  return rows;
}

export async function insertStocktake(
  tx: Db,
  s: { hospital: string; campus: string; countedBy: string; now: Date },
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO stocktakes (hospital, campus, counted_by, counted_at, differences) VALUES ($1, $2, $3, $4, '[]')
     RETURNING id`,
    [s.hospital, s.campus, s.countedBy, s.now.toISOString()],
  );
  return String(rows[0].id);
}

export async function setStocktakeDifferences(
  tx: Db,
  id: string,
  differences: StocktakeDifference[],
): Promise<void> {
  await tx.query(`UPDATE stocktakes SET differences = $2 WHERE id = $1`, [id, JSON.stringify(differences)]);
}

/** The hospital's latest shipment of the lot: what a stocktake exception of the lot names. */
export async function latestShipmentOf(
  db: Db,
  hospital: string,
  gtin: string,
  lot: string,
): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id
     WHERE o.hospital = $1 AND s.gtin = $2 AND s.lot = $3 ORDER BY s.id DESC LIMIT 1`,
    [hospital, gtin, lot],
  );
  return rows[0] ? String(rows[0].id) : null;
}

export function stocktakeView(r: Row): Stocktake {
  return {
    id: text(r.id),
    hospital: text(r.hospital),
    campus: text(r.campus),
    countedBy: text(r.counted_by),
    countedAt: iso(r.counted_at),
    differences: r.differences as StocktakeDifference[],
  };
}
