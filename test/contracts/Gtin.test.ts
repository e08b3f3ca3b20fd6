import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import type { GtinHarness } from "../../typechain-types";

const LIMIT = 10n ** 14n;

/** GS1 mod-10 check digit of a 13-digit body: weights 3,1,3,… from the right. */
function checkDigit(body: bigint): bigint {
  let sum = 0n;
  for (let i = 0; i < 13; i++) {
    sum += (body % 10n) * (i % 2 === 0 ? 3n : 1n);
    body /= 10n;
  }
  return (10n - (sum % 10n)) % 10n;
}

async function harnessFixture() {
  const gtin = (await ethers.deployContract("GtinHarness")) as unknown as GtinHarness;
  return { gtin };
}

describe("Gtin", function () {
  describe("isValid", function () {
    describe("when the number is a GTIN-14 with a correct check digit", function () {
      for (const [label, value] of [
        ["09520123456788 (leading zero implicit)", 9520123456788n],
        ["12345678901231", 12345678901231n],
        ["95012345678903", 95012345678903n],
        ["a GTIN-13 padded to 14 digits (4006381333931)", 4006381333931n],
        ["a GTIN-12 padded to 14 digits (036000291452)", 36000291452n],
        ["a GTIN-8 padded to 14 digits (96385074)", 96385074n],
      ] as const) {
        it(`returns true for ${label}`, async function () {
          const { gtin } = await loadFixture(harnessFixture);
          expect(await gtin.isValid(value)).to.equal(true);
        });
      }
    });

    describe("when the check digit is wrong", function () {
      for (const value of [95012345678902n, 9520123456787n, 12345678901230n, 99999999999999n]) {
        it(`returns false for ${value}`, async function () {
          const { gtin } = await loadFixture(harnessFixture);
          expect(await gtin.isValid(value)).to.equal(false);
        });
      }
    });

    describe("when the number is zero", function () {
      it("returns false although its check digit sums to 0", async function () {
        const { gtin } = await loadFixture(harnessFixture);
        expect(checkDigit(0n)).to.equal(0n);
        expect(await gtin.isValid(0n)).to.equal(false);
      });
    });

    describe("when the number has more than 14 digits", function () {
      for (const [label, value] of [
        ["10^14", LIMIT],
        ["10^14 + a valid GTIN (its low 14 digits check out)", LIMIT + 9520123456788n],
        ["the largest uint64", 2n ** 64n - 1n],
      ] as const) {
        it(`returns false for ${label}`, async function () {
          const { gtin } = await loadFixture(harnessFixture);
          expect(await gtin.isValid(value)).to.equal(false);
        });
      }
    });

    describe("for any 13-digit body", function () {
      it("accepts exactly the one last digit that is the GS1 check digit", async function () {
        const { gtin } = await loadFixture(harnessFixture);
        await fc.assert(
          fc.asyncProperty(
            fc.bigInt({ min: 1n, max: LIMIT / 10n - 1n }),
            fc.integer({ min: 0, max: 9 }),
            async (body, digit) => {
              const value = body * 10n + BigInt(digit);
              expect(await gtin.isValid(value)).to.equal(BigInt(digit) === checkDigit(body));
            },
          ),
          { numRuns: 200 },
        );
      });
    });
  });
});
