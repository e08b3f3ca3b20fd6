import { Type, type Static } from "typebox";
import { DeviceIdentifierFields } from "./barcodes";
import {
  Address,
  Bytes32,
  DateTime,
  Gtin,
  IdString,
  IdempotencyHeaders,
  Nullable,
  PageOf,
  PaginationQuery,
  PlainText,
  TxHash,
  UINT32_MAX,
  Units,
} from "./common";
import { SettlementJobStatus } from "./payments";
import { Gln } from "./campuses";

/**
 * Goods receipts from a hospital's warehouse (POST /v1/receipts, GET /v1/receipts and
 * GET /v1/receipts/:receiptNo) and the three-way match each one gets at once: the codes of a failed match, the result, and
 * the stored receipt with its lines and settlement.
 */

export const MATCH_REASON_CODES = [
  "GTIN_MISMATCH",
  "LOT_MISMATCH",
  "EXPIRY_MISMATCH",
  "SHELF_LIFE_SHORT",
  "OVER_DELIVERY",
  "SHORT_DELIVERY",
  "SERIAL_NOT_IN_MANIFEST",
  "MANIFEST_MISSING",
  "SERIAL_DUPLICATED",
  "SERIAL_ALREADY_RECEIVED",
  "SUPPLIER_NOT_QUALIFIED",
  "LOT_RECALLED",
  "EXCURSION_HOLD",
] as const;

export const MatchReasonCode = Type.Enum(MATCH_REASON_CODES, {
  description: "why a receipt did not match its order and shipment",
});
export type MatchReasonCode = Static<typeof MatchReasonCode>;

export const MatchReason = Type.Object(
  {
    code: MatchReasonCode,
    message: Type.String({
      description:
        "the same in an English sentence, naming the line when the reason is a line's; a console composes its own from `details`",
    }),
    line: Type.Optional(Type.Integer({ minimum: 1, description: "the receipt line at fault" })),
    details: Type.Optional(
      Type.Object(
        {
          received: Type.Optional(
            Type.Integer({ description: "units counted (OVER_DELIVERY, SHORT_DELIVERY)" }),
          ),
          shipped: Type.Optional(
            Type.Integer({ description: "units shipped (OVER_DELIVERY, SHORT_DELIVERY)" }),
          ),
          tolerancePct: Type.Optional(
            Type.Number({ description: "the shortfall tolerated (SHORT_DELIVERY)" }),
          ),
          found: Type.Optional(
            Type.String({ description: "the line's GTIN, lot or expiry (GTIN_, LOT_, EXPIRY_MISMATCH)" }),
          ),
          expected: Type.Optional(
            Type.String({ description: "the shipment's, against which it was checked" }),
          ),
          serial: Type.Optional(
            Type.String({ description: "the serial at fault (SERIAL_*, MANIFEST_MISSING)" }),
          ),
          expiry: Type.Optional(
            Type.String({ format: "date", description: "the lot's expiry (SHELF_LIFE_SHORT)" }),
          ),
          minShelfLifeDays: Type.Optional(
            Type.Integer({ description: "the shelf life a receipt must leave (SHELF_LIFE_SHORT)" }),
          ),
          lot: Type.Optional(Type.String({ description: "the lot recalled (LOT_RECALLED)" })),
        },
        {
          description:
            "the figures behind the reason, by code; reasons stored before 2026-12 may carry fewer (their message says it all)",
          additionalProperties: false,
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type MatchReason = Static<typeof MatchReason>;

export const MatchStatus = Type.Enum(["matched", "exception"], { type: "string" });
export type MatchStatus = Static<typeof MatchStatus>;

export const Match = Type.Object(
  {
    status: MatchStatus,
    accepted: Type.With(Units, { description: "units to pay for" }),
    rejected: Type.With(Units, { description: "shipped − accepted: back to the order" }),
    reasons: Type.Array(MatchReason),
  },
  { additionalProperties: false },
);
export type Match = Static<typeof Match>;

export const ReceiptLineRequest = Type.Object(
  {
    barcode: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    gtin: Type.Optional(Gtin),
    lot: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    expiry: Type.Optional(
      Type.String({
        format: "date",
        description:
          "the item's expiry (YYYY-MM-DD), the shipment's own: required with the lot, here or as AI (17) YYMMDD in `barcode`",
      }),
    ),
    serial: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: UINT32_MAX, default: 1 })),
    rejected: Type.Optional(Type.Integer({ minimum: 0, maximum: UINT32_MAX, default: 0 })),
    rejectReason: Type.Optional(Type.String({ maxLength: 200 })),
    ...DeviceIdentifierFields,
  },
  {
    additionalProperties: false,
    description:
      "either `barcode` (a scan: GS1 bracketed, raw with GS, or Digital Link; or an MA (IDcode) code), `gtin`, " +
      "or `agency` with `deviceIdentifier` (another agency's code typed as fields), each with lot/expiry/serial. " +
      "Every item on the ledger is lot-controlled: each line gives its lot (AI 10) and expiry (AI 17), and its " +
      "serial (AI 21) once the supplier uploaded a manifest; a line without them is 400 RECEIPT_LINE_INVALID",
    oneOf: [{ required: ["barcode"] }, { required: ["gtin"] }, { required: ["agency", "deviceIdentifier"] }],
  },
);
export type ReceiptLineRequest = Static<typeof ReceiptLineRequest>;

export const ReceiptRequest = Type.Object(
  {
    receiptNo: Type.String({ minLength: 1, maxLength: 64 }),
    shipmentId: IdString,
    receivedAt: DateTime,
    campus: Type.Optional(
      Type.With(Gln, {
        description: "the receiving campus (GET /v1/campuses); by default the hospital's main campus",
      }),
    ),
    lines: Type.Array(ReceiptLineRequest, { minItems: 1, maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export type ReceiptRequest = Static<typeof ReceiptRequest>;

export const ReceiptHeaders = IdempotencyHeaders;

export const ReceiptResult = Type.Object(
  {
    receiptNo: Type.String(),
    shipmentId: IdString,
    orderId: IdString,
    hospital: Address,
    receivedAt: DateTime,
    campus: Nullable(
      Type.With(Gln, { description: "where the goods are counted; null while the hospital has no campus" }),
    ),
    receiptHash: Type.With(Bytes32, { description: "keccak-256 of the canonical receipt" }),
    received: Units,
    match: Match,
    exceptionId: Nullable(IdString),
    settlement: Type.Enum(["queued", "held"], {
      description: "queued for payment (matched), or held as the exception `exceptionId`",
    }),
  },
  { additionalProperties: false },
);
export type ReceiptResult = Static<typeof ReceiptResult>;

export const ReceiptParams = Type.Object(
  { receiptNo: PlainText({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export type ReceiptParams = Static<typeof ReceiptParams>;

/** Receipt numbers are unique per hospital: a regulator names the hospital when several use one. */
export const ReceiptQuery = Type.Object(
  {
    hospital: Type.Optional(
      Type.With(Address, {
        description:
          "the receipt's hospital; a hospital's staff may give only their own, a regulator must when several hospitals use the number",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ReceiptQuery = Static<typeof ReceiptQuery>;

export const ReceiptLine = Type.Object(
  {
    line: Type.Integer({ minimum: 1 }),
    gtin: Gtin,
    lot: Nullable(Type.String()),
    expiry: Nullable(Type.String({ format: "date" })),
    serial: Nullable(Type.String()),
    quantity: Units,
    rejected: Units,
    rejectReason: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type ReceiptLine = Static<typeof ReceiptLine>;

export const Receipt = Type.Object(
  {
    receiptNo: Type.String(),
    shipmentId: IdString,
    hospital: Address,
    receivedAt: DateTime,
    receivedBy: Address,
    campus: Nullable(Gln),
    received: Units,
    rejected: Units,
    receiptHash: Bytes32,
    lines: Type.Array(ReceiptLine),
    match: Nullable(Match),
    settlement: Nullable(
      Type.Object(
        {
          status: SettlementJobStatus,
          txHash: Nullable(TxHash),
          error: Nullable(Type.String({ description: "why the last attempt failed" })),
        },
        { description: "the payment outbox's job for the shipment", additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type Receipt = Static<typeof Receipt>;

export const ListReceiptsQuery = Type.Object(
  {
    ...PaginationQuery,
    hospital: Type.Optional(
      Type.With(Address, {
        description: "the receipts' hospital: a regulator's choice; a hospital's staff see only their own",
      }),
    ),
    shipmentId: Type.Optional(IdString),
    matchStatus: Type.Optional(MatchStatus),
    from: Type.Optional(Type.With(DateTime, { description: "received at or after this instant" })),
    to: Type.Optional(Type.With(DateTime, { description: "received before this instant (exclusive)" })),
  },
  { additionalProperties: false },
);
export type ListReceiptsQuery = Static<typeof ListReceiptsQuery>;

/** A receipt as listed: without its lines, match reasons and settlement (GET /:receiptNo has them). */
export const ReceiptSummary = Type.Object(
  {
    receiptNo: Type.String(),
    shipmentId: IdString,
    hospital: Address,
    receivedAt: DateTime,
    received: Units,
    rejected: Units,
    matchStatus: Nullable(MatchStatus),
  },
  { additionalProperties: false },
);
export type ReceiptSummary = Static<typeof ReceiptSummary>;

/** A page of receipts by shipment id (a shipment has at most one receipt). */
export const ReceiptPage = PageOf(ReceiptSummary);
export type ReceiptPage = Static<typeof ReceiptPage>;
