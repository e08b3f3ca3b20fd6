import type { LastChange } from "../../api/common";

/**
 * Conversions from the indexer's projection rows (snake_case columns as the driver returns
 * them) to the API's values: NUMERIC amounts as decimal strings, timestamps as ISO 8601.
 */

export type Row = Record<string, unknown>;

export const text = (v: unknown): string => String(v);
export const int = (v: unknown): number => Number(v);
export const iso = (v: unknown): string => new Date(v as string | Date).toISOString();

export const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : text(v));
export const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : int(v));
export const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
/** A DATE column as YYYY-MM-DD, whichever way the driver returns it (PGlite: a local-midnight Date). */
export function isoDateOrNull(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v.slice(0, 10);
  const d = v as Date;
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

/** The transaction and block of the row's latest on-chain change (its last_tx, last_block). */
export const lastChangeOf = (r: Row): LastChange => ({
  txHash: text(r.last_tx),
  blockNumber: int(r.last_block),
});
