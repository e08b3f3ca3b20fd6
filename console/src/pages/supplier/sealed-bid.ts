import { getAddress, hexlify } from "ethers";
import type { Tier } from "../../../../api/tenders";
import { commitment } from "../../../../ledger/acts";

/**
 * A sealed bid: the tiers and the random salt whose hash (ledger/acts.ts `commitment`, the one
 * TenderHouse checks at the reveal) is committed. The salt exists only here: it is kept in this
 * browser (localStorage, by chain, tender house, tender, bidder and commitment) and offered as a file
 * before the commitment is sent, because without it the bid cannot be revealed and its bond is lost.
 */
export interface SealedBid {
  chainId: number;
  tenderHouse: string;
  tenderId: string;
  bidder: string;
  tiers: Tier[];
  salt: string;
  commitment: string;
}

export function sealBid(
  where: { chainId: number; tenderHouse: string },
  tenderId: string,
  bidder: string,
  tiers: Tier[],
): SealedBid {
  const salt = hexlify(crypto.getRandomValues(new Uint8Array(32)));
  return {
    ...where,
    tenderId,
    bidder: getAddress(bidder),
    tiers,
    salt,
    commitment: commitmentOf(tenderId, bidder, tiers, salt),
  };
}

function commitmentOf(tenderId: string, bidder: string, tiers: Tier[], salt: string): string {
  return commitment(BigInt(tenderId), getAddress(bidder), tiers, salt);
}

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

export function bidFileName(bid: SealedBid): string {
  return `bid-tender-${bid.tenderId}-${bid.bidder.toLowerCase()}.json`;
}

export class BidFileError extends Error {}

/**
 * A bid file read back: it must be for this tender and bidder, and its tiers and salt must hash
 * to the commitment it states (a file edited by hand would not reveal).
 */
export function readBidFile(text: string, expected: { tenderId: string; bidder: string }): SealedBid {
  let bid: SealedBid;
  try {
    bid = JSON.parse(text) as SealedBid;
  } catch {
    throw new BidFileError("not JSON");
  }
  if (!bid || !Array.isArray(bid.tiers) || typeof bid.salt !== "string" || typeof bid.bidder !== "string")
    throw new BidFileError("not a bid file");
  if (String(bid.tenderId) !== expected.tenderId) throw new BidFileError(`for tender ${bid.tenderId}`);
  if (bid.bidder.toLowerCase() !== expected.bidder.toLowerCase())
    throw new BidFileError(`for bidder ${bid.bidder}`);
  const tiers = bid.tiers.map((t) => ({ threshold: String(t.threshold), unitPrice: String(t.unitPrice) }));
  const computed = commitmentOf(expected.tenderId, expected.bidder, tiers, bid.salt);
  if (bid.commitment && bid.commitment.toLowerCase() !== computed.toLowerCase())
    throw new BidFileError("its tiers and salt do not match its commitment");
  return { ...bid, tiers, commitment: computed };
}
