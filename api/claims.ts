import { Type, type Static } from "typebox";
import { Address, Amount, DateTime } from "./common";
import { Month } from "./department-budgets";

/**
 * GET /v1/claims: the claim audit of consumables for regulators and the fund's payer: per hospital × month × DRG/DIP group, the cases and their consumable cost; and the
 * cases whose cost is above the 95th percentile of their group across every hospital. A case is
 * the usages that name one inpatient case id; its cost is what was billed for them, net of
 * refunds. Groups are the billing system's codes, only ever grouped by.
 */

const closed = { additionalProperties: false } as const;

export const ClaimsQuery = Type.Object(
  {
    from: Month,
    to: Type.With(Month, { description: "last month (inclusive), at most 11 after from" }),
    hospital: Type.Optional(Address),
    highValueFrom: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000_000,
        description: "unit billed price (fen) from which a consumable is high-value; default 50000 (¥500.00)",
      }),
    ),
  },
  closed,
);
export type ClaimsQuery = Static<typeof ClaimsQuery>;

export const ClaimGroupRow = Type.Object(
  {
    hospital: Address,
    month: Month,
    caseGroup: Type.String(),
    cases: Type.Integer({ minimum: 0 }),
    cost: Type.With(Amount, { description: "Σ billed for the cases' consumables, net of refunds (fen)" }),
    meanPerCase: Type.With(Amount, { description: "cost ÷ cases, fen, rounded" }),
  },
  closed,
);
export type ClaimGroupRow = Static<typeof ClaimGroupRow>;

export const ClaimOutlier = Type.Object(
  {
    hospital: Address,
    caseId: Type.String(),
    caseGroup: Type.String(),
    month: Month,
    cost: Amount,
    units: Type.Integer({ description: "consumable units billed on the case, net of returns" }),
    groupCases: Type.Integer({ description: "cases of the group across every hospital in the period" }),
    groupP95: Type.With(Amount, { description: "the group's 95th percentile of case cost, fen, rounded" }),
  },
  closed,
);
export type ClaimOutlier = Static<typeof ClaimOutlier>;

export const RareHighValueUse = Type.Object(
  {
    hospital: Address,
    caseId: Type.String(),
    caseGroup: Type.String(),
    month: Month,
    gtin: Type.String({ description: "the item: a GTIN-14 or an MA/AHM product key" }),
    units: Type.Integer({ description: "units of the item billed on the case, net of returns" }),
    billed: Type.With(Amount, { description: "billed for the item on the case, net of refunds (fen)" }),
    groupCases: Type.Integer({ description: "cases of the group across every hospital in the period" }),
    groupCasesWithItem: Type.Integer({ description: "of them, the cases the item is on, at any price" }),
  },
  closed,
);
export type RareHighValueUse = Static<typeof RareHighValueUse>;

export const ClaimsReport = Type.Object(
  {
    from: Month,
    to: Month,
    minGroupCases: Type.Integer({
      description:
        "a group needs this many cases across hospitals before any of its cases is called an outlier",
    }),
    groups: Type.Array(ClaimGroupRow),
    outliers: Type.Array(ClaimOutlier),
    highValueFrom: Type.Integer({ description: "the high-value threshold applied, fen a unit" }),
    rareUsePercent: Type.Integer({
      description: "an item is rare for a group billed on fewer than this share of its cases",
    }),
    rareHighValue: Type.With(Type.Array(RareHighValueUse), {
      description: "high-value items billed on cases of groups that rarely use them",
    }),
  },
  closed,
);
export type ClaimsReport = Static<typeof ClaimsReport>;

/** GET /v1/claims/risk: the regulator's flags and the claim audit's findings per hospital, with money. */
export const ClaimsRiskQuery = Type.Object(
  {
    from: Month,
    to: Type.With(Month, { description: "last month (inclusive), at most 11 after from" }),
    hospital: Type.Optional(Address),
  },
  closed,
);
export type ClaimsRiskQuery = Static<typeof ClaimsRiskQuery>;

export const RISK_CODES = [
  "PHANTOM_USE",
  "SERIAL_REUSED",
  "RESOLD",
  "USED_AFTER_EXPIRY",
  "USED_FROM_RECALLED_LOT",
  "USED_AFTER_EXCURSION",
  "PRICE_MARKUP",
  "WASTE",
  "CASE_COST_OUTLIER",
  "RARE_HIGH_VALUE",
] as const;

export const RiskLine = Type.Object(
  {
    hospital: Address,
    code: Type.Enum(RISK_CODES, {
      description:
        "a reconciliation flag, or CASE_COST_OUTLIER (cases above their group's 95th percentile) or RARE_HIGH_VALUE (high-value items on groups that rarely use them)",
    }),
    count: Type.Integer({ description: "flags (lots, serials) or cases found" }),
    usages: Type.Integer({
      description: "usage records behind them (0 for WASTE, and for the claim findings, which count cases)",
    }),
    units: Type.Integer({ description: "units involved: wasted units for WASTE, else billed units" }),
    amount: Type.With(Amount, {
      description:
        "money involved, fen: billed on the flagged usages; for CASE_COST_OUTLIER the cost above the group's 95th percentile; 0 for WASTE (nothing was billed)",
    }),
  },
  closed,
);
export type RiskLine = Static<typeof RiskLine>;

export const RiskHospital = Type.Object(
  {
    hospital: Address,
    flaggedBilled: Type.With(Amount, {
      description: "billed on usages with any reconciliation flag, each once",
    }),
    outlierExcess: Type.With(Amount, {
      description: "outlier cases' cost above their groups' 95th percentile",
    }),
    rareHighValueBilled: Amount,
    total: Type.With(Amount, {
      description:
        "the three above, added: the hospital's money at risk. An upper bound: a usage both flagged and on an outlier case or a rare item counts in each",
    }),
    lines: Type.Array(RiskLine),
  },
  closed,
);
export type RiskHospital = Static<typeof RiskHospital>;

export const ClaimsRisk = Type.Object(
  {
    from: Month,
    to: Month,
    asOf: Type.With(DateTime, { description: "the reconciliation's figures are balances at this instant" }),
    hospitals: Type.With(Type.Array(RiskHospital), { description: "most money at risk first" }),
  },
  closed,
);
export type ClaimsRisk = Static<typeof ClaimsRisk>;
