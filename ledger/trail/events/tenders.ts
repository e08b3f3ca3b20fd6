import { Type } from "typebox";
import { pos, spec } from "../event-spec";
import {
  AccountFigure,
  DecimalFigure,
  dec,
  hex,
  HospitalVolumeFigure,
  int,
  list,
  obj,
  SmallFigure,
  TierFigure,
  tiers,
  time,
  TimeFigure,
  volumes,
  WordFigure,
} from "../figures";
import { label } from "../../words";

/** TenderHouse's events as trail steps: the tender, its sealed bids, their bonds and the award. */
export const TENDER_SPECS = [
  spec({
    contract: "tenders",
    event: "TenderOpened",
    kind: "tender",
    fields: {
      tenderId: DecimalFigure,
      category: WordFigure,
      reservePrice: DecimalFigure,
      commitDeadline: TimeFigure,
      revealDeadline: TimeFigure,
      termSeconds: DecimalFigure,
      leadTimeDays: SmallFigure,
      penaltyBpsPerDay: SmallFigure,
      penaltyCapBps: SmallFigure,
      winners: SmallFigure,
      bidBond: DecimalFigure,
      fundingWindow: SmallFigure,
      receivingWindow: SmallFigure,
      confirmWindow: SmallFigure,
      hospitals: Type.Array(HospitalVolumeFigure),
      regulator: AccountFigure,
    },
    figures: (a) => {
      const t = obj(a.terms);
      return {
        tenderId: dec(a.tenderId),
        category: hex(t.category),
        reservePrice: dec(t.reservePrice),
        commitDeadline: time(t.commitDeadline),
        revealDeadline: time(t.revealDeadline),
        termSeconds: dec(t.termSeconds),
        leadTimeDays: int(t.leadTimeDays),
        penaltyBpsPerDay: int(t.penaltyBpsPerDay),
        penaltyCapBps: int(t.penaltyCapBps),
        winners: int(t.winners),
        bidBond: dec(t.bidBond),
        fundingWindow: int(t.fundingWindow),
        receivingWindow: int(t.receivingWindow),
        confirmWindow: int(t.confirmWindow),
        hospitals: volumes(a.hospitals, a.volumes),
        regulator: hex(a.regulator),
      };
    },
    id: (f) => `tender:${f.tenderId}`,
    summary: (f) =>
      `Regulator ${f.regulator} opened tender ${f.tenderId} for ${label(f.category)}: reserve price ${f.reservePrice}, ` +
      `bid bond ${f.bidBond}, ${list(f.hospitals).length} hospital(s) committing volume, bids until ${f.commitDeadline}`,
  }),
  spec({
    contract: "tenders",
    event: "BidCommitted",
    kind: "bid",
    fields: { tenderId: DecimalFigure, bidder: AccountFigure, commitment: WordFigure, bond: DecimalFigure },
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      bidder: hex(a.bidder),
      commitment: hex(a.commitment),
      bond: dec(a.bond),
    }),
    // A bidder may commit again before the deadline (only the first escrows the bond).
    id: (f, at) => `bid:${f.tenderId}:${f.bidder}:commit${pos(at)}`,
    summary: (f) =>
      `${f.bidder} committed a sealed bid to tender ${f.tenderId}` +
      (f.bond === "0" ? " (bond already held)" : `, escrowing a bid bond of ${f.bond}`),
  }),
  spec({
    contract: "tenders",
    event: "BidRevealed",
    kind: "bid",
    fields: {
      tenderId: DecimalFigure,
      bidder: AccountFigure,
      tiers: Type.Array(TierFigure),
      bondReturned: DecimalFigure,
    },
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      bidder: hex(a.bidder),
      tiers: tiers(a.tiers),
      bondReturned: dec(a.bondReturned),
    }),
    id: (f) => `bid:${f.tenderId}:${f.bidder}:reveal`,
    summary: (f) =>
      `${f.bidder} revealed its bid to tender ${f.tenderId} (bond of ${f.bondReturned} returned): ` +
      list(f.tiers)
        .map((t) => `${obj(t).unitPrice} per unit from ${obj(t).threshold} units`)
        .join(", "),
  }),
  spec({
    contract: "tenders",
    event: "BidderSkipped",
    kind: "bid",
    fields: { tenderId: DecimalFigure, bidder: AccountFigure },
    figures: (a) => ({ tenderId: dec(a.tenderId), bidder: hex(a.bidder) }),
    id: (f) => `bid:${f.tenderId}:${f.bidder}:skipped`,
    summary: (f) => `${f.bidder} was left out of tender ${f.tenderId}'s award: no longer qualified`,
  }),
  spec({
    contract: "tenders",
    event: "TenderAwarded",
    kind: "tender",
    fields: {
      tenderId: DecimalFigure,
      winners: Type.Array(AccountFigure),
      agreementIds: Type.Array(DecimalFigure),
    },
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      winners: list(a.winners).map(hex),
      agreementIds: list(a.agreementIds).map(dec),
    }),
    id: (f) => `tender:${f.tenderId}:awarded`,
    summary: (f) => `Tender ${f.tenderId} awarded to ${list(f.winners).join(", ")}`,
  }),
  spec({
    contract: "tenders",
    event: "TenderFailed",
    kind: "tender",
    fields: { tenderId: DecimalFigure },
    figures: (a) => ({ tenderId: dec(a.tenderId) }),
    id: (f) => `tender:${f.tenderId}:failed`,
    summary: (f) => `Tender ${f.tenderId} failed: no valid bid; every bond can be withdrawn`,
  }),
  spec({
    contract: "tenders",
    event: "TenderCancelled",
    kind: "tender",
    fields: { tenderId: DecimalFigure, regulator: AccountFigure, reasonCode: SmallFigure },
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f) => `tender:${f.tenderId}:cancelled`,
    summary: (f) =>
      `Regulator ${f.regulator} cancelled tender ${f.tenderId} before award (reason ${f.reasonCode}); ` +
      `every bond can be withdrawn`,
  }),
  spec({
    contract: "tenders",
    event: "BondsForfeited",
    kind: "bond",
    fields: { tenderId: DecimalFigure, bidders: Type.Array(AccountFigure), amount: DecimalFigure },
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      bidders: list(a.bidders).map(hex),
      amount: dec(a.amount),
    }),
    id: (f) => `bond:${f.tenderId}:forfeited`,
    summary: (f) =>
      `Bid bonds of ${list(f.bidders).join(", ")} (${f.amount} in all) forfeited to tender ${f.tenderId}'s ` +
      `hospitals: they never revealed`,
  }),
  spec({
    contract: "tenders",
    event: "BondWithdrawn",
    kind: "bond",
    fields: { tenderId: DecimalFigure, bidder: AccountFigure, amount: DecimalFigure },
    figures: (a) => ({ tenderId: dec(a.tenderId), bidder: hex(a.bidder), amount: dec(a.amount) }),
    id: (f) => `bond:${f.tenderId}:${f.bidder}:withdrawn`,
    summary: (f) => `${f.bidder} withdrew its bid bond of ${f.amount} from tender ${f.tenderId}`,
  }),
  spec({
    contract: "tenders",
    event: "ForfeitClaimed",
    kind: "bond",
    fields: { tenderId: DecimalFigure, hospital: AccountFigure, amount: DecimalFigure },
    figures: (a) => ({ tenderId: dec(a.tenderId), hospital: hex(a.hospital), amount: dec(a.amount) }),
    id: (f) => `bond:${f.tenderId}:${f.hospital}:claimed`,
    summary: (f) => `Hospital ${f.hospital} claimed ${f.amount} of tender ${f.tenderId}'s forfeited bonds`,
  }),
];
