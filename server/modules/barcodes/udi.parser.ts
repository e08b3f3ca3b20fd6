import type { ParsedBarcode } from "../../../api/barcodes";
import type { IssuingAgency } from "../../../ledger/enums";
import { productKeyOf } from "../../../ledger/product-key";
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

/**
 * What the ledger knows a scanned item by — its GTIN, or an MA device identifier's product key —
 * and, for an MA code, the device identifier a supplier must have declared.
 */
export function scannedProduct(parsed: ParsedBarcode): {
  productNumber: string | undefined;
  device?: DeviceIdentifierFields;
} {
  if (parsed.agency !== "MA") return { productNumber: parsed.gtin };
  const device = {
    agency: "MA" as const,
    deviceIdentifier: parsed.deviceIdentifier!,
    productKey: parsed.productKey!,
  };
  return { productNumber: device.productKey, device };
}

/** A device identifier given as fields: the agency's and its ledger product key. */
export interface DeviceIdentifierFields {
  agency: IssuingAgency;
  deviceIdentifier: string;
  productKey: string;
}

/** AHM's syntax is unpublished: printable ASCII without spaces, as SupplierRegistry takes it. */
const OPAQUE_IDENTIFIER = /^[!-~]{1,64}$/;

/**
 * A device identifier typed as fields (agency + identifier) rather than scanned, checked as the
 * ledger checks a declaration (contracts/libraries/DeviceIdentifier.sol): an MA identifier is
 * the five segments of an MA code, with no production identifiers; an AHM one is opaque.
 */
export function deviceIdentifierFields(
  agency: IssuingAgency,
  deviceIdentifier: string,
): DeviceIdentifierFields {
  if (agency === "MA") {
    const parsed = parseMa(deviceIdentifier);
    if (parsed.qualifiers!.length > 0) {
      throw new UdiError(
        "MA (IDcode)",
        "MALFORMED",
        `device identifier ${parsed.deviceIdentifier} is followed by production identifiers: give lot, serial and expiry as their own fields`,
      );
    }
  } else if (!OPAQUE_IDENTIFIER.test(deviceIdentifier) || /^[=+\-@]/.test(deviceIdentifier)) {
    throw new UdiError(
      "AHM (阿里健康)",
      "MALFORMED",
      `device identifier ${JSON.stringify(deviceIdentifier)} must be 1 to 64 printable ASCII characters without spaces, not beginning with = + - or @`,
    );
  }
  return { agency, deviceIdentifier, productKey: productKeyOf(agency, deviceIdentifier) };
}
