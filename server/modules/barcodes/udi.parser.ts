import type { ParsedBarcode } from "../../../api/barcodes";
import { parseGs1, type ParseOptions } from "./gs1.parser";
import { isMaCode, parseMa } from "./ma.parser";
import { UdiError } from "./udi.errors";

/**
 * The front door for a scanned device code: recognises the issuing agency by the code's form and
 * parses it with that agency's rules. MA (IDcode) codes start "MA."; CAICT's industrial-internet
 * identifiers ("88.node.enterprise/suffix") are refused as not UDIs; everything else is GS1's
 * (whose parser names what it expected). The third agency, AHM (阿里健康), has no published
 * syntax we could confirm, so its codes are not parsed: they are entered as fields (README).
 */

/** Symbology identifiers of the plain (non-GS1) QR Code and Data Matrix that carry such text. */
const PLAIN_SYMBOLOGIES: Record<string, string> = { "]Q1": "QR Code", "]d1": "Data Matrix" };
const INDUSTRIAL_INTERNET = /^88\.[0-9]+(\.[0-9A-Za-z]+)*\/\S+$/;

export function parseUdi(input: string, opts: ParseOptions = {}): ParsedBarcode {
  const text = input.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
  const symbology = PLAIN_SYMBOLOGIES[text.slice(0, 3)];
  const data = symbology === undefined ? text : text.slice(3);
  if (isMaCode(data)) {
    const parsed = parseMa(data);
    return symbology === undefined
      ? parsed
      : { ...parsed, symbology: text.slice(0, 3), symbologyName: symbology };
  }
  if (INDUSTRIAL_INTERNET.test(data)) {
    throw new UdiError(
      "industrial-internet identifier",
      "NOT_UDI",
      `${data.split("/")[0]}/… is a CAICT industrial-internet (88.) identifier, not a medical-device UDI`,
    );
  }
  const parsed = parseGs1(input, opts);
  // A GS1 code's device identifier is its GTIN.
  return parsed.gtin === undefined
    ? { agency: "GS1", ...parsed }
    : { agency: "GS1", ...parsed, deviceIdentifier: parsed.gtin };
}
