import { GLOBAL_RECALL_SCOPE } from "../../../ledger/enums";
import type { Db } from "../../db";
import { acceptedAtSql } from "../matching/matching.repository";
import { keysetList, type PageQuery } from "../../lib/keyset-list";
import type { Page } from "../../lib/pagination";

/**
 * SQL of the purchase–receipt–use reconciliation. Everything is aggregated in the database —
 * per hospital × GTIN × lot, or per usage only where a flag needs its usage ids — so a report
 * reads index ranges, never the usage table into the gateway (see 0005_usages.sql for the
 * indexes these queries are shaped for). The report's use side reads the running totals that
 * triggers keep in the transaction of every usage (0027_reconciliation_totals.sql, which says
 * how they stay exact), and the raw usages only of the rows and serials a flag may concern.
 *
 * Times: a settlement counts from the delivery time the chain derived (`settlements.delivered_at`);
 * a goods receipt from the time the hospital's warehouse states (`receipts.received_at`).
 * Recalls: a regulator's recall (scope = the zero address) covers every supplier's shipments of
 * the lot, a supplier's only its own; a recall is in force from `recalled_at` until `lifted_at`.
 */

/** Which hospital × GTIN × lot rows a report covers, and the moment its figures are taken at. */
export interface LotScope {
  hospital?: string;
  gtin?: string;
  lot?: string;
  /** Only rows with a shipment, receipt, settlement or usage at or after this are listed. */
  from?: Date;
  /** Figures count only what happened before this instant. */
  asOf: Date;
  /** A page's rows: those after `after` and up to `through`, in hospital × GTIN × lot order. */
  after?: LotKey;
  through?: LotKey;
}

/** A report row's key, its place in the report's order. */
export type LotKey = readonly [hospital: string, gtin: string, lot: string];

/**
 * The scope's parameters, and its conditions on a query's own column names. `$1` is always the
 * as-of instant; each filter gets one placeholder, reused wherever the filter applies. `from` is
 * left to the one query that uses it: a parameter the statement does not reference is an error.
 */
function scoped(scope: LotScope) {
  const params: unknown[] = [scope.asOf.toISOString()];
  const placeholder = (value: unknown) => `$${params.push(value)}`;
  const hospital = scope.hospital === undefined ? null : placeholder(scope.hospital);
  const gtin = scope.gtin === undefined ? null : placeholder(scope.gtin);
  const lot = scope.lot === undefined ? null : placeholder(scope.lot);
  const key = (k: LotKey | undefined) => (k === undefined ? null : `(${k.map(placeholder).join(", ")})`);
  const after = key(scope.after);
  const through = key(scope.through);
  const where = (cols: { hospital?: string; gtin: string; lot?: string }) => {
    // A page's range applies where a query has the whole key: its rows are the report's rows.
    const row =
      cols.hospital !== undefined && cols.lot !== undefined
        ? `(${cols.hospital}, ${cols.gtin}, ${cols.lot})`
        : null;
    return [
      cols.hospital !== undefined && hospital !== null ? `${cols.hospital} = ${hospital}` : "",
      gtin === null ? "" : `${cols.gtin} = ${gtin}`,
      cols.lot !== undefined && lot !== null ? `${cols.lot} = ${lot}` : "",
      row !== null && after !== null ? `${row} > ${after}` : "",
      row !== null && through !== null ? `${row} <= ${through}` : "",
    ]
      .filter((condition) => condition !== "")
      .map((condition) => ` AND ${condition}`)
      .join("");
  };
  return { params, placeholder, where };
}

export interface LotBalanceRow {
  hospital: string;
  gtin: string;
  lot: string;
  shipped: string;
  accepted: string;
  rejected: string;
  used: string;
  returned: string;
  sent_out: string;
  /** Of those, units moved out at or after the lot's expiry: they expired in the hospital's hands. */
  sent_after_expiry: string;
  /** The transactions that recorded those moves, in order of hash. */
  sent_out_tx_hashes: string[];
  billed_quantity: string;
  billed_amount: string;
  receipt_nos: string[];
  tx_hashes: string[];
  expiry: Date | null;
}

/**
 * Usage figures per hospital × GTIN × lot as of `$1`, from the running totals (migration 0027),
 * which count every usage ever inserted: for a row used at or after `$1` — rare as of now, every
 * row as of long ago — the usages since are read from `usages_lot` and taken back out. A row no
 * usage of which is before `$1` comes out with a NULL `last_used_at`. `scope` is the totals' own
 * conditions (columns of `t`).
 */
function consumptionAsOf(scope: string): string {
  return `SELECT t.hospital, t.gtin, t.lot,
       t.used - COALESCE(x.used, 0) AS used,
       t.returned - COALESCE(x.returned, 0) AS returned,
       t.billed_quantity - COALESCE(x.billed_quantity, 0) AS billed_quantity,
       t.billed_amount - COALESCE(x.billed_amount, 0) AS billed_amount,
       CASE WHEN t.last_used_at < $1 THEN t.last_used_at ELSE (
         SELECT max(b.used_at) FROM usages b
         WHERE b.hospital = t.hospital AND b.gtin = t.gtin AND b.lot = t.lot AND b.used_at < $1) END AS last_used_at,
       t.unit_amount_bound
     FROM usage_totals t
     LEFT JOIN LATERAL (
       SELECT sum(u.quantity) FILTER (WHERE u.quantity > 0) AS used,
         -sum(u.quantity) FILTER (WHERE u.quantity < 0) AS returned,
         sum(u.quantity) FILTER (WHERE u.billed_amount <> 0) AS billed_quantity,
         sum(u.billed_amount) AS billed_amount
       FROM usages u
       -- The first condition names no column of u: a row used only before $1 reads nothing.
       WHERE t.last_used_at >= $1 AND u.hospital = t.hospital AND u.gtin = t.gtin AND u.lot = t.lot
         AND u.used_at >= $1
     ) x ON TRUE
     WHERE TRUE${scope}`;
}

/**
 * Units that left a hospital's stock for somewhere else (before `$1` if `asOf`), per hospital ×
 * GTIN × lot: moved to a location that is none of its campuses (back to the supplier, say), and
 * consigned units it sent back (a return requested, less one refused, or the supplier's own return
 * after the term). They were accepted, but are no longer the hospital's to use: what stock counts
 * as "returned" (stock.repository.ts). Consigned units written off as expired stay in, as they
 * expired on the hospital's shelf; so do units moved out at or after the lot's expiry, counted
 * apart (`sent_after_expiry`) for the waste flag (the chain refuses a consigned return after
 * expiry, so those are transfers). `scope` is conditions on columns of `o`.
 */
function sentOut(scope: string, asOf = true): string {
  const before = (column: string) => (asOf ? ` AND ${column} < $1` : "");
  return `SELECT o.hospital, o.gtin, o.lot, sum(o.units) AS sent_out,
       COALESCE(sum(o.units) FILTER (WHERE o.units > 0 AND o.at >= (
         SELECT min(x.expiry) FROM shipments x WHERE x.gtin = o.gtin AND x.lot = o.lot)), 0) AS sent_after_expiry,
       max(o.at) AS last_sent_at, array_agg(DISTINCT o.tx_hash ORDER BY o.tx_hash) AS sent_out_tx_hashes
     FROM (
       SELECT t.hospital, t.gtin, t.lot, t.quantity AS units, t.recorded_at AS at, t.tx_hash
       FROM campus_transfers t
       WHERE NOT EXISTS (SELECT 1 FROM campuses c WHERE c.gln = t.to_gln AND c.hospital = t.hospital)${before("t.recorded_at")}
       UNION ALL
       SELECT cm.hospital, s.gtin, s.lot, CASE WHEN cm.kind = 'return-refused' THEN -cm.units ELSE cm.units END, cm.at,
         cm.tx_hash
       FROM consignment_movements cm JOIN shipments s ON s.id = cm.shipment_id
       WHERE cm.kind IN ('return', 'return-requested', 'return-refused')${before("cm.at")}
     ) o
     WHERE TRUE${scope}
     GROUP BY o.hospital, o.gtin, o.lot`;
}

/**
 * Supply (shipments, on-chain settlements, receipts) beside use, per hospital × GTIN × lot: the
 * first `limit` rows after `scope.after`.
 */
export async function lotBalances(db: Db, scope: LotScope, limit: number): Promise<LotBalanceRow[]> {
  const { params, placeholder, where } = scoped(scope);
  const from = scope.from === undefined ? null : placeholder(scope.from.toISOString());
  const supplyScope = where({ hospital: "o.hospital", gtin: "s.gtin", lot: "s.lot" });
  const { rows } = await db.query<LotBalanceRow>(
    `WITH supply AS (
       SELECT o.hospital, s.gtin, s.lot,
         sum(s.quantity) AS shipped,
         COALESCE(sum(st.accepted), 0) AS accepted,
         COALESCE(sum(st.rejected), 0) AS rejected,
         COALESCE(array_agg(r.receipt_no ORDER BY r.receipt_no) FILTER (WHERE r.receipt_no IS NOT NULL), '{}') AS receipt_nos,
         COALESCE(array_agg(st.tx_hash ORDER BY st.tx_hash) FILTER (WHERE st.tx_hash IS NOT NULL), '{}') AS tx_hashes,
         greatest(max(s.created_at), max(st.delivered_at), max(r.received_at)) AS last_activity
       FROM shipments s
       JOIN orders o ON o.id = s.order_id
       -- A shipment has at most one settlement and one receipt: these joins never fan out.
       LEFT JOIN settlements st ON st.shipment_id = s.id AND st.delivered_at < $1
       LEFT JOIN receipts r ON r.shipment_id = s.id AND r.received_at < $1
       WHERE s.created_at < $1${supplyScope}
       GROUP BY o.hospital, s.gtin, s.lot
     ),
     consumption AS (
       SELECT * FROM (${consumptionAsOf(where({ hospital: "t.hospital", gtin: "t.gtin", lot: "t.lot" }))}) c
       WHERE c.last_used_at IS NOT NULL
     ),
     sent_out AS (${sentOut(where({ hospital: "o.hospital", gtin: "o.gtin", lot: "o.lot" }))}),
     keyed AS (
       SELECT hospital, gtin, lot,
         COALESCE(p.shipped, 0) AS shipped, COALESCE(p.accepted, 0) AS accepted, COALESCE(p.rejected, 0) AS rejected,
         COALESCE(c.used, 0) AS used, COALESCE(c.returned, 0) AS returned, COALESCE(so.sent_out, 0) AS sent_out,
         COALESCE(so.sent_after_expiry, 0) AS sent_after_expiry, COALESCE(so.sent_out_tx_hashes, '{}') AS sent_out_tx_hashes,
         COALESCE(c.billed_quantity, 0) AS billed_quantity, COALESCE(c.billed_amount, 0) AS billed_amount,
         COALESCE(p.receipt_nos, '{}') AS receipt_nos, COALESCE(p.tx_hashes, '{}') AS tx_hashes,
         greatest(p.last_activity, c.last_used_at, so.last_sent_at) AS last_activity
       -- Units sent out were received first: a row with neither supply nor use has none.
       FROM supply p FULL JOIN consumption c USING (hospital, gtin, lot)
       LEFT JOIN sent_out so USING (hospital, gtin, lot)
     ),
     page AS (
       SELECT * FROM keyed
       ${from === null ? "" : `WHERE last_activity >= ${from}`}
       ORDER BY hospital, gtin, lot
       LIMIT ${placeholder(limit)}
     )
     SELECT k.hospital, k.gtin, k.lot, k.shipped, k.accepted, k.rejected, k.used, k.returned, k.sent_out,
       k.sent_after_expiry, k.sent_out_tx_hashes, k.billed_quantity,
       k.billed_amount, k.receipt_nos, k.tx_hashes, l.expiry
     FROM page k
     -- Expiry belongs to the lot (one production batch), whichever hospital it went to. Looked up
     -- for the page's rows only, not for every row after the cursor.
     LEFT JOIN LATERAL (SELECT min(x.expiry) AS expiry FROM shipments x WHERE x.gtin = k.gtin AND x.lot = k.lot) l ON TRUE
     ORDER BY k.hospital, k.gtin, k.lot`,
    params,
  );
  return rows;
}

/**
 * The temperature excursions standing as of `$1` on deliveries to a hospital: per shipment, its
 * first excursion (by the sensor's time) that the chain recorded before `$1` and that no waiver
 * given before `$1` covers — a waiver covers the trace events recorded before it (migration
 * 0033). A delivery settled before `$1` (by its transaction's time: a claim's delivery time lies
 * a window earlier) with no unit accepted is left out: rejecting the spoiled goods is the
 * hospital's other answer to an excursion. `supplyScope` is the scope's conditions on
 * `o.hospital`, `s.gtin` and `s.lot`.
 */
export function standingExcursionsSql(supplyScope: string): string {
  return `SELECT o.hospital, s.gtin, s.lot, s.id AS shipment_id, e.event_time AS excursion_at, e.tx_hash
     FROM shipments s
     JOIN orders o ON o.id = s.order_id
     JOIN LATERAL (
       SELECT e.event_time, e.tx_hash FROM trace_events e
       WHERE e.shipment_id = s.id AND e.excursion AND e.recorded_at < $1
         AND NOT EXISTS (
           SELECT 1 FROM excursion_waivers w
           WHERE w.shipment_id = s.id AND w.covers_through >= e.event_index AND w.waived_at < $1)
       ORDER BY e.event_time, e.event_index LIMIT 1
     ) e ON TRUE
     WHERE s.excursion AND s.created_at < $1${supplyScope}
       AND NOT EXISTS (
         SELECT 1 FROM settlements st WHERE st.shipment_id = s.id AND st.accepted = 0 AND st.paid_at < $1)`;
}

/**
 * USED_AFTER_EXCURSION: the standing usages (net of corrections, as every finding takes them) at
 * or after a standing excursion (`excursions`) on a delivery of the lot to their hospital. Which
 * delivery a unit came from is not recorded for a lot without serials, so every use after the
 * excursion counts. Each usage counts under the earliest such excursion; one finding per
 * delivery. The usages are read here, from each excursion's time on (usages_lot), not among the
 * candidates the other flags share: a lot used for months after an excursion would make all its
 * usages candidates.
 */
function excursionFindingSql(usageScope: string): string {
  return `SELECT u.hospital, u.gtin, u.lot, 'USED_AFTER_EXCURSION', NULL,
       array_agg(u.usage_id ORDER BY u.used_at, u.usage_id),
       jsonb_build_object('shipmentId', u.shipment_id::text, 'excursionAt', u.excursion_at, 'txHash', u.tx_hash)
     FROM (
       SELECT DISTINCT ON (u.hospital, u.usage_id) u.hospital, u.gtin, u.lot, u.usage_id, u.used_at, u.quantity,
         x.shipment_id, x.excursion_at, x.tx_hash
       FROM excursions x
       JOIN usages u ON u.hospital = x.hospital AND u.gtin = x.gtin AND u.lot = x.lot
         AND u.used_at >= x.excursion_at AND u.used_at < $1 AND u.quantity > 0
       WHERE TRUE${usageScope}
       ORDER BY u.hospital, u.usage_id, x.excursion_at, x.shipment_id
     ) u
     WHERE u.quantity + (
       SELECT COALESCE(sum(c.quantity), 0) FROM usages c
       WHERE c.hospital = u.hospital AND c.corrects_usage_id = u.usage_id AND c.used_at < $1) > 0
     GROUP BY u.hospital, u.gtin, u.lot, u.shipment_id, u.excursion_at, u.tx_hash`;
}

export type FindingCode =
  | "PHANTOM_USE"
  | "SERIAL_REUSED"
  | "RESOLD"
  | "USED_AFTER_EXPIRY"
  | "USED_FROM_RECALLED_LOT"
  | "USED_AFTER_EXCURSION"
  | "PRICE_MARKUP";

export interface FindingRow {
  hospital: string;
  gtin: string;
  lot: string;
  code: FindingCode;
  serial: string | null;
  /** The usages at this row's hospital that make the finding, in the order they were used. */
  usage_ids: string[];
  /**
   * SERIAL_REUSED: `{ uses }`; RESOLD: `{ receivedBy, receiptNo }`; PRICE_MARKUP: `{ billed, prices }`;
   * USED_FROM_RECALLED_LOT: the recall in force, `{ recalledAt, txHash, scope, liftedAt }`;
   * USED_AFTER_EXCURSION: the delivery's standing excursion, `{ shipmentId, excursionAt, txHash }`.
   */
  detail: Record<string, unknown> | null;
}

/**
 * The findings that name usages, per hospital × GTIN × lot. "Standing" usages are the positive
 * ones not wholly taken back by their corrections: a returned item was not used, so it can
 * neither be used after expiry nor count as a second use of its serial.
 *
 * Only candidates' usages are read, each flag then decided on them exactly as before: the rows
 * whose totals (migration 0027) show more used or billed than accepted (PHANTOM_USE), a use
 * after the lot's expiry or after a recall of it (USED_AFTER_EXPIRY, USED_FROM_RECALLED_LOT), or
 * a price bound above the highest price the hospital paid for the lot (PRICE_MARKUP); and the
 * serials used more than once or somewhere other than where they were received (SERIAL_REUSED,
 * RESOLD), found by the page's rows in serial_candidates. A row or serial that can carry one of
 * those flags is always a candidate, so every usage a flag could name is read. USED_AFTER_EXCURSION
 * reads its own usages (excursionFindingSql).
 */
export async function usageFindings(db: Db, scope: LotScope): Promise<FindingRow[]> {
  const { params, where } = scoped(scope);
  const usageScope = where({ hospital: "u.hospital", gtin: "u.gtin", lot: "u.lot" });
  const supplyScope = where({ hospital: "o.hospital", gtin: "s.gtin", lot: "s.lot" });
  const lotScope = where({ gtin: "gtin", lot: "lot" });
  const { rows } = await db.query<FindingRow>(
    `WITH consumption AS (
       SELECT * FROM (${consumptionAsOf(where({ hospital: "t.hospital", gtin: "t.gtin", lot: "t.lot" }))}) c
       WHERE c.last_used_at IS NOT NULL
     ),
     lots AS (
       SELECT gtin, lot, min(expiry) AS expiry FROM shipments WHERE TRUE${lotScope} GROUP BY gtin, lot
     ),
     -- Each recall as known at the as-of instant: a lift after it is not known yet.
     recall_windows AS (
       SELECT gtin, lot, scope, recalled_at, tx_hash, CASE WHEN lifted_at < $1 THEN lifted_at END AS lifted_at
       FROM recalls WHERE recalled_at < $1${lotScope}
     ),
     excursions AS (${standingExcursionsSql(supplyScope)}),
     -- What the hospital paid a unit of each lot: each delivery that brought the lot to it, at the
     -- price it was settled at (gross / accepted: the tier of the agreement's accepted volume,
     -- before any late penalty, which is the supplier's fine, not the price). A lot none of whose
     -- deliveries is settled yet is priced at its orders' funding (value / quantity).
     settled_prices AS (
       SELECT o.hospital, s.gtin, s.lot, o.id AS order_id, s.id AS shipment_id, st.accepted AS quantity, st.gross AS value
       FROM shipments s
       JOIN orders o ON o.id = s.order_id
       JOIN settlements st ON st.shipment_id = s.id AND st.delivered_at < $1 AND st.accepted > 0
       WHERE s.created_at < $1${supplyScope}
     ),
     prices AS (
       SELECT * FROM settled_prices
       UNION ALL
       SELECT DISTINCT o.hospital, s.gtin, s.lot, o.id, NULL::bigint, o.quantity, o.value
       FROM shipments s JOIN orders o ON o.id = s.order_id
       WHERE s.created_at < $1${supplyScope}
         AND NOT EXISTS (
           SELECT 1 FROM settled_prices p WHERE p.hospital = o.hospital AND p.gtin = s.gtin AND p.lot = s.lot)
     ),
     -- The highest of those prices per lot, compared as fractions (v1 / q1 > v2 / q2 <=> v1 × q2 > v2 × q1).
     top_price AS (
       SELECT DISTINCT ON (p.hospital, p.gtin, p.lot) p.hospital, p.gtin, p.lot, p.quantity, p.value
       FROM prices p
       WHERE NOT EXISTS (
         SELECT 1 FROM prices q
         WHERE q.hospital = p.hospital AND q.gtin = p.gtin AND q.lot = p.lot AND q.value * p.quantity > p.value * q.quantity)
       ORDER BY p.hospital, p.gtin, p.lot, p.order_id, p.shipment_id
     ),
     accepted AS (
       SELECT o.hospital, s.gtin, s.lot, sum(st.accepted) AS accepted
       FROM shipments s
       JOIN orders o ON o.id = s.order_id
       JOIN settlements st ON st.shipment_id = s.id AND st.delivered_at < $1
       WHERE s.created_at < $1${supplyScope}
       GROUP BY o.hospital, s.gtin, s.lot
     ),
     sent_out AS (${sentOut(where({ hospital: "o.hospital", gtin: "o.gtin", lot: "o.lot" }))}),
     -- Lots where more was used (net) or billed than was accepted and not sent out again: the only
     -- ones worth a running sum.
     overdrawn AS (
       SELECT c.hospital, c.gtin, c.lot, COALESCE(a.accepted, 0) - COALESCE(so.sent_out, 0) AS available
       FROM consumption c
       LEFT JOIN accepted a ON a.hospital = c.hospital AND a.gtin = c.gtin AND a.lot = c.lot
       LEFT JOIN sent_out so ON so.hospital = c.hospital AND so.gtin = c.gtin AND so.lot = c.lot
       WHERE c.used - c.returned > COALESCE(a.accepted, 0) - COALESCE(so.sent_out, 0)
         OR c.billed_quantity > COALESCE(a.accepted, 0) - COALESCE(so.sent_out, 0)
     ),
     -- Net and billed units used so far, in time order, in those lots.
     running AS (
       SELECT u.hospital, u.gtin, u.lot, u.usage_id, u.used_at, u.quantity, d.available,
         sum(u.quantity) OVER so_far AS net_so_far,
         COALESCE(sum(u.quantity) FILTER (WHERE u.billed_amount <> 0) OVER so_far, 0) AS billed_so_far
       FROM usages u
       JOIN overdrawn d ON d.hospital = u.hospital AND d.gtin = u.gtin AND d.lot = u.lot
       WHERE u.used_at < $1${usageScope}
       WINDOW so_far AS (PARTITION BY u.hospital, u.gtin, u.lot ORDER BY u.used_at, u.usage_id)
     ),
     -- Rows with a use after the lot's expiry or after a recall of it began, or whose price bound
     -- (an upper bound on any standing usage's amount per unit) is above the highest price paid:
     -- bound > value / quantity <=> bound × quantity > value, quantities being positive.
     suspect_rows AS (
       SELECT c.hospital, c.gtin, c.lot FROM consumption c
       -- One row each per lot and per hospital × lot: joined, not looked up row by row.
       LEFT JOIN lots l ON l.gtin = c.gtin AND l.lot = c.lot
       LEFT JOIN top_price t ON t.hospital = c.hospital AND t.gtin = c.gtin AND t.lot = c.lot
       WHERE c.last_used_at > l.expiry
         OR c.unit_amount_bound * t.quantity > t.value
         OR EXISTS (
           SELECT 1 FROM recall_windows w WHERE w.gtin = c.gtin AND w.lot = c.lot AND w.recalled_at <= c.last_used_at)
     ),
     -- The serials this page's rows used that were used twice or more, or by a hospital other
     -- than the one that received them.
     page_serials AS (
       SELECT DISTINCT gtin, serial FROM serial_candidates WHERE TRUE${where({ hospital: "hospital", gtin: "gtin", lot: "lot" })}
     ),
     -- Every use of those serials before $1, anywhere: a reuse may be at another hospital and
     -- carry a different lot.
     serial_usages AS (
       SELECT a.hospital, a.gtin, a.lot, a.usage_id, a.serial, a.used_at, a.quantity, a.billed_amount
       FROM page_serials p JOIN usages a ON a.gtin = p.gtin AND a.serial = p.serial AND a.used_at < $1
     ),
     -- The standing usages of the suspect rows and of those serials, net of their corrections.
     standing AS (
       SELECT u.hospital, u.gtin, u.lot, u.usage_id, u.serial, u.used_at,
         u.quantity + c.quantity AS quantity, u.billed_amount + c.amount AS amount
       FROM (
         SELECT u.hospital, u.gtin, u.lot, u.usage_id, u.serial, u.used_at, u.quantity, u.billed_amount
         FROM suspect_rows r
         JOIN usages u ON u.hospital = r.hospital AND u.gtin = r.gtin AND u.lot = r.lot
         WHERE u.quantity > 0 AND u.used_at < $1
         UNION
         SELECT * FROM serial_usages WHERE quantity > 0
       ) u
       CROSS JOIN LATERAL (
         SELECT COALESCE(sum(c.quantity), 0) AS quantity, COALESCE(sum(c.billed_amount), 0) AS amount
         FROM usages c WHERE c.hospital = u.hospital AND c.corrects_usage_id = u.usage_id AND c.used_at < $1
       ) c
       WHERE u.quantity + c.quantity > 0
     ),
     -- Those in this page's rows: the usages its findings name.
     page_standing AS (
       SELECT * FROM standing s WHERE TRUE${where({ hospital: "s.hospital", gtin: "s.gtin", lot: "s.lot" })}
     ),
     -- Serials used more than once (net) anywhere, and their standing uses.
     reuses AS (
       SELECT s.gtin, s.serial,
         jsonb_agg(jsonb_build_object('hospital', s.hospital, 'usageId', s.usage_id)
           ORDER BY s.used_at, s.hospital, s.usage_id) AS uses
       FROM standing s
       WHERE (s.gtin, s.serial) IN (
         SELECT gtin, serial FROM serial_usages GROUP BY gtin, serial HAVING sum(quantity) > 1)
       GROUP BY s.gtin, s.serial
     )
     -- PHANTOM_USE: the usages, in time order, that took use or billing beyond the units accepted
     -- and not sent out again.
     SELECT r.hospital, r.gtin, r.lot, 'PHANTOM_USE' AS code, NULL AS serial,
       array_agg(r.usage_id ORDER BY r.used_at, r.usage_id) AS usage_ids, NULL::jsonb AS detail
     FROM running r
     WHERE r.quantity > 0 AND (r.net_so_far > r.available OR r.billed_so_far > r.available)
     GROUP BY r.hospital, r.gtin, r.lot
     UNION ALL
     SELECT s.hospital, s.gtin, s.lot, 'SERIAL_REUSED', s.serial,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id), jsonb_build_object('uses', ru.uses)
     FROM page_standing s JOIN reuses ru ON ru.gtin = s.gtin AND ru.serial = s.serial
     GROUP BY s.hospital, s.gtin, s.lot, s.serial, ru.uses
     UNION ALL
     -- RESOLD: used here after another hospital received it (received_serials keeps the first receipt).
     SELECT s.hospital, s.gtin, s.lot, 'RESOLD', s.serial,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id),
       jsonb_build_object('receivedBy', rs.hospital, 'receiptNo', rs.receipt_no)
     FROM page_standing s JOIN received_serials rs ON rs.gtin = s.gtin AND rs.serial = s.serial
     WHERE rs.hospital <> s.hospital AND s.used_at >= rs.received_at
     GROUP BY s.hospital, s.gtin, s.lot, s.serial, rs.hospital, rs.receipt_no
     UNION ALL
     SELECT s.hospital, s.gtin, s.lot, 'USED_AFTER_EXPIRY', NULL,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id), NULL
     FROM page_standing s JOIN lots l ON l.gtin = s.gtin AND l.lot = s.lot
     WHERE s.used_at > l.expiry
     GROUP BY s.hospital, s.gtin, s.lot
     UNION ALL
     -- USED_FROM_RECALLED_LOT: used while a recall covering the hospital's supply of the lot was in
     -- force — a regulator's, or that of a supplier that shipped the lot to the hospital. Each usage
     -- counts under the earliest such recall; one finding per recall.
     SELECT s.hospital, s.gtin, s.lot, 'USED_FROM_RECALLED_LOT', NULL,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id),
       jsonb_build_object('recalledAt', w.recalled_at, 'txHash', w.tx_hash, 'scope', w.scope, 'liftedAt', w.lifted_at)
     FROM page_standing s
     JOIN LATERAL (
       SELECT w.recalled_at, w.tx_hash, w.scope, w.lifted_at FROM recall_windows w
       WHERE w.gtin = s.gtin AND w.lot = s.lot AND w.recalled_at <= s.used_at
         AND (w.lifted_at IS NULL OR s.used_at < w.lifted_at)
         AND (w.scope = '${GLOBAL_RECALL_SCOPE}' OR EXISTS (
           SELECT 1 FROM shipments x JOIN orders o ON o.id = x.order_id
           WHERE x.gtin = s.gtin AND x.lot = s.lot AND x.supplier = w.scope AND o.hospital = s.hospital
             AND x.created_at < $1))
       ORDER BY w.recalled_at, w.tx_hash LIMIT 1
     ) w ON TRUE
     GROUP BY s.hospital, s.gtin, s.lot, w.recalled_at, w.tx_hash, w.scope, w.lifted_at
     UNION ALL
     ${excursionFindingSql(usageScope)}
     UNION ALL
     -- PRICE_MARKUP: billed per unit (net of refunds) above the highest price the hospital paid for
     -- the lot, in integers: amount / units > value / quantity <=> amount × quantity > value × units.
     SELECT s.hospital, s.gtin, s.lot, 'PRICE_MARKUP', NULL,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id),
       jsonb_build_object(
         'billed', jsonb_agg(jsonb_build_object('usageId', s.usage_id, 'quantity', s.quantity::text,
           'amount', s.amount::text) ORDER BY s.used_at, s.usage_id),
         'prices', (
         SELECT jsonb_agg(jsonb_build_object('orderId', p.order_id::text, 'shipmentId', p.shipment_id::text,
             'quantity', p.quantity::text, 'value', p.value::text) ORDER BY p.order_id, p.shipment_id)
         FROM prices p WHERE p.hospital = s.hospital AND p.gtin = s.gtin AND p.lot = s.lot))
     FROM page_standing s
     JOIN top_price t ON t.hospital = s.hospital AND t.gtin = s.gtin AND t.lot = s.lot
     WHERE s.amount * t.quantity > t.value * s.quantity
     GROUP BY s.hospital, s.gtin, s.lot
     ORDER BY hospital, gtin, lot, code, serial`,
    params,
  );
  return rows;
}

export interface AgreementRow {
  id: string;
  supplier: string;
  category: string;
  start_at: Date;
  end_at: Date;
}

export async function findAgreement(db: Db, agreementId: string): Promise<AgreementRow | null> {
  const { rows } = await db.query<AgreementRow>(
    `SELECT id, supplier, category, start_at, end_at FROM agreements WHERE id = $1`,
    [agreementId],
  );
  return rows[0] ?? null;
}

export interface FulfilmentRow {
  hospital: string;
  committed: string;
  /** Units funded and not cancelled (AgreementVolumeChanged.hospitalFunded). */
  ordered: string;
  /** Units bought: accepted on delivery, consigned ones once used (ledger/volumes.ts). */
  accepted: string;
}

/**
 * Per hospital of an agreement (one page, or the one hospital): its committed volume, and the volume the agreement book holds for
 * it — funded (placing an order books nothing) and accepted.
 */
export function fulfilment(
  db: Db,
  agreementId: string,
  hospital: string | undefined,
  page: PageQuery,
): Promise<Page<FulfilmentRow>> {
  return keysetList(
    db,
    {
      from: `SELECT hospital, committed, ordered, accepted FROM agreement_hospitals`,
      filters: [
        ["agreement_id", agreementId],
        ["hospital", hospital],
      ],
      key: "hospital",
      numericKey: false,
      view: (r) => r as unknown as FulfilmentRow,
    },
    page,
  );
}

export interface UnpaidRow {
  shipment_id: string;
  order_id: string;
  hospital: string;
  supplier: string;
  receipt_no: string;
  gtin: string;
  lot: string;
  accepted: string;
  accepted_at: Date;
  /** The fund's money in the order's escrow: drawn at funding, not yet spent or restored. */
  fund_share: string;
  job_status: string | null;
  job_tx: string | null;
  error_name: string | null;
  recalled_at: Date | null;
  recall_tx: string | null;
  recall_scope: string | null;
  open_exception_ids: string[];
  open_reason_codes: string[];
}

/**
 * Shipments accepted before `acceptedBefore` and not settled on-chain, with everything that may
 * hold their payment, of one hospital or one supplier if named: the first `limit` after `after` in
 * order of acceptance. Accepted means
 * the receipt matched, or an approver resolved its exception accepting units; the latest
 * resolution wins, as it is what the settlement job was queued with. Acceptance is on the
 * ledger's clock (`acceptedAtSql`), as `acceptedBefore` is: on a chain whose clock runs ahead of
 * the wall, the gateway's would make a delivery accepted a minute ago months overdue.
 */
export async function unpaidAcceptedShipments(
  db: Db,
  acceptedBefore: Date,
  parties: { hospital?: string; supplier?: string; payer?: string },
  after: { acceptedAt: string; shipmentId: string } | undefined,
  limit: number,
): Promise<UnpaidRow[]> {
  const params: unknown[] = [acceptedBefore.toISOString()];
  const partiesScope =
    (parties.hospital === undefined ? "" : ` AND o.hospital = $${params.push(parties.hospital)}`) +
    (parties.supplier === undefined ? "" : ` AND s.supplier = $${params.push(parties.supplier)}`) +
    // A payer watches the shipments its money pays for: orders that drew on a tender it covers.
    (parties.payer === undefined
      ? ""
      : ` AND EXISTS (SELECT 1 FROM fund_movements fm JOIN agreements ag ON ag.id = fm.agreement_id
            JOIN fund_covers fc ON fc.tender_id = ag.tender_id
          WHERE fm.order_id = s.order_id AND fm.kind = 'drawn' AND fc.payer = $${params.push(parties.payer)})`);
  // Milliseconds, as the cursor carries them (an ISO instant): a finer timestamp would come
  // back after its own cursor.
  const acceptedMs = "date_trunc('milliseconds', a.accepted_at)";
  const page =
    after === undefined
      ? ""
      : ` AND (${acceptedMs}, a.shipment_id) > ($${params.push(after.acceptedAt)}::timestamptz, $${params.push(after.shipmentId)}::bigint)`;
  const { rows } = await db.query<UnpaidRow>(
    `WITH acceptance AS (
       SELECT r.receipt_no, r.shipment_id,
         CASE WHEN x.resolved_at IS NOT NULL THEN x.resolved_accepted WHEN m.status = 'matched' THEN m.accepted END
           AS accepted,
         -- Unresolved exceptions accept nothing (accepted is NULL above): their time goes unread.
         ${acceptedAtSql("m", "x")} AS accepted_at
       FROM receipts r
       LEFT JOIN matches m ON m.receipt_no = r.receipt_no
       LEFT JOIN LATERAL (
         SELECT e.resolved_accepted, e.resolved_at, e.resolved_ledger_time FROM exceptions e
         WHERE e.shipment_id = r.shipment_id AND e.status = 'resolved' AND e.source <> 'stocktake'
         ORDER BY e.resolved_at DESC, e.id DESC LIMIT 1
       ) x ON TRUE
     )
     SELECT a.shipment_id, s.order_id, o.hospital, s.supplier, a.receipt_no, s.gtin, s.lot, a.accepted, a.accepted_at,
       j.status AS job_status, j.tx_hash AS job_tx, j.error_name, rc.recalled_at, rc.tx_hash AS recall_tx,
       rc.scope AS recall_scope, COALESCE(fs.share, 0)::text AS fund_share,
       COALESCE(ex.ids, '{}') AS open_exception_ids, COALESCE(ex.codes, '{}') AS open_reason_codes
     FROM acceptance a
     JOIN shipments s ON s.id = a.shipment_id
     JOIN orders o ON o.id = s.order_id
     LEFT JOIN settlement_jobs j ON j.shipment_id = a.shipment_id
     -- The recall in force that covers this shipment: a regulator's, or its own supplier's.
     LEFT JOIN LATERAL (
       SELECT x.recalled_at, x.tx_hash, x.scope FROM recalls x
       WHERE x.gtin = s.gtin AND x.lot = s.lot AND x.lifted_at IS NULL AND x.scope IN ('${GLOBAL_RECALL_SCOPE}', s.supplier)
       ORDER BY x.recalled_at, x.tx_hash LIMIT 1
     ) rc ON TRUE
     LEFT JOIN LATERAL (
       SELECT sum(CASE WHEN fm.kind = 'drawn' THEN fm.amount ELSE -fm.amount END) AS share
       FROM fund_movements fm WHERE fm.order_id = s.order_id AND fm.kind IN ('drawn', 'restored', 'spent')
     ) fs ON TRUE
     LEFT JOIN LATERAL (
       SELECT array_agg(e.id::text ORDER BY e.id) AS ids,
         (SELECT array_agg(DISTINCT reason->>'code' ORDER BY reason->>'code')
          FROM exceptions e2, jsonb_array_elements(e2.reasons) reason
          WHERE e2.shipment_id = a.shipment_id AND e2.status = 'open') AS codes
       FROM exceptions e WHERE e.shipment_id = a.shipment_id AND e.status = 'open'
     ) ex ON TRUE
     WHERE a.accepted > 0 AND a.accepted_at < $1
       AND NOT EXISTS (SELECT 1 FROM settlements st WHERE st.shipment_id = a.shipment_id)
       -- Consigned stock is paid on use, not on acceptance: it is never overdue here.
       AND NOT EXISTS (SELECT 1 FROM consigned_orders co WHERE co.order_id = s.order_id)${partiesScope}${page}
     ORDER BY ${acceptedMs}, a.shipment_id
     LIMIT $${params.push(limit)}`,
    params,
  );
  return rows;
}

/** The lot as shipped: its expiry, or null if it never was. */
export async function lotExpiry(db: Db, gtin: string, lot: string): Promise<Date | null> {
  const { rows } = await db.query<{ expiry: Date | null }>(
    `SELECT min(expiry) AS expiry FROM shipments WHERE gtin = $1 AND lot = $2`,
    [gtin, lot],
  );
  return rows[0]?.expiry ?? null;
}

export interface RecallRow {
  scope: string;
  recalled_by: string;
  reason_code: number;
  recalled_at: Date;
  tx_hash: string;
  lifted_at: Date | null;
  lifted_by: string | null;
  lift_reason_code: number | null;
  lift_tx_hash: string | null;
}

/** Every recall of the lot, in any scope, in chain order, with its lift if lifted. */
export async function recallsOfLot(db: Db, gtin: string, lot: string): Promise<RecallRow[]> {
  const { rows } = await db.query<RecallRow>(
    `SELECT scope, recalled_by, reason_code, recalled_at, tx_hash, lifted_at, lifted_by, lift_reason_code, lift_tx_hash
     FROM recalls WHERE gtin = $1 AND lot = $2 ORDER BY block_number, log_index`,
    [gtin, lot],
  );
  return rows;
}

export interface ExposureHospitalRow {
  hospital: string;
  received: string;
  accepted: string;
  used: string;
  returned: string;
  sent_out: string;
  receipt_nos: string[];
  tx_hashes: string[];
  /** The suppliers whose shipments of the lot reached the hospital. */
  suppliers: string[];
}

/** Every hospital that received the lot (a receipt or a settlement) or used it, with its balance. */
export async function exposureByHospital(db: Db, gtin: string, lot: string): Promise<ExposureHospitalRow[]> {
  const { rows } = await db.query<ExposureHospitalRow>(
    `WITH supply AS (
       SELECT o.hospital,
         COALESCE(sum(r.received_qty), 0) AS received,
         COALESCE(sum(st.accepted), 0) AS accepted,
         COALESCE(array_agg(r.receipt_no ORDER BY r.receipt_no) FILTER (WHERE r.receipt_no IS NOT NULL), '{}') AS receipt_nos,
         COALESCE(array_agg(st.tx_hash ORDER BY st.tx_hash) FILTER (WHERE st.tx_hash IS NOT NULL), '{}') AS tx_hashes,
         array_agg(DISTINCT s.supplier ORDER BY s.supplier) AS suppliers
       FROM shipments s
       JOIN orders o ON o.id = s.order_id
       LEFT JOIN receipts r ON r.shipment_id = s.id
       LEFT JOIN settlements st ON st.shipment_id = s.id
       WHERE s.gtin = $1 AND s.lot = $2 AND (r.receipt_no IS NOT NULL OR st.shipment_id IS NOT NULL)
       GROUP BY o.hospital
     ),
     consumption AS (
       SELECT hospital,
         COALESCE(sum(quantity) FILTER (WHERE quantity > 0), 0) AS used,
         COALESCE(-sum(quantity) FILTER (WHERE quantity < 0), 0) AS returned
       FROM usages WHERE gtin = $1 AND lot = $2
       GROUP BY hospital
     ),
     sent_out AS (${sentOut(" AND o.gtin = $1 AND o.lot = $2", false)})
     SELECT hospital, COALESCE(p.received, 0) AS received, COALESCE(p.accepted, 0) AS accepted,
       COALESCE(c.used, 0) AS used, COALESCE(c.returned, 0) AS returned, COALESCE(so.sent_out, 0) AS sent_out,
       COALESCE(p.receipt_nos, '{}') AS receipt_nos, COALESCE(p.tx_hashes, '{}') AS tx_hashes,
       COALESCE(p.suppliers, '{}') AS suppliers
     FROM supply p FULL JOIN consumption c USING (hospital)
     LEFT JOIN sent_out so USING (hospital)
     ORDER BY hospital`,
    [gtin, lot],
  );
  return rows;
}

export interface ExposureDepartmentRow {
  hospital: string;
  department: string;
  usages: number;
  patients: number;
  used: string;
  returned: string;
  used_after_recall: string;
}

/**
 * Use of the lot per hospital and department. A return counts against the department of the
 * usage it corrects — where the item met the patient — whoever entered it. "After recall": used
 * while a recall covering the hospital's supply of the lot was in force (a regulator's, or that
 * of a supplier that shipped the lot to the hospital), before any lift.
 */
export async function exposureByDepartment(
  db: Db,
  gtin: string,
  lot: string,
): Promise<ExposureDepartmentRow[]> {
  const { rows } = await db.query<ExposureDepartmentRow>(
    `WITH corrections AS (
       SELECT hospital, corrects_usage_id AS usage_id, -sum(quantity) AS returned
       FROM usages WHERE gtin = $1 AND lot = $2 AND corrects_usage_id IS NOT NULL
       GROUP BY hospital, corrects_usage_id
     ),
     standing AS (
       SELECT u.hospital, u.department, u.patient_hash, u.used_at, u.quantity, COALESCE(c.returned, 0) AS returned,
         EXISTS (
           SELECT 1 FROM recalls rc
           WHERE rc.gtin = $1 AND rc.lot = $2 AND rc.recalled_at <= u.used_at
             AND (rc.lifted_at IS NULL OR u.used_at < rc.lifted_at)
             AND (rc.scope = '${GLOBAL_RECALL_SCOPE}' OR EXISTS (
               SELECT 1 FROM shipments x JOIN orders o ON o.id = x.order_id
               WHERE x.gtin = $1 AND x.lot = $2 AND x.supplier = rc.scope AND o.hospital = u.hospital))
         ) AS under_recall
       FROM usages u LEFT JOIN corrections c ON c.hospital = u.hospital AND c.usage_id = u.usage_id
       WHERE u.gtin = $1 AND u.lot = $2 AND u.quantity > 0
     )
     SELECT hospital, department,
       (count(*) FILTER (WHERE quantity > returned))::int AS usages,
       (count(DISTINCT patient_hash) FILTER (WHERE quantity > returned))::int AS patients,
       sum(quantity) AS used,
       sum(returned) AS returned,
       COALESCE(sum(quantity - returned) FILTER (WHERE under_recall), 0) AS used_after_recall
     FROM standing
     GROUP BY hospital, department
     ORDER BY hospital, department`,
    [gtin, lot],
  );
  return rows;
}
