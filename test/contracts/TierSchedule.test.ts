import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { tiers } from "./helpers/fixtures";
import type { TierStruct } from "../../typechain-types/contracts/mocks/TierScheduleHarness";

/** `TierSchedule.Defect`, in declaration order. */
const Defect = {
  None: 0n,
  TierCount: 1n,
  FirstThresholdNotZero: 2n,
  ThresholdNotIncreasing: 3n,
  PriceIncreasing: 4n,
  AboveReserve: 5n,
  ZeroPrice: 6n,
  ValueTooLarge: 7n,
} as const;

/** Packed tiers hold a 32-bit threshold and a 48-bit unit price. */
const MAX_THRESHOLD = 2n ** 32n - 1n;
const MAX_PRICE = 2n ** 48n - 1n;

const RESERVE = 10_000n;
/** 0→10000, 100→9000, 500→8000: the schedule the order tests use. */
const STEPS = tiers([0, 10_000], [100, 9_000], [500, 8_000]);

async function harnessFixture() {
  const harness = await ethers.deployContract("TierScheduleHarness");
  return { harness };
}

async function stepsFixture() {
  const { harness } = await harnessFixture();
  await harness.setTiers(STEPS);
  return { harness };
}

/** Reference model: every unit priced at the tier its own cumulative position falls in. */
function modelValue(schedule: { threshold: bigint; unitPrice: bigint }[], before: bigint, quantity: bigint) {
  let value = 0n;
  for (let i = 0; i < schedule.length; i++) {
    const start = schedule[i].threshold;
    const end = i + 1 < schedule.length ? schedule[i + 1].threshold : before + quantity;
    const from = before > start ? before : start;
    const to = before + quantity < end ? before + quantity : end;
    if (to > from) value += (to - from) * schedule[i].unitPrice;
  }
  return value;
}

/** Valid schedules: thresholds strictly increasing from 0, prices non-increasing and positive. */
const validSchedule = fc
  .tuple(
    fc.array(fc.bigInt({ min: 1n, max: 1_000n }), { minLength: 0, maxLength: 7 }),
    fc.array(fc.bigInt({ min: 0n, max: 500n }), { minLength: 8, maxLength: 8 }),
    fc.bigInt({ min: 1n, max: 10_000n }),
  )
  .map(([gaps, cuts, last]) => {
    const schedule = [{ threshold: 0n, unitPrice: 0n }];
    for (const gap of gaps)
      schedule.push({ threshold: schedule[schedule.length - 1].threshold + gap, unitPrice: 0n });
    // Build prices from the last tier backwards so they never increase.
    let price = last;
    for (let i = schedule.length - 1; i >= 0; i--) {
      schedule[i].unitPrice = price;
      price += cuts[i];
    }
    return schedule;
  });

describe("TierSchedule", function () {
  describe("check", function () {
    describe("when the schedule is valid", function () {
      it("returns None for a single tier priced at the reserve", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.check(tiers([0, RESERVE]), RESERVE)).to.equal(Defect.None);
      });

      it("returns None for eight tiers with equal neighbouring prices", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const eight = tiers(
          [0, 9_000],
          [1, 9_000],
          [2, 8_000],
          [3, 8_000],
          [4, 7_000],
          [5, 6_000],
          [6, 5_000],
          [7, 1],
        );
        expect(await harness.check(eight, RESERVE)).to.equal(Defect.None);
      });

      it("returns None for every generated valid schedule", async function () {
        const { harness } = await loadFixture(harnessFixture);
        await fc.assert(
          fc.asyncProperty(validSchedule, async (schedule) => {
            expect(await harness.check(schedule, schedule[0].unitPrice)).to.equal(Defect.None);
          }),
          { numRuns: 40 },
        );
      });
    });

    describe("when there are no tiers", function () {
      it("returns TierCount", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.check([], RESERVE)).to.equal(Defect.TierCount);
      });
    });

    describe("when there are more than eight tiers", function () {
      it("returns TierCount", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const nine = Array.from({ length: 9 }, (_, i) => ({ threshold: i, unitPrice: 100 - i }));
        expect(await harness.check(nine, RESERVE)).to.equal(Defect.TierCount);
      });
    });

    describe("when the first threshold is not zero", function () {
      it("returns FirstThresholdNotZero", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.check(tiers([1, 100]), RESERVE)).to.equal(Defect.FirstThresholdNotZero);
      });
    });

    describe("when the first price is above the reserve", function () {
      it("returns AboveReserve", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.check(tiers([0, RESERVE + 1n]), RESERVE)).to.equal(Defect.AboveReserve);
      });
    });

    describe("when a threshold does not increase", function () {
      it("returns ThresholdNotIncreasing for an equal threshold", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.check(tiers([0, 100], [50, 90], [50, 80]), RESERVE)).to.equal(
          Defect.ThresholdNotIncreasing,
        );
      });

      it("returns ThresholdNotIncreasing for a lower threshold", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.check(tiers([0, 100], [50, 90], [49, 80]), RESERVE)).to.equal(
          Defect.ThresholdNotIncreasing,
        );
      });
    });

    describe("when a price increases", function () {
      it("returns PriceIncreasing", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.check(tiers([0, 100], [50, 90], [60, 91]), RESERVE)).to.equal(
          Defect.PriceIncreasing,
        );
      });
    });

    describe("when the last price is zero", function () {
      it("returns ZeroPrice", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.check(tiers([0, 100], [50, 0]), RESERVE)).to.equal(Defect.ZeroPrice);
        expect(await harness.check(tiers([0, 0]), RESERVE)).to.equal(Defect.ZeroPrice);
      });
    });

    describe("when a value does not fit the packed tier", function () {
      it("returns ValueTooLarge for a threshold above 2^32 - 1", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.check(tiers([0, 100], [MAX_THRESHOLD + 1n, 90]), RESERVE)).to.equal(
          Defect.ValueTooLarge,
        );
        expect(await harness.check(tiers([0, 100], [MAX_THRESHOLD, 90]), RESERVE)).to.equal(Defect.None);
      });

      it("returns ValueTooLarge for a price above 2^48 - 1 the reserve allows", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const reserve = MAX_PRICE + 1n;
        expect(await harness.check(tiers([0, MAX_PRICE + 1n], [10, 90]), reserve)).to.equal(
          Defect.ValueTooLarge,
        );
        expect(await harness.check(tiers([0, MAX_PRICE], [10, 90]), reserve)).to.equal(Defect.None);
      });
    });

    describe("when the schedule has several defects", function () {
      it("returns the first one in check order", async function () {
        const { harness } = await loadFixture(harnessFixture);
        // Threshold not zero and above reserve: the threshold is checked first.
        expect(await harness.check(tiers([5, RESERVE + 1n]), RESERVE)).to.equal(Defect.FirstThresholdNotZero);
        // Above reserve and a later price increase: the reserve is checked first.
        expect(await harness.check(tiers([0, RESERVE + 1n], [10, RESERVE + 2n]), RESERVE)).to.equal(
          Defect.AboveReserve,
        );
        // A threshold and a price defect in the same step: the threshold is checked first.
        expect(await harness.check(tiers([0, 100], [0, 200]), RESERVE)).to.equal(
          Defect.ThresholdNotIncreasing,
        );
      });
    });
  });

  describe("setTiers and storedTiers (packed storage)", function () {
    it("packs eight tiers into three words, three 80-bit tiers to a word", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const eight = Array.from({ length: 8 }, (_, i) => ({
        threshold: BigInt(i === 7 ? MAX_THRESHOLD : i * 1000),
        unitPrice: MAX_PRICE - BigInt(i),
      }));
      await harness.setTiers(eight);
      const address = await harness.getAddress();
      const packed = (t: { threshold: bigint; unitPrice: bigint }) => (t.threshold << 48n) | t.unitPrice;
      for (let word = 0; word < 3; word++) {
        let expected = 0n;
        for (let k = 0; k < 3 && word * 3 + k < 8; k++)
          expected |= packed(eight[word * 3 + k]) << BigInt(80 * k);
        expect(BigInt(await ethers.provider.getStorage(address, word))).to.equal(expected);
      }
      expect(BigInt(await ethers.provider.getStorage(address, 3))).to.equal(0n);
      expect((await harness.storedTiers()).map((t) => [t.threshold, t.unitPrice])).to.deep.equal(
        eight.map((t) => [t.threshold, t.unitPrice]),
      );
    });

    it("gives back every generated valid schedule as it was set", async function () {
      const { harness } = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(validSchedule, async (schedule) => {
          await harness.setTiers(schedule as TierStruct[]);
          expect((await harness.storedTiers()).map((t) => [t.threshold, t.unitPrice])).to.deep.equal(
            schedule.map((t) => [t.threshold, t.unitPrice]),
          );
        }),
        { numRuns: 40 },
      );
    });

    it("reads an empty schedule as no tiers", async function () {
      const { harness } = await loadFixture(harnessFixture);
      expect(await harness.storedTiers()).to.deep.equal([]);
    });

    it("ends the schedule at a zero-priced tier, which is why check refuses one", async function () {
      const { harness } = await loadFixture(harnessFixture);
      await harness.setTiers(tiers([0, 100], [50, 0]));
      expect((await harness.storedTiers()).map((t) => [t.threshold, t.unitPrice])).to.deep.equal([
        [0n, 100n],
      ]);
    });
  });

  describe("priceAt", function () {
    describe("when the volume falls in a tier", function () {
      it("returns that tier's price, changing exactly at each threshold", async function () {
        const { harness } = await loadFixture(stepsFixture);
        expect(await harness.priceAt(0)).to.equal(10_000n);
        expect(await harness.priceAt(99)).to.equal(10_000n);
        expect(await harness.priceAt(100)).to.equal(9_000n);
        expect(await harness.priceAt(499)).to.equal(9_000n);
        expect(await harness.priceAt(500)).to.equal(8_000n);
        expect(await harness.priceAt(ethers.MaxUint256)).to.equal(8_000n);
      });
    });

    describe("when the schedule is empty", function () {
      it("returns zero", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.priceAt(0)).to.equal(0n);
      });
    });

    describe("when no tier starts at zero", function () {
      it("returns zero below the first threshold", async function () {
        const { harness } = await loadFixture(harnessFixture);
        await harness.setTiers(tiers([10, 500]));
        expect(await harness.priceAt(9)).to.equal(0n);
        expect(await harness.priceAt(10)).to.equal(500n);
      });
    });
  });

  describe("valueOf", function () {
    describe("when the quantity is zero", function () {
      it("returns zero", async function () {
        const { harness } = await loadFixture(stepsFixture);
        expect(await harness.valueOfOrder(0, 0)).to.equal(0n);
        expect(await harness.valueOfOrder(250, 0)).to.equal(0n);
      });
    });

    describe("when the order stays inside one tier", function () {
      it("prices every unit at that tier", async function () {
        const { harness } = await loadFixture(stepsFixture);
        expect(await harness.valueOfOrder(0, 100)).to.equal(100n * 10_000n);
        expect(await harness.valueOfOrder(100, 400)).to.equal(400n * 9_000n);
        expect(await harness.valueOfOrder(10_000, 7)).to.equal(7n * 8_000n);
      });
    });

    describe("when the order straddles thresholds", function () {
      it("prices it piecewise", async function () {
        const { harness } = await loadFixture(stepsFixture);
        expect(await harness.valueOfOrder(99, 2)).to.equal(10_000n + 9_000n);
        expect(await harness.valueOfOrder(50, 500)).to.equal(50n * 10_000n + 400n * 9_000n + 50n * 8_000n);
      });
    });

    describe("when the order starts beyond earlier tiers", function () {
      it("skips them", async function () {
        const { harness } = await loadFixture(stepsFixture);
        expect(await harness.valueOfOrder(499, 3)).to.equal(9_000n + 2n * 8_000n);
      });
    });

    describe("when the schedule is empty", function () {
      it("returns zero", async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await harness.valueOfOrder(0, 10)).to.equal(0n);
      });
    });

    describe("for generated schedules and orders", function () {
      it("equals the unit-by-unit model and is additive over split orders", async function () {
        const { harness } = await loadFixture(harnessFixture);
        await fc.assert(
          fc.asyncProperty(
            validSchedule,
            fc.bigInt({ min: 0n, max: 5_000n }),
            fc.bigInt({ min: 0n, max: 5_000n }),
            fc.bigInt({ min: 0n, max: 5_000n }),
            async (schedule, before, q1, q2) => {
              await harness.setTiers(schedule as TierStruct[]);
              const whole = await harness.valueOfOrder(before, q1 + q2);
              expect(whole).to.equal(modelValue(schedule, before, q1 + q2));
              expect(whole).to.equal(
                (await harness.valueOfOrder(before, q1)) + (await harness.valueOfOrder(before + q1, q2)),
              );
            },
          ),
          { numRuns: 40 },
        );
      });
    });
  });
});
