/**
 * What a command prints: a record (one thing, as `key  value` lines) or a list (rows as an
 * aligned table). `--json` prints the same data as JSON instead, bigints as decimal strings.
 */

export type Row = Record<string, unknown>;

export type Result = (
  | { kind: "record"; data: Row }
  | {
      kind: "list";
      rows: Row[];
      /** Table columns, in order; by default the keys of the first row. */
      columns?: string[];
      /** Printed instead of an empty table. */
      empty?: string;
    }
  /** Printed one after the other, a blank line between. */
  | { kind: "sections"; sections: Result[] }
  /** A document printed as JSON even without --json (e.g. EPCIS). */
  | { kind: "document"; data: unknown }
  /** One value printed alone, for a shell's $(…); --json prints `json`. */
  | { kind: "text"; text: string }
) & {
  /** What `--json` prints, when not the record or the rows. */
  json?: unknown;
  /** Exit code after printing (a verification that failed prints its findings, then exits 1). */
  exitCode?: number;
};

export function record(data: Row): Result {
  return { kind: "record", data };
}

export function list(
  rows: Row[],
  options: { columns?: string[]; empty?: string; json?: unknown } = {},
): Result {
  return { kind: "list", rows, ...options };
}

/** Plain JSON data: bigints as strings, Dates as ISO strings. */
export function toJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  return value;
}

/** One cell or value as text: scalars as they are, arrays of scalars comma-joined, the rest as JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== "object")) {
    return value.length ? value.map(cell).join(", ") : "-";
  }
  return JSON.stringify(toJson(value));
}

/** An aligned table: a header row, a rule, then one line per row. */
export function renderTable(rows: Row[], columns = Object.keys(rows[0] ?? {})): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c]).replace(/\s*\n\s*/g, " ")));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n") + "\n";
}

/** `key  value` lines with the keys aligned. */
export function renderRecord(data: Row): string {
  const entries = Object.entries(data).filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`).join("\n") + "\n";
}

export function render(result: Result, json: boolean): string {
  if (json || result.kind === "document") {
    const data =
      result.json ??
      (result.kind === "record" || result.kind === "document"
        ? result.data
        : result.kind === "list"
          ? result.rows
          : result.kind === "text"
            ? result.text
            : null);
    return JSON.stringify(toJson(data), null, 2) + "\n";
  }
  if (result.kind === "record") return renderRecord(result.data);
  if (result.kind === "sections") return result.sections.map((s) => render(s, false)).join("\n");
  if (result.kind === "text") return `${result.text}\n`;
  if (result.rows.length === 0) return `${result.empty ?? "(none)"}\n`;
  return renderTable(result.rows, result.columns);
}
