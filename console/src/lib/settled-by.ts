/**
 * Whether a settlement was made by its supplier's own claim (OrderBook.claimSettlement, once the
 * confirmation window had passed) rather than by the hospital's settler.
 */
export function settledByClaim(s: { settledBy: string | null; supplier: string }): boolean {
  return s.settledBy !== null && s.settledBy.toLowerCase() === s.supplier.toLowerCase();
}
