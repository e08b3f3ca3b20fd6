import {
  loadFixture,
  takeSnapshot,
  time,
  type SnapshotRestorer,
} from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { BUDGET, budgetFixture, CST, nextNewYear, periodOfTx, REASON } from "./helpers/budget";
import { DAY, KNEES, STENTS } from "./helpers/fixtures";
import {
  arrive,
  confirm,
  deliver,
  fundOrder,
  OrderStatus,
  placeFundedOrder,
  placeOrder,
  receive,
  ship,
} from "./helpers/orderBook";

/** 100 units at the first tier: what each order of these tests escrows. */
const VALUE = 1_000_000n;

/** The budget fixture with a second order of 100 units placed by hospital 1, not yet approved. */
async function secondOrderFixture() {
  const base = await budgetFixture();
  const first = await placeFundedOrder(base, 100n);
  const second = await placeOrder(base.ledger, base.actors.hospital, base.agreementId, 100n);
  return { ...base, first, second };
}

describe("OrderBook: budgets", function () {
  describe("approving an order whose category has a budget this period", function () {
    it("charges the escrow to the budget and records the period on the order", async function () {
      const ctx = await loadFixture(budgetFixture);
      const { ledger, actors, agreementId, period } = ctx;
      const orderId = await placeOrder(ledger, actors.hospital, agreementId, 100n);
      const tx = ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
      await expect(tx)
        .to.emit(ledger.budgets, "BudgetCharged")
        .withArgs(orderId, actors.hospital.address, STENTS, period, VALUE, VALUE);
      await expect(tx)
        .to.emit(ledger.orderBook, "OrderFunded")
        .withArgs(orderId, actors.hospital.address, VALUE);
      expect(await periodOfTx(ledger, await tx)).to.equal(period);
      const o = await ledger.orderBook.order(orderId);
      expect([o.status, o.escrow, o.budgetPeriod]).to.deep.equal([OrderStatus.Funded, VALUE, period]);
      expect(await ledger.budgets.budget(actors.hospital.address, STENTS, period)).to.deep.equal([
        BUDGET,
        VALUE,
        true,
      ]);
      expect(await ledger.budgets.remaining(actors.hospital.address, STENTS, period)).to.equal(
        BUDGET - VALUE,
      );
    });

    describe("when the order's value exceeds the remaining budget", function () {
      it("reverts with BudgetExceeded, and nothing is funded, escrowed or charged", async function () {
        const { ledger, actors, agreementId, period, second } = await loadFixture(secondOrderFixture);
        const balance = await ledger.token.balanceOf(actors.hospital.address);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(second))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetExceeded")
          .withArgs(actors.hospital.address, STENTS, period, VALUE, BUDGET - VALUE);
        const o = await ledger.orderBook.order(second);
        expect([o.status, o.escrow, o.budgetPeriod]).to.deep.equal([OrderStatus.Placed, 0n, 0n]);
        expect(await ledger.token.balanceOf(actors.hospital.address)).to.equal(balance);
        expect(
          (await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address)).funded,
        ).to.equal(100n);
        expect((await ledger.budgets.budget(actors.hospital.address, STENTS, period)).spent).to.equal(VALUE);
      });

      it("lets the first of two approvals through and refuses the funding one", async function () {
        const ctx = await loadFixture(budgetFixture);
        const { ledger, actors, agreementId, period } = ctx;
        await placeFundedOrder(ctx, 100n);
        await ledger.hospitals.connect(actors.hospital).setApprovalThreshold(1n);
        const orderId = await placeOrder(ledger, actors.hospital, agreementId, 100n);
        expect((await ledger.orderBook.order(orderId)).twoApprovals).to.equal(true);
        await ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
        await expect(ledger.orderBook.connect(actors.approvers[1]).approveOrder(orderId))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetExceeded")
          .withArgs(actors.hospital.address, STENTS, period, VALUE, BUDGET - VALUE);
      });

      it("still reverts while an adjustment is only proposed", async function () {
        const { ledger, actors, period, second } = await loadFixture(secondOrderFixture);
        await ledger.budgets.connect(actors.approvers[0]).proposeAdjustment(STENTS, period, 500_000n, REASON);
        await expect(
          ledger.orderBook.connect(actors.approvers[1]).approveOrder(second),
        ).to.be.revertedWithCustomError(ledger.budgets, "BudgetExceeded");
      });

      it("passes once two approvers recorded an adjustment, using the budget up exactly", async function () {
        const { ledger, actors, period, second } = await loadFixture(secondOrderFixture);
        await ledger.budgets.connect(actors.approvers[0]).proposeAdjustment(STENTS, period, 500_000n, REASON);
        await ledger.budgets.connect(actors.approvers[1]).confirmAdjustment(1n);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(second))
          .to.emit(ledger.budgets, "BudgetCharged")
          .withArgs(second, actors.hospital.address, STENTS, period, VALUE, 2n * VALUE);
        expect(await ledger.budgets.remaining(actors.hospital.address, STENTS, period)).to.equal(0n);
      });
    });

    describe("when the budget is zero", function () {
      it("refuses every order of the category", async function () {
        const { ledger, actors, agreementId, period, staff2 } = await loadFixture(budgetFixture);
        await ledger.budgets.connect(actors.hospital2).setBudget(STENTS, period, 0n);
        const orderId = await placeOrder(ledger, actors.hospital2, agreementId, 1n);
        await expect(ledger.orderBook.connect(staff2.approver).approveOrder(orderId))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetExceeded")
          .withArgs(actors.hospital2.address, STENTS, period, 10_000n, 0n);
      });
    });
  });

  describe("approving an order whose category has no budget this period", function () {
    it("funds it as before and charges nothing: the category is not budget-controlled", async function () {
      const { ledger, actors, agreementId, period, staff2 } = await loadFixture(budgetFixture);
      // Hospital 2 budgets another category this period and stents only next period.
      await ledger.budgets.connect(actors.hospital2).setBudget(KNEES, period, 1n);
      await ledger.budgets.connect(actors.hospital2).setBudget(STENTS, period + 1n, 1n);
      const orderId = await placeOrder(ledger, actors.hospital2, agreementId, 100n);
      const tx = ledger.orderBook.connect(staff2.approver).approveOrder(orderId);
      await expect(tx)
        .to.emit(ledger.orderBook, "OrderFunded")
        .withArgs(orderId, actors.hospital2.address, VALUE);
      await expect(tx).not.to.emit(ledger.budgets, "BudgetCharged");
      expect((await ledger.orderBook.order(orderId)).budgetPeriod).to.equal(0n);
      await expect(ledger.orderBook.connect(actors.hospital2).cancelOrder(orderId)).not.to.emit(
        ledger.budgets,
        "BudgetReturned",
      );
    });
  });

  describe("refunds of a charged order", function () {
    it("return a cancelled order's whole escrow, which another order can then use", async function () {
      const ctx = await loadFixture(secondOrderFixture);
      const { ledger, actors, period, first, second } = ctx;
      const tx = ledger.orderBook.connect(actors.hospital).cancelOrder(first);
      await expect(tx)
        .to.emit(ledger.budgets, "BudgetReturned")
        .withArgs(first, actors.hospital.address, STENTS, period, VALUE, 0n);
      await expect(tx).to.changeTokenBalance(ledger.token, actors.hospital, VALUE);
      await ledger.orderBook.connect(actors.approvers[0]).approveOrder(second);
      expect((await ledger.budgets.budget(actors.hospital.address, STENTS, period)).spent).to.equal(VALUE);
    });

    it("return nothing when an unfunded order is cancelled", async function () {
      const { ledger, actors, second } = await loadFixture(secondOrderFixture);
      await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(second)).not.to.emit(
        ledger.budgets,
        "BudgetReturned",
      );
    });

    it("return the cancelled remainder when the order closes; the delivered part stays spent", async function () {
      const ctx = await loadFixture(budgetFixture);
      const { ledger, actors, period } = ctx;
      const orderId = await placeFundedOrder(ctx, 100n);
      await deliver(ctx, orderId, 40n);
      await time.increaseTo((await ledger.orderBook.order(orderId)).deliveryDeadline + 1n);
      const tx = ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
      await expect(tx)
        .to.emit(ledger.budgets, "BudgetReturned")
        .withArgs(orderId, actors.hospital.address, STENTS, period, 600_000n, 400_000n);
      expect((await ledger.orderBook.order(orderId)).status).to.equal(OrderStatus.Closed);
    });

    it("return a late delivery's penalty: what stays spent is what the supplier was paid", async function () {
      const ctx = await loadFixture(budgetFixture);
      const { ledger, actors, supplier, period } = ctx;
      const orderId = await placeFundedOrder(ctx, 100n);
      const shipment = await ship(ledger, supplier, orderId, 100n);
      await time.increaseTo((await ledger.orderBook.order(orderId)).deliveryDeadline + BigInt(2 * DAY));
      await arrive(ledger, supplier, shipment);
      await receive(ledger, actors.receiver, shipment);
      const tx = await confirm(ledger, actors.settler, shipment, 100n);
      const settled = await ledger.orderBook.queryFilter(
        ledger.orderBook.filters.ShipmentSettled(shipment.id),
      );
      const { penalty, paid } = settled[0].args.payout;
      expect(penalty).to.be.greaterThan(0n);
      await expect(tx)
        .to.emit(ledger.budgets, "BudgetReturned")
        .withArgs(orderId, actors.hospital.address, STENTS, period, penalty, paid);
      expect((await ledger.budgets.budget(actors.hospital.address, STENTS, period)).spent).to.equal(paid);
    });

    it("return what funding reserved above the price the units were settled at", async function () {
      const ctx = await loadFixture(budgetFixture);
      const { ledger, actors, agreementId, period, staff2 } = ctx;
      await ledger.budgets.connect(actors.hospital2).setBudget(STENTS, period, 3n * VALUE);
      const [a, b] = [
        await placeOrder(ledger, actors.hospital2, agreementId, 100n),
        await placeOrder(ledger, actors.hospital2, agreementId, 100n),
      ];
      await fundOrder(ledger, [staff2.approver], a);
      await fundOrder(ledger, [staff2.approver], b); // escrowed at 10,000 a unit, as a was
      await deliver(ctx, a, 100n, staff2.settler); // 100 accepted: the next units cost 9,000
      const s = await ship(ledger, ctx.supplier, b, 100n);
      await expect(confirm(ledger, staff2.settler, s, 100n))
        .to.emit(ledger.budgets, "BudgetReturned")
        .withArgs(b, actors.hospital2.address, STENTS, period, 100_000n, 1_900_000n);
    });

    it("return rejected units once the rest is cancelled", async function () {
      const ctx = await loadFixture(budgetFixture);
      const { ledger, actors, supplier, period } = ctx;
      const orderId = await placeFundedOrder(ctx, 100n);
      const shipment = await ship(ledger, supplier, orderId, 100n);
      await confirm(ledger, actors.settler, shipment, 0n, 100n);
      await time.increaseTo((await ledger.orderBook.order(orderId)).deliveryDeadline + 1n);
      await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
        .to.emit(ledger.budgets, "BudgetReturned")
        .withArgs(orderId, actors.hospital.address, STENTS, period, VALUE, 0n);
    });
  });

  describe("pausing", function () {
    describe("when the budget book is paused", function () {
      it("refuses to fund a budget-controlled order, and funds an uncontrolled one", async function () {
        const { ledger, actors, agreementId, staff2 } = await loadFixture(budgetFixture);
        await ledger.budgets.connect(actors.admin).pause();
        const controlled = await placeOrder(ledger, actors.hospital, agreementId, 1n);
        await expect(
          ledger.orderBook.connect(actors.approvers[0]).approveOrder(controlled),
        ).to.be.revertedWithCustomError(ledger.budgets, "EnforcedPause");
        const free = await placeOrder(ledger, actors.hospital2, agreementId, 1n);
        await expect(ledger.orderBook.connect(staff2.approver).approveOrder(free)).to.emit(
          ledger.orderBook,
          "OrderFunded",
        );
      });
    });

    describe("when the whole ledger is paused", function () {
      it("still cancels a charged order and returns its value to the budget", async function () {
        const ctx = await loadFixture(budgetFixture);
        const { ledger, actors, period } = ctx;
        const orderId = await placeFundedOrder(ctx, 100n);
        for (const c of [ledger.orderBook, ledger.budgets, ledger.agreements])
          await c.connect(actors.admin).pause();
        await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
          .to.emit(ledger.budgets, "BudgetReturned")
          .withArgs(orderId, actors.hospital.address, STENTS, period, VALUE, 0n);
      });
    });
  });

  describe("at the turn of the fiscal year (local midnight, UTC+8)", function () {
    let outside: SnapshotRestorer;
    // The chain moves up to a year ahead here; later test files start from where it was.
    before(async function () {
      outside = await takeSnapshot();
    });
    after(async function () {
      await outside.restore();
    });

    /** Two orders placed two days before the local new year; next year's budget is 1,000,000. */
    async function newYearFixture() {
      const base = await budgetFixture();
      const { ledger, actors, agreementId, period } = base;
      const turn = nextNewYear(await time.latest(), CST);
      await ledger.budgets.connect(actors.hospital).setBudget(STENTS, period + 1n, VALUE);
      await time.increaseTo(turn - 2 * DAY);
      const before = await placeOrder(ledger, actors.hospital, agreementId, 100n);
      const after = await placeOrder(ledger, actors.hospital, agreementId, 100n);
      return { ...base, turn, before, after };
    }

    it("charges the year each funding happened in, to the second", async function () {
      const { ledger, actors, period, turn, before, after } = await loadFixture(newYearFixture);
      await time.setNextBlockTimestamp(turn - 1);
      await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(before))
        .to.emit(ledger.budgets, "BudgetCharged")
        .withArgs(before, actors.hospital.address, STENTS, period, VALUE, VALUE);
      await time.setNextBlockTimestamp(turn);
      await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(after))
        .to.emit(ledger.budgets, "BudgetCharged")
        .withArgs(after, actors.hospital.address, STENTS, period + 1n, VALUE, VALUE);
      expect((await ledger.orderBook.order(before)).budgetPeriod).to.equal(period);
      expect((await ledger.orderBook.order(after)).budgetPeriod).to.equal(period + 1n);
    });

    it("returns a refund to the year the order was charged to, not the current one", async function () {
      const { ledger, actors, period, turn, before, after } = await loadFixture(newYearFixture);
      await time.setNextBlockTimestamp(turn - 1);
      await ledger.orderBook.connect(actors.approvers[0]).approveOrder(before);
      await ledger.orderBook.connect(actors.approvers[0]).approveOrder(after); // a second later: next year
      await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(before))
        .to.emit(ledger.budgets, "BudgetReturned")
        .withArgs(before, actors.hospital.address, STENTS, period, VALUE, 0n);
      expect((await ledger.budgets.budget(actors.hospital.address, STENTS, period + 1n)).spent).to.equal(
        VALUE,
      );
    });

    it("refuses budgets for the year that ended", async function () {
      const { ledger, actors, period, turn } = await loadFixture(newYearFixture);
      await time.increaseTo(turn);
      await expect(ledger.budgets.connect(actors.hospital).setBudget(KNEES, period, 1n))
        .to.be.revertedWithCustomError(ledger.budgets, "BudgetPeriodPast")
        .withArgs(period, period + 1n);
    });
  });
});
