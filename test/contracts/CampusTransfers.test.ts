import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { PAUSER_ROLE } from "../../ledger/roles";
import { gtinCheckDigit } from "../../server/modules/barcodes";
import {
  BAD_GTIN,
  deployFixture,
  enrolHospital,
  GTIN,
  SETTLER,
  addMember,
  serialTree,
} from "./helpers/fixtures";

/**
 * CampusTransfers: a hospital's account or its receivers record custody moving between its
 * locations (GLNs), with serials committed as a Merkle root where known; everything else is
 * refused with a custom error carrying the offending value.
 */
const glnOf = (body: string) => BigInt(`${body}${gtinCheckDigit(body)}`);
const MAIN = glnOf("690000000001");
const EAST = glnOf("690000000002");
const LOT = "LOT2026A";
const NO_SERIALS = ethers.ZeroHash;

async function transfersFixture() {
  const base = await deployFixture();
  await enrolHospital(base.ledger, base.actors);
  return base;
}

describe("CampusTransfers", function () {
  it("records a receiver's transfer with its serials' root, and the hospital account's", async function () {
    const { ledger, actors } = await loadFixture(transfersFixture);
    const root = serialTree(["S1", "S2"]).root as `0x${string}`;
    const tx = await ledger.campusTransfers
      .connect(actors.receiver)
      .recordTransfer(GTIN, LOT, MAIN, EAST, 2, root);
    await expect(tx)
      .to.emit(ledger.campusTransfers, "CampusTransferRecorded")
      .withArgs(
        1,
        actors.hospital.address,
        GTIN,
        LOT,
        MAIN,
        EAST,
        2,
        root,
        actors.receiver.address,
        await time.latest(),
      );
    const back = await ledger.campusTransfers
      .connect(actors.hospital)
      .recordTransfer(GTIN, LOT, EAST, MAIN, 5, NO_SERIALS);
    await expect(back)
      .to.emit(ledger.campusTransfers, "CampusTransferRecorded")
      .withArgs(
        2,
        actors.hospital.address,
        GTIN,
        LOT,
        EAST,
        MAIN,
        5,
        NO_SERIALS,
        actors.hospital.address,
        await time.latest(),
      );
    expect(await ledger.campusTransfers.transferCount()).to.equal(2n);
  });

  it("refuses anyone but the hospital account and its receivers", async function () {
    const { ledger, actors } = await loadFixture(transfersFixture);
    const record = (who: typeof actors.stranger) =>
      ledger.campusTransfers.connect(who).recordTransfer(GTIN, LOT, MAIN, EAST, 1, NO_SERIALS);
    for (const who of [
      actors.settler,
      actors.approvers[0],
      actors.stranger,
      actors.regulator,
      actors.suppliers[0],
    ]) {
      await expect(record(who))
        .to.be.revertedWithCustomError(ledger.campusTransfers, "TransferNotHospitalReceiver")
        .withArgs(who.address);
    }
    // A settler given the receiver role too may record.
    await addMember(ledger, actors.hospital, actors.carrier, SETTLER | 4);
    await expect(record(actors.carrier)).to.emit(ledger.campusTransfers, "CampusTransferRecorded");
  });

  it("refuses a bad GTIN, lot or GLN, the same location twice and no units, naming the value", async function () {
    const { ledger, actors } = await loadFixture(transfersFixture);
    const t = ledger.campusTransfers.connect(actors.receiver);
    await expect(t.recordTransfer(BAD_GTIN, LOT, MAIN, EAST, 1, NO_SERIALS))
      .to.be.revertedWithCustomError(t, "TransferInvalidGtin")
      .withArgs(BAD_GTIN);
    for (const lot of ["", "=SUM(A1)", "LOT 1", "L".repeat(21)]) {
      await expect(t.recordTransfer(GTIN, lot, MAIN, EAST, 1, NO_SERIALS))
        .to.be.revertedWithCustomError(t, "TransferInvalidLot")
        .withArgs(lot);
    }
    const wrongDigit = MAIN + 1n;
    for (const gln of [wrongDigit, 0n, 999_999_999_999n, 10n ** 13n + MAIN]) {
      await expect(t.recordTransfer(GTIN, LOT, gln, EAST, 1, NO_SERIALS))
        .to.be.revertedWithCustomError(t, "TransferInvalidGln")
        .withArgs(gln);
      await expect(t.recordTransfer(GTIN, LOT, MAIN, gln, 1, NO_SERIALS))
        .to.be.revertedWithCustomError(t, "TransferInvalidGln")
        .withArgs(gln);
    }
    await expect(t.recordTransfer(GTIN, LOT, MAIN, MAIN, 1, NO_SERIALS))
      .to.be.revertedWithCustomError(t, "TransferSameLocation")
      .withArgs(MAIN);
    await expect(t.recordTransfer(GTIN, LOT, MAIN, EAST, 0, NO_SERIALS)).to.be.revertedWithCustomError(
      t,
      "TransferZeroQuantity",
    );
    const max = 2n ** 64n - 1n;
    await expect(t.recordTransfer(GTIN, LOT, MAIN, EAST, max + 1n, NO_SERIALS))
      .to.be.revertedWithCustomError(t, "TransferQuantityTooLarge")
      .withArgs(max + 1n, max);
  });

  it("agrees with the gateway's GS1 check digit for every GLN", async function () {
    const { ledger, actors } = await loadFixture(transfersFixture);
    const t = ledger.campusTransfers.connect(actors.receiver);
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[1-9]\d{11}$/),
        fc.integer({ min: 0, max: 9 }),
        async (body, digit) => {
          const gln = BigInt(`${body}${digit}`);
          const valid = gtinCheckDigit(body) === digit;
          const call = t.recordTransfer.staticCall(GTIN, LOT, gln, gln === EAST ? MAIN : EAST, 1, NO_SERIALS);
          if (valid) expect(await call).to.be.a("bigint");
          else await expect(call).to.be.revertedWithCustomError(t, "TransferInvalidGln").withArgs(gln);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("stops while paused", async function () {
    const { ledger, actors } = await loadFixture(transfersFixture);
    await ledger.roles.connect(actors.admin).grantRole(PAUSER_ROLE, actors.admin.address);
    await ledger.campusTransfers.connect(actors.admin).pause();
    await expect(
      ledger.campusTransfers.connect(actors.receiver).recordTransfer(GTIN, LOT, MAIN, EAST, 1, NO_SERIALS),
    ).to.be.revertedWithCustomError(ledger.campusTransfers, "EnforcedPause");
  });

  it("costs little gas: an event and a counter", async function () {
    const { ledger, actors } = await loadFixture(transfersFixture);
    const t = ledger.campusTransfers.connect(actors.receiver);
    await (await t.recordTransfer(GTIN, LOT, MAIN, EAST, 1, NO_SERIALS)).wait();
    const receipt = await (await t.recordTransfer(GTIN, LOT, EAST, MAIN, 3, NO_SERIALS)).wait();
    const gas = receipt!.gasUsed;
    console.log(`      recordTransfer: ${gas} gas`);
    expect(gas).to.be.below(70_000n);
  });
});
