import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { deployLedger } from "../../ledger/contracts";
import { ReentrantToken__factory } from "../../typechain-types";
import { enrolHospital, qualify, runTender, STENTS, tiers, type Actors } from "./helpers/fixtures";
import { confirmation, ensureGtinRegistered, OrderStatus, placeOrder, ship } from "./helpers/orderBook";

/**
 * The whole ledger settling in a token that calls back into the order book from inside its
 * transfers: two placed orders of 10 units (100,000 fen each) to re-enter with.
 */
async function reentrantLedgerFixture() {
  const s = await ethers.getSigners();
  const actors: Actors = {
    admin: s[0],
    regulator: s[1],
    suppliers: [s[2], s[3], s[4], s[5]],
    hospital: s[6],
    hospital2: s[7],
    approvers: [s[8], s[9]],
    settler: s[10],
    receiver: s[11],
    carrier: s[12],
    stranger: s[13],
  };
  const token = await new ReentrantToken__factory(actors.admin).deploy();
  const { ledger } = await deployLedger(actors.admin, {
    regulators: [actors.regulator.address],
    tokenAddress: await token.getAddress(),
  });
  const supplier = actors.suppliers[0];
  await qualify(ledger, actors.regulator, supplier, [STENTS]);
  await ensureGtinRegistered(ledger, actors.regulator, supplier);
  await enrolHospital(ledger, actors);
  const { agreementIds } = await runTender(
    ledger,
    actors.regulator,
    [{ bidder: supplier, schedule: tiers([0, 10_000]), salt: ethers.id("salt") }],
    [actors.hospital.address],
    [1000n],
    { winners: 1 },
  );
  const agreementId = agreementIds[0];
  const first = await placeOrder(ledger, actors.hospital, agreementId, 10n);
  const second = await placeOrder(ledger, actors.hospital, agreementId, 10n);
  const book = await ledger.orderBook.getAddress();
  return { ledger, actors, token, supplier, agreementId, first, second, book };
}

describe("OrderBook: reentrancy guard", function () {
  describe("when the token calls back into a view of the order book", function () {
    it("lets the transfer complete (the callback itself is harmless)", async function () {
      const { ledger, actors, token, first, book } = await loadFixture(reentrantLedgerFixture);
      const data = ledger.orderBook.interface.encodeFunctionData("totalEscrow");
      await token.arm(book, data);
      await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(first))
        .to.emit(token, "Reentered")
        .withArgs(book, data);
      expect((await ledger.orderBook.order(first)).status).to.equal(OrderStatus.Funded);
    });
  });

  describe("when approveOrder's pull re-enters approveOrder", function () {
    it("reverts with ReentrancyGuardReentrantCall", async function () {
      const { ledger, actors, token, first, second, book } = await loadFixture(reentrantLedgerFixture);
      await token.arm(book, ledger.orderBook.interface.encodeFunctionData("approveOrder", [second]));
      await expect(
        ledger.orderBook.connect(actors.approvers[0]).approveOrder(first),
      ).to.be.revertedWithCustomError(ledger.orderBook, "ReentrancyGuardReentrantCall");
      expect((await ledger.orderBook.order(first)).status).to.equal(OrderStatus.Placed);
    });
  });

  describe("when approveOrderWithPermit's pull re-enters approveOrderWithPermit", function () {
    it("reverts with ReentrancyGuardReentrantCall", async function () {
      const { ledger, actors, token, first, second, book } = await loadFixture(reentrantLedgerFixture);
      // A permit value of zero is below the standing allowance, so no permit is tried.
      const permit = [0n, 0n, 27, ethers.ZeroHash, ethers.ZeroHash] as const;
      await token.arm(
        book,
        ledger.orderBook.interface.encodeFunctionData("approveOrderWithPermit", [second, ...permit]),
      );
      await expect(
        ledger.orderBook.connect(actors.approvers[0]).approveOrderWithPermit(first, ...permit),
      ).to.be.revertedWithCustomError(ledger.orderBook, "ReentrancyGuardReentrantCall");
      expect((await ledger.orderBook.order(first)).status).to.equal(OrderStatus.Placed);
    });
  });

  describe("when approveOrder's pull re-enters cancelOrder", function () {
    it("reverts with ReentrancyGuardReentrantCall", async function () {
      const { ledger, actors, token, first, book } = await loadFixture(reentrantLedgerFixture);
      await token.arm(book, ledger.orderBook.interface.encodeFunctionData("cancelOrder", [first]));
      await expect(
        ledger.orderBook.connect(actors.approvers[0]).approveOrder(first),
      ).to.be.revertedWithCustomError(ledger.orderBook, "ReentrancyGuardReentrantCall");
      expect((await ledger.orderBook.order(first)).status).to.equal(OrderStatus.Placed);
    });
  });

  describe("when confirmShipment's payment re-enters the order book", function () {
    for (const target of ["confirmShipment", "claimSettlement"] as const) {
      it(`reverts with ReentrancyGuardReentrantCall on ${target} and pays nothing`, async function () {
        const { ledger, actors, token, supplier, first, book } = await loadFixture(reentrantLedgerFixture);
        await ledger.orderBook.connect(actors.approvers[0]).approveOrder(first);
        const a = await ship(ledger, supplier, first, 5n);
        const b = await ship(ledger, supplier, first, 5n);
        const data =
          target === "confirmShipment"
            ? ledger.orderBook.interface.encodeFunctionData(target, [b.id, b.record, confirmation(5n, 0n)])
            : ledger.orderBook.interface.encodeFunctionData(target, [b.id, b.record]);
        await token.arm(book, data);
        const before = await token.balanceOf(supplier.address);
        await expect(
          ledger.orderBook.connect(actors.settler).confirmShipment(a.id, a.record, confirmation(5n, 0n)),
        ).to.be.revertedWithCustomError(ledger.orderBook, "ReentrancyGuardReentrantCall");
        expect(await token.balanceOf(supplier.address)).to.equal(before);
        expect((await ledger.trace.shipmentState(a.id)).confirmed).to.equal(false);
      });
    }
  });

  describe("when cancelOrder's refund re-enters cancelOrder", function () {
    it("refuses the re-entry: the refund is owed instead and the other order is untouched", async function () {
      const { ledger, actors, token, first, second, book } = await loadFixture(reentrantLedgerFixture);
      await ledger.orderBook.connect(actors.approvers[0]).approveOrder(first);
      await ledger.orderBook.connect(actors.approvers[0]).approveOrder(second);
      await token.arm(book, ledger.orderBook.interface.encodeFunctionData("cancelOrder", [second]));
      // The re-entrant call reverts inside the refund transfer, which the order book treats as
      // a recipient that cannot be paid.
      await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(first))
        .to.emit(ledger.orderBook, "RefundDeferred")
        .withArgs(actors.hospital.address, 100_000n);
      expect((await ledger.orderBook.order(first)).status).to.equal(OrderStatus.Cancelled);
      expect((await ledger.orderBook.order(second)).status).to.equal(OrderStatus.Funded);
      expect(await token.balanceOf(book)).to.equal(200_000n);
      expect(await ledger.orderBook.totalEscrow()).to.equal(100_000n);
      expect(await ledger.orderBook.totalRefundsOwed()).to.equal(100_000n);

      // Still armed (the failed transfer rolled back the disarming): withdrawing re-enters too.
      await expect(ledger.orderBook.connect(actors.hospital).withdrawRefund()).to.be.revertedWithCustomError(
        ledger.orderBook,
        "ReentrancyGuardReentrantCall",
      );
      await token.arm(ethers.ZeroAddress, "0x");
      await expect(ledger.orderBook.connect(actors.hospital).withdrawRefund())
        .to.emit(ledger.orderBook, "RefundWithdrawn")
        .withArgs(actors.hospital.address, 100_000n);
      expect(await token.balanceOf(book)).to.equal(100_000n);
    });
  });
});
