import type { Lot } from "../../../api/trail";

/** Small conversions of the repository's rows (ids and NUMERIC as strings, TIMESTAMPTZ as Date). */

export const iso = (v: Date | string): string => new Date(v).toISOString();
export const isoOrNull = (v: Date | string | null): string | null => (v === null ? null : iso(v));
export const str = (v: unknown): string => String(v);

export function unique(values: string[]): string[] {
  return [...new Set(values)];
}

export function uniqueBy<T>(values: T[], key: (value: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const v of values) if (!seen.has(key(v))) seen.set(key(v), v);
  return [...seen.values()];
}

/** The lots of some shipments, each once, in the shipments' order. */
export function distinctLots(shipments: Lot[]): Lot[] {
  return uniqueBy(
    shipments.map((s) => ({ gtin: s.gtin, lot: s.lot })),
    (l) => `${l.gtin}/${l.lot}`,
  );
}
