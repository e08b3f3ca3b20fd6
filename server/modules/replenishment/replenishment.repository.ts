import type { Db } from "../../db";
import type { ParLevel, ParLevelPage, ParLevelsQuery } from "../../../api/replenishment";
import { keysetList } from "../../lib/keyset-list";
import { int, iso, text, textOrNull, type Row } from "../../lib/projection-row";

/** SQL of replenishment: par levels, the usage series, stock on hand and on order, agreements. */

function parLevelView(r: Row): ParLevel {
  return {
    hospital: text(r.hospital),
    campus: textOrNull(r.campus),
    gtin: text(r.gtin),
    min: int(r.min_units),
    max: int(r.max_units),
    setBy: text(r.set_by),
    setAt: iso(r.set_at),
  };
}

/** Par levels in (hospital, campus — the whole hospital first —, GTIN) order. */
export function listParLevels(db: Db, q: ParLevelsQuery): Promise<ParLevelPage> {
  return keysetList(
    db,
    {
      from: `SELECT *, COALESCE(campus, '') AS campus_key FROM par_levels p`,
      filters: [
        ["hospital", q.hospital],
        ["gtin", q.gtin],
      ],
      key: ["hospital", "campus_key", "gtin"],
      numericKey: false,
      view: parLevelView,
    },
    q,
  );
}

export async function upsertParLevel(
  db: Db,
  p: {
    hospital: string;
    campus: string | null;
    gtin: string;
    min: number;
    max: number;
    setBy: string;
    setAt: Date;
  },
): Promise<ParLevel> {
  const { rows } = await db.query<Row>(
    `INSERT INTO par_levels (hospital, campus, gtin, min_units, max_units, set_by, set_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (hospital, (COALESCE(campus, '')), gtin)
     DO UPDATE SET min_units = EXCLUDED.min_units, max_units = EXCLUDED.max_units,
       set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at
     RETURNING *`,
    [p.hospital, p.campus, p.gtin, p.min, p.max, p.setBy, p.setAt.toISOString()],
  );
  return parLevelView(rows[0]);
}

/**
 * Net units of `gtin` the hospital (or one of its campuses) used a day, days [from, to)
 * (YYYY-MM-DD in `timeZone`). A return counts on the day and at the campus of the use it
 * corrects: the item never met a patient, so that day's demand was smaller. A usage that names no
 * campus counts at the main one, as in stock.
 */
export async function dailyUsage(
  db: Db,
  s: { hospital: string; campus: string | null; gtin: string; from: string; to: string; timeZone: string },
): Promise<{ day: string; units: number }[]> {
  const { rows } = await db.query<{ day: string; units: string }>(
    `SELECT to_char(COALESCE(orig.used_at, u.used_at) AT TIME ZONE $3, 'YYYY-MM-DD') AS day,
       sum(u.quantity) AS units
     FROM usages u
     LEFT JOIN usages orig ON orig.hospital = u.hospital AND orig.usage_id = u.corrects_usage_id
     WHERE u.hospital = $1 AND COALESCE(orig.gtin, u.gtin) = $2
       AND u.used_at >= ($4::date::timestamp AT TIME ZONE $3)
       AND COALESCE(orig.used_at, u.used_at) >= ($4::date::timestamp AT TIME ZONE $3)
       AND COALESCE(orig.used_at, u.used_at) < ($5::date::timestamp AT TIME ZONE $3)
       AND ($6::text IS NULL OR COALESCE(orig.campus, u.campus,
             (SELECT gln FROM campuses WHERE hospital = $1 AND main)) = $6)
     GROUP BY 1 ORDER BY 1`,
    [s.hospital, s.gtin, s.timeZone, s.from, s.to, s.campus],
  );
  return rows.map((r) => ({ day: r.day, units: Number(r.units) }));
}

/**
 * Units still to come on the hospital's open (placed or funded) orders whose reference hash is
 * one of `orderRefs`: ordered − cancelled − accepted.
 */
export async function onOrderUnits(db: Db, hospital: string, orderRefs: string[]): Promise<number> {
  const { rows } = await db.query<{ units: string }>(
    `SELECT COALESCE(sum(GREATEST(quantity - cancelled - accepted, 0)), 0) AS units
     FROM orders WHERE hospital = $1 AND order_ref = ANY($2::text[]) AND status IN ('placed', 'funded')`,
    [hospital, orderRefs],
  );
  return Number(rows[0].units);
}

export interface AgreementForItem {
  id: string;
  supplier: string;
  category: string;
  end_at: Date;
  tiers: { threshold: string; unitPrice: string }[];
  lead_time_days: number;
  accepted_volume: string;
  committed: string;
  funded: string;
}

/**
 * The agreements that could supply `gtin` to the hospital at `now`: in term, the hospital a
 * party with a commitment, the supplier active and holding a registration of the GTIN valid now.
 */
export async function agreementsForItem(
  db: Db,
  hospital: string,
  gtin: string,
  now: Date,
): Promise<AgreementForItem[]> {
  const { rows } = await db.query<AgreementForItem>(
    `SELECT a.id::text AS id, a.supplier, a.category, a.end_at, a.tiers, a.lead_time_days,
       a.accepted_volume::text AS accepted_volume, h.committed::text AS committed, h.ordered::text AS funded
     FROM agreements a
     JOIN agreement_hospitals h ON h.agreement_id = a.id AND h.hospital = $1 AND h.committed > 0
     JOIN supplier_gtins g ON g.supplier = a.supplier AND g.gtin = $2 AND g.valid_from <= $3 AND g.valid_until >= $3
     JOIN suppliers s ON s.address = a.supplier AND s.status = 'active'
     WHERE a.start_at <= $3 AND a.end_at >= $3
     ORDER BY a.id`,
    [hospital, gtin, now.toISOString()],
  );
  return rows;
}

/** The hospital's budget for a category and fiscal period, or null when it set none. */
export async function budgetOf(
  db: Db,
  hospital: string,
  category: string,
  period: number,
): Promise<{ amount: bigint; spent: bigint } | null> {
  const { rows } = await db.query<{ amount: string; spent: string }>(
    `SELECT amount::text AS amount, spent::text AS spent FROM budgets
     WHERE hospital = $1 AND category = $2 AND period = $3`,
    [hospital, category, period],
  );
  return rows[0] ? { amount: BigInt(rows[0].amount), spent: BigInt(rows[0].spent) } : null;
}
