import { Type, type Static } from "typebox";
import { Address, DateTime, PageOf, PaginationQuery, PlainText } from "./common";

/**
 * A hospital group's campuses (POST and GET /v1/campuses): each a GS1 Global Location Number
 * with a name. The first registered is the main campus, where receipts and usages that name no
 * campus are counted.
 */

export const Gln = Type.String({
  pattern: "^[0-9]{13}$",
  description: "a GS1 Global Location Number: 13 digits, the last a GS1 check digit",
});

export const RegisterCampusRequest = Type.Object(
  { gln: Gln, name: PlainText({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type RegisterCampusRequest = Static<typeof RegisterCampusRequest>;

export const Campus = Type.Object(
  {
    hospital: Address,
    gln: Gln,
    name: Type.String(),
    main: Type.Boolean({ description: "the campus receipts and usages that name none are counted at" }),
    registeredBy: Address,
    registeredAt: DateTime,
  },
  { additionalProperties: false },
);
export type Campus = Static<typeof Campus>;

export const ListCampusesQuery = Type.Object(
  {
    ...PaginationQuery,
    hospital: Type.Optional(
      Type.With(Address, {
        description: "the campuses' hospital: a regulator's choice; a hospital's staff see only their own",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ListCampusesQuery = Static<typeof ListCampusesQuery>;

/** A page of campuses by GLN. */
export const CampusPage = PageOf(Campus);
export type CampusPage = Static<typeof CampusPage>;
