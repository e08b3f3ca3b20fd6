import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { PAUSER_ROLE } from "../../ledger/roles";
import type { BudgetBook } from "../../typechain-types";
import { KNEES, STENTS } from "./helpers/fixtures";
import {
  AdjustmentStatus,
  BUDGET,
  budgetFixture,
  CST,
  MAX_AMOUNT,
  newYear,
  proposedFixture,
  REASON,
  yearAt,
} from "./helpers/budget";
import { placeFundedOrder } from "./helpers/orderBook";

const WEST = -5 * 3600;
const INDIA = 5.5 * 3600;

/** Budget books of their own at UTC, China, UTC−5 and India, on the fixture's roles and hospitals. */
async function booksFixture() {
  const base = await budgetFixture();
  const { ledger, actors } = base;
  const deploy = async (offset: number) =>
    (await ethers.deployContract(
      "BudgetBook",
      [ledger.roles, ledger.forwarder, ledger.hospitals, offset],
      actors.admin,
    )) as unknown as BudgetBook;
  const books = {
    utc: await deploy(0),
    east: await deploy(CST),
    west: await deploy(WEST),
    india: await deploy(INDIA),
  };
  return { ...base, books };
}

describe("BudgetBook", function () {
  describe("deployment", function () {
    it("accepts UTC offsets from −12 h to +14 h and refuses others", async function () {
      const { ledger, actors } = await loadFixture(budgetFixture);
      const args = (offset: number) => [ledger.roles, ledger.forwarder, ledger.hospitals, offset];
      for (const offset of [-12 * 3600, 0, INDIA, 14 * 3600]) {
        const book = await ethers.deployContract("BudgetBook", args(offset), actors.admin);
        expect(await book.utcOffset()).to.equal(BigInt(offset));
      }
      for (const offset of [-12 * 3600 - 1, 14 * 3600 + 1]) {
        await expect(ethers.deployContract("BudgetBook", args(offset), actors.admin))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetUtcOffsetInvalid")
          .withArgs(offset);
      }
    });

    it("binds an order book once, by the admin only, never the zero address", async function () {
      const { ledger, actors, books } = await loadFixture(booksFixture);
      const book = books.east;
      await expect(book.connect(actors.stranger).bindOrderBook(actors.stranger.address))
        .to.be.revertedWithCustomError(book, "LedgerUnauthorized")
        .withArgs(actors.stranger.address, ethers.ZeroHash);
      await expect(
        book.connect(actors.admin).bindOrderBook(ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(book, "BudgetZeroOrderBook");
      const orderBook = await ledger.orderBook.getAddress();
      await expect(book.connect(actors.admin).bindOrderBook(orderBook))
        .to.emit(book, "OrderBookBound")
        .withArgs(orderBook);
      await expect(book.connect(actors.admin).bindOrderBook(actors.stranger.address))
        .to.be.revertedWithCustomError(book, "BudgetOrderBookAlreadyBound")
        .withArgs(orderBook);
    });
  });

  describe("fiscal periods", function () {
    it("are the calendar year at the ledger's offset, for any time from 1970 to 2200", async function () {
      const { books } = await loadFixture(booksFixture);
      const byOffset = [
        [0, books.utc],
        [CST, books.east],
        [WEST, books.west],
        [INDIA, books.india],
      ] as const;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 12 * 3600, max: 7_258_118_400 }), async (t) => {
          for (const [offset, book] of byOffset) {
            expect(await book.periodOf(t), `${t} at ${offset}`).to.equal(BigInt(yearAt(t, offset)));
          }
        }),
        { numRuns: 150 },
      );
    });

    it("handle leap days, century years and the hours before 1970 at a negative offset", async function () {
      const { utc, west } = (await loadFixture(booksFixture)).books;
      const at = (iso: string) => Date.parse(iso) / 1000;
      for (const iso of [
        "2000-02-29T23:59:59Z",
        "2000-12-31T23:59:59Z",
        "2024-02-29T12:00:00Z",
        "2100-02-28T23:59:59Z",
        "2100-03-01T00:00:00Z",
        "2100-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
      ]) {
        expect(await utc.periodOf(at(iso)), iso).to.equal(BigInt(new Date(iso).getUTCFullYear()));
      }
      expect(await west.periodOf(0)).to.equal(1969n);
      expect(await west.periodOf(-WEST - 1)).to.equal(1969n);
      expect(await west.periodOf(-WEST)).to.equal(1970n);
    });

    it("turn at local midnight: 16:00 UTC on 31 December at +8 h, 05:00 UTC on 1 January at −5 h", async function () {
      const { east, west } = (await loadFixture(booksFixture)).books;
      const at = (iso: string) => Date.parse(iso) / 1000;
      expect(await east.periodOf(at("2026-12-31T15:59:59Z"))).to.equal(2026n);
      expect(await east.periodOf(at("2026-12-31T16:00:00Z"))).to.equal(2027n);
      expect(await west.periodOf(at("2027-01-01T04:59:59Z"))).to.equal(2026n);
      expect(await west.periodOf(at("2027-01-01T05:00:00Z"))).to.equal(2027n);
      expect(newYear(2027, CST)).to.equal(at("2026-12-31T16:00:00Z"));
      expect(newYear(2027, WEST)).to.equal(at("2027-01-01T05:00:00Z"));
    });

    it("follow the block time: currentPeriod is the period of the latest block", async function () {
      const { ledger } = await loadFixture(budgetFixture);
      const latest = await time.latest();
      expect(await ledger.budgets.currentPeriod()).to.equal(BigInt(yearAt(latest, CST)));
    });
  });

  describe("setBudget", function () {
    it("sets the hospital's budget for a category and period once", async function () {
      const { ledger, actors, period } = await loadFixture(budgetFixture);
      const hospital = actors.hospital.address;
      expect(await ledger.budgets.budget(hospital, STENTS, period)).to.deep.equal([BUDGET, 0n, true]);
      expect(await ledger.budgets.remaining(hospital, STENTS, period)).to.equal(BUDGET);
      await expect(ledger.budgets.connect(actors.hospital).setBudget(KNEES, period, 700_000n))
        .to.emit(ledger.budgets, "BudgetSet")
        .withArgs(hospital, KNEES, period, 700_000n);
      expect(await ledger.budgets.budget(hospital, KNEES, period)).to.deep.equal([700_000n, 0n, true]);
    });

    it("leaves other hospitals, categories and periods without a budget", async function () {
      const { ledger, actors, period } = await loadFixture(budgetFixture);
      for (const [hospital, category, p] of [
        [actors.hospital2.address, STENTS, period],
        [actors.hospital.address, KNEES, period],
        [actors.hospital.address, STENTS, period + 1n],
      ] as const) {
        expect(await ledger.budgets.budget(hospital, category, p)).to.deep.equal([0n, 0n, false]);
        expect(await ledger.budgets.remaining(hospital, category, p)).to.equal(0n);
      }
    });

    it("accepts a later period and a budget of zero (a category closed to orders)", async function () {
      const { ledger, actors, period } = await loadFixture(budgetFixture);
      await ledger.budgets.connect(actors.hospital).setBudget(STENTS, period + 1n, 0n);
      expect(await ledger.budgets.budget(actors.hospital.address, STENTS, period + 1n)).to.deep.equal([
        0n,
        0n,
        true,
      ]);
    });

    describe("when the budget is set already", function () {
      it("reverts with BudgetAlreadySet: a change is an adjustment", async function () {
        const { ledger, actors, period } = await loadFixture(budgetFixture);
        await expect(ledger.budgets.connect(actors.hospital).setBudget(STENTS, period, 2_000_000n))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetAlreadySet")
          .withArgs(actors.hospital.address, STENTS, period, BUDGET);
      });
    });

    describe("when the caller is not an enrolled hospital", function () {
      it("reverts with BudgetNotHospital, for its approver as for a stranger", async function () {
        const { ledger, actors, period } = await loadFixture(budgetFixture);
        for (const caller of [actors.approvers[0], actors.settler, actors.stranger]) {
          await expect(ledger.budgets.connect(caller).setBudget(KNEES, period, 1n))
            .to.be.revertedWithCustomError(ledger.budgets, "BudgetNotHospital")
            .withArgs(caller.address);
        }
      });
    });

    describe("when the period has ended", function () {
      it("reverts with BudgetPeriodPast", async function () {
        const { ledger, actors, period } = await loadFixture(budgetFixture);
        await expect(ledger.budgets.connect(actors.hospital).setBudget(KNEES, period - 1n, 1n))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetPeriodPast")
          .withArgs(period - 1n, period);
      });
    });

    describe("when the amount does not fit in 120 bits", function () {
      it("reverts with BudgetAmountTooLarge; the largest that fits is accepted", async function () {
        const { ledger, actors, period } = await loadFixture(budgetFixture);
        await expect(ledger.budgets.connect(actors.hospital).setBudget(KNEES, period, MAX_AMOUNT + 1n))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetAmountTooLarge")
          .withArgs(MAX_AMOUNT + 1n, MAX_AMOUNT);
        await ledger.budgets.connect(actors.hospital).setBudget(KNEES, period, MAX_AMOUNT);
        expect(await ledger.budgets.remaining(actors.hospital.address, KNEES, period)).to.equal(MAX_AMOUNT);
      });
    });

    describe("when the budget book is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, period } = await loadFixture(budgetFixture);
        await ledger.budgets.connect(actors.admin).pause();
        await expect(
          ledger.budgets.connect(actors.hospital).setBudget(KNEES, period, 1n),
        ).to.be.revertedWithCustomError(ledger.budgets, "EnforcedPause");
      });
    });
  });

  describe("proposeAdjustment", function () {
    it("records the proposal without changing the budget", async function () {
      const { ledger, actors, period } = await loadFixture(budgetFixture);
      const [proposer] = actors.approvers;
      await expect(ledger.budgets.connect(proposer).proposeAdjustment(STENTS, period, -200_000n, REASON))
        .to.emit(ledger.budgets, "BudgetAdjustmentProposed")
        .withArgs(1n, actors.hospital.address, STENTS, period, -200_000n, REASON, proposer.address);
      expect(await ledger.budgets.adjustmentCount()).to.equal(1n);
      expect(await ledger.budgets.adjustment(1n)).to.deep.equal([
        actors.hospital.address,
        period,
        BigInt(REASON),
        AdjustmentStatus.Proposed,
        STENTS,
        proposer.address,
        -200_000n,
      ]);
      expect(await ledger.budgets.budget(actors.hospital.address, STENTS, period)).to.deep.equal([
        BUDGET,
        0n,
        true,
      ]);
    });

    describe("when the caller is not an approver", function () {
      it("reverts with BudgetNotApprover: the hospital account, its settler, a stranger", async function () {
        const { ledger, actors, period } = await loadFixture(budgetFixture);
        const hospital = actors.hospital.address;
        for (const [caller, of] of [
          [actors.hospital, hospital],
          [actors.settler, hospital],
          [actors.stranger, ethers.ZeroAddress],
        ] as const) {
          await expect(ledger.budgets.connect(caller).proposeAdjustment(STENTS, period, 1n, REASON))
            .to.be.revertedWithCustomError(ledger.budgets, "BudgetNotApprover")
            .withArgs(of, caller.address);
        }
      });
    });

    describe("when the approver's hospital has not set the budget", function () {
      it("reverts with BudgetNotSet (another hospital's budget is out of reach)", async function () {
        const { ledger, actors, period, staff2 } = await loadFixture(budgetFixture);
        await expect(ledger.budgets.connect(actors.approvers[0]).proposeAdjustment(KNEES, period, 1n, REASON))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetNotSet")
          .withArgs(actors.hospital.address, KNEES, period);
        await expect(ledger.budgets.connect(staff2.approver).proposeAdjustment(STENTS, period, 1n, REASON))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetNotSet")
          .withArgs(actors.hospital2.address, STENTS, period);
      });
    });

    describe("when the delta is zero", function () {
      it("reverts with BudgetZeroAdjustment", async function () {
        const { ledger, actors, period } = await loadFixture(budgetFixture);
        await expect(
          ledger.budgets.connect(actors.approvers[0]).proposeAdjustment(STENTS, period, 0n, REASON),
        ).to.be.revertedWithCustomError(ledger.budgets, "BudgetZeroAdjustment");
      });
    });

    describe("when the budget would fall below what is spent", function () {
      it("reverts with BudgetBelowSpent, with the amount it would leave", async function () {
        const ctx = await loadFixture(budgetFixture);
        const { ledger, actors, period } = ctx;
        await placeFundedOrder(ctx, 100n); // spends 1,000,000
        const hospital = actors.hospital.address;
        const [approver] = actors.approvers;
        await expect(ledger.budgets.connect(approver).proposeAdjustment(STENTS, period, -500_001n, REASON))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetBelowSpent")
          .withArgs(hospital, STENTS, period, 999_999n, 1_000_000n);
        await expect(ledger.budgets.connect(approver).proposeAdjustment(STENTS, period, -2_000_000n, REASON))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetBelowSpent")
          .withArgs(hospital, STENTS, period, -500_000n, 1_000_000n);
        // Down to exactly what is spent is allowed.
        await ledger.budgets.connect(approver).proposeAdjustment(STENTS, period, -500_000n, REASON);
      });
    });

    describe("when the budget would not fit in 120 bits", function () {
      it("reverts with BudgetAmountTooLarge", async function () {
        const { ledger, actors, period } = await loadFixture(budgetFixture);
        const delta = MAX_AMOUNT - BUDGET + 1n;
        await expect(
          ledger.budgets.connect(actors.approvers[0]).proposeAdjustment(STENTS, period, delta, REASON),
        )
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetAmountTooLarge")
          .withArgs(MAX_AMOUNT + 1n, MAX_AMOUNT);
      });
    });

    describe("when the budget book is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, period } = await loadFixture(budgetFixture);
        await ledger.budgets.connect(actors.admin).pause();
        await expect(
          ledger.budgets.connect(actors.approvers[0]).proposeAdjustment(STENTS, period, 1n, REASON),
        ).to.be.revertedWithCustomError(ledger.budgets, "EnforcedPause");
      });
    });
  });

  describe("confirmAdjustment", function () {
    it("applies the change when a second approver confirms, naming both", async function () {
      const { ledger, actors, period, adjustmentId, delta } = await loadFixture(proposedFixture);
      const [proposer, confirmer] = actors.approvers;
      await expect(ledger.budgets.connect(confirmer).confirmAdjustment(adjustmentId))
        .to.emit(ledger.budgets, "BudgetAdjusted")
        .withArgs(
          adjustmentId,
          actors.hospital.address,
          STENTS,
          period,
          delta,
          BUDGET + delta,
          REASON,
          proposer.address,
          confirmer.address,
        );
      expect(await ledger.budgets.budget(actors.hospital.address, STENTS, period)).to.deep.equal([
        BUDGET + delta,
        0n,
        true,
      ]);
      expect((await ledger.budgets.adjustment(adjustmentId)).status).to.equal(AdjustmentStatus.Applied);
    });

    it("applies a cut as well", async function () {
      const { ledger, actors, period } = await loadFixture(budgetFixture);
      await ledger.budgets
        .connect(actors.approvers[1])
        .proposeAdjustment(STENTS, period, -1_500_000n, REASON);
      await expect(ledger.budgets.connect(actors.approvers[0]).confirmAdjustment(1n))
        .to.emit(ledger.budgets, "BudgetAdjusted")
        .withArgs(
          1n,
          actors.hospital.address,
          STENTS,
          period,
          -1_500_000n,
          0n,
          REASON,
          actors.approvers[1].address,
          actors.approvers[0].address,
        );
      expect(await ledger.budgets.remaining(actors.hospital.address, STENTS, period)).to.equal(0n);
    });

    describe("when the proposer confirms its own proposal", function () {
      it("reverts with BudgetSelfConfirmation", async function () {
        const { ledger, actors, adjustmentId } = await loadFixture(proposedFixture);
        await expect(ledger.budgets.connect(actors.approvers[0]).confirmAdjustment(adjustmentId))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetSelfConfirmation")
          .withArgs(adjustmentId, actors.approvers[0].address);
      });
    });

    describe("when the caller is not an approver of the proposal's hospital", function () {
      it("reverts with BudgetNotApprover: the hospital account, another hospital's approver", async function () {
        const { ledger, actors, adjustmentId, staff2 } = await loadFixture(proposedFixture);
        for (const caller of [actors.hospital, actors.settler, staff2.approver, actors.stranger]) {
          await expect(ledger.budgets.connect(caller).confirmAdjustment(adjustmentId))
            .to.be.revertedWithCustomError(ledger.budgets, "BudgetNotApprover")
            .withArgs(actors.hospital.address, caller.address);
        }
      });
    });

    describe("when the proposer is no longer an approver", function () {
      it("reverts with BudgetProposerNotApprover: the proposal lapsed with its role", async function () {
        const { ledger, actors, adjustmentId } = await loadFixture(proposedFixture);
        await ledger.hospitals.connect(actors.approvers[0]).leaveHospital();
        await expect(ledger.budgets.connect(actors.approvers[1]).confirmAdjustment(adjustmentId))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetProposerNotApprover")
          .withArgs(adjustmentId, actors.approvers[0].address);
      });
    });

    describe("when spending grew past what a cut would leave", function () {
      it("reverts with BudgetBelowSpent at confirmation", async function () {
        const ctx = await loadFixture(budgetFixture);
        const { ledger, actors, period } = ctx;
        await ledger.budgets
          .connect(actors.approvers[0])
          .proposeAdjustment(STENTS, period, -1_000_000n, REASON);
        await placeFundedOrder(ctx, 100n); // spends 1,000,000 of 1,500,000
        await expect(ledger.budgets.connect(actors.approvers[1]).confirmAdjustment(1n))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetBelowSpent")
          .withArgs(actors.hospital.address, STENTS, period, 500_000n, 1_000_000n);
      });
    });

    describe("when the proposal is not pending", function () {
      it("reverts with BudgetAdjustmentNotPending once applied, BudgetAdjustmentNotFound if unknown", async function () {
        const { ledger, actors, adjustmentId } = await loadFixture(proposedFixture);
        await ledger.budgets.connect(actors.approvers[1]).confirmAdjustment(adjustmentId);
        await expect(ledger.budgets.connect(actors.approvers[1]).confirmAdjustment(adjustmentId))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetAdjustmentNotPending")
          .withArgs(adjustmentId, AdjustmentStatus.Applied);
        await expect(ledger.budgets.connect(actors.approvers[1]).confirmAdjustment(99n))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetAdjustmentNotFound")
          .withArgs(99n);
      });
    });

    describe("when the budget book is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, adjustmentId } = await loadFixture(proposedFixture);
        await ledger.budgets.connect(actors.admin).pause();
        await expect(
          ledger.budgets.connect(actors.approvers[1]).confirmAdjustment(adjustmentId),
        ).to.be.revertedWithCustomError(ledger.budgets, "EnforcedPause");
      });
    });
  });

  describe("withdrawAdjustment", function () {
    it("lets the proposer withdraw its proposal, which can then not be confirmed", async function () {
      const { ledger, actors, adjustmentId } = await loadFixture(proposedFixture);
      const [proposer, other] = actors.approvers;
      await expect(ledger.budgets.connect(proposer).withdrawAdjustment(adjustmentId))
        .to.emit(ledger.budgets, "BudgetAdjustmentWithdrawn")
        .withArgs(adjustmentId, actors.hospital.address, proposer.address);
      expect((await ledger.budgets.adjustment(adjustmentId)).status).to.equal(AdjustmentStatus.Withdrawn);
      await expect(ledger.budgets.connect(other).confirmAdjustment(adjustmentId))
        .to.be.revertedWithCustomError(ledger.budgets, "BudgetAdjustmentNotPending")
        .withArgs(adjustmentId, AdjustmentStatus.Withdrawn);
      await expect(ledger.budgets.connect(proposer).withdrawAdjustment(adjustmentId))
        .to.be.revertedWithCustomError(ledger.budgets, "BudgetAdjustmentNotPending")
        .withArgs(adjustmentId, AdjustmentStatus.Withdrawn);
    });

    it("lets another approver of the hospital decline it", async function () {
      const { ledger, actors, adjustmentId } = await loadFixture(proposedFixture);
      await expect(ledger.budgets.connect(actors.approvers[1]).withdrawAdjustment(adjustmentId))
        .to.emit(ledger.budgets, "BudgetAdjustmentWithdrawn")
        .withArgs(adjustmentId, actors.hospital.address, actors.approvers[1].address);
    });

    it("works while the budget book is paused: it only takes a proposal away", async function () {
      const { ledger, actors, adjustmentId } = await loadFixture(proposedFixture);
      await ledger.budgets.connect(actors.admin).pause();
      await expect(ledger.budgets.connect(actors.approvers[0]).withdrawAdjustment(adjustmentId)).to.emit(
        ledger.budgets,
        "BudgetAdjustmentWithdrawn",
      );
    });

    describe("when the caller is neither the proposer nor an approver of the hospital", function () {
      it("reverts with BudgetNotApprover", async function () {
        const { ledger, actors, adjustmentId, staff2 } = await loadFixture(proposedFixture);
        for (const caller of [actors.hospital, staff2.approver, actors.stranger]) {
          await expect(ledger.budgets.connect(caller).withdrawAdjustment(adjustmentId))
            .to.be.revertedWithCustomError(ledger.budgets, "BudgetNotApprover")
            .withArgs(actors.hospital.address, caller.address);
        }
        await expect(ledger.budgets.connect(actors.stranger).withdrawAdjustment(7n))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetAdjustmentNotFound")
          .withArgs(7n);
      });
    });
  });

  describe("charge and release", function () {
    describe("when the caller is not the order book", function () {
      it("reverts with BudgetCallerNotOrderBook for a budgeted category", async function () {
        const { ledger, actors, period } = await loadFixture(budgetFixture);
        const hospital = actors.hospital.address;
        await expect(ledger.budgets.connect(actors.stranger).charge(1n, hospital, STENTS, 1n))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetCallerNotOrderBook")
          .withArgs(actors.stranger.address);
        await expect(ledger.budgets.connect(actors.hospital).release(1n, hospital, STENTS, period, 1n))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetCallerNotOrderBook")
          .withArgs(actors.hospital.address);
      });

      it("changes nothing for a category without a budget, and says so with period 0", async function () {
        const { ledger, actors } = await loadFixture(budgetFixture);
        const hospital = actors.hospital.address;
        expect(
          await ledger.budgets.connect(actors.stranger).charge.staticCall(1n, hospital, KNEES, 1n),
        ).to.equal(0n);
        await expect(ledger.budgets.connect(actors.stranger).charge(1n, hospital, KNEES, 1n)).not.to.emit(
          ledger.budgets,
          "BudgetCharged",
        );
      });
    });
  });

  describe("the roles", function () {
    it("lets only a pauser pause", async function () {
      const { ledger, actors } = await loadFixture(budgetFixture);
      await expect(ledger.budgets.connect(actors.hospital).pause())
        .to.be.revertedWithCustomError(ledger.budgets, "LedgerUnauthorized")
        .withArgs(actors.hospital.address, PAUSER_ROLE);
    });
  });
});
