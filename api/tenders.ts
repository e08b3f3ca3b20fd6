import { Type, type Static } from "typebox";
import { existing, TENDER_STATUS } from "../ledger/enums";
import {
  Address,
  Amount,
  Bytes32,
  DateTime,
  IdString,
  LastChange,
  Nullable,
  PageOf,
  PaginationQuery,
  Units,
} from "./common";

/**
 * GET /v1/tenders and /v1/tenders/:id: sealed-bid tenders as indexed — their terms, the
 * hospitals' volumes, the bid bonds and (on a single tender) the bids.
 */

const closed = { additionalProperties: false } as const;

export const TenderStatus = Type.Enum(existing(TENDER_STATUS), { type: "string" });
export type TenderStatus = Static<typeof TenderStatus>;

export const ListTendersQuery = Type.Object(
  {
    ...PaginationQuery,
    status: Type.Optional(TenderStatus),
    category: Type.Optional(Type.With(Bytes32, { description: "a category code (bytes32)" })),
  },
  closed,
);
export type ListTendersQuery = Static<typeof ListTendersQuery>;

export const TenderParams = Type.Object({ id: IdString }, closed);
export type TenderParams = Static<typeof TenderParams>;

/** One step of a price schedule: from `threshold` units on, each unit costs `unitPrice`. */
export const Tier = Type.Object({ threshold: Units, unitPrice: Amount }, closed);
export type Tier = Static<typeof Tier>;

export const TenderHospital = Type.Object(
  {
    hospital: Address,
    volume: Units,
    forfeitClaimed: Amount,
  },
  { ...closed, description: "a hospital the tender buys for, its volume and its share of forfeited bonds" },
);
export type TenderHospital = Static<typeof TenderHospital>;

export const Bid = Type.Object(
  {
    bidder: Address,
    commitment: Bytes32,
    committedAt: DateTime,
    bond: Amount,
    bondReturned: Type.Boolean(),
    revealed: Type.Boolean(),
    tiers: Nullable(Type.Array(Tier, { description: "the revealed price schedule; null until revealed" })),
    skipped: Type.Boolean({ description: "passed over at the award (e.g. no longer qualified)" }),
    won: Type.Boolean(),
  },
  closed,
);
export type Bid = Static<typeof Bid>;

const summary = {
  id: IdString,
  category: Bytes32,
  reservePrice: Amount,
  commitDeadline: DateTime,
  revealDeadline: DateTime,
  termSeconds: Type.Integer(),
  leadTimeDays: Type.Integer(),
  penaltyBpsPerDay: Type.Integer(),
  penaltyCapBps: Type.Integer(),
  winners: Type.Integer(),
  bidBond: Amount,
  fundingWindowSeconds: Type.Integer(),
  receivingWindowSeconds: Type.Integer(),
  confirmWindowSeconds: Type.Integer(),
  forfeited: Amount,
  hospitals: Type.Array(TenderHospital),
  status: TenderStatus,
  openedBy: Address,
  cover: Nullable(
    Type.Object(
      {
        payer: Address,
        prepayShareBps: Type.Integer({ description: "prepayment share of committed value, basis points" }),
        direct: Type.Boolean({ description: "the fund settles the tender's agreements directly" }),
      },
      {
        ...closed,
        description: "the insurance fund's cover (FundBook.setCover, set once); null while uncovered",
      },
    ),
  ),
  lastChange: LastChange,
};

/** A tender as listed: without its bids (GET /v1/tenders/:id has them). */
export const TenderSummary = Type.Object(summary, closed);
export type TenderSummary = Static<typeof TenderSummary>;

export const TenderPage = PageOf(TenderSummary);
export type TenderPage = Static<typeof TenderPage>;

export const Tender = Type.Object({ ...summary, bids: Type.Array(Bid) }, closed);
export type Tender = Static<typeof Tender>;
