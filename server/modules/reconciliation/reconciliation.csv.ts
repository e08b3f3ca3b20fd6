import { stringify } from "csv-stringify/sync";
import type {
  FulfilmentHospital,
  FulfilmentReport,
  OverduePayment,
  RecallExposure,
  ReconciliationRow,
} from "./reconciliation.service";

/**
 * CSV exports of the reports, for the regulator's spreadsheets: RFC 4180 by csv-stringify (a
 * header row, CRLF line ends, a field quoted when it holds a comma, quote, CR or LF, quotes
 * doubled inside). Nested evidence goes in one column as JSON, so no finding is lost in the
 * flattening.
 *
 * Every cell is made inert for spreadsheets (OWASP "CSV injection"): a lot, department or receipt
 * number comes from a supplier's or hospital's input, and one beginning with =, +, -, @, tab or
 * CR would run as a formula when the regulator opens the file; such a cell gets a leading '.
 * A cell that is wholly a decimal number ("-5", an amount or a count) is left as it is: a
 * spreadsheet reads it as that number, never as a formula, and quoting it would turn the
 * figures into text that no longer sums. This is decided by the cell's content, not its column,
 * so a text column holding "-5" is just as safe and a numeric column can never smuggle "-1+1".
 */

export type CsvValue = string | number | bigint | boolean | null | undefined;

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvValue;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

export function toCsv<T>(rows: readonly T[], columns: readonly CsvColumn<T>[]): string {
  return stringify([columns.map((c) => c.header), ...rows.map((row) => columns.map((c) => c.value(row)))], {
    record_delimiter: "windows",
    // A lone CR or LF must be quoted too; by default only the record delimiter (CRLF) is.
    quoted_match: /[\r\n]/,
    cast: {
      string: inert,
      number: (n) => inert(String(n)),
      bigint: (n) => inert(String(n)),
      boolean: String,
    },
  });
}

/** `text` as a spreadsheet shows it literally. */
export function inert(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

export const RECONCILIATION_COLUMNS: readonly CsvColumn<ReconciliationRow>[] = [
  { header: "hospital", value: (r) => r.hospital },
  { header: "gtin", value: (r) => r.gtin },
  { header: "lot", value: (r) => r.lot },
  { header: "expiry", value: (r) => r.expiry },
  { header: "ordered", value: (r) => r.ordered },
  { header: "shipped", value: (r) => r.shipped },
  { header: "accepted", value: (r) => r.accepted },
  { header: "rejected", value: (r) => r.rejected },
  { header: "used", value: (r) => r.used },
  { header: "returned", value: (r) => r.returned },
  { header: "sent_out", value: (r) => r.sentOut },
  { header: "billed_quantity", value: (r) => r.billedQuantity },
  { header: "billed_amount", value: (r) => r.billedAmount },
  { header: "on_hand", value: (r) => r.onHand },
  { header: "flags", value: (r) => r.flags.map((f) => f.code).join(";") },
  { header: "evidence", value: (r) => (r.flags.length === 0 ? "" : JSON.stringify(r.flags)) },
];

/** A fulfilment row with its agreement, one per hospital. */
export interface FulfilmentCsvRow extends FulfilmentHospital {
  agreementId: string;
  endAt: string;
  daysRemaining: number;
}

export function fulfilmentCsvRows(report: FulfilmentReport): FulfilmentCsvRow[] {
  return report.hospitals.map((h) => ({
    agreementId: report.agreementId,
    endAt: report.endAt,
    daysRemaining: report.daysRemaining,
    ...h,
  }));
}

export const FULFILMENT_COLUMNS: readonly CsvColumn<FulfilmentCsvRow>[] = [
  { header: "agreement_id", value: (r) => r.agreementId },
  { header: "hospital", value: (r) => r.hospital },
  { header: "committed", value: (r) => r.committed },
  { header: "ordered", value: (r) => r.ordered },
  { header: "accepted", value: (r) => r.accepted },
  { header: "ordered_percent", value: (r) => r.orderedPercent },
  { header: "accepted_percent", value: (r) => r.acceptedPercent },
  { header: "remaining", value: (r) => r.remaining },
  { header: "end_at", value: (r) => r.endAt },
  { header: "days_remaining", value: (r) => r.daysRemaining },
  { header: "per_day", value: (r) => r.perDay },
  { header: "per_30_days", value: (r) => r.per30Days },
];

export const OVERDUE_COLUMNS: readonly CsvColumn<OverduePayment>[] = [
  { header: "shipment_id", value: (r) => r.shipmentId },
  { header: "order_id", value: (r) => r.orderId },
  { header: "hospital", value: (r) => r.hospital },
  { header: "supplier", value: (r) => r.supplier },
  { header: "receipt_no", value: (r) => r.receiptNo },
  { header: "gtin", value: (r) => r.gtin },
  { header: "lot", value: (r) => r.lot },
  { header: "accepted", value: (r) => r.accepted },
  { header: "accepted_at", value: (r) => r.acceptedAt },
  { header: "days_outstanding", value: (r) => r.daysOutstanding },
  { header: "fund_share_fen", value: (r) => r.fundShare },
  { header: "holds", value: (r) => r.holds.map((h) => h.code).join(";") },
  { header: "hold_details", value: (r) => JSON.stringify(r.holds) },
];

/** One row per hospital × department that used the lot; a hospital with no use gets one row. */
export interface ExposureCsvRow {
  gtin: string;
  lot: string;
  recalledAt: string | null;
  hospital: string;
  received: string;
  accepted: string;
  sentOut: string;
  onHand: string;
  department: string | null;
  usages: number | null;
  patients: number | null;
  used: string | null;
  returned: string | null;
  usedAfterRecall: string | null;
}

export function exposureCsvRows(report: RecallExposure): ExposureCsvRow[] {
  return report.hospitals.flatMap((h): ExposureCsvRow[] => {
    const base = {
      gtin: report.gtin,
      lot: report.lot,
      recalledAt: report.recall?.recalledAt ?? null,
      hospital: h.hospital,
      received: h.received,
      accepted: h.accepted,
      sentOut: h.sentOut,
      onHand: h.onHand,
    };
    if (h.departments.length === 0) {
      return [
        {
          ...base,
          department: null,
          usages: null,
          patients: null,
          used: null,
          returned: null,
          usedAfterRecall: null,
        },
      ];
    }
    return h.departments.map((d) => ({ ...base, ...d }));
  });
}

export const EXPOSURE_COLUMNS: readonly CsvColumn<ExposureCsvRow>[] = [
  { header: "gtin", value: (r) => r.gtin },
  { header: "lot", value: (r) => r.lot },
  { header: "recalled_at", value: (r) => r.recalledAt },
  { header: "hospital", value: (r) => r.hospital },
  { header: "received", value: (r) => r.received },
  { header: "accepted", value: (r) => r.accepted },
  { header: "sent_out", value: (r) => r.sentOut },
  { header: "on_hand", value: (r) => r.onHand },
  { header: "department", value: (r) => r.department },
  { header: "usages", value: (r) => r.usages },
  { header: "patients", value: (r) => r.patients },
  { header: "used", value: (r) => r.used },
  { header: "returned", value: (r) => r.returned },
  { header: "used_after_recall", value: (r) => r.usedAfterRecall },
];
