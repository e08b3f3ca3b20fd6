import type {
  Agreement,
  AgreementHospital,
  AgreementSummary,
  ListAgreementsQuery,
  AgreementPage,
} from "../../../api/agreements";
import type { Tier } from "../../../api/tenders";
import type { Db } from "../../db";
import { keysetList } from "../../lib/keyset-list";
import { int, iso, lastChangeOf, text, type Row } from "../../lib/projection-row";

/**
 * Agreements and their hospitals' volumes as the indexer projects them (agreements,
 * agreement_hospitals), each with its consignment offer if its supplier made one.
 */

const WITH_TERMS = `SELECT * FROM (
  SELECT a.*, ct.hospital_bears_expiry AS consignment_hospital_bears_expiry,
    ct.offered_at AS consignment_offered_at, ct.last_tx AS consignment_tx
  FROM agreements a LEFT JOIN consignment_terms ct ON ct.agreement_id = a.id) agreements`;

function summaryView(r: Row): AgreementSummary {
  return {
    id: text(r.id),
    tenderId: text(r.tender_id),
    supplier: text(r.supplier),
    category: text(r.category),
    startAt: iso(r.start_at),
    endAt: iso(r.end_at),
    tiers: r.tiers as Tier[],
    leadTimeDays: int(r.lead_time_days),
    penaltyBpsPerDay: int(r.penalty_bps_per_day),
    penaltyCapBps: int(r.penalty_cap_bps),
    fundingWindowSeconds: int(r.funding_window),
    receivingWindowSeconds: int(r.receiving_window),
    confirmWindowSeconds: int(r.confirm_window),
    fundedVolume: text(r.funded_volume),
    acceptedVolume: text(r.accepted_volume),
    consignment:
      r.consignment_offered_at === null
        ? null
        : {
            hospitalBearsExpiry: r.consignment_hospital_bears_expiry === true,
            offeredAt: iso(r.consignment_offered_at),
            offeredTx: text(r.consignment_tx),
          },
    lastChange: lastChangeOf(r),
  };
}

function hospitalView(h: Row): AgreementHospital {
  return {
    hospital: text(h.hospital),
    committed: text(h.committed),
    // The column kept its v1 name; it holds the funded, uncancelled volume.
    funded: text(h.ordered),
    accepted: text(h.accepted),
  };
}

export class AgreementsRepository {
  constructor(private readonly db: Db) {}

  list(q: ListAgreementsQuery): Promise<AgreementPage> {
    return keysetList(
      this.db,
      {
        from: WITH_TERMS,
        filters: [
          ["supplier", q.supplier],
          ["category", q.category],
          ["tender_id", q.tenderId],
        ],
        key: "id",
        numericKey: true,
        view: summaryView,
      },
      q,
    );
  }

  async get(id: string): Promise<Agreement | null> {
    const { rows } = await this.db.query<Row>(`${WITH_TERMS} WHERE id = $1`, [id]);
    if (!rows[0]) return null;
    const { rows: hospitals } = await this.db.query<Row>(
      `SELECT * FROM agreement_hospitals WHERE agreement_id = $1 ORDER BY hospital`,
      [id],
    );
    return { ...summaryView(rows[0]), hospitals: hospitals.map(hospitalView) };
  }
}
