import type { SealedBid } from "./sealed-bid";

/**
 * Sealed bids kept in this browser (localStorage, by chain, tender house, tender, bidder and
 * commitment), so the supplier can reveal without the file.
 */

function storageKey(b: Pick<SealedBid, "chainId" | "tenderHouse" | "tenderId" | "bidder">): string {
  return `sunshine.bid.${b.chainId}.${b.tenderHouse.toLowerCase()}.${b.tenderId}.${b.bidder.toLowerCase()}`;
}

/** The bids sealed here for one tender and bidder, by commitment: sealing anew never loses a committed one's salt. */
function kept(
  where: Pick<SealedBid, "chainId" | "tenderHouse" | "tenderId" | "bidder">,
): Record<string, SealedBid> {
  const raw = localStorage.getItem(storageKey(where));
  return raw ? (JSON.parse(raw) as Record<string, SealedBid>) : {};
}

export function keepBid(bid: SealedBid): void {
  localStorage.setItem(
    storageKey(bid),
    JSON.stringify({ ...kept(bid), [bid.commitment.toLowerCase()]: bid }),
  );
}

/** The bid sealed here whose commitment is `commitment`, if this browser kept it. */
export function keptBid(
  where: Pick<SealedBid, "chainId" | "tenderHouse" | "tenderId" | "bidder">,
  commitment: string,
): SealedBid | null {
  return kept(where)[commitment.toLowerCase()] ?? null;
}
