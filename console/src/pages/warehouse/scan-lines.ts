import type { ParsedBarcode } from "../../../../api/barcodes";
import type { ReceiptLineRequest } from "../../../../api/receipts";
import type { Shipment } from "../../../../api/shipments";

/**
 * The dock's scanned lines and what the page can tell about each before the receipt is sent:
 * the same rules the gateway's match applies (GTIN, lot and expiry equal the shipment's, each
 * serial in its manifest and scanned once), so a mismatch is seen — and can be removed or
 * rejected — at the dock rather than discovered as an exception afterwards.
 */

export interface ScanLine {
  /** Stable across removals (a table key); the receipt numbers its lines 1.. in order. */
  key: number;
  /** As the scanner typed it, GS separators (ASCII 29) included. */
  raw: string;
  parsed?: ParsedBarcode;
  /** Why POST /v1/barcodes/parse refused it. */
  parseError?: string;
  /** The manifest check of the serial: undefined while it runs or when there is none to run. */
  manifest?: "listed" | "not-listed" | { error: string };
  rejectReason: string | null;
}

export type FlagCode =
  | "UNREADABLE"
  | "NO_GTIN"
  | "NO_LOT"
  | "NO_EXPIRY"
  | "NO_SERIAL"
  | "GTIN_MISMATCH"
  | "LOT_MISMATCH"
  | "EXPIRY_MISMATCH"
  | "SERIAL_NOT_IN_MANIFEST"
  | "MANIFEST_MISSING"
  | "DUPLICATE"
  | "CHECK_FAILED";

export interface Flag {
  code: FlagCode;
  value?: string;
  expected?: string;
  message?: string;
}

/** The ASCII group separator a GS1 scan carries between variable-length fields. */
export const GS = "\u001d";

/** A scan as a person reads it: the invisible separator shown as ⟨GS⟩. */
export function printable(raw: string): string {
  return raw.split(GS).join("⟨GS⟩");
}

/**
 * The shipment's expiry as the GS1 calendar date its items carry (AI 17), YYYY-MM-DD, to compare
 * with a scan's: the UTC date of the ledger's expiry instant, as the gateway's match compares
 * them (on screen it reads through useFormat's calendarDate, the same date).
 */
function shipmentExpiryDate(shipment: Shipment): string {
  return new Date(shipment.expiry).toISOString().slice(0, 10);
}

/**
 * The ledger product a scan names: its GTIN, or — for another agency's code (MA) — the product key
 * its device identifier is known by on the ledger, which the shipment then carries as its gtin.
 */
export function productOf(p: ParsedBarcode): string | undefined {
  return p.gtin ?? p.productKey;
}

/** Whether the line's own checks are still running (parse, then the manifest look-up). */
export function isChecking(line: ScanLine, shipment: Shipment): boolean {
  if (!line.parsed && line.parseError === undefined) return true;
  return needsManifestCheck(line, shipment) && line.manifest === undefined;
}

export function needsManifestCheck(line: ScanLine, shipment: Shipment): boolean {
  return line.parsed?.serial !== undefined && shipment.manifestSerials !== null;
}

/** What is wrong with `lines[index]` against the shipment and the lines before it. */
export function flagsOf(lines: readonly ScanLine[], index: number, shipment: Shipment): Flag[] {
  const line = lines[index];
  if (line.parseError !== undefined) return [{ code: "UNREADABLE", message: line.parseError }];
  const p = line.parsed;
  if (!p) return [];
  const flags: Flag[] = [];
  const product = productOf(p);
  if (product === undefined) flags.push({ code: "NO_GTIN" });
  else if (product !== shipment.gtin)
    flags.push({ code: "GTIN_MISMATCH", value: product, expected: shipment.gtin });
  if (p.lot === undefined) flags.push({ code: "NO_LOT" });
  else if (p.lot !== shipment.lot) flags.push({ code: "LOT_MISMATCH", value: p.lot, expected: shipment.lot });
  const expiry = shipmentExpiryDate(shipment);
  if (p.expiry === undefined) flags.push({ code: "NO_EXPIRY" });
  else if (p.expiry.date !== expiry)
    flags.push({ code: "EXPIRY_MISMATCH", value: p.expiry.date, expected: expiry });
  if (p.serial === undefined) {
    if (shipment.manifestSerials !== null) flags.push({ code: "NO_SERIAL" });
  } else if (shipment.manifestSerials === null) {
    flags.push({ code: "MANIFEST_MISSING", value: p.serial });
  } else if (line.manifest === "not-listed") {
    flags.push({ code: "SERIAL_NOT_IN_MANIFEST", value: p.serial });
  } else if (typeof line.manifest === "object") {
    flags.push({ code: "CHECK_FAILED", message: line.manifest.error });
  }
  const twin = lines.findIndex((other, i) => i < index && sameUnit(other, line));
  if (twin >= 0) flags.push({ code: "DUPLICATE", value: String(twin + 1) });
  return flags;
}

/** Two scans of one unit: the same product and serial, or (without a serial) the same scan. */
function sameUnit(a: ScanLine, b: ScanLine): boolean {
  if (a.parsed?.serial !== undefined && b.parsed?.serial !== undefined)
    return a.parsed.serial === b.parsed.serial && productOf(a.parsed) === productOf(b.parsed);
  return a.raw === b.raw;
}

/**
 * Lines the gateway would refuse outright (400 RECEIPT_LINE_INVALID or BARCODE_INVALID) rather
 * than match: unreadable, not yet checked, or missing what a lot-controlled item must carry.
 */
export function blocksSubmit(lines: readonly ScanLine[], index: number, shipment: Shipment): boolean {
  if (isChecking(lines[index], shipment)) return true;
  const blocking: FlagCode[] = ["UNREADABLE", "NO_GTIN", "NO_LOT", "NO_EXPIRY", "NO_SERIAL"];
  return flagsOf(lines, index, shipment).some((f) => blocking.includes(f.code));
}

/** The receipt's line for a scanned unit: the scan itself, one unit, rejected or not. */
export function receiptLine(line: ScanLine): ReceiptLineRequest {
  return line.rejectReason === null
    ? { barcode: line.raw, quantity: 1 }
    : { barcode: line.raw, quantity: 1, rejected: 1, rejectReason: line.rejectReason };
}
