import { Type, type Static } from "typebox";
import {
  Address,
  DateTime,
  Gtin,
  IdString,
  Nullable,
  PageOf,
  PaginationQuery,
  PlainText,
  Units,
} from "./common";
import { Gln } from "./campuses";

/**
 * Stock per campus × GTIN × lot (GET /v1/stock), who holds an item and until when
 * (GET /v1/stock/holders), and suggested moves between campuses (GET /v1/stock/suggestions).
 *
 * onHand − shortfall = received − used − returned + transferredIn − transferredOut. Stock is
 * never negative: a usage or transfer recorded beyond what the campus held (the billing system
 * and the ledger are facts the gateway does not refuse) is counted as `shortfall`, flagged for a
 * stocktake, rather than taken below zero.
 */

const Lot = PlainText({ minLength: 1, maxLength: 20 });

export const StockRow = Type.Object(
  {
    hospital: Address,
    campus: Nullable(
      Type.With(Gln, { description: "null: counted before the hospital registered any campus" }),
    ),
    campusName: Nullable(Type.String()),
    gtin: Gtin,
    lot: Type.String(),
    expiry: Nullable(Type.String({ format: "date", description: "the lot's expiry as received" })),
    received: Units,
    used: Type.With(Units, { description: "net of returns from patients (corrections)" }),
    returned: Type.With(Units, { description: "transferred out of the hospital, e.g. back to the supplier" }),
    transferredIn: Units,
    transferredOut: Units,
    onHand: Units,
    shortfall: Type.With(Units, {
      description: "units used or moved beyond what the campus held: a difference for a stocktake to explain",
    }),
  },
  { additionalProperties: false },
);
export type StockRow = Static<typeof StockRow>;

export const StockQuery = Type.Object(
  {
    ...PaginationQuery,
    campus: Type.Optional(Gln),
    gtin: Type.Optional(Gtin),
    lot: Type.Optional(Lot),
    hospital: Type.Optional(
      Type.With(Address, { description: "stock is internal to a hospital: only the caller's own" }),
    ),
  },
  { additionalProperties: false },
);
export type StockQuery = Static<typeof StockQuery>;

/** A page of stock rows by campus, GTIN and lot. */
export const StockPage = PageOf(StockRow);
export type StockPage = Static<typeof StockPage>;

export const HoldersQuery = Type.Object({ ...PaginationQuery, gtin: Gtin }, { additionalProperties: false });
export type HoldersQuery = Static<typeof HoldersQuery>;

export const Holder = Type.Object(
  {
    campus: Nullable(Gln),
    campusName: Nullable(Type.String()),
    gtin: Gtin,
    lot: Type.String(),
    expiry: Nullable(Type.String({ format: "date" })),
    onHand: Units,
    recalled: Type.Boolean({
      description:
        "a recall of the lot reaching this hospital's stock is in force (a regulator's, or the own recall of a supplier that shipped the lot here): not for use, and left out of suggested moves and replenishment; it moves only to be returned or set aside",
    }),
  },
  { additionalProperties: false },
);
export type Holder = Static<typeof Holder>;

/** The campuses that hold the item, soonest expiry first: who can lend what, and until when. */
export const HolderPage = PageOf(Holder);
export type HolderPage = Static<typeof HolderPage>;

export const SuggestionsQuery = Type.Object(
  { ...PaginationQuery, gtin: Type.Optional(Gtin) },
  { additionalProperties: false },
);
export type SuggestionsQuery = Static<typeof SuggestionsQuery>;

/** A rate of use: units a day over the last `usageWindowDays` (90), as a decimal with two places. */
const PerDay = Type.String({
  pattern: "^\\d+\\.\\d{2}$",
  description: "units used a day over the last 90 days",
});

/** What every suggested move carries: the lot, the two campuses (named where registered) and the units. */
const Move = {
  gtin: Gtin,
  lot: Type.String(),
  expiry: Nullable(Type.String({ format: "date" })),
  from: Gln,
  fromName: Nullable(Type.String()),
  to: Gln,
  toName: Nullable(Type.String()),
  quantity: Units,
  reason: Type.String({
    description: "the same figures in an English sentence, for logs and scripts; a console composes its own",
  }),
};

/**
 * A suggested move between campuses, with the figures behind it so a reader (the console, in
 * the user's language) can state why:
 * - near-expiry: the lot expires within the threshold and `from` would leave `unused` units of
 *   it at its own rate, where `to` uses the item faster;
 * - shortage: `to` holds less than its need for `coverDays` days, and `from` holds more than its own.
 */
export const Suggestion = Type.Union([
  Type.Object(
    {
      kind: Type.Literal("near-expiry"),
      ...Move,
      expiresInDays: Type.Integer({ minimum: 0 }),
      fromPerDay: PerDay,
      toPerDay: PerDay,
      unused: Type.With(Units, { description: "units `from` would still hold when the lot expires" }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal("shortage"),
      ...Move,
      coverDays: Type.Integer({ minimum: 1 }),
      toHolds: Type.With(Units, { description: "what `to` holds, with units already suggested its way" }),
      toNeeds: Type.With(Units, { description: "what `to` uses in `coverDays` days at its rate" }),
      toPerDay: PerDay,
    },
    { additionalProperties: false },
  ),
]);
export type Suggestion = Static<typeof Suggestion>;

export const SuggestionPage = PageOf(Suggestion);
export type SuggestionPage = Static<typeof SuggestionPage>;

export const StocktakeLine = Type.Object(
  {
    barcode: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: "a GS1 scan, as on receipts" }),
    ),
    gtin: Type.Optional(Gtin),
    lot: Type.Optional(Lot),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  },
  {
    additionalProperties: false,
    description: "a scan (one unit, or `quantity` of a lot-level code) or a GTIN and lot counted by hand",
    oneOf: [{ required: ["barcode"] }, { required: ["gtin", "lot"] }],
  },
);
export type StocktakeLine = Static<typeof StocktakeLine>;

export const StocktakeRequest = Type.Object(
  {
    campus: Gln,
    lines: Type.Array(StocktakeLine, { minItems: 0, maxItems: 10_000, description: "what is on the shelf" }),
  },
  { additionalProperties: false },
);
export type StocktakeRequest = Static<typeof StocktakeRequest>;

export const StocktakeDifference = Type.Object(
  {
    gtin: Gtin,
    lot: Type.String(),
    expected: Type.Integer({
      description: "the records' balance: below zero where the campus used more than it held",
    }),
    counted: Type.Integer({ minimum: 0 }),
    exceptionId: Nullable(
      Type.With(IdString, {
        description: "null for a lot never shipped to the hospital: no exception can name it",
      }),
    ),
  },
  { additionalProperties: false },
);
export type StocktakeDifference = Static<typeof StocktakeDifference>;

export const Stocktake = Type.Object(
  {
    id: IdString,
    hospital: Address,
    campus: Gln,
    countedBy: Address,
    countedAt: DateTime,
    differences: Type.Array(StocktakeDifference),
  },
  { additionalProperties: false },
);
export type Stocktake = Static<typeof Stocktake>;

export const StocktakesQuery = Type.Object(
  { ...PaginationQuery, campus: Type.Optional(Gln) },
  { additionalProperties: false },
);
export type StocktakesQuery = Static<typeof StocktakesQuery>;

/** Stocktakes, newest first. */
export const StocktakePage = PageOf(Stocktake);
export type StocktakePage = Static<typeof StocktakePage>;
