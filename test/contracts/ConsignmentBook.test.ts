/**
 * Consignment: the base order fixture (helpers/orderBook.ts: 100 stents at 10,000 fen, lead
 * time 10 days, term one year) with the supplier offering consignment on its agreement. A
 * consigned shipment's confirmation pays nothing; consumption batches pay units × the held
 * value per unit exactly once; returns and expiry give the rest back (budget included).
 */
import { impersonateAccount, loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { addMember, DAY, GTIN, SETTLER, STENTS, YEAR } from "./helpers/fixtures";
import { BUDGET, budgetFixture } from "./helpers/budget";
import {
  confirm,
  deliver,
  fundOrder,
  LOT,
  orderFixture,
  OrderStatus,
  placeOrder,
  receive,
  ship,
  type OrderContext,
} from "./helpers/orderBook";

const PRICE = 10_000n;
const REASON = 401;
const batch = (name: string) => ethers.id(`batch ${name}`);

/** The supplier offers consignment (supplier's loss on expiry); hospital 1 places 100 units. */
async function consignmentFixture(hospitalBearsExpiry = false) {
  return withConsignedOrder(await orderFixture(), hospitalBearsExpiry);
}

async function withConsignedOrder(ctx: OrderContext, hospitalBearsExpiry = false, units = 100n) {
  const { ledger, actors, supplier, agreementId } = ctx;
  await ledger.consignment.connect(supplier).offerConsignment(agreementId, hospitalBearsExpiry);
  const orderId = await placeOrder(ledger, actors.hospital, agreementId, units);
  await ledger.consignment.connect(actors.approvers[0]).electConsignment(orderId);
  await fundOrder(ledger, actors.approvers, orderId);
  return { ...ctx, orderId };
}

/** 40 units shipped, received and confirmed into the hospital's custody. */
async function consignedStockFixture() {
  const ctx = await consignmentFixture();
  const shipment = await ship(ctx.ledger, ctx.supplier, ctx.orderId, 40n);
  await receive(ctx.ledger, ctx.actors.receiver, shipment);
  await confirm(ctx.ledger, ctx.actors.settler, shipment, 40n);
  return { ...ctx, shipment };
}

async function hospitalExpiryFixture() {
  const ctx = await consignmentFixture(true);
  const expiry = BigInt(await time.latest()) + 30n * BigInt(DAY);
  const shipment = await ship(ctx.ledger, ctx.supplier, ctx.orderId, 10n, { expiry });
  await confirm(ctx.ledger, ctx.actors.settler, shipment, 10n);
  return { ...ctx, shipment, expiry };
}

async function budgetedStockFixture() {
  const ctx = await withConsignedOrder(await budgetFixture());
  const shipment = await ship(ctx.ledger, ctx.supplier, ctx.orderId, 40n);
  await confirm(ctx.ledger, ctx.actors.settler, shipment, 40n);
  return { ...ctx, shipment };
}

/**
 * Hospital 2 first takes 97 plain units, so a consigned order of 7 straddles the second tier: it
 * is funded at 3 × 10,000 + 4 × 9,000 = 66,000 fen, not a multiple of 7, and its one shipment
 * of 7 holds all of it.
 */
async function straddlingFixture() {
  const ctx = await orderFixture();
  const other = await placeOrder(ctx.ledger, ctx.actors.hospital2, ctx.agreementId, 97n);
  await fundOrder(ctx.ledger, [ctx.staff2.approver], other);
  await deliver(ctx, other, 97n, ctx.staff2.settler);
  const consigned = await withConsignedOrder(ctx, false, 7n);
  const shipment = await ship(ctx.ledger, ctx.supplier, consigned.orderId, 7n);
  await confirm(ctx.ledger, ctx.actors.settler, shipment, 7n);
  return { ...consigned, shipment };
}

describe("ConsignmentBook", function () {
  describe("offering and electing", function () {
    it("lets only the agreement's supplier offer, once", async function () {
      const { ledger, actors, supplier, agreementId } = await loadFixture(orderFixture);
      await expect(ledger.consignment.connect(actors.stranger).offerConsignment(agreementId, false))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentNotSupplier")
        .withArgs(agreementId, actors.stranger.address);
      await expect(ledger.consignment.connect(supplier).offerConsignment(agreementId, true))
        .to.emit(ledger.consignment, "ConsignmentOffered")
        .withArgs(agreementId, supplier.address, true);
      expect(await ledger.consignment.terms(agreementId)).to.deep.equal([true, true]);
      await expect(ledger.consignment.connect(supplier).offerConsignment(agreementId, false))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentAlreadyOffered")
        .withArgs(agreementId);
    });

    it("refuses electing consignment without terms, by outsiders, twice or after funding", async function () {
      const { ledger, actors, supplier, agreementId } = await loadFixture(orderFixture);
      const orderId = await placeOrder(ledger, actors.hospital, agreementId, 10n);
      await expect(ledger.consignment.connect(actors.hospital).electConsignment(orderId))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentNotOffered")
        .withArgs(orderId, agreementId);
      await ledger.consignment.connect(supplier).offerConsignment(agreementId, false);
      await expect(ledger.consignment.connect(actors.settler).electConsignment(orderId))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentNotHospitalStaff")
        .withArgs(actors.hospital.address, actors.settler.address);
      await expect(ledger.consignment.connect(actors.hospital).electConsignment(orderId))
        .to.emit(ledger.consignment, "OrderConsigned")
        .withArgs(orderId, agreementId, actors.hospital.address, actors.hospital.address);
      expect((await ledger.orderBook.order(orderId)).consigned).to.equal(true);
      expect(await ledger.consignment.isConsigned(orderId)).to.equal(true);
      await expect(ledger.consignment.connect(actors.hospital).electConsignment(orderId))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentAlreadyElected")
        .withArgs(orderId);
      const funded = await placeOrder(ledger, actors.hospital, agreementId, 10n);
      await fundOrder(ledger, actors.approvers, funded);
      await expect(ledger.consignment.connect(actors.hospital).electConsignment(funded))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentOrderNotPlaced")
        .withArgs(funded, OrderStatus.Funded);
    });

    it("takes settlement hooks from the order book only", async function () {
      const { ledger, actors, orderId } = await loadFixture(consignmentFixture);
      const record = {
        orderId,
        supplier: actors.stranger.address,
        hospital: actors.hospital.address,
        gtin: 0n,
        expiry: 0n,
        quantity: 1n,
        createdAt: 0n,
        serialRoot: ethers.ZeroHash,
        noticeHash: ethers.ZeroHash,
        lot: "",
      };
      await expect(ledger.consignment.connect(actors.stranger).onSettled(1n, record, 1n, 1n))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentCallerNotOrderBook")
        .withArgs(actors.stranger.address);
      await expect(ledger.orderBook.connect(actors.stranger).releaseConsignedBudget(orderId, 1n))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderCallerNotConsignment")
        .withArgs(actors.stranger.address);
      await expect(ledger.orderBook.connect(actors.stranger).recordConsignedUse(orderId, 500n))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderCallerNotConsignment")
        .withArgs(actors.stranger.address);
      await expect(ledger.orderBook.connect(actors.stranger).markConsigned(orderId))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderCallerNotConsignment")
        .withArgs(actors.stranger.address);
    });

    it("keeps the flag on the order, which the order book lets change only before funding", async function () {
      const { ledger, actors, agreementId } = await loadFixture(orderFixture);
      const plain = await placeOrder(ledger, actors.hospital, agreementId, 10n);
      expect(await ledger.consignment.isConsigned(plain)).to.equal(false);
      await expect(ledger.consignment.isConsigned(999n))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotFound")
        .withArgs(999n);
      await fundOrder(ledger, actors.approvers, plain);
      // The consignment book refuses a funded order itself; the order book holds the line too.
      const book = await ledger.consignment.getAddress();
      await impersonateAccount(book);
      await setBalance(book, 10n ** 18n);
      await expect(ledger.orderBook.connect(await ethers.getSigner(book)).markConsigned(plain))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
        .withArgs(plain, OrderStatus.Funded, OrderStatus.Placed);
      expect((await ledger.orderBook.order(plain)).consigned).to.equal(false);
    });
  });

  describe("receipt", function () {
    it("pays the supplier nothing on confirmation and holds the accepted units' value", async function () {
      const { ledger, actors, supplier, orderId } = await loadFixture(consignmentFixture);
      const shipment = await ship(ledger, supplier, orderId, 40n);
      const book = await ledger.consignment.getAddress();
      const tx = confirm(ledger, actors.settler, shipment, 38n, 2n);
      await expect(tx)
        .to.emit(ledger.consignment, "StockConsigned")
        .withArgs(
          shipment.id,
          orderId,
          actors.hospital.address,
          supplier.address,
          38n,
          38n * PRICE,
          shipment.record.expiry,
        );
      await expect(tx).to.changeTokenBalances(
        ledger.token,
        [supplier, book, ledger.orderBook],
        [0n, 38n * PRICE, -38n * PRICE],
      );
      const stock = await ledger.consignment.stock(shipment.id);
      expect([stock.received, stock.used, stock.held]).to.deep.equal([38n, 0n, 38n * PRICE]);
      expect(await ledger.consignment.totalHeld()).to.equal(38n * PRICE);
    });

    it("leaves orders that are not consignments paying on confirmation", async function () {
      const ctx = await loadFixture(consignmentFixture);
      const { ledger, actors, supplier, agreementId } = ctx;
      const plain = await placeOrder(ledger, actors.hospital, agreementId, 10n);
      await fundOrder(ledger, actors.approvers, plain);
      const shipment = await ship(ledger, supplier, plain, 10n);
      const tx = confirm(ledger, actors.settler, shipment, 10n);
      await expect(tx).not.to.emit(ledger.consignment, "StockConsigned");
      await expect(tx).to.changeTokenBalance(ledger.token, supplier, 10n * PRICE);
    });
  });

  describe("consumption", function () {
    it("pays units × price to the supplier per batch, once", async function () {
      const { ledger, actors, supplier, shipment, orderId } = await loadFixture(consignedStockFixture);
      const book = await ledger.consignment.getAddress();
      const lines = [{ shipmentId: shipment.id, units: 3n }];
      const tx = ledger.consignment.connect(actors.settler).confirmConsumption(batch("1"), lines);
      await expect(tx)
        .to.emit(ledger.consignment, "ConsumptionConfirmed")
        .withArgs(batch("1"), shipment.id, orderId, 3n, 3n * PRICE);
      await expect(tx)
        .to.emit(ledger.consignment, "ConsumptionBatchConfirmed")
        .withArgs(
          batch("1"),
          actors.hospital.address,
          supplier.address,
          actors.settler.address,
          3n,
          3n * PRICE,
        );
      await expect(tx).to.changeTokenBalances(ledger.token, [supplier, book], [3n * PRICE, -3n * PRICE]);
      await expect(ledger.consignment.connect(actors.settler).confirmConsumption(batch("1"), lines))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentBatchRepeated")
        .withArgs(batch("1"));
      expect(await ledger.consignment.batchConfirmed(batch("1"))).to.equal(true);
      const stock = await ledger.consignment.stock(shipment.id);
      expect([stock.used, stock.held]).to.deep.equal([3n, 37n * PRICE]);
    });

    it("refuses more units than are on hand, zero units, empty batches and non-settlers", async function () {
      const { ledger, actors, shipment } = await loadFixture(consignedStockFixture);
      const c = ledger.consignment.connect(actors.settler);
      await c.confirmConsumption(batch("a"), [{ shipmentId: shipment.id, units: 30n }]);
      await expect(c.confirmConsumption(batch("b"), [{ shipmentId: shipment.id, units: 11n }]))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentExceedsOnHand")
        .withArgs(shipment.id, 11n, 10n);
      // Two lines of the same shipment count together.
      await expect(
        c.confirmConsumption(batch("b"), [
          { shipmentId: shipment.id, units: 6n },
          { shipmentId: shipment.id, units: 5n },
        ]),
      )
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentExceedsOnHand")
        .withArgs(shipment.id, 5n, 4n);
      await expect(c.confirmConsumption(batch("b"), [{ shipmentId: shipment.id, units: 0n }]))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentZeroUnits")
        .withArgs(shipment.id);
      await expect(c.confirmConsumption(batch("b"), []))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentBatchEmpty")
        .withArgs(batch("b"));
      await expect(c.confirmConsumption(batch("b"), [{ shipmentId: 99n, units: 1n }]))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentStockNotFound")
        .withArgs(99n);
      await expect(
        ledger.consignment
          .connect(actors.approvers[0])
          .confirmConsumption(batch("b"), [{ shipmentId: shipment.id, units: 1n }]),
      )
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentNotSettler")
        .withArgs(actors.hospital.address, actors.approvers[0].address);
    });

    it("refuses a batch confirmed by the stock's own supplier, whatever role the hospital gave it: ConsignmentOwnStock", async function () {
      // The attack: the hospital gave the supplier's representative its settler role to help
      // with the consigned stock; the representative confirms units nobody used and is paid.
      const { ledger, actors, supplier, shipment } = await loadFixture(consignedStockFixture);
      await addMember(ledger, actors.hospital, supplier, SETTLER);
      const lines = [{ shipmentId: shipment.id, units: 40n }];
      await expect(ledger.consignment.connect(supplier).confirmConsumption(batch("own"), lines))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentOwnStock")
        .withArgs(batch("own"), supplier.address);
      const stock = await ledger.consignment.stock(shipment.id);
      expect([stock.used, stock.held]).to.deep.equal([0n, 40n * PRICE]);
      expect(await ledger.consignment.batchConfirmed(batch("own"))).to.equal(false);
    });

    it("refuses a batch mixing hospitals", async function () {
      const ctx = await loadFixture(consignedStockFixture);
      const { ledger, actors, supplier, agreementId, staff2, shipment } = ctx;
      const other = await placeOrder(ledger, actors.hospital2, agreementId, 5n);
      await ledger.consignment.connect(actors.hospital2).electConsignment(other);
      await fundOrder(ledger, [staff2.approver], other);
      const s2 = await ship(ledger, supplier, other, 5n);
      await confirm(ledger, staff2.settler, s2, 5n);
      await expect(
        ledger.consignment.connect(actors.settler).confirmConsumption(batch("mixed"), [
          { shipmentId: shipment.id, units: 1n },
          { shipmentId: s2.id, units: 1n },
        ]),
      )
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentBatchMixed")
        .withArgs(batch("mixed"), s2.id);
    });

    it("pays a shipment exactly its held value over uneven batches (the last unit takes the remainder)", async function () {
      const { ledger, actors, shipment } = await loadFixture(straddlingFixture);
      expect((await ledger.consignment.stock(shipment.id)).held).to.equal(66_000n);
      const amounts: bigint[] = [];
      for (const [i, units] of [2n, 2n, 3n].entries()) {
        const tx = await ledger.consignment
          .connect(actors.settler)
          .confirmConsumption(batch(`u${i}`), [{ shipmentId: shipment.id, units }]);
        const logs = (await tx.wait())!.logs.map((l) => ledger.consignment.interface.parseLog(l));
        amounts.push(logs.find((e) => e?.name === "ConsumptionBatchConfirmed")!.args.amount as bigint);
      }
      // 2 of 7 of 66,000; 2 of 5 of the 47,143 left; the last 3 take the 28,286 left.
      expect(amounts).to.deep.equal([18_857n, 18_857n, 28_286n]);
      expect(await ledger.token.balanceOf(await ledger.consignment.getAddress())).to.equal(0n);
      expect(await ledger.consignment.totalHeld()).to.equal(0n);
    });
  });

  describe("returns", function () {
    it("refunds nothing for units a hospital used but has not paid: its return waits for the supplier, who refuses it, and the usage is paid", async function () {
      // The attack: all 40 units were used on patients, their usages wait for the next batch,
      // and the hospital "returns" them to get their value back before the batch pays.
      const { ledger, actors, supplier, shipment, orderId } = await loadFixture(consignedStockFixture);
      const book = await ledger.consignment.getAddress();
      // The request's block time is set, not foretold from the clock: a busy machine mines late.
      const requestedAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(requestedAt);
      const request = ledger.consignment.connect(actors.approvers[0]).returnStock(shipment.id, 40n, REASON);
      const answerBy = BigInt(requestedAt) + 14n * BigInt(DAY);
      await expect(request)
        .to.emit(ledger.consignment, "ConsignedReturnRequested")
        .withArgs(shipment.id, orderId, actors.approvers[0].address, 40n, 40n * PRICE, REASON, answerBy);
      await expect(request).to.changeTokenBalances(ledger.token, [actors.hospital, book], [0n, 0n]);
      expect(await ledger.consignment.pendingReturn(shipment.id)).to.deep.equal([
        40n,
        40n * PRICE,
        BigInt(REASON),
        answerBy,
      ]);
      // The units are off the shelf while the supplier has not answered: the batch waits.
      const lines = [{ shipmentId: shipment.id, units: 40n }];
      await expect(ledger.consignment.connect(actors.settler).confirmConsumption(batch("used"), lines))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentExceedsOnHand")
        .withArgs(shipment.id, 40n, 0n);
      // Nothing reached the supplier: it refuses, the units are back on hand, and the batch pays them.
      await expect(ledger.consignment.connect(supplier).refuseReturn(shipment.id, 0))
        .to.emit(ledger.consignment, "ConsignedReturnRefused")
        .withArgs(shipment.id, orderId, supplier.address, 40n, 0);
      await expect(
        ledger.consignment.connect(actors.settler).confirmConsumption(batch("used again"), lines),
      ).to.changeTokenBalances(
        ledger.token,
        [supplier, book, actors.hospital],
        [40n * PRICE, -40n * PRICE, 0n],
      );
      expect(await ledger.consignment.totalHeld()).to.equal(0n);
    });

    it("gives unused units back once the supplier confirms it has them, and their value back to the hospital", async function () {
      const { ledger, actors, supplier, shipment, orderId } = await loadFixture(consignedStockFixture);
      await ledger.consignment
        .connect(actors.settler)
        .confirmConsumption(batch("1"), [{ shipmentId: shipment.id, units: 10n }]);
      const book = await ledger.consignment.getAddress();
      await ledger.consignment.connect(actors.approvers[1]).returnStock(shipment.id, 25n, REASON);
      await expect(ledger.consignment.connect(actors.hospital).returnStock(shipment.id, 1n, REASON))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentReturnPending")
        .withArgs(shipment.id, 25n);
      const { answerBy } = await ledger.consignment.pendingReturn(shipment.id);
      await expect(ledger.consignment.connect(actors.hospital).confirmReturn(shipment.id))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentReturnAnswerDue")
        .withArgs(shipment.id, answerBy);
      await expect(ledger.consignment.connect(actors.settler).confirmReturn(shipment.id))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentNotShipmentSupplier")
        .withArgs(shipment.id, actors.settler.address);
      const tx = ledger.consignment.connect(supplier).confirmReturn(shipment.id);
      await expect(tx)
        .to.emit(ledger.consignment, "ConsignedStockReturned")
        .withArgs(shipment.id, orderId, supplier.address, 25n, 25n * PRICE, REASON);
      await expect(tx).to.changeTokenBalances(
        ledger.token,
        [actors.hospital, book],
        [25n * PRICE, -25n * PRICE],
      );
      await expect(ledger.consignment.connect(supplier).confirmReturn(shipment.id))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentNoReturnPending")
        .withArgs(shipment.id);
      await expect(ledger.consignment.connect(actors.hospital).returnStock(shipment.id, 6n, REASON))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentExceedsOnHand")
        .withArgs(shipment.id, 6n, 5n);
    });

    it("lets the hospital confirm its own return once the supplier's 14 days pass unanswered, and not the supplier refuse it after", async function () {
      const { ledger, actors, supplier, shipment, orderId } = await loadFixture(consignedStockFixture);
      await ledger.consignment.connect(actors.hospital).returnStock(shipment.id, 12n, REASON);
      const { answerBy } = await ledger.consignment.pendingReturn(shipment.id);
      // The next transaction mines a second after the latest block: the window's last second.
      await time.increaseTo(answerBy - 2n);
      await expect(ledger.consignment.connect(actors.approvers[0]).confirmReturn(shipment.id))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentReturnAnswerDue")
        .withArgs(shipment.id, answerBy);
      await time.increase(1);
      await expect(ledger.consignment.connect(supplier).refuseReturn(shipment.id, 0))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentReturnAnswerWindowClosed")
        .withArgs(shipment.id, answerBy);
      await expect(ledger.consignment.connect(actors.hospital).refuseReturn(shipment.id, 0))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentNotShipmentSupplier")
        .withArgs(shipment.id, actors.hospital.address);
      const tx = ledger.consignment.connect(actors.approvers[0]).confirmReturn(shipment.id);
      await expect(tx)
        .to.emit(ledger.consignment, "ConsignedStockReturned")
        .withArgs(shipment.id, orderId, actors.approvers[0].address, 12n, 12n * PRICE, REASON);
      await expect(tx).to.changeTokenBalance(ledger.token, actors.hospital, 12n * PRICE);
      expect((await ledger.consignment.stock(shipment.id)).returned).to.equal(12n);
    });

    it("lets the supplier take stock back only after the agreement's term, and nobody else", async function () {
      const { ledger, actors, supplier, shipment } = await loadFixture(consignedStockFixture);
      await expect(ledger.consignment.connect(supplier).returnStock(shipment.id, 1n, REASON))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentReturnNotAllowed")
        .withArgs(shipment.id, supplier.address);
      await expect(ledger.consignment.connect(actors.settler).returnStock(shipment.id, 1n, REASON))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentReturnNotAllowed")
        .withArgs(shipment.id, actors.settler.address);
      await time.increase(YEAR + DAY);
      await expect(
        ledger.consignment.connect(supplier).returnStock(shipment.id, 40n, REASON),
      ).to.changeTokenBalance(ledger.token, actors.hospital, 40n * PRICE);
    });

    it("returns the value to the budget the order was charged to", async function () {
      const ctx = await loadFixture(budgetedStockFixture);
      const { ledger, actors, orderId, shipment } = ctx;
      const period = await ledger.budgets.currentPeriod();
      const spentBefore = (await ledger.budgets.budget(actors.hospital.address, STENTS, period)).spent;
      await ledger.consignment.connect(actors.hospital).returnStock(shipment.id, 15n, REASON);
      await expect(ledger.consignment.connect(ctx.supplier).confirmReturn(shipment.id))
        .to.emit(ledger.budgets, "BudgetReturned")
        .withArgs(orderId, actors.hospital.address, STENTS, period, 15n * PRICE, spentBefore - 15n * PRICE);
      expect(await ledger.budgets.remaining(actors.hospital.address, STENTS, period)).to.equal(
        BUDGET - spentBefore + 15n * PRICE,
      );
    });
  });

  describe("a recalled lot", function () {
    // The attack (a helper's review): under terms where the hospital bears expiry, the lot is
    // recalled after it went into the hospital's custody; the supplier refuses the hospital's
    // return of it, and at expiry the write-off paid it for stock nobody could use.
    async function recalledStockFixture() {
      const ctx = await loadFixture(hospitalExpiryFixture);
      await ctx.ledger.trace.connect(ctx.actors.regulator).recall(GTIN, LOT, 41);
      return ctx;
    }

    it("is written off at the supplier's loss at expiry, whatever the terms say, even after it refused a return", async function () {
      const { ledger, supplier, shipment, orderId, expiry, actors } = await recalledStockFixture();
      await ledger.consignment.connect(actors.hospital).returnStock(shipment.id, 10n, REASON);
      // The supplier may still refuse: its check on a return of units the hospital used.
      await ledger.consignment.connect(supplier).refuseReturn(shipment.id, 411);
      await time.increaseTo(expiry);
      const tx = ledger.consignment.writeOffExpired(shipment.id);
      await expect(tx)
        .to.emit(ledger.consignment, "ConsignedStockExpired")
        .withArgs(shipment.id, orderId, 10n, 10n * PRICE, false);
      await expect(tx).to.changeTokenBalances(ledger.token, [supplier, actors.hospital], [0n, 10n * PRICE]);
    });

    it("pays units used as they are used, recall or not, as a settled delivery is not taken back", async function () {
      const { ledger, actors, supplier, shipment } = await recalledStockFixture();
      await expect(
        ledger.consignment
          .connect(actors.settler)
          .confirmConsumption(batch("used before the recall"), [{ shipmentId: shipment.id, units: 2n }]),
      ).to.changeTokenBalances(ledger.token, [supplier], [2n * PRICE]);
    });

    it("counts the supplier's own recall, and not another supplier's", async function () {
      const { ledger, actors, supplier, shipment, expiry } = await loadFixture(hospitalExpiryFixture);
      // Anyone's own recall covers only its own shipments: the terms stand.
      await ledger.trace.connect(actors.stranger).recall(GTIN, LOT, 41);
      await time.increaseTo(expiry);
      await expect(ledger.consignment.writeOffExpired(shipment.id)).to.changeTokenBalances(
        ledger.token,
        [supplier, actors.hospital],
        [10n * PRICE, 0n],
      );
    });

    it("takes the supplier's own recall as a recall", async function () {
      const { ledger, actors, supplier, shipment, expiry } = await loadFixture(hospitalExpiryFixture);
      await ledger.trace.connect(supplier).recall(GTIN, LOT, 41);
      await time.increaseTo(expiry);
      await expect(ledger.consignment.writeOffExpired(shipment.id)).to.changeTokenBalances(
        ledger.token,
        [supplier, actors.hospital],
        [0n, 10n * PRICE],
      );
    });
  });

  describe("the agreement's price", function () {
    /** A consigned order of 500 at tier one (10,000 + 9,000 fen a unit), shipped and held. */
    async function consignedFiveHundred() {
      const ctx = await withConsignedOrder(await orderFixture(), true, 500n);
      const shipment = await ship(ctx.ledger, ctx.supplier, ctx.orderId, 500n);
      await confirm(ctx.ledger, ctx.actors.settler, shipment, 500n);
      return { ...ctx, shipment };
    }

    it("does not fall for consigned units given back: 500 consigned and returned leave later orders at 10,000", async function () {
      // The attack: consign 500 units, return them all for a full refund, and every later order
      // under the agreement is priced in the 500-unit tier (8,000) at the supplier's loss.
      const { ledger, actors, supplier, agreementId, shipment } = await loadFixture(consignedFiveHundred);
      await ledger.consignment.connect(actors.approvers[0]).returnStock(shipment.id, 500n, REASON);
      await ledger.consignment.connect(supplier).confirmReturn(shipment.id);
      expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(0n);
      expect(await ledger.agreements.quote(agreementId, 100n)).to.equal(100n * PRICE);
    });

    it("counts consigned units when used, and prices later orders from there", async function () {
      const { ledger, actors, agreementId, shipment } = await loadFixture(consignedFiveHundred);
      expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(0n);
      await ledger.consignment
        .connect(actors.settler)
        .confirmConsumption(batch("used"), [{ shipmentId: shipment.id, units: 150n }]);
      expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(150n);
      // From 150 on, the second tier: 100 units at 9,000.
      expect(await ledger.agreements.quote(agreementId, 100n)).to.equal(900_000n);
    });

    it("counts units expired at the hospital's cost, and not those at the supplier's loss", async function () {
      const ctx = await loadFixture(consignedFiveHundred);
      const { ledger, agreementId, shipment } = ctx;
      await time.increaseTo(shipment.record.expiry);
      await ledger.consignment.writeOffExpired(shipment.id);
      expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(500n);

      const lossCtx = await withConsignedOrder(await orderFixture(), false, 120n);
      const { ledger: other, supplier, orderId, actors } = lossCtx;
      const lost = await ship(other, supplier, orderId, 120n);
      await confirm(other, actors.settler, lost, 120n);
      await time.increaseTo(lost.record.expiry);
      await other.consignment.writeOffExpired(lost.id);
      expect((await other.agreements.agreement(agreementId)).acceptedVolume).to.equal(0n);
    });

    it("holds a consigned delivery at its order's funded price, whatever the tier position now", async function () {
      // Funded at 0: 100 × 10,000 + 400 × 9,000 = 4,600,000 for 500 units, 9,200 a unit. A plain
      // order of 200 then moves the position to 200; the consigned shipments still hold 9,200.
      const ctx = await withConsignedOrder(await orderFixture(), false, 500n);
      const { ledger, actors, supplier, orderId } = ctx;
      expect((await ledger.orderBook.order(orderId)).escrow).to.equal(4_600_000n);
      const plain = await placeOrder(ledger, actors.hospital, ctx.agreementId, 200n);
      await fundOrder(ledger, actors.approvers, plain);
      await deliver(ctx, plain, 200n);
      const first = await ship(ledger, supplier, orderId, 300n);
      await confirm(ledger, actors.settler, first, 300n);
      expect((await ledger.consignment.stock(first.id)).held).to.equal(300n * 9_200n);
      const last = await ship(ledger, supplier, orderId, 200n);
      await confirm(ledger, actors.settler, last, 200n);
      expect((await ledger.consignment.stock(last.id)).held).to.equal(200n * 9_200n);
      const o = await ledger.orderBook.order(orderId);
      expect([o.status, o.escrow]).to.deep.equal([OrderStatus.Closed, 0n]);
    });
  });

  describe("expiry", function () {
    it("writes off expired stock at the supplier's loss by default", async function () {
      const ctx = await loadFixture(consignmentFixture);
      const { ledger, actors, supplier, orderId } = ctx;
      const expiry = BigInt(await time.latest()) + 30n * BigInt(DAY);
      const shipment = await ship(ledger, supplier, orderId, 10n, { expiry });
      await confirm(ledger, actors.settler, shipment, 10n);
      await ledger.consignment
        .connect(actors.settler)
        .confirmConsumption(batch("e"), [{ shipmentId: shipment.id, units: 4n }]);
      await expect(ledger.consignment.writeOffExpired(shipment.id)).to.be.revertedWithCustomError(
        ledger.consignment,
        "ConsignmentNotExpired",
      );
      await time.increaseTo(expiry);
      const tx = ledger.consignment.connect(actors.stranger).writeOffExpired(shipment.id);
      await expect(tx)
        .to.emit(ledger.consignment, "ConsignedStockExpired")
        .withArgs(shipment.id, orderId, 6n, 6n * PRICE, false);
      await expect(tx).to.changeTokenBalances(ledger.token, [actors.hospital, supplier], [6n * PRICE, 0n]);
      await expect(
        ledger.consignment
          .connect(actors.settler)
          .confirmConsumption(batch("late"), [{ shipmentId: shipment.id, units: 1n }]),
      )
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentExceedsOnHand")
        .withArgs(shipment.id, 1n, 0n);
    });

    it("pays expired stock to the supplier when the terms say the hospital bears expiry, which the hospital cannot dodge by returning it", async function () {
      const { ledger, supplier, shipment, orderId, expiry, actors } =
        await loadFixture(hospitalExpiryFixture);
      await time.increaseTo(expiry);
      // The attack: "return" the expired units, and ask again after each refusal, so the
      // write-off that pays the supplier never finds them on the shelf.
      await expect(ledger.consignment.connect(actors.hospital).returnStock(shipment.id, 10n, REASON))
        .to.be.revertedWithCustomError(ledger.consignment, "ConsignmentReturnAfterExpiry")
        .withArgs(shipment.id, expiry);
      const tx = ledger.consignment.writeOffExpired(shipment.id);
      await expect(tx)
        .to.emit(ledger.consignment, "ConsignedStockExpired")
        .withArgs(shipment.id, orderId, 10n, 10n * PRICE, true);
      await expect(tx).to.changeTokenBalances(ledger.token, [supplier, actors.hospital], [10n * PRICE, 0n]);
    });
  });
});
