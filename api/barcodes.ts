import { Type, type Static } from "typebox";
import { Gtin } from "./common";

/**
 * POST /v1/barcodes/parse: a device code recognised by its form and parsed by its agency's rules —
 * a GS1 barcode (bracketed, as scanned with GS separators, or a Digital Link URI) validated
 * against the GS1 AI table, or an MA (IDcode) code. Public.
 */

const closed = { additionalProperties: false } as const;

export const ParseBarcodeBody = Type.Object(
  { barcode: Type.String({ minLength: 1, maxLength: 2000 }) },
  closed,
);
export type ParseBarcodeBody = Static<typeof ParseBarcodeBody>;

export const BarcodeForm = Type.Enum(["bracketed", "scanned", "digital-link", "idcode"], {
  type: "string",
  description: "idcode: an MA (IDcode) dotted string; the others are GS1's written forms",
});
export type BarcodeForm = Static<typeof BarcodeForm>;

export const Gs1Element = Type.Object(
  {
    ai: Type.String({ description: "the Application Identifier, e.g. 01" }),
    title: Type.String({ description: "the AI's data title, e.g. GTIN" }),
    value: Type.String({ description: "the value as encoded" }),
    decimal: Type.Optional(
      Type.String({
        description:
          "for AIs with an implied decimal point (weights, measures, amounts): the value as a decimal number",
      }),
    ),
    date: Type.Optional(
      Type.String({
        format: "date",
        description: "for date AIs: the ISO 8601 date, with day 00 resolved to the last day of the month",
      }),
    ),
  },
  closed,
);
export type Gs1Element = Static<typeof Gs1Element>;

export const Gs1Date = Type.Object(
  {
    date: Type.String({
      format: "date",
      description: "ISO 8601; day 00 resolved to the last day of the month",
    }),
    printed: Type.String({ description: "the YYMMDD (MA: or YYYYMMDD) as encoded" }),
  },
  closed,
);
export type Gs1Date = Static<typeof Gs1Date>;

/** An MA (IDcode) production-identifier element: "." + one qualifier letter + its value. */
export const MaQualifier = Type.Object(
  {
    qualifier: Type.String({ description: "the qualifier letter, e.g. L (lot), E (expiry)" }),
    title: Type.String({ description: 'what the qualifier means, or "unknown"' }),
    value: Type.String({ description: "the value as encoded" }),
    date: Type.Optional(
      Type.String({ format: "date", description: "for date qualifiers: the ISO 8601 date" }),
    ),
  },
  closed,
);
export type MaQualifier = Static<typeof MaQualifier>;

export const ParsedBarcode = Type.Object(
  {
    agency: Type.Enum(["GS1", "MA"], {
      type: "string",
      description: "the issuing agency, recognised by the form",
    }),
    form: BarcodeForm,
    symbology: Type.Optional(
      Type.String({ description: 'the symbology identifier that prefixed scanned data, e.g. "]d2"' }),
    ),
    symbologyName: Type.Optional(Type.String()),
    gtin: Type.Optional(Type.With(Gtin, { description: "GTIN-14 from AI (01)" })),
    deviceIdentifier: Type.Optional(
      Type.String({ description: "the device identifier (UDI-DI): GS1's GTIN, or MA's first five segments" }),
    ),
    productKey: Type.Optional(
      Type.String({
        pattern: "^[0-9]{15,20}$",
        description:
          "the number the ledger knows a non-GS1 device identifier by (≥ 10^14, never a GTIN), once a supplier declared it",
      }),
    ),
    lot: Type.Optional(Type.String({ description: "from AI (10), or MA's .L" })),
    serial: Type.Optional(Type.String({ description: "from AI (21), or MA's .S" })),
    expiry: Type.Optional(Type.With(Gs1Date, { description: "from AI (17), or MA's .E (else .V)" })),
    productionDate: Type.Optional(Type.With(Gs1Date, { description: "from AI (11), or MA's .M (else .P)" })),
    elements: Type.Array(Gs1Element, {
      description:
        "every GS1 AI in order of appearance; a repeated AI with the same value is listed once (empty for MA)",
    }),
    qualifiers: Type.Optional(
      Type.Array(MaQualifier, { description: "MA: every production-identifier element in order" }),
    ),
    warnings: Type.Optional(
      Type.Array(Type.String(), {
        description: "what was kept but could not be checked (MA: the check character, unknown qualifiers)",
      }),
    ),
  },
  closed,
);
export type ParsedBarcode = Static<typeof ParsedBarcode>;

/**
 * An item of another UDI agency typed as fields: the agency and its device identifier, with the
 * lot, serial and expiry in their own fields. AHM (阿里健康) codes are entered this way only:
 * their syntax is not published, so the gateway does not parse them (README, "Codes beyond GS1").
 */
export const DeviceIdentifierFields = {
  agency: Type.Optional(
    Type.Enum(["MA", "AHM"], { type: "string", description: "the issuing agency of `deviceIdentifier`" }),
  ),
  deviceIdentifier: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        "the device identifier (UDI-DI) as its agency issued it, declared on the ledger by a supplier",
    }),
  ),
};
