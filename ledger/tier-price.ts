/**
 * The value the ledger locks for an order, mirrored off chain: TierSchedule.valueOfStored, which
 * AgreementBook.fund runs when an order's last approval funds it. Each unit is priced at the tier
 * its own cumulative position falls in, counted from the units the agreement has already
 * accepted (every hospital's), so an order straddling a threshold is priced piecewise. Fen, as
 * bigints: money never passes through a float. Tested against TierScheduleHarness.
 */

export interface TierLike {
  threshold: string | bigint | number;
  unitPrice: string | bigint | number;
}

/** The units of an order priced at one tier. */
export interface PricedUnits {
  /** 0-based index of the tier in the schedule. */
  tier: number;
  unitPrice: bigint;
  units: bigint;
}

export interface TierPrice {
  value: bigint;
  spans: PricedUnits[];
}

export function tierPrice(tiers: readonly TierLike[], accepted: bigint, quantity: bigint): TierPrice {
  const spans: PricedUnits[] = [];
  let from = accepted;
  const to = accepted + quantity;
  for (let i = 0; i < tiers.length && from < to; i++) {
    // The next tier's threshold ends this one; the last tier never ends.
    const end = i + 1 < tiers.length ? BigInt(tiers[i + 1].threshold) : to;
    if (from >= end) continue;
    const units = (to < end ? to : end) - from;
    spans.push({ tier: i, unitPrice: BigInt(tiers[i].unitPrice), units });
    from += units;
  }
  return { value: spans.reduce((sum, s) => sum + s.units * s.unitPrice, 0n), spans };
}
