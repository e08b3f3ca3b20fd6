import { Type, type Static } from "typebox";
import { Address, Amount } from "./common";
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
  },
  closed,
);
export type ClaimsReport = Static<typeof ClaimsReport>;
