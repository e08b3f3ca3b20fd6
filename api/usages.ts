import { Type, type Static } from "typebox";
import {
  Address,
  Amount,
  DateTime,
  Gtin,
  IdempotencyHeaders,
  INT32_MAX,
  INT32_MIN,
  Nullable,
  PageOf,
  PaginationQuery,
  PlainText,
} from "./common";
import { DeviceIdentifierFields } from "./barcodes";
import { Gln } from "./campuses";

/**
 * Usage records from a hospital's billing system (POST /v1/usages, listed by GET /v1/usages):
 * which item was used on which patient, where, when and for how much. The patient reference is
 * kept only as a salted hash, and only the hash is ever served.
 */

export const UsageRequest = Type.Object(
  {
    usageId: Type.String({ minLength: 1, maxLength: 64, description: "the billing system's own id" }),
    barcode: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2000,
        description:
          "the item as scanned: GS1 bracketed, as sent by a scanner, or a Digital Link URI; or an MA (IDcode) code",
      }),
    ),
    gtin: Type.Optional(
      Type.String({ pattern: "^[0-9]{8,14}$", description: "or the item as fields: a GTIN-8/12/13/14" }),
    ),
    ...DeviceIdentifierFields,
    lot: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    serial: Type.Optional(
      Type.String({ minLength: 1, maxLength: 20, description: "absent for items controlled by lot only" }),
    ),
    expiry: Type.Optional(Type.String({ format: "date" })),
    department: Type.String({ minLength: 1, maxLength: 100 }),
    campus: Type.Optional(
      Type.With(Gln, {
        description: "the campus where the item was used (GET /v1/campuses); by default the main campus",
      }),
    ),
    patientRef: Type.String({
      minLength: 1,
      maxLength: 200,
      description: "the billing system's patient reference; only its salted hash is kept",
    }),
    usedAt: Type.String({ format: "date-time", description: "ISO 8601 with a time zone" }),
    billingCode: Type.String({ minLength: 1, maxLength: 64, description: "the insurance billing code" }),
    billedAmount: Type.Union(
      [
        Type.String({ pattern: "^-?[0-9]+$" }),
        Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
      ],
      {
        description: "minor units (fen): a whole number as a string or a safe integer",
      },
    ),
    quantity: Type.Optional(
      Type.Integer({
        minimum: INT32_MIN,
        maximum: INT32_MAX,
        description:
          "units used; default 1. Negative for a return or correction, which needs correctsUsageId",
      }),
    ),
    correctsUsageId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    caseId: Type.Optional(
      PlainText({
        minLength: 1,
        maxLength: 64,
        description:
          "the inpatient case (encounter) the item was billed on, as the billing system names it; a correction takes its original's",
      }),
    ),
    caseGroup: Type.Optional(
      Type.String({
        pattern: "^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$",
        description: "the case's DRG/DIP group code, from the billing system; needs caseId",
      }),
    ),
  },
  {
    additionalProperties: false,
    oneOf: [{ required: ["barcode"] }, { required: ["gtin"] }, { required: ["agency", "deviceIdentifier"] }],
  },
);
export type UsageRequest = Static<typeof UsageRequest>;

export const UsageHeaders = IdempotencyHeaders;

export const Usage = Type.Object(
  {
    hospital: Address,
    usageId: Type.String(),
    gtin: Gtin,
    lot: Type.String(),
    serial: Nullable(Type.String()),
    expiry: Nullable(Type.String({ format: "date" })),
    department: Type.String(),
    campus: Nullable(Type.With(Gln, { description: "null while the hospital has no campus" })),
    patientRefHash: Type.String({
      pattern: "^[0-9a-f]{64}$",
      description: "HMAC-SHA256 of the patient reference under the gateway's salt",
    }),
    usedAt: DateTime,
    billingCode: Type.String(),
    billedAmount: Amount,
    quantity: Type.Integer(),
    correctsUsageId: Nullable(Type.String()),
    caseId: Nullable(Type.String()),
    caseGroup: Nullable(Type.String()),
    recordedBy: Address,
  },
  { additionalProperties: false },
);
export type Usage = Static<typeof Usage>;

export const ListUsagesQuery = Type.Object(
  {
    ...PaginationQuery,
    hospital: Type.Optional(
      Type.With(Address, {
        description: "the usages' hospital: a regulator's choice; a hospital's staff see only their own",
      }),
    ),
    gtin: Type.Optional(Gtin),
    lot: Type.Optional(PlainText({ minLength: 1, maxLength: 20 })),
    department: Type.Optional(PlainText({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(Type.With(DateTime, { description: "used at or after this instant" })),
    to: Type.Optional(Type.With(DateTime, { description: "used before this instant (exclusive)" })),
  },
  { additionalProperties: false },
);
export type ListUsagesQuery = Static<typeof ListUsagesQuery>;

/** A page of usages by hospital and usage id (returns and corrections are usages of their own). */
export const UsagePage = PageOf(Usage);
export type UsagePage = Static<typeof UsagePage>;
