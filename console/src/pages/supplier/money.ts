/** Fen from what a person types in yuan ("1234", "1,234.5", "1234.56"); null if it is no amount. */
export function fenFromYuan(text: string): bigint | null {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim().replace(/,/g, ""));
  if (!m) return null;
  return BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0"));
}

/** Fen as yuan for an input field: "1234.50". */
export function yuanInput(fen: bigint): string {
  return `${fen / 100n}.${(fen % 100n).toString().padStart(2, "0")}`;
}
