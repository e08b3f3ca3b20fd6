import { UsageError } from "./command";

/**
 * A small RFC 4180 reader: comma-separated, double quotes around fields that hold commas,
 * quotes or line breaks (a quote inside doubled), CRLF or LF. The first line is the header;
 * names are trimmed; blank lines are skipped. Each row keeps its line number for messages.
 */

export interface CsvRow {
  [column: string]: string | undefined;
}

export interface Csv {
  header: string[];
  rows: CsvRow[];
  /** Line number (1-based, in the file) of each row. */
  lines: number[];
}

export function parseCsv(text: string, file: string): Csv {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0].trim() === "")) records.push({ fields, line: recordLine });
    fields = [];
    field = "";
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quoted) throw new UsageError(`${file}: line ${recordLine}: a quoted field is not closed`);
  if (field !== "" || fields.length > 0) endRecord();
  if (records.length === 0) throw new UsageError(`${file}: empty, expected a header line`);

  const header = records[0].fields.map((h) => h.trim());
  const rows: CsvRow[] = [];
  const lines: number[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.length > header.length) {
      throw new UsageError(
        `${file}: line ${r.line} has ${r.fields.length} fields, the header ${header.length}`,
      );
    }
    const row: CsvRow = {};
    header.forEach((h, j) => {
      const v = r.fields[j]?.trim();
      if (v !== undefined && v !== "") row[h] = v;
    });
    rows.push(row);
    lines.push(r.line);
  }
  return { header, rows, lines };
}
