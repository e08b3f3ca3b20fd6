import { Type, type Static } from "typebox";
import {
  Address,
  Amount,
  Bytes32,
  DateTime,
  Gtin,
  IdString,
  Nullable,
  PageOf,
  PaginationQuery,
  TxHash,
  Units,
} from "./common";
import { SupplierStatus } from "./suppliers";
import { Tier } from "./tenders";

/**
 * /v1/sunshine: what the procurement platforms publish, public and verifiable — every award with
 * its winners, tier prices, committed volumes and term, each with the transaction that recorded
 * it; and the price each hospital actually paid and billed for each item, with its dispersion.
 * No sign-in. Nothing here names a patient or a department: prices are per hospital × GTIN,
 * from settled deliveries (the ledger) and billed usages (summed, never listed).
 */

const closed = { additionalProperties: false } as const;

export const SunshineAwardsQuery = Type.Object(
  {
    ...PaginationQuery,
    category: Type.Optional(Type.With(Bytes32, { description: "a category code (bytes32)" })),
  },
  closed,
);
export type SunshineAwardsQuery = Static<typeof SunshineAwardsQuery>;

export const SunshineCommitment = Type.Object(
  {
    hospital: Address,
    hospitalName: Nullable(Type.String({ description: "the name the hospital published, if any" })),
    committed: Type.With(Units, { description: "units the hospital committed to buy under the award" }),
  },
  closed,
);

/** One award: a framework agreement a tender gave one of its winners. */
export const SunshineAward = Type.Object(
  {
    agreementId: IdString,
    tenderId: IdString,
    category: Bytes32,
    categoryName: Type.String({ description: "the category code as text (its hex if it is a hash)" }),
    supplier: Address,
    supplierName: Type.String({ description: "the name the supplier registered on the ledger" }),
    supplierStatus: Type.With(SupplierStatus, { description: "the supplier's standing on the ledger today" }),
    qualifiedUntil: Nullable(
      Type.With(DateTime, {
        description:
          "until when the ledger holds the supplier qualified for the category: the first to end of its required kinds' latest attested documents covering it; null while a required kind has none",
      }),
    ),
    tiers: Type.Array(Tier),
    startAt: DateTime,
    endAt: DateTime,
    commitments: Type.Array(SunshineCommitment),
    awardTx: Type.With(TxHash, { description: "the transaction that created the agreement (the award)" }),
    awardedAt: DateTime,
  },
  closed,
);
export type SunshineAward = Static<typeof SunshineAward>;
export const SunshineAwardPage = PageOf(SunshineAward);
export type SunshineAwardPage = Static<typeof SunshineAwardPage>;

export const SunshinePricesQuery = Type.Object(
  {
    spreadPercent: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1000,
        description:
          "flag an item whose highest paid price exceeds its lowest by more than this (default: the gateway's)",
      }),
    ),
    flaggedOnly: Type.Optional(Type.Boolean()),
  },
  closed,
);
export type SunshinePricesQuery = Static<typeof SunshinePricesQuery>;

/** What one hospital paid and billed per unit of one item. */
export const SunshineHospitalPrice = Type.Object(
  {
    hospital: Address,
    hospitalName: Nullable(Type.String()),
    acceptedUnits: Units,
    paidPerUnit: Type.With(Amount, {
      description:
        "Σ settled value ÷ Σ accepted units (the locked tier prices; late penalties are not price), fen, rounded",
    }),
    billedUnits: Nullable(
      Type.With(Units, {
        description:
          "units billed; null (with billedPerUnit) until at least 5 patients were billed for the item",
      }),
    ),
    billedPerUnit: Nullable(
      Type.With(Amount, {
        description:
          "Σ billed ÷ Σ billed units of its usages, fen, rounded; null: none billed, or fewer than 5 patients",
      }),
    ),
    settlementTxs: Type.Array(TxHash, {
      description: "the settlements behind the paid price, latest first (up to 10)",
    }),
  },
  closed,
);
export type SunshineHospitalPrice = Static<typeof SunshineHospitalPrice>;

export const PriceSpread = Type.Object(
  {
    min: Amount,
    max: Amount,
    median: Amount,
    spreadPercent: Nullable(
      Type.Number({
        description: "(max − min) ÷ min × 100, to 0.1; null when min is 0 and max is not (flagged)",
      }),
    ),
  },
  closed,
);

/** One item's prices across hospitals. */
export const SunshineItemPrices = Type.Object(
  {
    gtin: Gtin,
    category: Bytes32,
    categoryName: Type.String(),
    hospitals: Type.Array(SunshineHospitalPrice),
    paid: PriceSpread,
    billed: Nullable(PriceSpread),
    flagged: Type.Boolean({ description: "paid or billed spread above the threshold" }),
  },
  closed,
);
export type SunshineItemPrices = Static<typeof SunshineItemPrices>;

export const SunshinePrices = Type.Object(
  {
    spreadPercent: Type.Number({ description: "the threshold the flags used" }),
    items: Type.Array(SunshineItemPrices),
  },
  closed,
);
export type SunshinePrices = Static<typeof SunshinePrices>;

/**
 * A supplier's record on the ledger, for anyone: deliveries settled and how many on time, short
 * and over deliveries the hospitals' receipts found, temperature excursions, recalls of its lots,
 * suspensions and lapsed documents, and how long hospitals took to pay it.
 */
export const SunshineScorecard = Type.Object(
  {
    supplier: Address,
    supplierName: Type.String(),
    supplierStatus: SupplierStatus,
    deliveries: Type.Integer({ minimum: 0, description: "shipments settled on the ledger" }),
    onTime: Type.Integer({ minimum: 0, description: "of them, settled with no day late" }),
    onTimePercent: Nullable(Type.Number({ description: "onTime ÷ deliveries × 100, to 0.1; null: none" })),
    shortDeliveries: Type.Integer({
      minimum: 0,
      description: "shipments a receipt found short (SHORT_DELIVERY)",
    }),
    overDeliveries: Type.Integer({
      minimum: 0,
      description: "shipments a receipt found over (OVER_DELIVERY)",
    }),
    excursions: Type.Integer({
      minimum: 0,
      description: "shipments with a temperature excursion on their trace",
    }),
    recalls: Type.Integer({
      minimum: 0,
      description: "recalls (by itself or a regulator) of lots it shipped",
    }),
    suspensions: Type.Integer({ minimum: 0, description: "times a regulator suspended it" }),
    documentLapses: Type.Integer({
      minimum: 0,
      description:
        "attested documents that expired with no attested one of the same kind in force after them",
    }),
    medianDaysToPayment: Nullable(
      Type.Number({
        description:
          "median days from the hospital's receipt on the ledger to the settlement, both on the chain's clock, to 0.1",
      }),
    ),
  },
  closed,
);
export type SunshineScorecard = Static<typeof SunshineScorecard>;
export const SunshineScorecards = Type.Object({ items: Type.Array(SunshineScorecard) }, closed);
export type SunshineScorecards = Static<typeof SunshineScorecards>;
