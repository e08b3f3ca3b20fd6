/**
 * A serial list as uploaded: a text or CSV file, one serial a line (a CSV's first column), blank
 * lines skipped. Checked as the gateway checks a manifest (server/modules/shipments/
 * manifest.service.ts: 1 to 20 characters, none twice) before the shipment is created, so its
 * on-chain root always has a manifest the gateway accepts.
 */
const MAX_SERIAL_LENGTH = 20;

export type SerialListResult =
  { serials: string[] } | { problem: "empty" | "length" | "duplicate"; serial?: string };

export function readSerialList(text: string): SerialListResult {
  const serials = text
    .split(/\r?\n/)
    .map((line) =>
      line
        .split(",")[0]
        .trim()
        .replace(/^"(.*)"$/, "$1"),
    )
    .filter((s) => s !== "");
  if (serials.length === 0) return { problem: "empty" };
  const seen = new Set<string>();
  for (const s of serials) {
    if (s.length > MAX_SERIAL_LENGTH) return { problem: "length", serial: s };
    if (seen.has(s)) return { problem: "duplicate", serial: s };
    seen.add(s);
  }
  return { serials };
}
