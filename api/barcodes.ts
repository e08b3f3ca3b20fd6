import { Type, type Static } from "typebox";
import { Gtin } from "./common";

/**
 * POST /v1/barcodes/parse: a GS1 barcode (bracketed, as scanned with GS separators, or a
 * Digital Link URI) parsed and validated against the GS1 AI table. Public.
 */

const closed = { additionalProperties: false } as const;

export const ParseBarcodeBody = Type.Object(
  { barcode: Type.String({ minLength: 1, maxLength: 2000 }) },
  closed,
);
export type ParseBarcodeBody = Static<typeof ParseBarcodeBody>;

export const BarcodeForm = Type.Enum(["bracketed", "scanned", "digital-link"], { type: "string" });
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
    printed: Type.String({ description: "the YYMMDD as encoded" }),
  },
  closed,
);
export type Gs1Date = Static<typeof Gs1Date>;

export const ParsedBarcode = Type.Object(
  {
    form: BarcodeForm,
    symbology: Type.Optional(
      Type.String({ description: 'the symbology identifier that prefixed scanned data, e.g. "]d2"' }),
    ),
    symbologyName: Type.Optional(Type.String()),
    gtin: Type.Optional(Type.With(Gtin, { description: "GTIN-14 from AI (01)" })),
    lot: Type.Optional(Type.String({ description: "from AI (10)" })),
    serial: Type.Optional(Type.String({ description: "from AI (21)" })),
    expiry: Type.Optional(Type.With(Gs1Date, { description: "from AI (17)" })),
    productionDate: Type.Optional(Type.With(Gs1Date, { description: "from AI (11)" })),
    elements: Type.Array(Gs1Element, {
      description: "every AI in order of appearance; a repeated AI with the same value is listed once",
    }),
  },
  closed,
);
export type ParsedBarcode = Static<typeof ParsedBarcode>;
