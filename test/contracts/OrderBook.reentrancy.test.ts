import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { deployLedger } from "../../scripts/lib/ledger";
import { ReentrantToken__factory } from "../../typechain-types";
import { enrolHospital, qualify, runTender, tiers, type Actors } from "./helpers/fixtures";
import { confirmation, now, OrderStatus, placeOrder, ship } from "./helpers/orderBook";

/**
 * The whole ledger settling in a token that calls back into the order book from inside its
 * transfers: two funded-or-placed orders to re-enter with.
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
  await qualify(ledger, actors.regulator, supplier);
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
      const deadline = (await now()) + 100n;
      const permit = [deadline, 27, ethers.ZeroHash, ethers.ZeroHash] as const;
      await token.arm(
        book,
        ledger.orderBook.interface.encodeFunctionData("approveOrderWithPermit", [second, ...permit]),
      );
      // The token has no permit: the failed permit is ignored and the allowance pulls.
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

  describe("when confirmShipment's payment re-enters confirmShipment", function () {
    it("reverts with ReentrancyGuardReentrantCall and pays nothing", async function () {
      const { ledger, actors, token, supplier, first, book } = await loadFixture(reentrantLedgerFixture);
      await ledger.orderBook.connect(actors.approvers[0]).approveOrder(first);
      const a = await ship(ledger, supplier, first, 5n);
      const b = await ship(ledger, supplier, first, 5n);
      const receivedAt = await now();
      await token.arm(
        book,
        ledger.orderBook.interface.encodeFunctionData("confirmShipment", [
          b,
          confirmation(5n, 0n, receivedAt),
        ]),
      );
      await expect(
        ledger.orderBook.connect(actors.settler).confirmShipment(a, confirmation(5n, 0n, receivedAt)),
      ).to.be.revertedWithCustomError(ledger.orderBook, "ReentrancyGuardReentrantCall");
      expect(await token.balanceOf(supplier.address)).to.equal(0n);
      expect((await ledger.trace.shipment(a)).confirmed).to.equal(false);
    });
  });

  describe("when cancelOrder's refund re-enters cancelOrder", function () {
    it("reverts with ReentrancyGuardReentrantCall and refunds nothing", async function () {
      const { ledger, actors, token, first, second, book } = await loadFixture(reentrantLedgerFixture);
      await ledger.orderBook.connect(actors.approvers[0]).approveOrder(first);
      await ledger.orderBook.connect(actors.approvers[0]).approveOrder(second);
      await token.arm(book, ledger.orderBook.interface.encodeFunctionData("cancelOrder", [second]));
      await expect(
        ledger.orderBook.connect(actors.hospital).cancelOrder(first),
      ).to.be.revertedWithCustomError(ledger.orderBook, "ReentrancyGuardReentrantCall");
      expect(await token.balanceOf(book)).to.equal(200_000n);
      expect(await ledger.orderBook.totalEscrow()).to.equal(200_000n);
    });
  });
});
