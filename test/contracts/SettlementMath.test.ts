import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { OrderSettlementMathHarness__factory } from "../../typechain-types";

const DAY = 86_400n;
const MAX_UINT128 = 2n ** 128n - 1n;
const MAX_UINT64 = 2n ** 64n - 1n;

async function harnessFixture() {
  const [deployer] = await ethers.getSigners();
  const math = await new OrderSettlementMathHarness__factory(deployer).deploy();
  return { math };
}

describe("SettlementMath", function () {
  describe("grossOwed", function () {
    describe("when every unit is accepted", function () {
      it("is exactly the value, whatever the rounding would say", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.grossOwed(66_000n, 7n, 7n)).to.equal(66_000n);
        expect(await math.grossOwed(1n, 3n, 3n)).to.equal(1n);
        expect(await math.grossOwed(MAX_UINT128, MAX_UINT64, MAX_UINT64)).to.equal(MAX_UINT128);
      });
    });

    describe("when part of the order is accepted", function () {
      it("is accepted × value ÷ quantity, rounded down", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.grossOwed(66_000n, 7n, 1n)).to.equal(9_428n);
        expect(await math.grossOwed(66_000n, 7n, 6n)).to.equal(56_571n);
        expect(await math.grossOwed(1_000_000n, 100n, 40n)).to.equal(400_000n);
        expect(await math.grossOwed(2n, 3n, 1n)).to.equal(0n);
      });

      it("does not overflow at the largest order values and quantities", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.grossOwed(MAX_UINT128, MAX_UINT64, MAX_UINT64 - 1n)).to.equal(
          ((MAX_UINT64 - 1n) * MAX_UINT128) / MAX_UINT64,
        );
      });
    });

    describe("when nothing is accepted", function () {
      it("is zero", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.grossOwed(66_000n, 7n, 0n)).to.equal(0n);
      });
    });

    describe("for any split of an order into deliveries", function () {
      it("never decreases, stays within the value and ends exactly at it", async function () {
        const { math } = await loadFixture(harnessFixture);
        await fc.assert(
          fc.asyncProperty(
            fc.bigInt({ min: 1n, max: MAX_UINT128 }),
            fc.array(fc.bigInt({ min: 1n, max: 1_000n }), { minLength: 1, maxLength: 6 }),
            async (value, parts) => {
              const quantity = parts.reduce((a, b) => a + b);
              let accepted = 0n;
              let previous = 0n;
              for (const part of parts) {
                accepted += part;
                const owed = await math.grossOwed(value, quantity, accepted);
                const exact = accepted === quantity ? value : (accepted * value) / quantity;
                expect(owed).to.equal(exact);
                expect(owed >= previous).to.equal(true);
                expect(owed <= value).to.equal(true);
                previous = owed;
              }
              expect(previous).to.equal(value);
            },
          ),
          { numRuns: 60 },
        );
      });
    });
  });

  describe("daysLate", function () {
    const deadline = 1_700_000_000n;

    describe("when received before or at the deadline", function () {
      it("is zero", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.daysLate(deadline, deadline - 5n * DAY)).to.equal(0n);
        expect(await math.daysLate(deadline, deadline)).to.equal(0n);
        expect(await math.daysLate(deadline, 0n)).to.equal(0n);
      });
    });

    describe("when received after the deadline", function () {
      it("counts every started day as a whole day", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.daysLate(deadline, deadline + 1n)).to.equal(1n);
        expect(await math.daysLate(deadline, deadline + DAY)).to.equal(1n);
        expect(await math.daysLate(deadline, deadline + DAY + 1n)).to.equal(2n);
        expect(await math.daysLate(deadline, deadline + 30n * DAY)).to.equal(30n);
        expect(await math.daysLate(0n, MAX_UINT64)).to.equal((MAX_UINT64 + DAY - 1n) / DAY);
      });
    });
  });

  describe("penalty", function () {
    describe("when not late", function () {
      it("is zero", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.penalty(400_000n, 0n, 50n, 1_000n)).to.equal(0n);
      });
    });

    describe("when below the cap", function () {
      it("is gross × days × bps per day ÷ 10000, rounded down", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.penalty(400_000n, 1n, 50n, 1_000n)).to.equal(2_000n);
        expect(await math.penalty(400_000n, 19n, 50n, 1_000n)).to.equal(38_000n);
        expect(await math.penalty(18_857n, 1n, 50n, 1_000n)).to.equal(94n);
        expect(await math.penalty(199n, 1n, 50n, 1_000n)).to.equal(0n);
      });
    });

    describe("when exactly at the cap", function () {
      it("is the cap", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.penalty(400_000n, 20n, 50n, 1_000n)).to.equal(40_000n);
      });
    });

    describe("when above the cap", function () {
      it("is held at the cap", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.penalty(400_000n, 21n, 50n, 1_000n)).to.equal(40_000n);
        expect(await math.penalty(400_000n, 10_000n, 50n, 1_000n)).to.equal(40_000n);
      });
    });

    describe("when the cap is the whole amount", function () {
      it("never exceeds the gross", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.penalty(MAX_UINT128, 1_000n, 10_000n, 10_000n)).to.equal(MAX_UINT128);
      });
    });

    describe("when there is no penalty clause", function () {
      it("is zero", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.penalty(400_000n, 30n, 0n, 0n)).to.equal(0n);
      });
    });

    describe("for any gross, lateness and terms", function () {
      it("matches min(days × bps, cap) × gross ÷ 10000 and never exceeds the gross", async function () {
        const { math } = await loadFixture(harnessFixture);
        await fc.assert(
          fc.asyncProperty(
            fc.bigInt({ min: 0n, max: MAX_UINT128 }),
            fc.bigInt({ min: 0n, max: 400n }),
            fc.bigInt({ min: 0n, max: 10_000n }),
            fc.bigInt({ min: 0n, max: 10_000n }),
            async (gross, days, bpsPerDay, capBps) => {
              const bps = days * bpsPerDay < capBps ? days * bpsPerDay : capBps;
              const result = await math.penalty(gross, days, bpsPerDay, capBps);
              expect(result).to.equal((gross * bps) / 10_000n);
              expect(result <= gross).to.equal(true);
            },
          ),
          { numRuns: 60 },
        );
      });
    });
  });
});
