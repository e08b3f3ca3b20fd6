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
  describe("deliveredAt", function () {
    const receivedAt = 1_700_000_000n;
    const window = DAY;

    describe("when the supplier recorded no arrival", function () {
      it("is the hospital's receipt", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.deliveredAt(0n, receivedAt, window)).to.equal(receivedAt);
      });
    });

    describe("when the arrival is at or after the receipt", function () {
      it("is the receipt", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.deliveredAt(receivedAt, receivedAt, window)).to.equal(receivedAt);
        expect(await math.deliveredAt(receivedAt + 1n, receivedAt, window)).to.equal(receivedAt);
      });
    });

    describe("when the arrival is within the window before the receipt", function () {
      it("is the arrival", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.deliveredAt(receivedAt - 1n, receivedAt, window)).to.equal(receivedAt - 1n);
        expect(await math.deliveredAt(receivedAt - window, receivedAt, window)).to.equal(receivedAt - window);
      });
    });

    describe("when the arrival is earlier than the window allows", function () {
      it("is the receipt less the window: recording early gains at most the window", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.deliveredAt(receivedAt - window - 1n, receivedAt, window)).to.equal(
          receivedAt - window,
        );
        expect(await math.deliveredAt(1n, receivedAt, window)).to.equal(receivedAt - window);
      });
    });

    describe("when the window reaches back past time zero", function () {
      it("is the arrival, without underflow", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.deliveredAt(5n, 100n, 1_000n)).to.equal(5n);
      });
    });

    describe("for any arrival, receipt and window", function () {
      it("lies between the receipt less the window and the receipt, and is the arrival when that does", async function () {
        const { math } = await loadFixture(harnessFixture);
        await fc.assert(
          fc.asyncProperty(
            fc.bigInt({ min: 0n, max: MAX_UINT64 }),
            fc.bigInt({ min: 1n, max: MAX_UINT64 }),
            fc.bigInt({ min: 0n, max: 30n * DAY }),
            async (arrivedAt, received, w) => {
              const result = await math.deliveredAt(arrivedAt, received, w);
              const earliest = received > w ? received - w : 0n;
              expect(result <= received).to.equal(true);
              expect(result >= earliest).to.equal(true);
              // An arrival before the receipt counts, but never earlier than the window allows.
              const arrivalBefore = arrivedAt !== 0n && arrivedAt < received;
              const expected = !arrivalBefore ? received : arrivedAt > earliest ? arrivedAt : earliest;
              expect(result).to.equal(expected);
            },
          ),
          { numRuns: 60 },
        );
      });
    });
  });

  describe("daysLate", function () {
    const deadline = 1_700_000_000n;

    describe("when delivered before or at the deadline", function () {
      it("is zero", async function () {
        const { math } = await loadFixture(harnessFixture);
        expect(await math.daysLate(deadline, deadline - 5n * DAY)).to.equal(0n);
        expect(await math.daysLate(deadline, deadline)).to.equal(0n);
        expect(await math.daysLate(deadline, 0n)).to.equal(0n);
      });
    });

    describe("when delivered after the deadline", function () {
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
