import type {
  Bid,
  ListTendersQuery,
  Tender,
  TenderHospital,
  TenderStatus,
  TenderSummary,
  Tier,
  TenderPage,
} from "../../../api/tenders";
import type { Db } from "../../db";
import { keysetList } from "../../lib/keyset-list";
import { int, iso, lastChangeOf, text, type Row } from "../../lib/projection-row";

/** Tenders and their bids as the indexer projects them (tenders, bids). */

function summaryView(r: Row): TenderSummary {
  return {
    id: text(r.id),
    category: text(r.category),
    reservePrice: text(r.reserve_price),
    commitDeadline: iso(r.commit_deadline),
    revealDeadline: iso(r.reveal_deadline),
    termSeconds: int(r.term_seconds),
    leadTimeDays: int(r.lead_time_days),
    penaltyBpsPerDay: int(r.penalty_bps_per_day),
    penaltyCapBps: int(r.penalty_cap_bps),
    winners: int(r.winners),
    bidBond: text(r.bid_bond),
    fundingWindowSeconds: int(r.funding_window),
    receivingWindowSeconds: int(r.receiving_window),
    confirmWindowSeconds: int(r.confirm_window),
    forfeited: text(r.forfeited),
    // Stored as the API shows it (TenderOpened, ForfeitClaimed).
    hospitals: r.hospitals as TenderHospital[],
    status: text(r.status) as TenderStatus,
    openedBy: text(r.opened_by),
    cover:
      r.cover_payer === null
        ? null
        : {
            payer: text(r.cover_payer),
            prepayShareBps: int(r.cover_share_bps),
            direct: r.cover_direct === true,
          },
    lastChange: lastChangeOf(r),
  };
}

function bidView(b: Row): Bid {
  return {
    bidder: text(b.bidder),
    commitment: text(b.commitment),
    committedAt: iso(b.committed_at),
    bond: text(b.bond),
    bondReturned: b.bond_returned === true,
    revealed: b.revealed === true,
    // The revealed Tier[] as BidRevealed carried it; null until revealed.
    tiers: (b.tiers as Tier[] | null) ?? null,
    skipped: b.skipped === true,
    won: b.won === true,
  };
}

/** A tender's row with its fund cover, if any (fund_covers: one a tender, set once). */
const TENDERS_WITH_COVER = `
  SELECT t.*, c.payer AS cover_payer, c.prepay_share_bps AS cover_share_bps, c.direct AS cover_direct
    FROM tenders t LEFT JOIN fund_covers c ON c.tender_id = t.id`;

export class TendersRepository {
  constructor(private readonly db: Db) {}

  list(q: ListTendersQuery): Promise<TenderPage> {
    return keysetList(
      this.db,
      {
        from: TENDERS_WITH_COVER,
        filters: [
          ["status", q.status],
          ["category", q.category],
        ],
        key: "id",
        numericKey: true,
        view: summaryView,
      },
      q,
    );
  }

  async get(id: string): Promise<Tender | null> {
    const { rows } = await this.db.query<Row>(`${TENDERS_WITH_COVER} WHERE t.id = $1`, [id]);
    if (!rows[0]) return null;
    const { rows: bids } = await this.db.query<Row>(
      `SELECT * FROM bids WHERE tender_id = $1 ORDER BY committed_at, bidder`,
      [id],
    );
    return { ...summaryView(rows[0]), bids: bids.map(bidView) };
  }
}
