import { CsvError, parse, type Info } from "csv-parse/sync";
import { UsageError } from "./command";

/**
 * CSV input files (RFC 4180, read by csv-parse): the first line is the header; names and values
 * are trimmed, an empty value counts as absent, blank lines are skipped, and a row may be shorter
 * than the header but not longer. Each row keeps its line number for messages.
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
  let records: { record: string[]; info: Info }[];
  try {
    // One line break style, so csv-parse counts a CRLF inside a quoted field as one line.
    records = parse(text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"), {
      trim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      info: true,
      // csv-parse's types do not model `info: true`, which wraps each record with its Info.
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  if (records.length === 0) throw new UsageError(`${file}: empty, expected a header line`);

  const header = records[0].record;
  const rows: CsvRow[] = [];
  const lines: number[] = [];
  for (const { record, info } of records.slice(1)) {
    // csv-parse counts lines up to the record's end; a quoted field may span several.
    const line = info.lines - record.join("").split("\n").length + 1;
    if (record.length > header.length) {
      throw new UsageError(`${file}: line ${line} has ${record.length} fields, the header ${header.length}`);
    }
    const row: CsvRow = {};
    header.forEach((name, j) => {
      if (record[j] !== undefined && record[j] !== "") row[name] = record[j];
    });
    rows.push(row);
    lines.push(line);
  }
  return { header, rows, lines };
}
