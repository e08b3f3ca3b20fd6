import { getAddress, hexlify } from "ethers";
import type { Tier } from "../../../../api/tenders";
import { commitment } from "../../../../ledger/acts";
import type { Translate } from "../../i18n/translate";

/**
 * A sealed bid: the tiers and the random salt whose hash (ledger/acts.ts `commitment`, the one
 * TenderHouse checks at the reveal) is committed. The salt exists only here: it is kept in this
 * browser (kept-bids.ts) and offered as a file before the commitment is sent, because without it
 * the bid cannot be revealed and its bond is lost.
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

export function bidFileName(bid: SealedBid): string {
  return `bid-tender-${bid.tenderId}-${bid.bidder.toLowerCase()}.json`;
}

/** Why a file is not this bid's: `value` names the other tender or bidder it is for. */
export class BidFileError extends Error {
  constructor(
    readonly reason: "notJson" | "notBidFile" | "otherTender" | "otherBidder" | "tampered",
    readonly value = "",
  ) {
    super(value ? `${reason}: ${value}` : reason);
  }
}

/** Why a file is not this bid's, in the reader's language (`t`). */
export function bidFileProblem(error: BidFileError, t: Translate): string {
  return t(`supplier.bid.file.${error.reason}`, { value: error.value });
}

/**
 * A bid file read back: it must be for this tender and bidder, and its tiers and salt must hash
 * to the commitment it states (a file edited by hand would not reveal).
 */
export function readBidFile(text: string, expected: { tenderId: string; bidder: string }): SealedBid {
  let bid: SealedBid;
  try {
    bid = JSON.parse(text) as SealedBid;
  } catch {
    throw new BidFileError("notJson");
  }
  if (!bid || !Array.isArray(bid.tiers) || typeof bid.salt !== "string" || typeof bid.bidder !== "string")
    throw new BidFileError("notBidFile");
  if (String(bid.tenderId) !== expected.tenderId) throw new BidFileError("otherTender", String(bid.tenderId));
  if (bid.bidder.toLowerCase() !== expected.bidder.toLowerCase())
    throw new BidFileError("otherBidder", bid.bidder);
  const tiers = bid.tiers.map((t) => ({ threshold: String(t.threshold), unitPrice: String(t.unitPrice) }));
  const computed = commitmentOf(expected.tenderId, expected.bidder, tiers, bid.salt);
  if (bid.commitment && bid.commitment.toLowerCase() !== computed.toLowerCase())
    throw new BidFileError("tampered");
  return { ...bid, tiers, commitment: computed };
}
