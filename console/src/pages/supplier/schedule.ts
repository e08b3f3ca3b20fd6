import type { Tier } from "../../../../api/tenders";

/**
 * A price schedule's first defect, named as TenderHouse's TierSchedule.Defect names it, or null.
 * Checked before a bid is sealed: the ledger checks it only at the reveal, when a defective bid
 * can no longer be changed and its bond is lost.
 */
export type ScheduleDefect =
  | "TierCount"
  | "FirstThresholdNotZero"
  | "AboveReserve"
  | "ThresholdNotIncreasing"
  | "PriceIncreasing"
  | "ValueTooLarge"
  | "ZeroPrice";

// contracts/libraries/TierSchedule.sol: MAX_TIERS, MAX_THRESHOLD (uint32), MAX_PRICE (uint48).
const MAX_TIERS = 8;
const MAX_THRESHOLD = 2n ** 32n - 1n;
const MAX_PRICE = 2n ** 48n - 1n;

export function scheduleDefect(tiers: Tier[], reservePrice: string): ScheduleDefect | null {
  if (tiers.length === 0 || tiers.length > MAX_TIERS) return "TierCount";
  const t = tiers.map((x) => ({ threshold: BigInt(x.threshold), unitPrice: BigInt(x.unitPrice) }));
  if (t[0].threshold !== 0n) return "FirstThresholdNotZero";
  if (t[0].unitPrice > BigInt(reservePrice)) return "AboveReserve";
  if (t[0].unitPrice > MAX_PRICE) return "ValueTooLarge";
  for (let i = 1; i < t.length; i++) {
    if (t[i].threshold <= t[i - 1].threshold) return "ThresholdNotIncreasing";
    if (t[i].unitPrice > t[i - 1].unitPrice) return "PriceIncreasing";
    if (t[i].threshold > MAX_THRESHOLD) return "ValueTooLarge";
  }
  if (t[t.length - 1].unitPrice === 0n) return "ZeroPrice";
  return null;
}

/** The tier a volume is priced at: the last whose threshold it has reached. */
export function currentTier(tiers: Tier[], volume: string): number {
  let index = 0;
  tiers.forEach((tier, i) => {
    if (BigInt(volume) >= BigInt(tier.threshold)) index = i;
  });
  return index;
}
