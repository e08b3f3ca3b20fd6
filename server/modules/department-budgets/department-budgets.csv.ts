import type { OverspendCase } from "../../../api/department-budgets";
import type { CsvColumn } from "../reconciliation/reconciliation.csv";

/** The overspend report as CSV: one case a line, in the JSON page's order. */
export const OVERSPEND_COLUMNS: readonly CsvColumn<OverspendCase>[] = [
  { header: "usage_id", value: (c) => c.usageId },
  { header: "used_at", value: (c) => c.usedAt },
  { header: "patient_hash_prefix", value: (c) => c.patientRefHashPrefix },
  { header: "gtin", value: (c) => c.gtin },
  { header: "lot", value: (c) => c.lot },
  { header: "serial", value: (c) => c.serial },
  { header: "units", value: (c) => c.units },
  { header: "order_id", value: (c) => c.orderId },
  { header: "value_fen", value: (c) => c.value },
];
