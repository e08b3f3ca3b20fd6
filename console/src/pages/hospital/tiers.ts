import type { Tier } from "../../../../api/tenders";

/**
 * How an agreement prices an order, the way the ledger does (TierSchedule.valueOfStored): each
 * unit at the unit price of the tier its own cumulative position falls in, counted from the
 * units the agreement has already accepted (every hospital's). An order straddling a threshold
 * is priced piecewise. In fen, as bigints: money never passes through a float.
 */

export interface PricedSpan {
  /** 0-based index of the tier in the schedule. */
  tier: number;
  threshold: bigint;
  /** The next tier's threshold (where this one ends), or null for the last tier. */
  until: bigint | null;
  unitPrice: bigint;
  /** Cumulative positions from (inclusive) and to (exclusive) this span covers. */
  from: bigint;
  to: bigint;
  units: bigint;
  value: bigint;
}

export interface Quote {
  spans: PricedSpan[];
  value: bigint;
}

export function quote(tiers: readonly Tier[], accepted: bigint, quantity: bigint): Quote {
  const spans: PricedSpan[] = [];
  let from = accepted;
  const to = accepted + quantity;
  for (let i = 0; i < tiers.length && from < to; i++) {
    const until = i + 1 < tiers.length ? BigInt(tiers[i + 1].threshold) : null;
    if (until !== null && from >= until) continue;
    const end = until === null || to < until ? to : until;
    const unitPrice = BigInt(tiers[i].unitPrice);
    const units = end - from;
    spans.push({
      tier: i,
      threshold: BigInt(tiers[i].threshold),
      until,
      unitPrice,
      from,
      to: end,
      units,
      value: units * unitPrice,
    });
    from = end;
  }
  return { spans, value: spans.reduce((sum, s) => sum + s.value, 0n) };
}
