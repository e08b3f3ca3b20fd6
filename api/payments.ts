import { Type, type Static } from "typebox";
import {
  Address,
  Amount,
  DateTime,
  Gtin,
  IdString,
  Nullable,
  PageOf,
  PaginationQuery,
  TxHash,
  Units,
} from "./common";

/**
 * Payments (GET /v1/payments): every settlement job with its on-chain outcome, and every
 * settlement the ledger shows without one (a supplier's claim); and the overdue
 * report (GET /v1/payments/overdue): accepted shipments unpaid after N days, with what holds each.
 */

/** A settlement job in the payment outbox: pending → submitted (its transaction) → confirmed | failed. */
export const SettlementJobStatus = Type.Enum(["pending", "submitted", "confirmed", "failed"]);
export type SettlementJobStatus = Static<typeof SettlementJobStatus>;

export const Payment = Type.Object(
  {
    shipmentId: IdString,
    orderId: IdString,
    supplier: Address,
    hospital: Address,
    receiptNo: Nullable(
      Type.String({
        description:
          "the goods receipt; null when the hospital recorded none at this gateway and the supplier's claim settled the delivery",
      }),
    ),
    status: Type.With(SettlementJobStatus, {
      description:
        "confirmed once the indexer has seen the settlement, whatever the outbox says; a settlement mined but not yet indexed (CONFIRMATIONS deep) is still submitted",
    }),
    accepted: Units,
    rejected: Units,
    gross: Nullable(Amount),
    penalty: Nullable(Type.With(Amount, { description: "the late-delivery penalty the contract took" })),
    paid: Nullable(Amount),
    daysLate: Nullable(Type.Integer({ minimum: 0 })),
    deliveredAt: Nullable(
      Type.With(DateTime, { description: "the delivery time the chain judged lateness and expiry at" }),
    ),
    settledBy: Nullable(
      Type.With(Address, {
        description: "the hospital's settler, or the supplier when it claimed an unconfirmed shipment",
      }),
    ),
    txHash: Nullable(TxHash),
    blockNumber: Nullable(Type.Integer()),
    error: Nullable(Type.String({ description: "why the last attempt failed, in English" })),
    errorName: Nullable(
      Type.String({
        description:
          "the contract's custom error when the chain refused the settlement (status failed); null while a failed attempt is retried",
      }),
    ),
    acceptedAt: Nullable(
      Type.With(DateTime, {
        description:
          "the match, or the approver's resolution, on the ledger's clock as paidAt is (the gateway's clock for acceptances recorded before it kept the ledger's); null when the hospital never accepted the delivery and the supplier's claim settled it",
      }),
    ),
    paidAt: Nullable(DateTime),
    secondsToPayment: Nullable(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type Payment = Static<typeof Payment>;

export const ListPaymentsQuery = Type.Object(
  {
    ...PaginationQuery,
    supplier: Type.Optional(Address),
    orderId: Type.Optional(IdString),
    status: Type.Optional(SettlementJobStatus),
  },
  { additionalProperties: false },
);
export type ListPaymentsQuery = Static<typeof ListPaymentsQuery>;

export const PaymentPage = PageOf(Payment);
export type PaymentPage = Static<typeof PaymentPage>;

export const OverdueQuery = Type.Object(
  {
    ...PaginationQuery,
    days: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650, default: 30 })),
    hospital: Type.Optional(Address),
  },
  { additionalProperties: false },
);
export type OverdueQuery = Static<typeof OverdueQuery>;

/** One reason a payment is held; a shipment may have several. */
export const PaymentHold = Type.Union([
  Type.Object(
    {
      code: Type.Literal("OPEN_EXCEPTION"),
      exceptionIds: Type.Array(IdString),
      reasonCodes: Type.Array(Type.String()),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { code: Type.Literal("SETTLEMENT_FAILED"), errorName: Nullable(Type.String()) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      code: Type.Literal("LOT_RECALLED"),
      recalledAt: DateTime,
      txHash: TxHash,
      scope: Type.With(Address, {
        description: "the zero address for a regulator's recall, else the supplier whose shipments it covers",
      }),
    },
    { description: "a recall in force covers the shipment", additionalProperties: false },
  ),
  Type.Object({ code: Type.Literal("SETTLEMENT_PENDING") }, { additionalProperties: false }),
  Type.Object(
    { code: Type.Literal("SETTLEMENT_SUBMITTED"), txHash: Nullable(TxHash) },
    { additionalProperties: false },
  ),
  Type.Object(
    { code: Type.Literal("SETTLEMENT_NOT_INDEXED"), txHash: Nullable(TxHash) },
    {
      description:
        "the job saw its transaction confirmed, but the indexer has not projected the settlement yet",
      additionalProperties: false,
    },
  ),
  Type.Object({ code: Type.Literal("NO_SETTLEMENT_JOB") }, { additionalProperties: false }),
]);
export type PaymentHold = Static<typeof PaymentHold>;

export const OverduePayment = Type.Object(
  {
    shipmentId: IdString,
    orderId: IdString,
    hospital: Address,
    supplier: Address,
    receiptNo: Type.String(),
    gtin: Gtin,
    lot: Type.String(),
    accepted: Units,
    acceptedAt: DateTime,
    daysOutstanding: Type.Integer({ minimum: 0 }),
    fundShare: Type.With(Amount, {
      description:
        "the insurance fund's money in the order's escrow (drawn at funding, not yet spent): a payment the fund makes, 0 if the hospital pays",
    }),
    holds: Type.Array(PaymentHold),
  },
  { additionalProperties: false },
);
export type OverduePayment = Static<typeof OverduePayment>;

export const OverdueReport = Type.Object(
  {
    days: Type.Integer(),
    items: Type.With(Type.Array(OverduePayment), { description: "a page, oldest acceptance first" }),
    nextCursor: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type OverdueReport = Static<typeof OverdueReport>;

/** GET /v1/payments/spend: money paid on the ledger, by product category and month. */
export const SpendQuery = Type.Object(
  {
    from: Type.Optional(
      Type.With(DateTime, { description: "paid at or after; default the start of the month 11 months back" }),
    ),
    to: Type.Optional(Type.With(DateTime, { description: "paid before; default now" })),
    hospital: Type.Optional(Type.With(Address, { description: "regulators: one hospital's spend" })),
  },
  { additionalProperties: false },
);
export type SpendQuery = Static<typeof SpendQuery>;

export const SpendRow = Type.Object(
  {
    month: Type.String({ pattern: "^[0-9]{4}-[0-9]{2}$", description: "YYYY-MM in the report's time zone" }),
    category: Type.String({ description: "the agreement's product category" }),
    paid: Type.With(Amount, { description: "paid to suppliers, fen" }),
    penalties: Type.With(Amount, { description: "late-delivery penalties kept back, fen" }),
    settlements: Type.Integer({
      minimum: 1,
      description: "payments counted: settlements, and consumption lines of consigned stock",
    }),
  },
  { additionalProperties: false },
);
export type SpendRow = Static<typeof SpendRow>;

export const SpendReport = Type.Object(
  {
    from: DateTime,
    to: DateTime,
    timeZone: Type.String({ description: "the time zone months are counted in (TIME_ZONE)" }),
    rows: Type.With(Type.Array(SpendRow), {
      description: "one per month and category with a payment, by month then category; at most 61 months",
    }),
  },
  { additionalProperties: false },
);
export type SpendReport = Static<typeof SpendReport>;
