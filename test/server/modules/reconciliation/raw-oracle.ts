import { ZeroAddress } from "ethers";
import type { Db } from "../../../../server/db";
import {
  standingExcursionsSql,
  type FindingRow,
  type LotBalanceRow,
  type LotKey,
  type LotScope,
} from "../../../../server/modules/reconciliation/reconciliation.repository";

/**
 * The test oracle of the reconciliation's aggregates: the report's two queries as they were
 * before the running totals (migration 0027), computing every figure and flag from the raw
 * usages. The report reads the totals and checks only the flags' candidates; the exactness tests
 * (totals.test.ts) hold its answers to these, on every scope and as-of instant they try. The
 * standing excursions, which came after the totals, are the report's own SQL here; their finding
 * is taken over every standing usage, where the report reads only the usages after each one.
 */

/** The scope of a regulator's recall, which covers every supplier's shipments of the lot. */
const GLOBAL_SCOPE = ZeroAddress.toLowerCase();

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

/**
 * The moves of row `k` (hospital, gtin, lot) out of the hospital before `$1`, as rows of units and
 * time: transfers to a GLN that is none of its campuses, and consigned returns (requested or the
 * supplier's own, less refusals).
 */
function rawSentOutMoves(k: string): string {
  return `(SELECT t.quantity AS units, t.recorded_at AS at, t.tx_hash AS tx FROM campus_transfers t
       WHERE t.hospital = ${k}.hospital AND t.gtin = ${k}.gtin AND t.lot = ${k}.lot AND t.recorded_at < $1
         AND t.to_gln NOT IN (SELECT gln FROM campuses WHERE hospital = ${k}.hospital)
     UNION ALL
     SELECT CASE cm.kind WHEN 'return-refused' THEN -cm.units ELSE cm.units END, cm.at, cm.tx_hash
       FROM consignment_movements cm JOIN shipments x ON x.id = cm.shipment_id
       WHERE cm.hospital = ${k}.hospital AND x.gtin = ${k}.gtin AND x.lot = ${k}.lot AND cm.at < $1
         AND cm.kind IN ('return', 'return-requested', 'return-refused'))`;
}

/** Units of row `k` sent out of the hospital before `$1`. */
const rawSentOut = (k: string) => `(SELECT COALESCE(sum(m.units), 0) FROM ${rawSentOutMoves(k)} m)`;

/**
 * Supply (shipments, on-chain settlements, receipts) beside use, per hospital × GTIN × lot: the
 * first `limit` rows after `scope.after`.
 */
export async function rawLotBalances(db: Db, scope: LotScope, limit: number): Promise<LotBalanceRow[]> {
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
       SELECT hospital, gtin, lot,
         COALESCE(sum(quantity) FILTER (WHERE quantity > 0), 0) AS used,
         COALESCE(-sum(quantity) FILTER (WHERE quantity < 0), 0) AS returned,
         COALESCE(sum(quantity) FILTER (WHERE billed_amount <> 0), 0) AS billed_quantity,
         sum(billed_amount) AS billed_amount,
         max(used_at) AS last_activity
       FROM usages
       WHERE used_at < $1${where({ hospital: "hospital", gtin: "gtin", lot: "lot" })}
       GROUP BY hospital, gtin, lot
     ),
     keyed AS (
       SELECT hospital, gtin, lot,
         COALESCE(p.shipped, 0) AS shipped, COALESCE(p.accepted, 0) AS accepted, COALESCE(p.rejected, 0) AS rejected,
         COALESCE(c.used, 0) AS used, COALESCE(c.returned, 0) AS returned,
         COALESCE(c.billed_quantity, 0) AS billed_quantity, COALESCE(c.billed_amount, 0) AS billed_amount,
         COALESCE(p.receipt_nos, '{}') AS receipt_nos, COALESCE(p.tx_hashes, '{}') AS tx_hashes,
         greatest(p.last_activity, c.last_activity) AS last_activity
       FROM supply p FULL JOIN consumption c USING (hospital, gtin, lot)
     )
     SELECT k.hospital, k.gtin, k.lot, k.shipped, k.accepted, k.rejected, k.used, k.returned,
       ${rawSentOut("k")} AS sent_out,
       (SELECT COALESCE(sum(m.units), 0) FROM ${rawSentOutMoves("k")} m WHERE m.units > 0 AND m.at >= l.expiry)
         AS sent_after_expiry,
       ARRAY(SELECT DISTINCT m.tx FROM ${rawSentOutMoves("k")} m ORDER BY m.tx) AS sent_out_tx_hashes,
       k.billed_quantity, k.billed_amount, k.receipt_nos, k.tx_hashes, l.expiry
     FROM keyed k
     -- Expiry belongs to the lot (one production batch), whichever hospital it went to.
     LEFT JOIN LATERAL (SELECT min(x.expiry) AS expiry FROM shipments x WHERE x.gtin = k.gtin AND x.lot = k.lot) l ON TRUE
     ${
       from === null
         ? ""
         : `WHERE greatest(k.last_activity, (SELECT max(m.at) FROM ${rawSentOutMoves("k")} m)) >= ${from}`
     }
     ORDER BY k.hospital, k.gtin, k.lot
     LIMIT ${placeholder(limit)}`,
    params,
  );
  return rows;
}

/**
 * The findings that name usages, per hospital × GTIN × lot. "Standing" usages are the positive
 * ones not wholly taken back by their corrections: a returned item was not used, so it can
 * neither be used after expiry nor count as a second use of its serial.
 */
export async function rawUsageFindings(db: Db, scope: LotScope): Promise<FindingRow[]> {
  const { params, where } = scoped(scope);
  const usageScope = where({ hospital: "u.hospital", gtin: "u.gtin", lot: "u.lot" });
  const supplyScope = where({ hospital: "o.hospital", gtin: "s.gtin", lot: "s.lot" });
  const lotScope = where({ gtin: "gtin", lot: "lot" });
  const { rows } = await db.query<FindingRow>(
    `WITH corrections AS (
       SELECT u.hospital, u.corrects_usage_id AS usage_id, sum(u.quantity) AS quantity, sum(u.billed_amount) AS amount
       FROM usages u
       WHERE u.corrects_usage_id IS NOT NULL AND u.used_at < $1${usageScope}
       GROUP BY u.hospital, u.corrects_usage_id
     ),
     standing AS (
       SELECT u.hospital, u.gtin, u.lot, u.usage_id, u.serial, u.used_at,
         u.quantity + COALESCE(c.quantity, 0) AS quantity,
         u.billed_amount + COALESCE(c.amount, 0) AS amount
       FROM usages u
       LEFT JOIN corrections c ON c.hospital = u.hospital AND c.usage_id = u.usage_id
       WHERE u.quantity > 0 AND u.used_at < $1${usageScope} AND u.quantity + COALESCE(c.quantity, 0) > 0
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
     -- Every price the hospital paid for each lot, one a delivery: its settlement's (gross /
     -- accepted), or while it is unsettled its order's funding (value / quantity); a lot with a
     -- settled delivery keeps only the settled ones.
     delivery_prices AS (
       SELECT o.hospital, s.gtin, s.lot, o.id AS order_id, st.shipment_id,
         COALESCE(st.accepted, o.quantity) AS quantity, COALESCE(st.gross, o.value) AS value,
         bool_or(st.shipment_id IS NOT NULL) OVER (PARTITION BY o.hospital, s.gtin, s.lot) AS lot_settled
       FROM shipments s
       JOIN orders o ON o.id = s.order_id
       LEFT JOIN settlements st ON st.shipment_id = s.id AND st.delivered_at < $1 AND st.accepted > 0
       WHERE s.created_at < $1${supplyScope}
     ),
     prices AS (
       SELECT DISTINCT hospital, gtin, lot, order_id, shipment_id, quantity, value FROM delivery_prices
       WHERE shipment_id IS NOT NULL OR NOT lot_settled
     ),
     accepted AS (
       SELECT o.hospital, s.gtin, s.lot, sum(st.accepted) AS accepted
       FROM shipments s
       JOIN orders o ON o.id = s.order_id
       JOIN settlements st ON st.shipment_id = s.id AND st.delivered_at < $1
       WHERE s.created_at < $1${supplyScope}
       GROUP BY o.hospital, s.gtin, s.lot
     ),
     -- Lots where more was used (net) or billed than accepted and not sent out: the only ones
     -- worth a running sum.
     overdrawn AS (
       SELECT * FROM (
         SELECT c.hospital, c.gtin, c.lot, c.net, c.billed, COALESCE(a.accepted, 0) - ${rawSentOut("c")} AS available
         FROM (
           SELECT u.hospital, u.gtin, u.lot, sum(u.quantity) AS net,
             COALESCE(sum(u.quantity) FILTER (WHERE u.billed_amount <> 0), 0) AS billed
           FROM usages u
           WHERE u.used_at < $1${usageScope}
           GROUP BY u.hospital, u.gtin, u.lot
         ) c
         LEFT JOIN accepted a ON a.hospital = c.hospital AND a.gtin = c.gtin AND a.lot = c.lot
       ) d
       WHERE d.net > d.available OR d.billed > d.available
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
     -- Serials used more than once (net) anywhere: the serial index probed once per serial the
     -- page's rows used, so the work follows the page, not every hospital's use. Not narrowed by
     -- lot or hospital: a reuse may be elsewhere and carry a different lot.
     reused AS (
       SELECT a.gtin, a.serial
       FROM (SELECT DISTINCT gtin, serial FROM standing WHERE serial IS NOT NULL) x
       JOIN usages a ON a.gtin = x.gtin AND a.serial = x.serial AND a.used_at < $1
       GROUP BY a.gtin, a.serial
       HAVING sum(a.quantity) > 1
     ),
     reuses AS (
       SELECT a.gtin, a.serial,
         jsonb_agg(jsonb_build_object('hospital', a.hospital, 'usageId', a.usage_id)
           ORDER BY a.used_at, a.hospital, a.usage_id) AS uses
       FROM reused r
       JOIN usages a ON a.gtin = r.gtin AND a.serial = r.serial AND a.used_at < $1 AND a.quantity > 0
       WHERE a.quantity + COALESCE((
         SELECT sum(c.quantity) FROM usages c
         WHERE c.hospital = a.hospital AND c.corrects_usage_id = a.usage_id AND c.used_at < $1), 0) > 0
       GROUP BY a.gtin, a.serial
     )
     -- PHANTOM_USE: the usages, in time order, that took use or billing beyond the units accepted
     -- and not sent out.
     SELECT r.hospital, r.gtin, r.lot, 'PHANTOM_USE' AS code, NULL AS serial,
       array_agg(r.usage_id ORDER BY r.used_at, r.usage_id) AS usage_ids, NULL::jsonb AS detail
     FROM running r
     WHERE r.quantity > 0 AND (r.net_so_far > r.available OR r.billed_so_far > r.available)
     GROUP BY r.hospital, r.gtin, r.lot
     UNION ALL
     SELECT s.hospital, s.gtin, s.lot, 'SERIAL_REUSED', s.serial,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id), jsonb_build_object('uses', ru.uses)
     FROM standing s JOIN reuses ru ON ru.gtin = s.gtin AND ru.serial = s.serial
     GROUP BY s.hospital, s.gtin, s.lot, s.serial, ru.uses
     UNION ALL
     -- RESOLD: used here after another hospital received it (received_serials keeps the first receipt).
     SELECT s.hospital, s.gtin, s.lot, 'RESOLD', s.serial,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id),
       jsonb_build_object('receivedBy', rs.hospital, 'receiptNo', rs.receipt_no)
     FROM standing s JOIN received_serials rs ON rs.gtin = s.gtin AND rs.serial = s.serial
     WHERE rs.hospital <> s.hospital AND s.used_at >= rs.received_at
     GROUP BY s.hospital, s.gtin, s.lot, s.serial, rs.hospital, rs.receipt_no
     UNION ALL
     SELECT s.hospital, s.gtin, s.lot, 'USED_AFTER_EXPIRY', NULL,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id), NULL
     FROM standing s JOIN lots l ON l.gtin = s.gtin AND l.lot = s.lot
     WHERE s.used_at > l.expiry
     GROUP BY s.hospital, s.gtin, s.lot
     UNION ALL
     -- USED_FROM_RECALLED_LOT: used while a recall covering the hospital's supply of the lot was in
     -- force — a regulator's, or that of a supplier that shipped the lot to the hospital. Each usage
     -- counts under the earliest such recall; one finding per recall.
     SELECT s.hospital, s.gtin, s.lot, 'USED_FROM_RECALLED_LOT', NULL,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id),
       jsonb_build_object('recalledAt', w.recalled_at, 'txHash', w.tx_hash, 'scope', w.scope, 'liftedAt', w.lifted_at)
     FROM standing s
     JOIN LATERAL (
       SELECT w.recalled_at, w.tx_hash, w.scope, w.lifted_at FROM recall_windows w
       WHERE w.gtin = s.gtin AND w.lot = s.lot AND w.recalled_at <= s.used_at
         AND (w.lifted_at IS NULL OR s.used_at < w.lifted_at)
         AND (w.scope = '${GLOBAL_SCOPE}' OR EXISTS (
           SELECT 1 FROM shipments x JOIN orders o ON o.id = x.order_id
           WHERE x.gtin = s.gtin AND x.lot = s.lot AND x.supplier = w.scope AND o.hospital = s.hospital
             AND x.created_at < $1))
       ORDER BY w.recalled_at, w.tx_hash LIMIT 1
     ) w ON TRUE
     GROUP BY s.hospital, s.gtin, s.lot, w.recalled_at, w.tx_hash, w.scope, w.lifted_at
     UNION ALL
     -- USED_AFTER_EXCURSION: used at or after a standing excursion on a delivery of the lot to the
     -- hospital, each usage under the earliest; one finding per delivery.
     SELECT s.hospital, s.gtin, s.lot, 'USED_AFTER_EXCURSION', NULL,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id),
       jsonb_build_object('shipmentId', x.shipment_id::text, 'excursionAt', x.excursion_at, 'txHash', x.tx_hash)
     FROM standing s
     JOIN LATERAL (
       SELECT x.shipment_id, x.excursion_at, x.tx_hash FROM excursions x
       WHERE x.hospital = s.hospital AND x.gtin = s.gtin AND x.lot = s.lot AND x.excursion_at <= s.used_at
       ORDER BY x.excursion_at, x.shipment_id LIMIT 1
     ) x ON TRUE
     GROUP BY s.hospital, s.gtin, s.lot, x.shipment_id, x.excursion_at, x.tx_hash
     UNION ALL
     -- PRICE_MARKUP: billed per unit (net of refunds) above every price the hospital paid for the
     -- lot (and it paid one), in integers: amount / units > value / quantity <=> amount × quantity > value × units.
     SELECT s.hospital, s.gtin, s.lot, 'PRICE_MARKUP', NULL,
       array_agg(s.usage_id ORDER BY s.used_at, s.usage_id),
       jsonb_build_object(
         'billed', jsonb_agg(jsonb_build_object('usageId', s.usage_id, 'quantity', s.quantity::text,
           'amount', s.amount::text) ORDER BY s.used_at, s.usage_id),
         'prices', (
         SELECT jsonb_agg(jsonb_build_object('orderId', p.order_id::text, 'shipmentId', p.shipment_id::text,
             'quantity', p.quantity::text, 'value', p.value::text) ORDER BY p.order_id, p.shipment_id)
         FROM prices p WHERE p.hospital = s.hospital AND p.gtin = s.gtin AND p.lot = s.lot))
     FROM standing s
     WHERE EXISTS (SELECT 1 FROM prices p WHERE p.hospital = s.hospital AND p.gtin = s.gtin AND p.lot = s.lot)
       AND NOT EXISTS (
         SELECT 1 FROM prices p
         WHERE p.hospital = s.hospital AND p.gtin = s.gtin AND p.lot = s.lot AND s.amount * p.quantity <= p.value * s.quantity)
     GROUP BY s.hospital, s.gtin, s.lot
     ORDER BY hospital, gtin, lot, code, serial`,
    params,
  );
  return rows;
}
