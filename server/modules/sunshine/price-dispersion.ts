import type { SunshineItemPrices, SunshinePrices } from "../../../api/sunshine";
import { label } from "../../../ledger/words";
import type { HospitalPriceRow } from "./sunshine.repository";

/**
 * Price dispersion: each item's (GTIN × category) per-hospital prices, their min, max, median
 * and spread ((max − min) ÷ min), flagged when the paid or the billed spread exceeds
 * `spreadPercent`. An item one hospital bought has no dispersion to flag.
 */
export function priceDispersion(
  rows: HospitalPriceRow[],
  spreadPercent: number,
  flaggedOnly = false,
): SunshinePrices {
  const items = new Map<string, HospitalPriceRow[]>();
  for (const r of rows) {
    const key = `${r.gtin}:${r.category}`;
    items.set(key, [...(items.get(key) ?? []), r]);
  }
  const out: SunshineItemPrices[] = [];
  for (const hospitals of items.values()) {
    const paid = spread(hospitals.map((h) => h.paidPerUnit))!;
    const billed = spread(hospitals.flatMap((h) => (h.billedPerUnit === null ? [] : [h.billedPerUnit])));
    // A price of nothing beside a real one is as far apart as prices get.
    const over = (s: ReturnType<typeof spread>) =>
      s !== null && s.count > 1 && (s.spreadPercent === null ? s.max > 0n : s.spreadPercent > spreadPercent);
    const flagged = over(paid) || over(billed);
    if (flaggedOnly && !flagged) continue;
    out.push({
      gtin: hospitals[0].gtin,
      category: hospitals[0].category,
      categoryName: label(hospitals[0].category),
      hospitals: hospitals.map((h) => ({
        hospital: h.hospital,
        hospitalName: h.hospitalName,
        acceptedUnits: h.accepted.toString(),
        paidPerUnit: h.paidPerUnit.toString(),
        billedUnits: h.billedUnits === null ? null : h.billedUnits.toString(),
        billedPerUnit: h.billedPerUnit === null ? null : h.billedPerUnit.toString(),
        settlementTxs: h.settlementTxs,
      })),
      paid: figures(paid),
      billed: billed === null ? null : figures(billed),
      flagged,
    });
  }
  return { spreadPercent, items: out };
}

interface Spread {
  count: number;
  min: bigint;
  max: bigint;
  median: bigint;
  /** null: the lowest price is 0, so no ratio exists. */
  spreadPercent: number | null;
}

function spread(prices: bigint[]): Spread | null {
  if (prices.length === 0) return null;
  const sorted = [...prices].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  // An even count's median is the mean of the middle two, rounded half up to the fen.
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid] + 1n) / 2n;
  const [min, max] = [sorted[0], sorted[sorted.length - 1]];
  // To 0.1 %: (max − min) × 1000 ÷ min, rounded half up, in integers so no float rounding creeps in.
  if (min === 0n) return { count: sorted.length, min, max, median, spreadPercent: max === 0n ? 0 : null };
  const permille = ((max - min) * 2000n + min) / (2n * min);
  return { count: sorted.length, min, max, median, spreadPercent: Number(permille) / 10 };
}

const figures = (s: Spread) => ({
  min: s.min.toString(),
  max: s.max.toString(),
  median: s.median.toString(),
  spreadPercent: s.spreadPercent,
});
