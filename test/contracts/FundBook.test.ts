import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { PAYER_ROLE, REGULATOR_ROLE } from "../../ledger/roles";
import { FundBook__factory } from "../../typechain-types";
import {
  COMMITTED,
  confirm,
  expectBalanced,
  OrderStatus,
  orderFixture,
  placeFundedOrder,
  placeOrder,
  receive,
  ship,
  type OrderContext,
} from "./helpers/orderBook";

/** 30 % of a hospital's committed value: the cover's prepayment share. */
const SHARE_BPS = 3_000n;
/** 1,000 committed units at the fixture's tiers (100 × 10,000 + 400 × 9,000 + 500 × 8,000 fen). */
const COMMITTED_VALUE = 8_600_000n;
const CAP = (COMMITTED_VALUE * SHARE_BPS) / 10_000n;
/** 100 units at the first tier. */
const ORDER_VALUE = 1_000_000n;
const PAYER_FUNDS = 100_000_000n;

/** The order fixture with a payer (granted by the regulator, funded and approving the fund book). */
async function fundFixture() {
  const base = await orderFixture();
  const { ledger, actors } = base;
  const [payer, otherPayer] = (await ethers.getSigners()).slice(17, 19);
  for (const p of [payer, otherPayer]) {
    await ledger.roles.connect(actors.regulator).grantRole(PAYER_ROLE, p.address);
    await ledger.token.connect(actors.admin).mint(p.address, PAYER_FUNDS);
    await ledger.token.connect(p).approve(await ledger.fund.getAddress(), ethers.MaxUint256);
  }
  return { ...base, payer, otherPayer };
}

type FundContext = Awaited<ReturnType<typeof fundFixture>>;

async function coveredFixture() {
  const base = await fundFixture();
  await base.ledger.fund.connect(base.payer).setCover(base.tenderId, Number(SHARE_BPS), false);
  return base;
}

async function directFixture() {
  const base = await fundFixture();
  await base.ledger.fund.connect(base.payer).setCover(base.tenderId, Number(SHARE_BPS), true);
  return base;
}

async function account(ctx: OrderContext, hospital = ctx.actors.hospital.address) {
  return ctx.ledger.fund.accounts(ctx.agreementId, hospital);
}

/** Every unit paid in is held, drawn for an order, or returned; the book holds exactly its balances. */
async function expectConserved(ctx: FundContext) {
  const { fund, token } = ctx.ledger;
  const held = await token.balanceOf(await fund.getAddress());
  const [paidIn, drawn, returned] = await Promise.all([
    fund.totalPaidIn(),
    fund.totalDrawn(),
    fund.totalReturned(),
  ]);
  expect(paidIn, "paid in = drawn + returned + held").to.equal(drawn + returned + held);
  const a1 = await account(ctx);
  const a2 = await account(ctx, ctx.actors.hospital2.address);
  expect(held, "held = Σ account balances").to.equal(a1.prepayment + a1.escrow + a2.prepayment + a2.escrow);
  await expectBalanced(ctx.ledger, token);
}

describe("FundBook", function () {
  describe("the payer role", function () {
    it("is granted by a regulator and by no one else", async function () {
      const { ledger, actors, payer } = await loadFixture(fundFixture);
      expect(await ledger.roles.getRoleAdmin(PAYER_ROLE)).to.equal(REGULATOR_ROLE);
      expect(await ledger.roles.hasRole(PAYER_ROLE, payer.address)).to.equal(true);
      await expect(ledger.roles.connect(actors.stranger).grantRole(PAYER_ROLE, actors.stranger.address))
        .to.be.revertedWithCustomError(ledger.roles, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, REGULATOR_ROLE);
    });

    it("is needed to cover a tender", async function () {
      const { ledger, actors, tenderId } = await loadFixture(fundFixture);
      await expect(ledger.fund.connect(actors.stranger).setCover(tenderId, 3000, false))
        .to.be.revertedWithCustomError(ledger.fund, "LedgerUnauthorized")
        .withArgs(actors.stranger.address, PAYER_ROLE);
    });
  });

  describe("setCover", function () {
    it("records the payer, the share and the settlement mode once", async function () {
      const { ledger, payer, otherPayer, tenderId } = await loadFixture(fundFixture);
      await expect(ledger.fund.connect(payer).setCover(tenderId, 3000, true))
        .to.emit(ledger.fund, "FundCoverSet")
        .withArgs(tenderId, payer.address, 3000, true);
      const c = await ledger.fund.covers(tenderId);
      expect([c.payer, c.prepayShareBps, c.direct]).to.deep.equal([payer.address, 3000n, true]);
      await expect(ledger.fund.connect(otherPayer).setCover(tenderId, 1000, false))
        .to.be.revertedWithCustomError(ledger.fund, "FundCoverAlreadySet")
        .withArgs(tenderId, payer.address);
    });

    it("refuses a tender that does not exist, so no id to come can be claimed", async function () {
      const { ledger, payer, tenderId } = await loadFixture(fundFixture);
      // 2^63: an id the gateway's index could not even store.
      for (const id of [tenderId + 1n, 2n ** 63n])
        await expect(ledger.fund.connect(payer).setCover(id, 3000, false))
          .to.be.revertedWithCustomError(ledger.tenders, "TenderNotFound")
          .withArgs(id);
    });

    it("refuses a share above 100 %", async function () {
      const { ledger, payer, tenderId } = await loadFixture(fundFixture);
      await expect(ledger.fund.connect(payer).setCover(tenderId, 10_001, false))
        .to.be.revertedWithCustomError(ledger.fund, "FundShareTooHigh")
        .withArgs(10_001);
    });
  });

  describe("prepay", function () {
    it("takes up to the cover's share of the hospital's committed value", async function () {
      const ctx = await loadFixture(coveredFixture);
      const { ledger, actors, payer, agreementId } = ctx;
      const hospital = actors.hospital.address;
      await expect(ledger.fund.connect(payer).prepay(agreementId, hospital, CAP - 1n))
        .to.emit(ledger.fund, "FundPaidIn")
        .withArgs(agreementId, hospital, payer.address, CAP - 1n, false, CAP - 1n, CAP);
      await expect(ledger.fund.connect(payer).prepay(agreementId, hospital, 2n))
        .to.be.revertedWithCustomError(ledger.fund, "FundPrepaymentAboveCap")
        .withArgs(agreementId, hospital, 2n, 1n);
      await expect(ledger.fund.connect(payer).prepay(agreementId, hospital, 1n)).to.changeTokenBalances(
        ledger.token,
        [payer, ledger.fund],
        [-1n, 1n],
      );
      const a = await account(ctx);
      expect([a.prepayment, a.escrow, a.prepaidIn]).to.deep.equal([CAP, 0n, CAP]);
      await expectConserved(ctx);
    });

    it("is refused to anyone but the cover's payer", async function () {
      const { ledger, actors, otherPayer, payer, agreementId, tenderId } = await loadFixture(coveredFixture);
      await expect(ledger.fund.connect(otherPayer).prepay(agreementId, actors.hospital.address, 1n))
        .to.be.revertedWithCustomError(ledger.fund, "FundNotCoverPayer")
        .withArgs(agreementId, tenderId, otherPayer.address, payer.address);
    });

    it("is refused for a tender nobody covered", async function () {
      const { ledger, actors, payer, agreementId, tenderId } = await loadFixture(fundFixture);
      await expect(ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, 1n))
        .to.be.revertedWithCustomError(ledger.fund, "FundNotCoverPayer")
        .withArgs(agreementId, tenderId, payer.address, ethers.ZeroAddress);
    });

    it("is refused for a hospital that committed nothing, for nothing, and after the term", async function () {
      const { ledger, actors, payer, agreementId, outsider } = await loadFixture(coveredFixture);
      await expect(ledger.fund.connect(payer).prepay(agreementId, outsider.address, 1n))
        .to.be.revertedWithCustomError(ledger.fund, "FundHospitalNotParty")
        .withArgs(agreementId, outsider.address);
      await expect(
        ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, 0n),
      ).to.be.revertedWithCustomError(ledger.fund, "FundZeroAmount");
      const end = (await ledger.agreements.agreementTerms(agreementId)).end;
      await time.increaseTo(end + 1n);
      await expect(ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, 1n))
        .to.be.revertedWithCustomError(ledger.fund, "FundTermEnded")
        .withArgs(agreementId, end, end + 2n);
    });

    it("is refused while the fund book is paused", async function () {
      const { ledger, actors, payer, agreementId } = await loadFixture(coveredFixture);
      await ledger.fund.connect(actors.admin).pause();
      await expect(
        ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, 1n),
      ).to.be.revertedWithCustomError(ledger.fund, "EnforcedPause");
    });

    it("is refused when the payer lost its role", async function () {
      const { ledger, actors, payer, agreementId } = await loadFixture(coveredFixture);
      await ledger.roles.connect(actors.regulator).revokeRole(PAYER_ROLE, payer.address);
      await expect(ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, 1n))
        .to.be.revertedWithCustomError(ledger.fund, "LedgerUnauthorized")
        .withArgs(payer.address, PAYER_ROLE);
    });
  });

  describe("drawdown at funding", function () {
    it("funds an order from the prepayment first and takes nothing from the hospital", async function () {
      const ctx = await loadFixture(coveredFixture);
      const { ledger, actors, payer, agreementId } = ctx;
      await ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, CAP);
      const orderId = await placeOrder(ledger, actors.hospital, agreementId, 100n);
      const tx = ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
      await expect(tx)
        .to.emit(ledger.fund, "FundDrawn")
        .withArgs(orderId, agreementId, actors.hospital.address, ORDER_VALUE, 0n, ORDER_VALUE);
      await expect(tx).to.changeTokenBalances(
        ledger.token,
        [actors.hospital, ledger.fund, ledger.orderBook],
        [0n, -ORDER_VALUE, ORDER_VALUE],
      );
      expect(await ledger.orderBook.fundShare(orderId)).to.equal(ORDER_VALUE);
      expect((await account(ctx)).prepayment).to.equal(CAP - ORDER_VALUE);
      await expectConserved(ctx);
    });

    it("takes the rest from the hospital when the prepayment runs short", async function () {
      const ctx = await loadFixture(coveredFixture);
      const { ledger, actors, payer, agreementId } = ctx;
      await ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, 300_000n);
      const orderId = await placeOrder(ledger, actors.hospital, agreementId, 100n);
      const tx = ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
      await expect(tx)
        .to.emit(ledger.fund, "FundDrawn")
        .withArgs(orderId, agreementId, actors.hospital.address, 300_000n, 0n, ORDER_VALUE);
      await expect(tx).to.changeTokenBalances(
        ledger.token,
        [actors.hospital, ledger.fund],
        [-700_000n, -300_000n],
      );
      await expectConserved(ctx);
    });

    it("draws nothing for a consigned order: its value would come back to the hospital on a return", async function () {
      const ctx = await loadFixture(coveredFixture);
      const { ledger, actors, payer, agreementId, supplier } = ctx;
      await ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, CAP);
      await ledger.consignment.connect(supplier).offerConsignment(agreementId, false);
      const orderId = await placeOrder(ledger, actors.hospital, agreementId, 100n);
      await ledger.consignment.connect(actors.hospital).electConsignment(orderId);
      const tx = ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
      await expect(tx).not.to.emit(ledger.fund, "FundDrawn");
      await expect(tx).to.changeTokenBalances(
        ledger.token,
        [actors.hospital, ledger.fund],
        [-ORDER_VALUE, 0n],
      );
      expect(await ledger.orderBook.fundShare(orderId)).to.equal(0n);
      expect((await account(ctx)).prepayment).to.equal(CAP);
    });

    it("draws for an order placed before the fund first paid in: the order book asks at funding", async function () {
      const ctx = await loadFixture(coveredFixture);
      const { ledger, actors, payer, agreementId } = ctx;
      const orderId = await placeOrder(ledger, actors.hospital, agreementId, 100n);
      await ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, CAP);
      await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId))
        .to.emit(ledger.fund, "FundDrawn")
        .withArgs(orderId, agreementId, actors.hospital.address, ORDER_VALUE, 0n, ORDER_VALUE);
      const order = await ledger.orderBook.order(orderId);
      expect(order.fundShared).to.equal(true);
      expect(order.escrow).to.equal(ORDER_VALUE);
      await expectConserved(ctx);
    });

    it("tells the order book of every payment in, for that hospital only", async function () {
      const { ledger, actors, payer, agreementId } = await loadFixture(directFixture);
      const paidIn = async (hospital: string) =>
        (await ledger.agreements.hospitalVolume(agreementId, hospital)).fundPaidIn;
      expect(await paidIn(actors.hospital.address)).to.equal(false);
      await ledger.fund.connect(payer).depositEscrow(agreementId, actors.hospital2.address, 1n);
      expect(await paidIn(actors.hospital2.address)).to.equal(true);
      expect(await paidIn(actors.hospital.address)).to.equal(false);
      await ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, 1n);
      expect(await paidIn(actors.hospital.address)).to.equal(true);
    });

    it("is not asked for a hospital the fund never paid in for", async function () {
      const ctx = await loadFixture(coveredFixture);
      const { ledger, actors, agreementId } = ctx;
      const orderId = await placeOrder(ledger, actors.hospital, agreementId, 100n);
      const tx = ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
      await expect(tx).not.to.emit(ledger.fund, "FundDrawn");
      await expect(tx).to.changeTokenBalances(ledger.token, [actors.hospital], [-ORDER_VALUE]);
      expect((await ledger.orderBook.order(orderId)).fundShared).to.equal(false);
    });

    it("draws nothing for another hospital's order", async function () {
      const ctx = await loadFixture(coveredFixture);
      const { ledger, actors, payer, agreementId, staff2 } = ctx;
      await ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, CAP);
      const orderId = await placeOrder(ledger, actors.hospital2, agreementId, 100n);
      const tx = ledger.orderBook.connect(staff2.approver).approveOrder(orderId);
      await expect(tx).not.to.emit(ledger.fund, "FundDrawn");
      await expect(tx).to.changeTokenBalances(
        ledger.token,
        [actors.hospital2, ledger.fund],
        [-ORDER_VALUE, 0n],
      );
      expect(await ledger.orderBook.fundShare(orderId)).to.equal(0n);
    });
  });

  describe("settlement and refunds of a fund-drawn order", function () {
    it("pays the supplier from the fund's share and says so", async function () {
      const ctx = await loadFixture(coveredFixture);
      const { ledger, actors, payer, agreementId, supplier } = ctx;
      await ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, 300_000n);
      const orderId = await placeFundedOrder(ctx, 100n);
      const s = await ship(ledger, supplier, orderId, 40n);
      const tx = confirm(ledger, actors.settler, s, 40n);
      await expect(tx)
        .to.emit(ledger.orderBook, "SettlementFundPaid")
        .withArgs(s.id, orderId, actors.hospital.address, 300_000n);
      await expect(tx).to.changeTokenBalances(ledger.token, [supplier, ledger.fund], [400_000n, 0n]);
      expect(await ledger.orderBook.fundShare(orderId)).to.equal(0n);
      // The fund's share is spent: a later settlement is the hospital's money alone.
      const s2 = await ship(ledger, supplier, orderId, 10n);
      await expect(confirm(ledger, actors.settler, s2, 10n)).not.to.emit(
        ledger.orderBook,
        "SettlementFundPaid",
      );
      await expectConserved(ctx);
    });

    it("restores a cancelled order's escrow to the prepayment, not to the hospital", async function () {
      const ctx = await loadFixture(coveredFixture);
      const { ledger, actors, payer, agreementId } = ctx;
      await ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, 300_000n);
      const orderId = await placeFundedOrder(ctx, 100n);
      const tx = ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
      await expect(tx)
        .to.emit(ledger.fund, "FundRestored")
        .withArgs(orderId, agreementId, actors.hospital.address, 300_000n, 0n);
      await expect(tx).to.changeTokenBalances(
        ledger.token,
        [actors.hospital, ledger.fund, ledger.orderBook],
        [700_000n, 300_000n, -ORDER_VALUE],
      );
      expect((await ledger.orderBook.order(orderId)).status).to.equal(OrderStatus.Cancelled);
      expect((await account(ctx)).prepayment).to.equal(300_000n);
      expect((await ledger.fund.draws(orderId)).prepayment).to.equal(0n);
      await expectConserved(ctx);
    });

    it("restores a late penalty to the fund while its share is unspent", async function () {
      const ctx = await loadFixture(coveredFixture);
      const { ledger, actors, payer, agreementId, supplier } = ctx;
      await ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, CAP);
      const orderId = await placeFundedOrder(ctx, 100n);
      const s = await ship(ledger, supplier, orderId, 100n);
      await time.increaseTo((await ledger.orderBook.order(orderId)).deliveryDeadline + 2n * 86_400n);
      await receive(ledger, actors.receiver, s);
      // 3 days late at 50 bps a day: 1.5 % of 1,000,000 goes back, all of it to the fund.
      const tx = confirm(ledger, actors.settler, s, 100n);
      await expect(tx)
        .to.emit(ledger.orderBook, "SettlementFundPaid")
        .withArgs(s.id, orderId, actors.hospital.address, 985_000n);
      await expect(tx)
        .to.emit(ledger.fund, "FundRestored")
        .withArgs(orderId, agreementId, actors.hospital.address, 15_000n, 0n);
      await expect(tx).to.changeTokenBalances(
        ledger.token,
        [supplier, actors.hospital, ledger.fund],
        [985_000n, 0n, 15_000n],
      );
      await expectConserved(ctx);
    });
  });

  describe("direct settlement", function () {
    it("refuses escrow for a tender the fund does not settle directly", async function () {
      const { ledger, actors, payer, agreementId, tenderId } = await loadFixture(coveredFixture);
      await expect(ledger.fund.connect(payer).depositEscrow(agreementId, actors.hospital.address, 1n))
        .to.be.revertedWithCustomError(ledger.fund, "FundNotDirect")
        .withArgs(agreementId, tenderId);
    });

    it("funds from the prepayment, then the escrow, and restores the escrow first", async function () {
      const ctx = await loadFixture(directFixture);
      const { ledger, actors, payer, agreementId } = ctx;
      const hospital = actors.hospital.address;
      await ledger.fund.connect(payer).prepay(agreementId, hospital, 100_000n);
      await expect(ledger.fund.connect(payer).depositEscrow(agreementId, hospital, 2_000_000n))
        .to.emit(ledger.fund, "FundPaidIn")
        .withArgs(agreementId, hospital, payer.address, 2_000_000n, true, 100_000n, 0n);
      const orderId = await placeOrder(ledger, actors.hospital, agreementId, 100n);
      const tx = ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
      await expect(tx)
        .to.emit(ledger.fund, "FundDrawn")
        .withArgs(orderId, agreementId, hospital, 100_000n, 900_000n, ORDER_VALUE);
      await expect(tx).to.changeTokenBalances(ledger.token, [actors.hospital], [0n]);
      await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
        .to.emit(ledger.fund, "FundRestored")
        .withArgs(orderId, agreementId, hospital, 100_000n, 900_000n);
      const a = await account(ctx);
      expect([a.prepayment, a.escrow]).to.deep.equal([100_000n, 2_000_000n]);
      await expectConserved(ctx);
    });

    it("pays the whole delivery with the fund's money", async function () {
      const ctx = await loadFixture(directFixture);
      const { ledger, actors, payer, agreementId, supplier } = ctx;
      await ledger.fund.connect(payer).depositEscrow(agreementId, actors.hospital.address, 2_000_000n);
      const orderId = await placeFundedOrder(ctx, 100n);
      const s = await ship(ledger, supplier, orderId, 100n);
      const tx = confirm(ledger, actors.settler, s, 100n);
      await expect(tx)
        .to.emit(ledger.orderBook, "SettlementFundPaid")
        .withArgs(s.id, orderId, actors.hospital.address, ORDER_VALUE);
      await expect(tx).to.changeTokenBalances(ledger.token, [supplier, actors.hospital], [ORDER_VALUE, 0n]);
      await expectConserved(ctx);
    });
  });

  describe("returnUndrawn", function () {
    it("returns the undrawn balance to the payer after the term, and later refunds too", async function () {
      const ctx = await loadFixture(directFixture);
      const { ledger, actors, payer, agreementId, supplier } = ctx;
      const hospital = actors.hospital.address;
      await ledger.fund.connect(payer).prepay(agreementId, hospital, 500_000n);
      await ledger.fund.connect(payer).depositEscrow(agreementId, hospital, 1_000_000n);
      const orderId = await placeFundedOrder(ctx, 100n);
      const s = await ship(ledger, supplier, orderId, 40n);
      await confirm(ledger, actors.settler, s, 40n);
      const end = (await ledger.agreements.agreementTerms(agreementId)).end;
      // The call's block time is set, not foretold from the clock: a busy machine mines late.
      const calledAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(calledAt);
      await expect(ledger.fund.returnUndrawn(agreementId, hospital))
        .to.be.revertedWithCustomError(ledger.fund, "FundTermNotEnded")
        .withArgs(agreementId, end, calledAt);
      await time.increaseTo(end + 1n);
      // Drawn 500,000 + 500,000; the escrow keeps 500,000 undrawn.
      await expect(ledger.fund.connect(actors.stranger).returnUndrawn(agreementId, hospital))
        .to.emit(ledger.fund, "FundReturned")
        .withArgs(agreementId, hospital, payer.address, 0n, 500_000n);
      await expect(ledger.fund.returnUndrawn(agreementId, hospital))
        .to.be.revertedWithCustomError(ledger.fund, "FundNothingToReturn")
        .withArgs(agreementId, hospital);
      // The order's unshipped 60 units are cancelled after the term: 600,000 of the fund's share
      // comes back (escrow first, then the prepayment) and goes to the payer on the next return.
      await ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
      await ledger.fund.connect(actors.admin).pause();
      await expect(ledger.fund.returnUndrawn(agreementId, hospital)).to.changeTokenBalances(
        ledger.token,
        [payer, ledger.fund],
        [600_000n, -600_000n],
      );
      expect(await ledger.fund.totalReturned()).to.equal(1_100_000n);
      expect(await ledger.fund.totalDrawn()).to.equal(400_000n);
      await expectConserved(ctx);
    });
  });

  describe("the order book's hooks", function () {
    it("refuse any other caller", async function () {
      const { ledger, actors, agreementId } = await loadFixture(fundFixture);
      await expect(ledger.fund.connect(actors.stranger).draw(1n, agreementId, actors.hospital.address, 1n))
        .to.be.revertedWithCustomError(ledger.fund, "FundCallerNotOrderBook")
        .withArgs(actors.stranger.address);
      await expect(ledger.fund.connect(actors.stranger).restore(1n, agreementId, actors.hospital.address, 1n))
        .to.be.revertedWithCustomError(ledger.fund, "FundCallerNotOrderBook")
        .withArgs(actors.stranger.address);
    });

    it("are answered by an order book and an agreement book that hear the fund's payments from it alone", async function () {
      const { ledger, actors, agreementId } = await loadFixture(fundFixture);
      const hospital = actors.hospital.address;
      await expect(ledger.orderBook.connect(actors.stranger).noteFundPaidIn(agreementId, hospital))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderCallerNotFund")
        .withArgs(actors.stranger.address);
      await expect(ledger.agreements.connect(actors.stranger).noteFundPaidIn(agreementId, hospital))
        .to.be.revertedWithCustomError(ledger.agreements, "AgreementCallerNotAllowed")
        .withArgs(actors.stranger.address);
      expect((await ledger.agreements.hospitalVolume(agreementId, hospital)).fundPaidIn).to.equal(false);
    });

    it("bind once", async function () {
      const { ledger, actors } = await loadFixture(fundFixture);
      await expect(ledger.fund.connect(actors.admin).bindOrderBook(actors.stranger.address))
        .to.be.revertedWithCustomError(ledger.fund, "FundOrderBookAlreadyBound")
        .withArgs(await ledger.orderBook.getAddress());
    });

    it("bind only an order book that draws on this fund book, which every payment in tells", async function () {
      const { ledger, actors } = await loadFixture(fundFixture);
      const other = await new FundBook__factory(actors.admin).deploy(
        ledger.roles,
        ledger.forwarder,
        ledger.token,
        ledger.agreements,
        ledger.tenders,
      );
      await expect(other.connect(actors.admin).bindOrderBook(ledger.orderBook))
        .to.be.revertedWithCustomError(other, "FundOrderBookMismatch")
        .withArgs(await ledger.orderBook.getAddress(), await ledger.fund.getAddress());
      expect(await other.orderBook()).to.equal(ethers.ZeroAddress);
    });
  });

  it("commits nothing beyond the committed volume's cap however the share is paid in", async function () {
    const ctx = await loadFixture(coveredFixture);
    expect(COMMITTED).to.equal(1000n);
    const { ledger, actors, payer, agreementId } = ctx;
    for (const part of [1_000_000n, 1_000_000n, CAP - 2_000_000n]) {
      await ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, part);
    }
    await expect(ledger.fund.connect(payer).prepay(agreementId, actors.hospital.address, 1n))
      .to.be.revertedWithCustomError(ledger.fund, "FundPrepaymentAboveCap")
      .withArgs(agreementId, actors.hospital.address, 1n, 0n);
  });
});
