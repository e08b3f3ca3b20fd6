import { Type, type Static } from "typebox";
import { Address, DateTime, IdString, Nullable, PaginationQuery, Units } from "./common";

/**
 * An agreement's volume-commitment fulfilment (GET /v1/agreements/:id/fulfilment): per hospital,
 * the volume it committed to against what it funded and accepted, and the pace still needed by
 * the end of the term.
 */

export const FulfilmentParams = Type.Object({ id: IdString }, { additionalProperties: false });
export type FulfilmentParams = Static<typeof FulfilmentParams>;

export const FulfilmentQuery = Type.Object({ ...PaginationQuery }, { additionalProperties: false });
export type FulfilmentQuery = Static<typeof FulfilmentQuery>;

const Hundredths = Type.String({ pattern: "^[0-9]+\\.[0-9]{2}$" });

export const FulfilmentHospital = Type.Object(
  {
    hospital: Address,
    committed: Units,
    ordered: Type.With(Units, {
      description: "units funded and not cancelled: an order books volume only when it is funded",
    }),
    accepted: Type.With(Units, {
      description:
        "units bought: accepted on delivery, or for consigned stock used or expired at the hospital's cost; the volume prices follow",
    }),
    orderedPercent: Nullable(
      Type.With(Hundredths, {
        description: "of the commitment, two decimals rounded down; null without a commitment",
      }),
    ),
    acceptedPercent: Nullable(Hundredths),
    remaining: Type.With(Units, { description: "units still to be accepted to meet the commitment" }),
    perDay: Nullable(
      Type.With(Hundredths, {
        description: "units per day to meet it by the end of the term, rounded up; null once it has ended",
      }),
    ),
    per30Days: Nullable(Hundredths),
  },
  { additionalProperties: false },
);
export type FulfilmentHospital = Static<typeof FulfilmentHospital>;

export const FulfilmentReport = Type.Object(
  {
    agreementId: IdString,
    supplier: Address,
    category: Type.String(),
    startAt: DateTime,
    endAt: DateTime,
    asOf: DateTime,
    daysRemaining: Type.Integer({
      minimum: 0,
      description: "whole days to the end of the term, a started day counting as one",
    }),
    hospitals: Type.With(Type.Array(FulfilmentHospital), { description: "a page, in address order" }),
    nextCursor: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type FulfilmentReport = Static<typeof FulfilmentReport>;
