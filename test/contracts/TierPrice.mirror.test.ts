import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { tierPrice } from "../../ledger/tier-price";

/**
 * ledger/tier-price.ts prices a suggested order the way the ledger will lock it at funding:
 * every schedule, accepted volume and quantity gives the harness's TierSchedule.valueOfStored.
 */

async function harnessFixture() {
  return { harness: await ethers.deployContract("TierScheduleHarness") };
}

/** Valid schedules of one to eight tiers: thresholds rising from 0, prices non-increasing, positive. */
const schedule = fc
  .tuple(
    fc.array(fc.bigInt({ min: 1n, max: 300n }), { minLength: 0, maxLength: 7 }),
    fc.array(fc.bigInt({ min: 0n, max: 5_000n }), { minLength: 8, maxLength: 8 }),
    fc.bigInt({ min: 1n, max: 100_000n }),
  )
  .map(([gaps, cuts, last]) => {
    const thresholds = [0n];
    for (const gap of gaps) thresholds.push(thresholds[thresholds.length - 1] + gap);
    let price = last;
    const prices: bigint[] = [];
    for (let i = thresholds.length - 1; i >= 0; i--) {
      prices[i] = price;
      price += cuts[i];
    }
    return thresholds.map((threshold, i) => ({ threshold, unitPrice: prices[i] }));
  });

describe("tierPrice (off-chain mirror of TierSchedule.valueOfStored)", function () {
  it("prices Acme's demo schedule piecewise across the 100-unit threshold", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const acme = [
      { threshold: 0n, unitPrice: 75_000n },
      { threshold: 100n, unitPrice: 72_000n },
      { threshold: 500n, unitPrice: 69_000n },
    ];
    await harness.setTiers(acme);
    const priced = tierPrice(acme, 73n, 44n);
    expect(priced.value).to.equal(27n * 75_000n + 17n * 72_000n);
    expect(priced.spans).to.deep.equal([
      { tier: 0, unitPrice: 75_000n, units: 27n },
      { tier: 1, unitPrice: 72_000n, units: 17n },
    ]);
    expect(await harness.valueOfOrder(73n, 44n)).to.equal(priced.value);
    expect(tierPrice(acme, 0n, 0n)).to.deep.equal({ value: 0n, spans: [] });
  });

  it("agrees with the harness for any schedule, accepted volume and quantity", async function () {
    const { harness } = await loadFixture(harnessFixture);
    await fc.assert(
      fc.asyncProperty(
        schedule,
        fc.bigInt({ min: 0n, max: 3_000n }),
        fc.bigInt({ min: 0n, max: 3_000n }),
        async (tiers, accepted, quantity) => {
          await harness.setTiers(tiers);
          expect(tierPrice(tiers, accepted, quantity).value).to.equal(
            await harness.valueOfOrder(accepted, quantity),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
