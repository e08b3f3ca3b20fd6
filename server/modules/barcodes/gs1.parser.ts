import type { BarcodeForm, Gs1Element, ParsedBarcode } from "../../../api/barcodes";
import { isDigitalLinkUri, splitDigitalLink } from "./gs1.digital-link";
import { GS, splitBracketed, splitScanned } from "./gs1.element-strings";
import { Gs1Error } from "./gs1.errors";
import { RawElement, checkCombination, validateElement } from "./gs1.validate";

export { gtinCheckDigit, isValidGln, isValidGtin } from "./gs1.check-digit";
export { Gs1Error } from "./gs1.errors";
export type { Gs1ErrorCode } from "./gs1.errors";
// The parse result is the API's (POST /v1/barcodes/parse answers it with the agency added).
export type ParsedGs1 = Omit<ParsedBarcode, "agency">;
export type { BarcodeForm, Gs1Element };

export interface ParseOptions {
  /** Reference date for resolving two-digit years; defaults to the current date. */
  now?: Date;
}

interface Symbology {
  name: string;
  /** Whether the symbology carries GS1 element strings (FNC1 mode) or plain data such as a URI. */
  elementStrings: boolean;
}

const SYMBOLOGIES: Record<string, Symbology> = {
  "]C1": { name: "GS1-128", elementStrings: true },
  "]d2": { name: "GS1 DataMatrix", elementStrings: true },
  "]Q3": { name: "GS1 QR Code", elementStrings: true },
  "]e0": { name: "GS1 DataBar", elementStrings: true },
  "]J1": { name: "GS1 DotCode", elementStrings: true },
  // Digital Link URIs are encoded in plain (non-GS1) Data Matrix and QR Code symbols.
  "]d1": { name: "Data Matrix", elementStrings: false },
  "]Q1": { name: "QR Code", elementStrings: false },
};

function dateOf(element: Gs1Element | undefined): { date: string; printed: string } | undefined {
  return element?.date === undefined ? undefined : { date: element.date, printed: element.value };
}

function build(
  form: BarcodeForm,
  raw: Iterable<RawElement>,
  now: Date,
  symbology?: { id: string; name: string },
): ParsedGs1 {
  const validated: Gs1Element[] = [];
  for (const element of raw) validated.push(validateElement(element, now));
  const elements = checkCombination(validated);
  const find = (ai: string) => elements.find((element) => element.ai === ai);

  const parsed: ParsedGs1 = { form, elements };
  if (symbology) {
    parsed.symbology = symbology.id;
    parsed.symbologyName = symbology.name;
  }
  const gtin = find("01")?.value;
  const lot = find("10")?.value;
  const serial = find("21")?.value;
  const expiry = dateOf(find("17"));
  const productionDate = dateOf(find("11"));
  if (gtin !== undefined) parsed.gtin = gtin;
  if (lot !== undefined) parsed.lot = lot;
  if (serial !== undefined) parsed.serial = serial;
  if (expiry) parsed.expiry = expiry;
  if (productionDate) parsed.productionDate = productionDate;
  return parsed;
}

/**
 * Parses GS1 barcode data in any of its written forms: bracketed "(01)…(17)…", data as transmitted by a
 * scanner (optional symbology identifier, GS separators), or a GS1 Digital Link URI. Every element is
 * validated against the GS1 AI table; the first problem found is thrown as a Gs1Error.
 */
export function parseGs1(input: string, opts: ParseOptions = {}): ParsedGs1 {
  const now = opts.now ?? new Date();
  // Keyboard-wedge scanners append CR/LF; spaces are never part of GS1 data at either end.
  const text = input.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
  if (text === "" || [...text].every((ch) => ch === GS)) {
    throw new Gs1Error("EMPTY_BARCODE", "the barcode data is empty");
  }

  if (text.startsWith("]")) {
    const id = text.slice(0, 3);
    const symbology = SYMBOLOGIES[id];
    if (!symbology) {
      throw new Gs1Error(
        "MALFORMED_BARCODE",
        `symbology identifier ${JSON.stringify(id)} does not denote a symbology that carries GS1 data`,
        { symbology: id },
      );
    }
    const data = text.slice(3);
    if (data === "" || [...data].every((ch) => ch === GS)) {
      throw new Gs1Error("EMPTY_BARCODE", `the barcode holds only the symbology identifier ${id}`, {
        symbology: id,
      });
    }
    const source = { id, name: symbology.name };
    if (symbology.elementStrings) return build("scanned", splitScanned(data, 3), now, source);
    if (isDigitalLinkUri(data)) return build("digital-link", splitDigitalLink(data), now, source);
    throw new Gs1Error(
      "MALFORMED_BARCODE",
      `a ${symbology.name} symbol (${id}) carries GS1 data only as a Digital Link URI, which this is not`,
      { symbology: id },
    );
  }
  if (isDigitalLinkUri(text)) return build("digital-link", splitDigitalLink(text), now);
  if (text.startsWith("(")) return build("bracketed", splitBracketed(text), now);
  if (/^[0-9\x1d]/.test(text)) return build("scanned", splitScanned(text, 0), now);
  throw new Gs1Error(
    "MALFORMED_BARCODE",
    'unrecognised barcode data: expected "(AI)value" pairs, element strings as scanned, or a GS1 Digital Link URI',
  );
}
