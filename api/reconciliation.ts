import { Type, type Static, type TProperties } from "typebox";
import {
  Address,
  Amount,
  DateTime,
  Gtin,
  IdString,
  Nullable,
  PaginationQuery,
  PlainText,
  TxHash,
  Units,
} from "./common";

/**
 * The regulator's purchase–receipt–use comparison (GET /v1/reconciliation): per hospital × GTIN
 * × lot, what was ordered, shipped, accepted and paid on-chain against what the billing system
 * says was used, with every discrepancy flagged and backed by the records that show it.
 */

export const ReconciliationQuery = Type.Object(
  {
    ...PaginationQuery,
    hospital: Type.Optional(Address),
    gtin: Type.Optional(Gtin),
    lot: Type.Optional(PlainText({ minLength: 1, maxLength: 20 })),
    from: Type.Optional(Type.With(DateTime, { description: "list only lots with activity from here on" })),
    to: Type.Optional(
      Type.With(DateTime, { description: "figures as of this instant (exclusive); default now" }),
    ),
  },
  { additionalProperties: false },
);
export type ReconciliationQuery = Static<typeof ReconciliationQuery>;

const UsageIds = Type.Array(Type.String(), {
  description: "the usages that make the finding, in the order they were used",
});

/** Accepted units a hospital no longer holds without having used them. */
export const SentOut = Type.With(Units, {
  description:
    "units that left the hospital's stock: moved to a location that is none of its campuses (back to the supplier, say), or consigned units returned to the supplier",
});

/** Another hospital's identity and records are the regulator's to see, never a hospital's. */
const OTHER_SIDE = "another hospital's: null unless the caller is a regulator";

/** A flag: its code and the records that show it. */
const flag = <Code extends string, E extends TProperties>(code: Code, description: string, evidence: E) =>
  Type.Object(
    { code: Type.Literal(code), evidence: Type.Object(evidence, { additionalProperties: false }) },
    { description, additionalProperties: false },
  );

export const ReconciliationFlag = Type.Union([
  flag("PHANTOM_USE", "more used (net) or billed than accepted and not sent out again", {
    accepted: Units,
    sentOut: Type.With(Units, {
      description: "units the hospital sent out again (the row's sentOut)",
    }),
    usedNet: Type.String({ pattern: "^-?[0-9]+$" }),
    billedQuantity: Type.String({ pattern: "^-?[0-9]+$" }),
    usageIds: Type.With(UsageIds, {
      description:
        "the usages, in time order, that took use (or billing) beyond accepted − sent out (the latest ones, whenever the units were sent out)",
    }),
    receiptNos: Type.Array(Type.String()),
    txHashes: Type.Array(TxHash),
    sentOutTxHashes: Type.Array(TxHash, { description: "the transactions that recorded the units sent out" }),
  }),
  flag("SERIAL_REUSED", "one serial used (net) more than once, anywhere", {
    serial: Type.String(),
    usageIds: UsageIds,
    uses: Type.Array(
      Type.Object(
        {
          hospital: Type.With(Nullable(Address), { description: OTHER_SIDE }),
          usageId: Type.With(Nullable(Type.String()), { description: OTHER_SIDE }),
        },
        { additionalProperties: false },
      ),
    ),
  }),
  flag("RESOLD", "used here after another hospital received it", {
    serial: Type.String(),
    usageIds: UsageIds,
    receivedBy: Type.With(Nullable(Address), { description: OTHER_SIDE }),
    receiptNo: Type.With(Nullable(Type.String()), { description: OTHER_SIDE }),
  }),
  flag("USED_AFTER_EXPIRY", "used after the lot expired", { expiry: DateTime, usageIds: UsageIds }),
  flag("USED_FROM_RECALLED_LOT", "used while a recall covering the hospital's supply was in force", {
    recalledAt: DateTime,
    txHash: TxHash,
    scope: Type.With(Address, {
      description: "the zero address for a regulator's recall, else the supplier whose shipments it covers",
    }),
    liftedAt: Nullable(Type.With(DateTime, { description: "when the recall was lifted, as of the report" })),
    usageIds: UsageIds,
  }),
  flag(
    "USED_AFTER_EXCURSION",
    "used after a temperature excursion no approver waived, on a delivery of the lot to the hospital (any unit of the lot counts: which delivery a unit came from is not recorded)",
    {
      shipmentId: Type.With(IdString, { description: "the delivery the excursion was recorded on" }),
      excursionAt: Type.With(DateTime, {
        description: "the excursion's time as its sensor record states it: its first one no waiver covers",
      }),
      txHash: Type.With(TxHash, { description: "the transaction that recorded the excursion" }),
      usageIds: UsageIds,
    },
  ),
  flag(
    "PRICE_MARKUP",
    "billed per unit above the highest price the hospital paid for the lot: a delivery's settled price (the orders' funded price while none is settled)",
    {
      usageIds: UsageIds,
      billed: Type.Array(
        Type.Object(
          {
            usageId: Type.String(),
            quantity: Type.With(Units, { description: "its units, net of returns" }),
            amount: Type.With(Amount, { description: "what was billed for them, net of refunds" }),
          },
          { additionalProperties: false },
        ),
        { description: "each usage named, with what it billed: the price the prices are compared with" },
      ),
      prices: Type.Array(
        Type.Object(
          {
            orderId: IdString,
            shipmentId: Type.With(Nullable(IdString), {
              description: "the delivery settled at this price; null for the order's funded price",
            }),
            quantity: Type.With(Units, {
              description: "units accepted on the delivery, or funded by the order",
            }),
            value: Type.With(Amount, {
              description: "what they were settled (before any late penalty) or funded at",
            }),
          },
          { additionalProperties: false },
        ),
      ),
    },
  ),
  flag("WASTE", "accepted units still on hand when the lot expired", {
    expiry: DateTime,
    units: Type.With(Units, {
      description: "units on hand, and units moved out of the hospital at or after the lot's expiry",
    }),
    receiptNos: Type.Array(Type.String()),
    txHashes: Type.Array(TxHash),
  }),
]);
export type ReconciliationFlag = Static<typeof ReconciliationFlag>;
export type FlagCode = ReconciliationFlag["code"];

export const ReconciliationRow = Type.Object(
  {
    hospital: Address,
    gtin: Gtin,
    lot: Type.String(),
    expiry: Nullable(Type.With(DateTime, { description: "the lot's expiry; null if it was never shipped" })),
    ordered: Units,
    shipped: Units,
    accepted: Units,
    rejected: Units,
    used: Units,
    returned: Type.With(Units, { description: "units returned: the negated sum of negative usages" }),
    sentOut: SentOut,
    billedQuantity: Type.String({
      pattern: "^-?[0-9]+$",
      description: "net units of usages that carry a billed amount",
    }),
    billedAmount: Amount,
    onHand: Type.String({
      pattern: "^-?[0-9]+$",
      description: "accepted − used + returned − sent out; negative when more was used than that",
    }),
    flags: Type.Array(ReconciliationFlag),
  },
  { additionalProperties: false },
);
export type ReconciliationRow = Static<typeof ReconciliationRow>;

export const ReconciliationReport = Type.Object(
  {
    asOf: Type.With(DateTime, { description: "the instant the figures are taken at (`to`, or now)" }),
    from: Nullable(DateTime),
    rows: Type.With(Type.Array(ReconciliationRow), {
      description: "a page of rows in hospital × GTIN × lot order",
    }),
    nextCursor: Type.With(Nullable(Type.String()), {
      description:
        "the cursor of the next page (null on the last); with the same query, the figures stay as of `asOf` only if `to` is given",
    }),
  },
  { additionalProperties: false },
);
export type ReconciliationReport = Static<typeof ReconciliationReport>;
