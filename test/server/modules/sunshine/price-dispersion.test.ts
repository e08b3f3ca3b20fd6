import { expect } from "chai";
import { priceDispersion } from "../../../../server/modules/sunshine/price-dispersion";
import type { HospitalPriceRow } from "../../../../server/modules/sunshine/sunshine.repository";

/** The spread arithmetic: median of an even count, rounding to 0.1 %, and a lowest price of 0. */
describe("sunshine price dispersion", function () {
  const row = (hospital: string, paid: bigint, billed: bigint | null = null): HospitalPriceRow => ({
    gtin: "09520123456788",
    category: `0x${"11".repeat(32)}`,
    hospital,
    hospitalName: null,
    accepted: 10n,
    paidPerUnit: paid,
    billedUnits: billed === null ? null : 10n,
    billedPerUnit: billed,
    settlementTxs: [],
  });

  it("takes an even count's median as the mean of the middle two, rounded half up, and the spread to 0.1 %", function () {
    const [item] = priceDispersion(
      [row("a", 30_000n), row("b", 30_001n), row("c", 33_333n), row("d", 40_000n)],
      10,
    ).items;
    expect(item.paid).to.deep.equal({ min: "30000", max: "40000", median: "31667", spreadPercent: 33.3 });
    expect(item.flagged).to.equal(true);
  });

  it("flags a billed price of nothing beside a real one, with no ratio to give", function () {
    const [item] = priceDispersion([row("a", 100n, 0n), row("b", 100n, 150n)], 10).items;
    expect(item.billed).to.deep.equal({ min: "0", max: "150", median: "75", spreadPercent: null });
    expect(item.paid.spreadPercent).to.equal(0);
    expect(item.flagged).to.equal(true);
  });

  it("flags nothing for an item one hospital bought", function () {
    const [item] = priceDispersion([row("a", 0n, 0n)], 0).items;
    expect([item.paid.spreadPercent, item.flagged]).to.deep.equal([0, false]);
  });
});
