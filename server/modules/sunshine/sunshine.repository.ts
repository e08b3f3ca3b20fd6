import type {
  SunshineAward,
  SunshineAwardPage,
  SunshineAwardsQuery,
  SunshineScorecard,
} from "../../../api/sunshine";
import type { SupplierStatus } from "../../../api/suppliers";
import type { Tier } from "../../../api/tenders";
import { DOCUMENT_KINDS } from "../../../ledger/enums";
import { label } from "../../../ledger/words";
import type { Db } from "../../db";
import { keysetList } from "../../lib/keyset-list";
import { int, iso, isoOrNull, text, textOrNull, type Row } from "../../lib/projection-row";

/**
 * SQL of the public sunshine pages: awards from the indexed agreements (the award's transaction
 * is the AgreementCreated event's), and each hospital's paid and billed unit prices per item.
 */

function awardView(r: Row): SunshineAward {
  return {
    agreementId: text(r.id),
    tenderId: text(r.tender_id),
    category: text(r.category),
    categoryName: label(text(r.category)),
    supplier: text(r.supplier),
    supplierName: label(text(r.supplier_name)),
    supplierStatus: text(r.supplier_status) as SupplierStatus,
    qualifiedUntil: isoOrNull(r.qualified_until),
    tiers: r.tiers as Tier[],
    startAt: iso(r.start_at),
    endAt: iso(r.end_at),
    commitments: (
      r.commitments as { hospital: string; hospitalName: string | null; committed: string }[]
    ).map((c) => ({ hospital: c.hospital, hospitalName: c.hospitalName, committed: String(c.committed) })),
    awardTx: text(r.award_tx),
    awardedAt: iso(r.awarded_at),
  };
}

const KINDS = `ARRAY[${DOCUMENT_KINDS.map((k) => `'${k}'`).join(", ")}]`;
/** The required kinds' bits (RequiredKindsChanged): every kind until a regulator sets fewer. */
const REQUIRED = `COALESCE((SELECT kinds FROM required_kinds), ${(1 << DOCUMENT_KINDS.length) - 1})`;
const isRequired = (kind: string) => `${REQUIRED} & (1 << (array_position(${KINDS}, ${kind}) - 1)) <> 0`;

/**
 * Until when the ledger holds the award's supplier qualified for its category
 * (SupplierRegistry.isQualified): the first to end of the required kinds' latest attested
 * documents covering it; null while a required kind has none.
 */
const QUALIFIED_UNTIL = `
  SELECT CASE WHEN count(*) = (SELECT count(*) FROM unnest(${KINDS}) AS k WHERE ${isRequired("k")})
    THEN min(until) END
  FROM (SELECT max(d.valid_until) AS until FROM supplier_documents d
        WHERE d.supplier = a.supplier AND d.status = 'attested' AND d.categories @> jsonb_build_array(a.category)
          AND ${isRequired("d.kind")}
        GROUP BY d.kind) per_kind`;

export function awards(db: Db, q: SunshineAwardsQuery): Promise<SunshineAwardPage> {
  return keysetList(
    db,
    {
      from: `SELECT * FROM (SELECT a.id, a.tender_id, a.category, a.supplier, a.tiers, a.start_at, a.end_at,
               s.name AS supplier_name, s.status AS supplier_status, e.tx_hash AS award_tx, e.block_time AS awarded_at,
               (${QUALIFIED_UNTIL}) AS qualified_until,
               (SELECT COALESCE(json_agg(json_build_object('hospital', ah.hospital, 'hospitalName', n.name,
                    'committed', ah.committed::text) ORDER BY ah.hospital), '[]')
                FROM agreement_hospitals ah
                JOIN hospitals h ON h.address = ah.hospital
                LEFT JOIN hospital_names n ON n.address = h.address AND n.name_hash = h.name_hash
                WHERE ah.agreement_id = a.id AND ah.committed > 0) AS commitments
             FROM agreements a
             JOIN suppliers s ON s.address = a.supplier
             JOIN chain_events e ON e.contract = 'agreements' AND e.event = 'AgreementCreated'
               AND e.args->>'agreementId' = a.id::text) x`,
      filters: [["category", q.category]],
      key: "id",
      numericKey: true,
      view: awardView,
    },
    q,
  );
}

/** A hospital's billed price of an item is published only once this many patients were billed for it. */
export const MIN_BILLED_PATIENTS = 5;

/** One hospital's paid and billed totals for one item, before the dispersion is worked out. */
export interface HospitalPriceRow {
  gtin: string;
  category: string;
  hospital: string;
  hospitalName: string | null;
  accepted: bigint;
  paidPerUnit: bigint;
  billedUnits: bigint | null;
  billedPerUnit: bigint | null;
  settlementTxs: string[];
}

/**
 * Per hospital × item: Σ settled value ÷ Σ accepted units over its settled deliveries (the tier
 * price locked in each order; a late penalty is the supplier's fine, not the price), and Σ billed ÷
 * Σ billed units over its usages (corrections included), both rounded to the fen; the billed
 * figures only over MIN_BILLED_PATIENTS patients or more.
 */
export async function hospitalPrices(db: Db): Promise<HospitalPriceRow[]> {
  const { rows } = await db.query<Row>(
    `WITH paid AS (
       SELECT sh.gtin, a.category, o.hospital, sum(st.accepted) AS accepted, sum(st.gross) AS gross,
         (array_agg(st.tx_hash ORDER BY st.block_number DESC, st.log_index DESC))[1:10] AS txs
       FROM settlements st
       JOIN shipments sh ON sh.id = st.shipment_id
       JOIN orders o ON o.id = st.order_id
       JOIN agreements a ON a.id = o.agreement_id
       WHERE st.accepted > 0
       GROUP BY sh.gtin, a.category, o.hospital
     ),
     billed AS (
       SELECT u.hospital, u.gtin, COALESCE(sum(u.quantity) FILTER (WHERE u.billed_amount <> 0), 0) AS units,
         COALESCE(sum(u.billed_amount) FILTER (WHERE u.billed_amount <> 0), 0) AS amount
       FROM usages u GROUP BY u.hospital, u.gtin
       -- Published only over enough patients that no one patient's bill can be read off it.
       HAVING count(DISTINCT u.patient_hash) FILTER (WHERE u.billed_amount <> 0) >= $1
     )
     SELECT p.gtin, p.category, p.hospital, n.name AS hospital_name, p.accepted::text AS accepted,
       round(p.gross / p.accepted)::text AS paid_per_unit, b.units::text AS billed_units,
       CASE WHEN b.units > 0 THEN round(b.amount / b.units)::text END AS billed_per_unit, p.txs
     FROM paid p
     LEFT JOIN billed b ON b.hospital = p.hospital AND b.gtin = p.gtin
     LEFT JOIN hospitals h ON h.address = p.hospital
     LEFT JOIN hospital_names n ON n.address = h.address AND n.name_hash = h.name_hash
     ORDER BY p.gtin, p.category, p.hospital`,
    [MIN_BILLED_PATIENTS],
  );
  return rows.map((r) => ({
    gtin: text(r.gtin),
    category: text(r.category),
    hospital: text(r.hospital),
    hospitalName: textOrNull(r.hospital_name),
    accepted: BigInt(text(r.accepted)),
    paidPerUnit: BigInt(text(r.paid_per_unit)),
    billedUnits: r.billed_units === null ? null : BigInt(text(r.billed_units)),
    billedPerUnit: r.billed_per_unit === null ? null : BigInt(text(r.billed_per_unit)),
    settlementTxs: (r.txs as string[]).map(String),
  }));
}

/**
 * Every registered supplier's scorecard, by address. Counts come from the indexed ledger, except
 * short and over deliveries, which the hospitals' receipts found (the gateway's exceptions).
 * A document lapsed if it expired with no attested document of the same supplier and kind valid
 * from no later than its end to after it, judged on the ledger's clock as the index last saw it
 * (a public read never waits on the chain node).
 */
export async function scorecards(db: Db): Promise<SunshineScorecard[]> {
  const { rows } = await db.query<Row>(
    `SELECT s.address, s.name, s.status,
       (SELECT count(*) FROM settlements st WHERE st.supplier = s.address) AS deliveries,
       (SELECT count(*) FROM settlements st WHERE st.supplier = s.address AND st.days_late = 0) AS on_time,
       (SELECT count(DISTINCT e.shipment_id) FROM exceptions e JOIN shipments sh ON sh.id = e.shipment_id
        WHERE sh.supplier = s.address AND e.reasons @> '[{"code": "SHORT_DELIVERY"}]') AS short_deliveries,
       (SELECT count(DISTINCT e.shipment_id) FROM exceptions e JOIN shipments sh ON sh.id = e.shipment_id
        WHERE sh.supplier = s.address AND e.reasons @> '[{"code": "OVER_DELIVERY"}]') AS over_deliveries,
       (SELECT count(*) FROM shipments sh WHERE sh.supplier = s.address AND sh.excursion) AS excursions,
       (SELECT count(*) FROM recalls r
        WHERE EXISTS (SELECT 1 FROM shipments sh WHERE sh.supplier = s.address AND sh.gtin = r.gtin AND sh.lot = r.lot)
          AND (r.scope = s.address OR r.scope = '0x0000000000000000000000000000000000000000')) AS recalls,
       (SELECT count(*) FROM chain_events ce WHERE ce.contract = 'registry' AND ce.event = 'SupplierSuspended'
          AND lower(ce.args->>'supplier') = s.address) AS suspensions,
       (SELECT count(*) FROM supplier_documents d
        WHERE d.supplier = s.address AND d.status = 'attested'
          AND d.valid_until <= GREATEST(now(), (SELECT max(block_time) FROM chain_events))
          AND NOT EXISTS (SELECT 1 FROM supplier_documents n
            WHERE n.supplier = d.supplier AND n.kind = d.kind AND n.status = 'attested' AND n.id <> d.id
              AND n.valid_from <= d.valid_until AND n.valid_until > d.valid_until)) AS document_lapses,
       (SELECT percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM st.paid_at - sh.chain_received_at) / 86400)
        FROM settlements st JOIN shipments sh ON sh.id = st.shipment_id
        WHERE st.supplier = s.address AND sh.chain_received_at IS NOT NULL) AS median_days
     FROM suppliers s ORDER BY s.address`,
  );
  return rows.map((r) => {
    const deliveries = int(r.deliveries);
    const onTime = int(r.on_time);
    return {
      supplier: text(r.address),
      supplierName: label(text(r.name)),
      supplierStatus: text(r.status) as SupplierStatus,
      deliveries,
      onTime,
      onTimePercent: deliveries === 0 ? null : Math.round((onTime * 1000) / deliveries) / 10,
      shortDeliveries: int(r.short_deliveries),
      overDeliveries: int(r.over_deliveries),
      excursions: int(r.excursions),
      recalls: int(r.recalls),
      suspensions: int(r.suspensions),
      documentLapses: int(r.document_lapses),
      medianDaysToPayment: r.median_days === null ? null : Math.round(Number(r.median_days) * 10) / 10,
    };
  });
}
