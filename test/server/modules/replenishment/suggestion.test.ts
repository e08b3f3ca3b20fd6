import { expect } from "chai";
import {
  addDays,
  chooseAgreement,
  dayOf,
  suggestedQuantity,
  suggestionReference,
} from "../../../../server/modules/replenishment/replenishment.service";
import type { AgreementForItem } from "../../../../server/modules/replenishment/replenishment.repository";

describe("replenishment suggestion rules", function () {
  it("orders max − (on hand + on order) + the lead-time demand only when the stock would fall below min", function () {
    // 20 + 5 − 10 = 15: exactly min is enough.
    expect(suggestedQuantity({ min: 15, max: 40, onHand: 20, onOrder: 5, demand: 10 })).to.equal(0);
    // One unit short of min: back to max at arrival.
    expect(suggestedQuantity({ min: 15, max: 40, onHand: 19, onOrder: 5, demand: 10 })).to.equal(
      40 - 24 + 10,
    );
    // Negative stock (used beyond what was accepted) is ordered back too.
    expect(suggestedQuantity({ min: 0, max: 10, onHand: -3, onOrder: 0, demand: 0 })).to.equal(13);
    // A min of 0 with nothing forecast and nothing on hand: nothing falls below it.
    expect(suggestedQuantity({ min: 0, max: 10, onHand: 0, onOrder: 0, demand: 0 })).to.equal(0);
  });

  const agreement = (id: string, accepted: string, tiers: [number, number][]): AgreementForItem => ({
    id,
    supplier: "0x" + "b1".repeat(20),
    category: "0x" + "00".repeat(32),
    end_at: new Date("2030-01-01T00:00:00Z"),
    tiers: tiers.map(([threshold, unitPrice]) => ({
      threshold: String(threshold),
      unitPrice: String(unitPrice),
    })),
    lead_time_days: 7,
    accepted_volume: accepted,
    committed: "100",
    funded: "0",
  });

  it("chooses the agreement with the lowest unit price at its position on the tier schedule, then the lowest id", function () {
    const a = agreement("1", "0", [
      [0, 75_000],
      [100, 70_000],
    ]);
    const b = agreement("2", "150", [
      [0, 80_000],
      [100, 71_000],
    ]);
    const c = agreement("3", "0", [[0, 71_000]]);
    // b has accepted 150 units: its next unit is at ¥710.00, below a's ¥750.00.
    expect(chooseAgreement([a, b])!.id).to.equal("2");
    // c's ¥710.00 ties with b's: the lower id (candidates come in id order).
    expect(chooseAgreement([b, c])!.id).to.equal("2");
    expect(chooseAgreement([a, c])!.id).to.equal("3");
    expect(chooseAgreement([])).to.equal(null);
  });

  it("names each day's suggestion by campus, GTIN and day in the gateway's time zone", function () {
    expect(suggestionReference(null, "09520123456788", "2026-04-01")).to.equal(
      "RPL/ALL/09520123456788/2026-04-01",
    );
    expect(suggestionReference("6901234000024", "09520123456788", "2026-04-01")).to.equal(
      "RPL/6901234000024/09520123456788/2026-04-01",
    );
    // 17:00 UTC on 31 March is 1 April in Shanghai.
    expect(dayOf(new Date("2026-03-31T17:00:00Z"), "Asia/Shanghai")).to.equal("2026-04-01");
    expect(addDays("2026-02-28", 1)).to.equal("2026-03-01");
    expect(addDays("2026-03-01", -365)).to.equal("2025-03-01");
  });
});
