import type { ClaimsReport, RiskLine } from "../../../api/claims";
import type { CsvColumn } from "../reconciliation/reconciliation.csv";

/** The claim audit as one table: each group row, outlier case and rare high-value use, by kind. */
export interface ClaimsCsvRow {
  kind: "group" | "outlier" | "rare-high-value";
  hospital: string;
  month: string;
  caseGroup: string;
  caseId: string;
  item: string;
  cases: number | "";
  units: number | "";
  amount: string;
  groupCases: number | "";
  reference: string;
}

export function claimsCsvRows(r: ClaimsReport): ClaimsCsvRow[] {
  return [
    ...r.groups.map((g): ClaimsCsvRow => ({
      kind: "group",
      hospital: g.hospital,
      month: g.month,
      caseGroup: g.caseGroup,
      caseId: "",
      item: "",
      cases: g.cases,
      units: "",
      amount: g.cost,
      groupCases: "",
      reference: g.meanPerCase,
    })),
    ...r.outliers.map((o): ClaimsCsvRow => ({
      kind: "outlier",
      hospital: o.hospital,
      month: o.month,
      caseGroup: o.caseGroup,
      caseId: o.caseId,
      item: "",
      cases: "",
      units: o.units,
      amount: o.cost,
      groupCases: o.groupCases,
      reference: o.groupP95,
    })),
    ...r.rareHighValue.map((u): ClaimsCsvRow => ({
      kind: "rare-high-value",
      hospital: u.hospital,
      month: u.month,
      caseGroup: u.caseGroup,
      caseId: u.caseId,
      item: u.gtin,
      cases: "",
      units: u.units,
      amount: u.billed,
      groupCases: u.groupCases,
      reference: String(u.groupCasesWithItem),
    })),
  ];
}

export const CLAIMS_COLUMNS: readonly CsvColumn<ClaimsCsvRow>[] = [
  { header: "kind", value: (r) => r.kind },
  { header: "hospital", value: (r) => r.hospital },
  { header: "month", value: (r) => r.month },
  { header: "case_group", value: (r) => r.caseGroup },
  { header: "case_id", value: (r) => r.caseId },
  { header: "item", value: (r) => r.item },
  { header: "cases", value: (r) => r.cases },
  { header: "units", value: (r) => r.units },
  // group: the cost of its cases; outlier: the case's cost; rare-high-value: billed for the item.
  { header: "amount_fen", value: (r) => r.amount },
  { header: "group_cases", value: (r) => r.groupCases },
  // group: mean per case (fen); outlier: the group's 95th percentile (fen); rare-high-value: the
  // group's cases billed the item.
  { header: "reference", value: (r) => r.reference },
];

export const RISK_COLUMNS: readonly CsvColumn<RiskLine>[] = [
  { header: "hospital", value: (l) => l.hospital },
  { header: "code", value: (l) => l.code },
  { header: "count", value: (l) => l.count },
  { header: "usages", value: (l) => l.usages },
  { header: "units", value: (l) => l.units },
  { header: "amount_fen", value: (l) => l.amount },
];
