import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import type { LotCodeHarness } from "../../typechain-types";

/** GS1 General Specifications, figure 7.11-1: the 82 characters of character set 82. */
const CSET82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
/** A lot may not start with these: a spreadsheet opening an export would run it as a formula. */
const FORMULA_STARTS = ["=", "+", "-", "@"];

async function harnessFixture() {
  const lotCode = (await ethers.deployContract("LotCodeHarness")) as unknown as LotCodeHarness;
  return { lotCode };
}

describe("LotCode", function () {
  it("knows character set 82 as 82 characters", function () {
    expect(new Set(CSET82).size).to.equal(82);
  });

  describe("isValid", function () {
    describe("for every single byte", function () {
      it("accepts exactly the characters of set 82 that may start a lot", async function () {
        const { lotCode } = await loadFixture(harnessFixture);
        for (let byte = 0; byte < 256; byte++) {
          const char = String.fromCharCode(byte);
          const expected = CSET82.includes(char) && !FORMULA_STARTS.includes(char);
          expect(await lotCode.isValidBytes(new Uint8Array([byte])), `byte 0x${byte.toString(16)}`).to.equal(
            expected,
          );
        }
      });

      it("accepts exactly the characters of set 82 after a valid first character", async function () {
        const { lotCode } = await loadFixture(harnessFixture);
        for (let byte = 0; byte < 256; byte++) {
          const expected = CSET82.includes(String.fromCharCode(byte));
          expect(
            await lotCode.isValidBytes(new Uint8Array([0x41, byte])),
            `byte 0x${byte.toString(16)}`,
          ).to.equal(expected);
        }
      });
    });

    describe("when the lot starts with a formula character", function () {
      for (const start of FORMULA_STARTS) {
        it(`rejects a lot starting with ${start} but accepts it further on`, async function () {
          const { lotCode } = await loadFixture(harnessFixture);
          expect(await lotCode.isValid(`${start}LOT1`)).to.equal(false);
          expect(await lotCode.isValid(`LOT${start}1`)).to.equal(start !== "@");
        });
      }
    });

    describe("for lengths", function () {
      it("accepts 1 to 20 characters and rejects 0 and 21", async function () {
        const { lotCode } = await loadFixture(harnessFixture);
        expect(await lotCode.isValid("")).to.equal(false);
        for (const n of [1, 2, 19, 20]) expect(await lotCode.isValid("7".repeat(n)), `${n}`).to.equal(true);
        expect(await lotCode.isValid("7".repeat(21))).to.equal(false);
        expect(await lotCode.isValid("7".repeat(64))).to.equal(false);
      });
    });

    describe("for multi-byte UTF-8 characters", function () {
      it("rejects them, whatever their bytes", async function () {
        const { lotCode } = await loadFixture(harnessFixture);
        for (const lot of ["LOT-É1", "批次1", "LOT\u00a01", "LOT😀"]) {
          expect(await lotCode.isValid(lot), lot).to.equal(false);
        }
      });
    });

    describe("for generated strings", function () {
      it("agrees with the rule: 1-20 characters of set 82, not starting with = + - @", async function () {
        const { lotCode } = await loadFixture(harnessFixture);
        const alphabet = [
          ...CSET82,
          " ",
          "#",
          "$",
          "@",
          "[",
          "\\",
          "]",
          "^",
          "`",
          "{",
          "|",
          "}",
          "~",
          "\u00e9",
        ];
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.constantFrom(...alphabet), { minLength: 0, maxLength: 22 }),
            async (chars) => {
              const lot = chars.join("");
              const expected =
                chars.length >= 1 &&
                chars.length <= 20 &&
                chars.every((c) => CSET82.includes(c)) &&
                !FORMULA_STARTS.includes(chars[0]);
              expect(await lotCode.isValid(lot), JSON.stringify(lot)).to.equal(expected);
            },
          ),
          { numRuns: 200 },
        );
      });
    });
  });
});
