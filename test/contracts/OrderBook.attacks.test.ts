/**
 * The attacks on the order side that the v2 rules close (docs/ledger-rules.md). Each test first
 * plays the attack, then asserts that it fails now, with the exact error or the exact amounts.
 */
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { TRACE_STEPS } from "../../ledger/enums";
import type { Ledger } from "../../ledger/contracts";
import {
  BlockingToken__factory,
  FeeOnTransferToken__factory,
  OrderBook__factory,
} from "../../typechain-types";
import { addMember, APPROVER, DAY, GTIN, RECEIVER, SETTLER } from "./helpers/fixtures";
import {
  acceptedUnits,
  arrive,
  COMMITTED,
  CONFIRM_WINDOW,
  confirm,
  confirmation,
  confirmationArgs,
  deliver,
  expectBalanced,
  FUNDING_WINDOW,
  fundOrder,
  fundedOrderFixture,
  HOUR,
  LOCATION,
  LOT,
  now,
  ORDER_REF,
  orderFixture,
  orderFixtureWith,
  OrderStatus,
  payoutArgs,
  placedOrderFixture,
  placeFundedOrder,
  placeOrder,
  receive,
  RECEIVING_WINDOW,
  scheduleValue,
  ship,
  shipmentInput,
  shippedOrderFixture,
  signPermit,
  twoApproverOrderFixture,
  traceStep,
  type Shipment,
} from "./helpers/orderBook";

/** No threshold a test's orders could reach: every order needs one approver. */
const NO_SECOND_APPROVER = 10n ** 15n;

/** The supplier settles the shipment itself (`claimSettlement`). */
function claim(ledger: Ledger, supplier: HardhatEthersSigner, shipment: Shipment) {
  return ledger.orderBook.connect(supplier).claimSettlement(shipment.id, shipment.record);
}

/**
 * A claim's settlement: `accepted` units accepted and `rejected` rejected, `paid` fen from the
 * order's escrow to the supplier with no penalty and nothing to the hospital, judged delivered at
 * `deliveredAt`.
 */
async function expectClaimPaid(
  tx: ReturnType<typeof claim>,
  c: {
    ledger: Ledger;
    actors: { hospital: HardhatEthersSigner };
    supplier: HardhatEthersSigner;
    orderId: bigint;
    shipment: Shipment;
  },
  units: { accepted: bigint; rejected: bigint },
  paid: bigint,
  deliveredAt: bigint,
): Promise<void> {
  const { ledger, actors, supplier, orderId, shipment } = c;
  await expect(tx)
    .to.emit(ledger.orderBook, "ShipmentSettled")
    .withArgs(
      shipment.id,
      orderId,
      supplier.address,
      supplier.address,
      [units.accepted, units.rejected, ethers.ZeroHash],
      payoutArgs(paid, 0n, 0n, deliveredAt),
    );
  await expect(tx).to.changeTokenBalances(
    ledger.token,
    [supplier, actors.hospital, ledger.orderBook],
    [paid, 0n, -paid],
  );
}

describe("OrderBook: attacks on the order side", function () {
  describe("tier gaming", function () {
    describe("a hospital places a large dummy order and never funds it", function () {
      it("prices its real order at the first tier, not at the dummy's volume", async function () {
        const ctx = await loadFixture(orderFixture);
        const { ledger, actors, agreementId } = ctx;
        // Attack: 600 dummy units would, if placed volume counted, put the next units in the
        // 8000 tier.
        const dummy = await placeOrder(ledger, actors.hospital, agreementId, 600n);
        expect(await ledger.agreements.quote(agreementId, 100n)).to.equal(1_000_000n);
        const real = await placeOrder(ledger, actors.hospital, agreementId, 100n);
        // The dummy's value (5,400,000) does count in the hospital's approval window, so the
        // real order needs both approvers; its price does not move.
        expect((await ledger.orderBook.order(real)).twoApprovals).to.equal(true);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(real))
          .to.emit(ledger.orderBook, "OrderApproved")
          .withArgs(real, actors.approvers[0].address, 1, 2);
        await expect(ledger.orderBook.connect(actors.approvers[1]).approveOrder(real))
          .to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(real, actors.hospital.address, 100n * 10_000n);
        const position = await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address);
        expect(position.funded).to.equal(100n);
        expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(0n);
        expect((await ledger.orderBook.order(dummy)).escrow).to.equal(0n);
      });

      it("keeps the first tier when the dummy stays placed forever, also for another hospital", async function () {
        const ctx = await loadFixture(orderFixture);
        const { ledger, actors, agreementId, staff2 } = ctx;
        const dummy = await placeOrder(ledger, actors.hospital, agreementId, 600n);
        const { fundingExpiresAt } = await ledger.orderBook.order(dummy);
        await time.increaseTo(fundingExpiresAt + BigInt(DAY));
        // The dummy can never become volume now.
        const at = (await now()) + 10n;
        await time.setNextBlockTimestamp(at);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(dummy))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderFundingExpired")
          .withArgs(dummy, fundingExpiresAt, at);
        const other = await placeOrder(ledger, actors.hospital2, agreementId, 100n);
        await expect(ledger.orderBook.connect(staff2.approver).approveOrder(other))
          .to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(other, actors.hospital2.address, 1_000_000n);
        const before = await ledger.token.balanceOf(ctx.supplier.address);
        await deliver(ctx, other, 100n, staff2.settler);
        expect((await ledger.token.balanceOf(ctx.supplier.address)) - before).to.equal(1_000_000n);
        expect((await ledger.orderBook.order(dummy)).status).to.equal(OrderStatus.Placed);
      });
    });

    describe("a hospital funds a dummy order, then cancels it", function () {
      it("does not lower the price of any unit accepted while it was funded or after", async function () {
        const ctx = await loadFixture(orderFixture);
        const { ledger, actors, supplier, agreementId } = ctx;
        // Attack: fund 600 dummy units (a tier-3 volume), have the real order priced and
        // delivered against that volume, then cancel the dummy for a full refund.
        const dummy = await placeFundedOrder(ctx, 600n);
        expect((await ledger.orderBook.order(dummy)).escrow).to.equal(scheduleValue(0n, 600n));
        const real = await placeFundedOrder(ctx, 100n);
        expect((await ledger.orderBook.order(real)).escrow).to.equal(1_000_000n);

        const before = await ledger.token.balanceOf(supplier.address);
        await deliver(ctx, real, 50n);
        await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(dummy))
          .to.emit(ledger.orderBook, "OrderCancelled")
          .withArgs(dummy, actors.hospital.address, 600n, scheduleValue(0n, 600n), OrderStatus.Cancelled);
        const last = await ship(ledger, supplier, real, 50n);
        await expect(confirm(ledger, actors.settler, last, 50n))
          .to.emit(ledger.orderBook, "OrderClosed")
          .withArgs(real, 0n);
        // Every accepted unit was paid at the first tier: the schedule's value of 100 units.
        expect((await ledger.token.balanceOf(supplier.address)) - before).to.equal(1_000_000n);
        const position = await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address);
        expect(position.funded).to.equal(100n);
        expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(100n);
        expect(await acceptedUnits(ledger, agreementId, actors.hospital.address)).to.equal(100n);
      });
    });

    describe("a hospital has units shipped and rejects them", function () {
      it("does not count rejected units: later accepted units are priced from the accepted volume", async function () {
        const ctx = await loadFixture(orderFixture);
        const { ledger, actors, supplier, agreementId } = ctx;
        const orderId = await placeFundedOrder(ctx, 600n);
        // Attack: 500 units shipped and rejected would, if shipped volume counted, move the
        // agreement to the 8000 tier for the units the hospital keeps.
        const rejected = await ship(ledger, supplier, orderId, 500n);
        await confirm(ledger, actors.settler, rejected, 0n, 500n);
        expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(0n);
        const kept = await ship(ledger, supplier, orderId, 100n);
        const at = (await now()) + 10n;
        await time.setNextBlockTimestamp(at);
        await expect(confirm(ledger, actors.settler, kept, 100n))
          .to.emit(ledger.orderBook, "ShipmentSettled")
          .withArgs(
            kept.id,
            orderId,
            supplier.address,
            actors.settler.address,
            confirmationArgs(confirmation(100n, 0n)),
            payoutArgs(1_000_000n, 0n, 0n, at),
          );
        expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(100n);
      });
    });

    describe("an order waits for funding past the agreement's funding window", function () {
      it("funds at the last second of the window", async function () {
        const { ledger, actors, orderId, fundingExpiresAt } = await loadFixture(placedOrderFixture);
        await time.setNextBlockTimestamp(fundingExpiresAt);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId)).to.emit(
          ledger.orderBook,
          "OrderFunded",
        );
      });

      it("reverts with OrderFundingExpired after it, even for a second approval", async function () {
        const { ledger, actors, orderId, fundingExpiresAt } = await loadFixture(twoApproverOrderFixture);
        expect((await ledger.orderBook.order(orderId)).twoApprovals).to.equal(true);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId))
          .to.emit(ledger.orderBook, "OrderApproved")
          .withArgs(orderId, actors.approvers[0].address, 1, 2);
        await time.setNextBlockTimestamp(fundingExpiresAt + 1n);
        await expect(ledger.orderBook.connect(actors.approvers[1]).approveOrder(orderId))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderFundingExpired")
          .withArgs(orderId, fundingExpiresAt, fundingExpiresAt + 1n);
        expect((await ledger.orderBook.order(orderId)).status).to.equal(OrderStatus.Placed);
      });

      it("can still be cancelled", async function () {
        const { ledger, actors, orderId, quantity, fundingExpiresAt } = await loadFixture(placedOrderFixture);
        await time.increaseTo(fundingExpiresAt + 1n);
        await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
          .to.emit(ledger.orderBook, "OrderCancelled")
          .withArgs(orderId, actors.hospital.address, quantity, 0n, OrderStatus.Cancelled);
      });

      it("expires the funding window's length after placement", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        const at = (await now()) + 10n;
        await time.setNextBlockTimestamp(at);
        const id = await placeOrder(ledger, actors.hospital, agreementId, 1n, at + HOUR);
        expect((await ledger.orderBook.order(id)).fundingExpiresAt).to.equal(at + FUNDING_WINDOW);
      });
    });
  });

  describe("orders outside the award", function () {
    describe("a hospital that is not in the tender orders under the agreement", function () {
      it("reverts with AgreementHospitalNotParty", async function () {
        const { ledger, actors, agreementId, outsider } = await loadFixture(orderFixture);
        // Attack: any enrolled hospital could order at prices tendered for others' volume.
        await ledger.hospitals
          .connect(actors.regulator)
          .enrolHospital(outsider.address, ethers.id("Outsider"));
        await expect(
          ledger.orderBook.connect(outsider).placeOrder(agreementId, 10n, (await now()) + HOUR, ORDER_REF),
        )
          .to.be.revertedWithCustomError(ledger.agreements, "AgreementHospitalNotParty")
          .withArgs(agreementId, outsider.address);
        expect((await ledger.agreements.hospitalVolume(agreementId, outsider.address)).party).to.equal(false);
      });
    });

    describe("a hospital funds more than its committed volume", function () {
      /** Hospital 1 has 800 of its 1000 committed units funded; any order needs one approver. */
      async function nearCommitmentFixture() {
        const ctx = await orderFixture();
        await ctx.ledger.hospitals.connect(ctx.actors.hospital).setApprovalThreshold(NO_SECOND_APPROVER);
        await placeFundedOrder(ctx, 800n);
        return ctx;
      }

      it("reverts with AgreementExceedsCommitment without the supplier's consent", async function () {
        const { ledger, actors, agreementId } = await loadFixture(nearCommitmentFixture);
        // Attack: order beyond the awarded volume at the tender's prices, which the supplier
        // never planned to produce.
        const id = await placeOrder(ledger, actors.hospital, agreementId, 300n);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(id))
          .to.be.revertedWithCustomError(ledger.agreements, "AgreementExceedsCommitment")
          .withArgs(agreementId, actors.hospital.address, 300n, COMMITTED - 800n);
        expect((await ledger.orderBook.order(id)).status).to.equal(OrderStatus.Placed);
      });

      it("funds exactly the remaining committed volume", async function () {
        const { ledger, actors, agreementId } = await loadFixture(nearCommitmentFixture);
        const id = await placeOrder(ledger, actors.hospital, agreementId, COMMITTED - 800n);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(id)).to.emit(
          ledger.orderBook,
          "OrderFunded",
        );
        expect(
          (await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address)).funded,
        ).to.equal(COMMITTED);
      });

      it("funds once the supplier consented to the excess", async function () {
        const { ledger, actors, supplier, agreementId } = await loadFixture(nearCommitmentFixture);
        const id = await placeOrder(ledger, actors.hospital, agreementId, 300n);
        await expect(ledger.orderBook.connect(supplier).consentToExcess(id))
          .to.emit(ledger.orderBook, "ExcessVolumeConsented")
          .withArgs(id, supplier.address);
        expect((await ledger.orderBook.order(id)).excessConsented).to.equal(true);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(id)).to.emit(
          ledger.orderBook,
          "OrderFunded",
        );
        expect(
          (await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address)).funded,
        ).to.equal(1100n);
      });

      it("takes consent only from the agreement's supplier: OrderNotSupplier", async function () {
        const { ledger, actors, agreementId } = await loadFixture(nearCommitmentFixture);
        const id = await placeOrder(ledger, actors.hospital, agreementId, 300n);
        // The hospital's own staff cannot consent for the supplier.
        for (const caller of [actors.hospital, actors.approvers[0], actors.suppliers[1], actors.stranger]) {
          await expect(ledger.orderBook.connect(caller).consentToExcess(id))
            .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotSupplier")
            .withArgs(id, caller.address);
        }
      });

      it("takes consent only for a placed order: OrderStatusInvalid", async function () {
        const { ledger, supplier } = await loadFixture(nearCommitmentFixture);
        await expect(ledger.orderBook.connect(supplier).consentToExcess(1n))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(1n, OrderStatus.Funded, OrderStatus.Placed);
      });
    });

    describe("a hospital splits an order to avoid its second approver", function () {
      /** Threshold 2,500,000 fen; orders of 100 units cost 1,000,000 fen each. */
      const SPLIT_THRESHOLD = 2_500_000n;

      /**
       * Three orders of 100 units placed back to back, one second apart, before any approval:
       * 3,000,000 fen as three pieces under the 2,500,000 threshold. Block times are set so
       * that the window's drain (2,500,000 per 30 days, under one fen per second) is exact.
       */
      async function splitFixture() {
        const ctx = await orderFixture();
        const { ledger, actors, agreementId } = ctx;
        await ledger.hospitals.connect(actors.hospital).setApprovalThreshold(SPLIT_THRESHOLD);
        const placedAt = (await now()) + 10n;
        const ids: bigint[] = [];
        for (let k = 0n; k < 3n; k++) {
          await time.setNextBlockTimestamp(placedAt + k);
          ids.push(await placeOrder(ledger, actors.hospital, agreementId, 100n));
        }
        return { ...ctx, ids, lastPlacedAt: placedAt + 2n };
      }

      it("needs a second approver for the order that takes the window past the threshold, whatever the approval order", async function () {
        const { ledger, actors, ids } = await loadFixture(splitFixture);
        const [first, second] = actors.approvers;
        // Attack: every piece approved alone, before any approval could count it. Placement
        // counts each piece: 1,000,000 and 2,000,000 fit the threshold, 3,000,000 does not.
        const flags = await Promise.all(
          ids.map(async (id) => (await ledger.orderBook.order(id)).twoApprovals),
        );
        expect(flags).to.deep.equal([false, false, true]);
        // Approving the third piece first does not let it see an empty window.
        const third = ids[2];
        const tx = ledger.orderBook.connect(first).approveOrder(third);
        await expect(tx).to.emit(ledger.orderBook, "OrderApproved").withArgs(third, first.address, 1, 2);
        await expect(tx).not.to.emit(ledger.orderBook, "OrderFunded");
        const o = await ledger.orderBook.order(third);
        expect([o.status, o.escrow, o.firstApprover]).to.deep.equal([OrderStatus.Placed, 0n, first.address]);
        for (const id of [ids[1], ids[0]]) {
          await expect(ledger.orderBook.connect(first).approveOrder(id))
            .to.emit(ledger.orderBook, "OrderApproved")
            .withArgs(id, first.address, 1, 1)
            .and.to.emit(ledger.orderBook, "OrderFunded")
            .withArgs(id, actors.hospital.address, 1_000_000n);
        }
        await expect(ledger.orderBook.connect(second).approveOrder(third))
          .to.emit(ledger.orderBook, "OrderApproved")
          .withArgs(third, second.address, 2, 2)
          .and.to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(third, actors.hospital.address, 1_000_000n);
      });

      it("keeps counting cancelled pieces: cancelling does not empty the window", async function () {
        const { ledger, actors, agreementId, ids } = await loadFixture(splitFixture);
        for (const id of ids) await ledger.orderBook.connect(actors.hospital).cancelOrder(id);
        const next = await placeOrder(ledger, actors.hospital, agreementId, 1n);
        expect((await ledger.orderBook.order(next)).twoApprovals).to.equal(true);
      });

      it("drains one threshold per 30 days", async function () {
        const { ledger, actors, agreementId, lastPlacedAt } = await loadFixture(splitFixture);
        const place = async (at: bigint, units: bigint) => {
          await time.setNextBlockTimestamp(at);
          const id = await placeOrder(ledger, actors.hospital, agreementId, units, at + HOUR);
          return (await ledger.orderBook.order(id)).twoApprovals;
        };
        // 3,000,000 in the window. Fifteen days drain 1,250,000: 1,750,000 left, so 700,000
        // more fits the threshold exactly below it (2,450,000) and then 100,000 more does not.
        const halfway = lastPlacedAt + 15n * BigInt(DAY);
        expect(await place(halfway, 70n)).to.equal(false);
        expect(await place(halfway + 1n, 10n)).to.equal(true);
        // 2,550,000 in the window; thirty days drain 2,500,000: 50,000 left, so 261 units
        // (2,449,000) fit the threshold and then one unit (10,000) more does not.
        const drained = halfway + 1n + 30n * BigInt(DAY);
        expect(await place(drained, 261n)).to.equal(false);
        expect(await place(drained + 1n, 1n)).to.equal(true);
      });
    });
  });

  describe("self-declared receipt time", function () {
    it("is gone: a confirmation states accepted and rejected units and the receipt hash only", function () {
      const confirmShipment = OrderBook__factory.createInterface().getFunction("confirmShipment");
      expect(confirmShipment.inputs[2].components?.map((c) => c.name)).to.deep.equal([
        "accepted",
        "rejected",
        "receiptHash",
      ]);
    });

    describe("the supplier recorded arrival on time and the hospital acknowledged it within the window", function () {
      async function onTimeArrivalFixture() {
        const base = await shippedOrderFixture();
        const { ledger, supplier, shipment, deadline } = base;
        const arrivedAt = deadline - HOUR;
        await time.setNextBlockTimestamp(arrivedAt);
        await arrive(ledger, supplier, shipment);
        return { ...base, arrivedAt };
      }

      it("pays in full however late the hospital confirms: it cannot create a penalty", async function () {
        const { ledger, actors, supplier, orderId, shipment, deadline, arrivedAt } =
          await loadFixture(onTimeArrivalFixture);
        await time.setNextBlockTimestamp(deadline + 12n * HOUR);
        await receive(ledger, actors.receiver, shipment);
        // Attack: the settler confirms ten days after the deadline; with a stated receipt time
        // it would have withheld 10 × 50 bps.
        await time.increaseTo(deadline + 10n * BigInt(DAY));
        const tx = confirm(ledger, actors.settler, shipment, 40n);
        await expect(tx)
          .to.emit(ledger.orderBook, "ShipmentSettled")
          .withArgs(
            shipment.id,
            orderId,
            supplier.address,
            actors.settler.address,
            confirmationArgs(confirmation(40n, 0n)),
            payoutArgs(400_000n, 0n, 0n, arrivedAt),
          );
        await expect(tx).to.changeTokenBalances(ledger.token, [supplier, actors.hospital], [400_000n, 0n]);
      });

      it("moves the delivery time only past the receiving window when the hospital holds back its receipt", async function () {
        const { ledger, actors, supplier, orderId, shipment, deadline } =
          await loadFixture(onTimeArrivalFixture);
        const confirmedAt = deadline + 10n * BigInt(DAY);
        await time.setNextBlockTimestamp(confirmedAt);
        // No receiving record: the confirmation is the receipt, and the arrival counts at most
        // one receiving window before it. The gap stays on the ledger for the regulator.
        const deliveredAt = confirmedAt - RECEIVING_WINDOW;
        await expect(confirm(ledger, actors.settler, shipment, 40n))
          .to.emit(ledger.orderBook, "ShipmentSettled")
          .withArgs(
            shipment.id,
            orderId,
            supplier.address,
            actors.settler.address,
            confirmationArgs(confirmation(40n, 0n)),
            payoutArgs(400_000n, 18_000n, 9n, deliveredAt),
          );
      });
    });

    describe("the supplier arrived late", function () {
      it("charges the penalty whatever time the hospital's receiving step states: it cannot erase one", async function () {
        const { ledger, actors, supplier, orderId, shipment, deadline } =
          await loadFixture(shippedOrderFixture);
        const arrivedAt = deadline + 5n * BigInt(DAY);
        await time.setNextBlockTimestamp(arrivedAt);
        // The supplier states an on-time event time too; only the block time counts.
        await ledger.trace
          .connect(supplier)
          .recordTraceEvent(
            shipment.id,
            shipment.record,
            TRACE_STEPS.indexOf("arriving"),
            LOCATION,
            deadline - BigInt(DAY),
            ethers.ZeroHash,
            false,
          );
        // Attack: the hospital backdates its receipt to before the deadline.
        await time.setNextBlockTimestamp(arrivedAt + HOUR);
        await ledger.trace
          .connect(actors.receiver)
          .recordTraceEvent(
            shipment.id,
            shipment.record,
            TRACE_STEPS.indexOf("receiving"),
            LOCATION,
            deadline - BigInt(DAY),
            ethers.ZeroHash,
            false,
          );
        // 5 days × 50 bps of 400,000.
        const tx = confirm(ledger, actors.settler, shipment, 40n);
        await expect(tx)
          .to.emit(ledger.orderBook, "ShipmentSettled")
          .withArgs(
            shipment.id,
            orderId,
            supplier.address,
            actors.settler.address,
            confirmationArgs(confirmation(40n, 0n)),
            payoutArgs(400_000n, 10_000n, 5n, arrivedAt),
          );
        await expect(tx).to.changeTokenBalances(
          ledger.token,
          [supplier, actors.hospital],
          [390_000n, 10_000n],
        );
      });

      it("counts an arrival recorded too early only one receiving window before the receipt", async function () {
        const { ledger, actors, supplier, orderId, shipment, deadline } =
          await loadFixture(shippedOrderFixture);
        // Attack: the supplier records Arriving as soon as it ships, days before the goods come.
        await arrive(ledger, supplier, shipment);
        const receivedAt = deadline + 5n * BigInt(DAY);
        await time.setNextBlockTimestamp(receivedAt);
        await receive(ledger, actors.receiver, shipment);
        await expect(confirm(ledger, actors.settler, shipment, 40n))
          .to.emit(ledger.orderBook, "ShipmentSettled")
          .withArgs(
            shipment.id,
            orderId,
            supplier.address,
            actors.settler.address,
            confirmationArgs(confirmation(40n, 0n)),
            payoutArgs(400_000n, 8_000n, 4n, receivedAt - RECEIVING_WINDOW),
          );
      });
    });
  });

  describe("a hospital that never confirms", function () {
    /** The shipped order, received on chain by the hospital's receiver. */
    async function receivedFixture() {
      const base = await shippedOrderFixture();
      const receivedAt = await receive(base.ledger, base.actors.receiver, base.shipment);
      return { ...base, receivedAt, claimableAt: receivedAt + CONFIRM_WINDOW };
    }

    it("cannot be claimed against before the hospital received it or the supplier recorded its arrival: SettlementClaimTooEarly", async function () {
      const { ledger, supplier, shipment } = await loadFixture(shippedOrderFixture);
      await time.increase(30 * DAY);
      const at = (await now()) + 10n;
      await time.setNextBlockTimestamp(at);
      await expect(claim(ledger, supplier, shipment))
        .to.be.revertedWithCustomError(ledger.orderBook, "SettlementClaimTooEarly")
        .withArgs(shipment.id, 0n, at);
    });

    it("cannot be claimed against within the confirmation window: SettlementClaimTooEarly", async function () {
      const { ledger, supplier, shipment, claimableAt } = await loadFixture(receivedFixture);
      await time.setNextBlockTimestamp(claimableAt - 1n);
      await expect(claim(ledger, supplier, shipment))
        .to.be.revertedWithCustomError(ledger.orderBook, "SettlementClaimTooEarly")
        .withArgs(shipment.id, claimableAt, claimableAt - 1n);
    });

    it("lets the supplier settle the undisputed units once the window is over", async function () {
      const ctx = await loadFixture(receivedFixture);
      const { ledger, actors, supplier, orderId, shipment, receivedAt, claimableAt } = ctx;
      // Attack: the hospital keeps the goods and never confirms, holding the supplier's money.
      await expect(
        ledger.orderBook.connect(actors.settler).disputeShipment(shipment.id, shipment.record, 10n, 4),
      )
        .to.emit(ledger.orderBook, "ShipmentDisputed")
        .withArgs(shipment.id, orderId, actors.settler.address, 10n, 4);
      await time.setNextBlockTimestamp(claimableAt);
      const tx = claim(ledger, supplier, shipment);
      await expectClaimPaid(tx, ctx, { accepted: 30n, rejected: 10n }, 300_000n, receivedAt);
      const o = await ledger.orderBook.order(orderId);
      expect([o.accepted, o.shipped]).to.deep.equal([30n, 30n]);
    });

    it("settles every unit when nothing was disputed", async function () {
      const { ledger, supplier, shipment, claimableAt } = await loadFixture(receivedFixture);
      await time.setNextBlockTimestamp(claimableAt);
      await expect(claim(ledger, supplier, shipment)).to.changeTokenBalance(ledger.token, supplier, 400_000n);
    });

    it("counts the latest dispute: a new one replaces the earlier", async function () {
      const { ledger, actors, supplier, shipment, claimableAt } = await loadFixture(receivedFixture);
      await ledger.orderBook.connect(actors.settler).disputeShipment(shipment.id, shipment.record, 10n, 4);
      await ledger.orderBook
        .connect(actors.approvers[0])
        .disputeShipment(shipment.id, shipment.record, 40n, 5);
      await time.setNextBlockTimestamp(claimableAt);
      await expect(claim(ledger, supplier, shipment)).to.changeTokenBalance(ledger.token, supplier, 0n);
    });

    it("takes disputes only from the hospital's settlers and approvers: SettlementNotSettler", async function () {
      const { ledger, actors, supplier, shipment, staff2 } = await loadFixture(receivedFixture);
      for (const caller of [actors.hospital, actors.receiver, actors.stranger, supplier, staff2.settler]) {
        await expect(ledger.orderBook.connect(caller).disputeShipment(shipment.id, shipment.record, 40n, 1))
          .to.be.revertedWithCustomError(ledger.orderBook, "SettlementNotSettler")
          .withArgs(shipment.id, caller.address);
      }
    });

    it("refuses a dispute of more units than were shipped: SettlementDisputeTooLarge", async function () {
      const { ledger, actors, shipment } = await loadFixture(receivedFixture);
      await expect(
        ledger.orderBook.connect(actors.settler).disputeShipment(shipment.id, shipment.record, 41n, 1),
      )
        .to.be.revertedWithCustomError(ledger.orderBook, "SettlementDisputeTooLarge")
        .withArgs(shipment.id, 41n, 40n);
    });

    it("takes claims only from the shipment's supplier: OrderNotSupplier", async function () {
      const { ledger, actors, orderId, shipment, claimableAt } = await loadFixture(receivedFixture);
      await time.increaseTo(claimableAt);
      for (const caller of [actors.settler, actors.suppliers[1], actors.stranger]) {
        await expect(ledger.orderBook.connect(caller).claimSettlement(shipment.id, shipment.record))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotSupplier")
          .withArgs(orderId, caller.address);
      }
    });

    it("applies the same payment checks as a confirmation: a recalled lot is not paid", async function () {
      const { ledger, actors, supplier, shipment, claimableAt } = await loadFixture(receivedFixture);
      await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, 1);
      await time.setNextBlockTimestamp(claimableAt);
      await expect(claim(ledger, supplier, shipment))
        .to.be.revertedWithCustomError(ledger.orderBook, "SettlementLotRecalled")
        .withArgs(shipment.id, GTIN, LOT);
    });

    it("settles once: a confirmation or a dispute after the claim reverts with TraceAlreadyConfirmed", async function () {
      const { ledger, actors, supplier, shipment, claimableAt } = await loadFixture(receivedFixture);
      await time.setNextBlockTimestamp(claimableAt);
      await claim(ledger, supplier, shipment);
      await expect(confirm(ledger, actors.settler, shipment, 40n))
        .to.be.revertedWithCustomError(ledger.trace, "TraceAlreadyConfirmed")
        .withArgs(shipment.id);
      await expect(
        ledger.orderBook.connect(actors.settler).disputeShipment(shipment.id, shipment.record, 5n, 1),
      )
        .to.be.revertedWithCustomError(ledger.trace, "TraceAlreadyConfirmed")
        .withArgs(shipment.id);
    });

    it("cannot be claimed once the hospital confirmed: TraceAlreadyConfirmed", async function () {
      const { ledger, actors, supplier, shipment, claimableAt } = await loadFixture(receivedFixture);
      await confirm(ledger, actors.settler, shipment, 40n);
      await time.increaseTo(claimableAt);
      await expect(claim(ledger, supplier, shipment))
        .to.be.revertedWithCustomError(ledger.trace, "TraceAlreadyConfirmed")
        .withArgs(shipment.id);
    });
  });

  describe("a hospital that never records the receipt", function () {
    /** The shipped order, its arrival recorded by the supplier; the hospital records nothing. */
    async function arrivedFixture() {
      const base = await shippedOrderFixture();
      const arrivedAt = await arrive(base.ledger, base.supplier, base.shipment);
      const deemedAt = arrivedAt + RECEIVING_WINDOW;
      return { ...base, arrivedAt, deemedAt, claimableAt: deemedAt + CONFIRM_WINDOW };
    }

    it("cannot hold the supplier's payment for ever: the claim opens after the receiving and confirmation windows that follow the arrival, judged at the arrival", async function () {
      // The attack: the hospital keeps the goods and records nothing, so no window ever opened.
      const ctx = await loadFixture(arrivedFixture);
      const { ledger, supplier, shipment, arrivedAt, deemedAt, claimableAt } = ctx;
      await time.increaseTo(claimableAt + 30n * BigInt(DAY));
      const tx = claim(ledger, supplier, shipment);
      await expect(tx).to.emit(ledger.trace, "ShipmentDeemedReceived").withArgs(shipment.id, deemedAt);
      // On time at the arrival, however late the claim: no penalty.
      await expectClaimPaid(tx, ctx, { accepted: 40n, rejected: 0n }, 400_000n, arrivedAt);
      const state = await ledger.trace.shipmentState(shipment.id);
      expect([state.receivedAt, state.confirmed, state.hospitalCustody]).to.deep.equal([
        deemedAt,
        true,
        true,
      ]);
    });

    it("cannot be claimed before both windows have passed: SettlementClaimTooEarly", async function () {
      const { ledger, supplier, shipment, claimableAt } = await loadFixture(arrivedFixture);
      await time.setNextBlockTimestamp(claimableAt - 1n);
      await expect(claim(ledger, supplier, shipment))
        .to.be.revertedWithCustomError(ledger.orderBook, "SettlementClaimTooEarly")
        .withArgs(shipment.id, claimableAt, claimableAt - 1n);
    });

    it("lets the hospital dispute a false arrival meanwhile: the claim then pays nothing and the units go back to the order", async function () {
      const { ledger, actors, supplier, orderId, shipment, claimableAt } = await loadFixture(arrivedFixture);
      await ledger.orderBook.connect(actors.settler).disputeShipment(shipment.id, shipment.record, 40n, 1);
      await time.setNextBlockTimestamp(claimableAt);
      await expect(claim(ledger, supplier, shipment)).to.changeTokenBalance(ledger.token, supplier, 0n);
      const o = await ledger.orderBook.order(orderId);
      expect([o.accepted, o.shipped]).to.deep.equal([0n, 0n]);
    });

    it("follows the hospital's own receipt once it records one: the confirmation window after it", async function () {
      const { ledger, actors, supplier, shipment, claimableAt } = await loadFixture(arrivedFixture);
      // Recorded late, a day before the claim would open on the arrival alone.
      await time.increaseTo(claimableAt - BigInt(DAY));
      const receivedAt = await receive(ledger, actors.receiver, shipment);
      await time.setNextBlockTimestamp(claimableAt);
      await expect(claim(ledger, supplier, shipment))
        .to.be.revertedWithCustomError(ledger.orderBook, "SettlementClaimTooEarly")
        .withArgs(shipment.id, receivedAt + CONFIRM_WINDOW, claimableAt);
    });

    it("lets the hospital dispute while the ledger is paused, as the windows run on", async function () {
      // The attack: the ledger is paused for days; the dispute the hospital would make is refused
      // (EnforcedPause), and the supplier claims the moment the pause lifts.
      const { ledger, actors, supplier, shipment, claimableAt } = await loadFixture(arrivedFixture);
      await ledger.orderBook.connect(actors.admin).pause();
      await expect(
        ledger.orderBook.connect(actors.settler).disputeShipment(shipment.id, shipment.record, 40n, 32),
      )
        .to.emit(ledger.orderBook, "ShipmentDisputed")
        .withArgs(shipment.id, shipment.record.orderId, actors.settler.address, 40n, 32);
      await time.increaseTo(claimableAt);
      await ledger.orderBook.connect(actors.admin).unpause();
      await expect(claim(ledger, supplier, shipment)).to.changeTokenBalance(ledger.token, supplier, 0n);
    });

    it("records a deemed receipt for the order book only: TraceCallerNotOrderBook", async function () {
      const { ledger, supplier, shipment, deemedAt } = await loadFixture(arrivedFixture);
      await expect(ledger.trace.connect(supplier).markDeemedReceived(shipment.id, deemedAt))
        .to.be.revertedWithCustomError(ledger.trace, "TraceCallerNotOrderBook")
        .withArgs(supplier.address);
    });
  });

  describe("a hospital that never decides on a temperature excursion", function () {
    /** The shipped order, received by the hospital with an excursion on its receiving step. */
    async function excursionFixture() {
      const base = await shippedOrderFixture();
      const arrivedAt = await arrive(base.ledger, base.supplier, base.shipment);
      await traceStep(base.ledger, base.actors.receiver, base.shipment, "receiving", true);
      const { receivedAt } = await base.ledger.trace.shipmentState(base.shipment.id);
      return { ...base, arrivedAt, claimableAt: receivedAt + CONFIRM_WINDOW };
    }

    it("cannot hold the supplier's payment for ever: after the confirmation window its silence is acceptance", async function () {
      // The attack: the hospital records an excursion, keeps the goods, and neither waives it nor
      // disputes a unit, so every claim reverted with SettlementExcursionNotWaived.
      const ctx = await loadFixture(excursionFixture);
      const { ledger, supplier, shipment, arrivedAt, claimableAt } = ctx;
      await time.increaseTo(claimableAt + 30n * BigInt(DAY));
      const tx = claim(ledger, supplier, shipment);
      await expectClaimPaid(tx, ctx, { accepted: 40n, rejected: 0n }, 400_000n, arrivedAt);
      expect((await ledger.trace.shipmentState(shipment.id)).excursionWaived).to.equal(false);
    });

    it("still cannot be claimed before the window ends: SettlementClaimTooEarly", async function () {
      const { ledger, supplier, shipment, claimableAt } = await loadFixture(excursionFixture);
      await time.setNextBlockTimestamp(claimableAt - 1n);
      await expect(claim(ledger, supplier, shipment))
        .to.be.revertedWithCustomError(ledger.orderBook, "SettlementClaimTooEarly")
        .withArgs(shipment.id, claimableAt, claimableAt - 1n);
    });

    it("pays nothing for the units the hospital disputed within the window", async function () {
      const { ledger, actors, supplier, orderId, shipment, claimableAt } =
        await loadFixture(excursionFixture);
      await ledger.orderBook
        .connect(actors.approvers[0])
        .disputeShipment(shipment.id, shipment.record, 40n, 1);
      await time.setNextBlockTimestamp(claimableAt);
      await expect(claim(ledger, supplier, shipment)).to.changeTokenBalance(ledger.token, supplier, 0n);
      const o = await ledger.orderBook.order(orderId);
      expect([o.accepted, o.shipped]).to.deep.equal([0n, 0n]);
    });

    it("still needs a waiver for the hospital's own confirmation: SettlementExcursionNotWaived", async function () {
      const { ledger, actors, shipment } = await loadFixture(excursionFixture);
      await expect(confirm(ledger, actors.settler, shipment, 40n))
        .to.be.revertedWithCustomError(ledger.orderBook, "SettlementExcursionNotWaived")
        .withArgs(shipment.id);
    });
  });

  describe("a supplier holding a role of the hospital it delivers to", function () {
    // A hospital may give a supplier's account one of its roles (a representative managing
    // consigned stock, say). The account must still never decide on its own deliveries.

    /** The shipped order, received by the hospital, whose approver disputed every unit. */
    async function disputedFixture() {
      const base = await shippedOrderFixture();
      const arrivedAt = await arrive(base.ledger, base.supplier, base.shipment);
      const receivedAt = await receive(base.ledger, base.actors.receiver, base.shipment);
      await base.ledger.orderBook
        .connect(base.actors.approvers[0])
        .disputeShipment(base.shipment.id, base.shipment.record, 40n, 1);
      return { ...base, arrivedAt, claimableAt: receivedAt + CONFIRM_WINDOW };
    }

    it("cannot take back the hospital's dispute as its approver: SettlementOwnDelivery", async function () {
      // The attack: the latest dispute stands, so the supplier disputes none of its own units,
      // then claims the whole delivery after the window.
      const { ledger, actors, supplier, shipment, claimableAt } = await loadFixture(disputedFixture);
      await addMember(ledger, actors.hospital, supplier, APPROVER);
      await expect(ledger.orderBook.connect(supplier).disputeShipment(shipment.id, shipment.record, 0n, 1))
        .to.be.revertedWithCustomError(ledger.orderBook, "SettlementOwnDelivery")
        .withArgs(shipment.id, supplier.address);
      expect(await ledger.orderBook.disputedUnits(shipment.id)).to.equal(40n);
      await time.setNextBlockTimestamp(claimableAt);
      await expect(claim(ledger, supplier, shipment)).to.changeTokenBalance(ledger.token, supplier, 0n);
    });

    it("cannot confirm its own delivery as its settler, over the hospital's dispute: SettlementOwnDelivery", async function () {
      // The attack: a confirmation decides the units itself, whatever was disputed before.
      const { ledger, actors, supplier, shipment } = await loadFixture(disputedFixture);
      await addMember(ledger, actors.hospital, supplier, SETTLER);
      await expect(confirm(ledger, supplier, shipment, 40n))
        .to.be.revertedWithCustomError(ledger.orderBook, "SettlementOwnDelivery")
        .withArgs(shipment.id, supplier.address);
      expect((await ledger.trace.shipmentState(shipment.id)).confirmed).to.equal(false);
    });

    it("cannot pass as another supplier with a doctored record: TraceRecordMismatch", async function () {
      const { ledger, actors, supplier, shipment } = await loadFixture(disputedFixture);
      await addMember(ledger, actors.hospital, supplier, APPROVER | SETTLER);
      const doctored = { ...shipment.record, supplier: actors.settler.address };
      await expect(
        ledger.orderBook.connect(supplier).confirmShipment(shipment.id, doctored, confirmation(40n, 0n)),
      )
        .to.be.revertedWithCustomError(ledger.trace, "TraceRecordMismatch")
        .withArgs(shipment.id);
      await expect(ledger.orderBook.connect(supplier).disputeShipment(shipment.id, doctored, 0n, 1))
        .to.be.revertedWithCustomError(ledger.trace, "TraceRecordMismatch")
        .withArgs(shipment.id);
    });

    it("cannot waive an excursion on its own delivery as its approver: TraceOwnDelivery", async function () {
      // The attack: the waiver lets the settler pay over the excursion inside the window.
      const { ledger, actors, supplier, shipment } = await loadFixture(shippedOrderFixture);
      await arrive(ledger, supplier, shipment);
      await traceStep(ledger, actors.receiver, shipment, "receiving", true);
      await addMember(ledger, actors.hospital, supplier, APPROVER);
      await expect(ledger.trace.connect(supplier).waiveExcursion(shipment.id, shipment.record, 1))
        .to.be.revertedWithCustomError(ledger.trace, "TraceOwnDelivery")
        .withArgs(shipment.id, supplier.address);
      expect((await ledger.trace.shipmentState(shipment.id)).excursionWaived).to.equal(false);
    });

    it("cannot record the hospital's receipt of its own delivery as its receiver: TraceStepNotAllowed", async function () {
      // The attack: a receipt on the ledger opens the supplier's claim a confirmation window after
      // it, a receiving window sooner than its own arrival record would, and says the hospital
      // has the goods.
      const { ledger, actors, supplier, shipment } = await loadFixture(shippedOrderFixture);
      await arrive(ledger, supplier, shipment);
      await addMember(ledger, actors.hospital, supplier, RECEIVER);
      await expect(traceStep(ledger, supplier, shipment, "receiving"))
        .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
        .withArgs(shipment.id, TRACE_STEPS.indexOf("receiving"), supplier.address);
      const state = await ledger.trace.shipmentState(shipment.id);
      expect([state.hospitalCustody, state.receivedAt]).to.deep.equal([false, 0n]);
    });

    it("cannot let itself ship late as the hospital's approver: OrderOwnDelivery", async function () {
      const { ledger, actors, supplier, orderId, deadline } = await loadFixture(fundedOrderFixture);
      await addMember(ledger, actors.hospital, supplier, APPROVER);
      await expect(ledger.orderBook.connect(supplier).allowLateShipment(orderId))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderOwnDelivery")
        .withArgs(orderId, supplier.address);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, 10n)))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderShipmentLate")
        .withArgs(orderId, deadline, deadline + 1n);
    });

    it("cannot order from itself for the hospital as its approver: OrderOwnAgreement", async function () {
      // The attack: the supplier places an order on its own agreement, consents to the excess,
      // funds it alone under the approval threshold from the hospital's allowance, and ships.
      const { ledger, actors, supplier, agreementId } = await loadFixture(orderFixture);
      await addMember(ledger, actors.hospital, supplier, APPROVER);
      const count = await ledger.orderBook.orderCount();
      await expect(
        ledger.orderBook.connect(supplier).placeOrder(agreementId, 10n, (await now()) + HOUR, ORDER_REF),
      )
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderOwnAgreement")
        .withArgs(agreementId, supplier.address);
      expect(await ledger.orderBook.orderCount()).to.equal(count);
    });

    it("cannot cancel its own order for the hospital as its approver: OrderOwnDelivery", async function () {
      // The attack: the supplier agrees to the cancellation and then makes it, walking away from
      // a funded order before its deadline.
      const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
      await ledger.orderBook.connect(supplier).agreeToCancel(orderId);
      await addMember(ledger, actors.hospital, supplier, APPROVER);
      await ship(ledger, supplier, orderId, 10n);
      await expect(ledger.orderBook.connect(supplier).cancelOrder(orderId))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderOwnDelivery")
        .withArgs(orderId, supplier.address);
      const o = await ledger.orderBook.order(orderId);
      expect([o.status, o.cancelled]).to.deep.equal([OrderStatus.Funded, 0n]);
    });

    it("leaves the hospital's own staff to decide as before", async function () {
      const { ledger, actors, supplier, shipment } = await loadFixture(disputedFixture);
      await addMember(ledger, actors.hospital, supplier, APPROVER | SETTLER);
      await expect(
        ledger.orderBook.connect(actors.approvers[1]).disputeShipment(shipment.id, shipment.record, 10n, 1),
      )
        .to.emit(ledger.orderBook, "ShipmentDisputed")
        .withArgs(shipment.id, shipment.record.orderId, actors.approvers[1].address, 10n, 1);
      await expect(confirm(ledger, actors.settler, shipment, 30n, 10n)).to.changeTokenBalance(
        ledger.token,
        supplier,
        300_000n,
      );
    });
  });

  describe("a late shipment", function () {
    it("needs the hospital's consent: OrderShipmentLate until an approver allows it", async function () {
      const { ledger, actors, supplier, orderId, deadline } = await loadFixture(fundedOrderFixture);
      // Attack: the supplier ships long after the deadline, when the hospital has had to buy
      // elsewhere, and the escrow still pays for it.
      const input = await shipmentInput(orderId, 10n);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(ledger.trace.connect(supplier).createShipment(input))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderShipmentLate")
        .withArgs(orderId, deadline, deadline + 1n);
      await expect(ledger.orderBook.connect(actors.approvers[1]).allowLateShipment(orderId))
        .to.emit(ledger.orderBook, "LateShipmentAllowed")
        .withArgs(orderId, actors.approvers[1].address);
      expect((await ledger.orderBook.order(orderId)).lateShipmentAllowed).to.equal(true);
      await expect(ledger.trace.connect(supplier).createShipment(input)).to.emit(
        ledger.trace,
        "ShipmentCreated",
      );
    });

    it("is still on time at the deadline itself", async function () {
      const { ledger, supplier, orderId, deadline } = await loadFixture(fundedOrderFixture);
      const input = await shipmentInput(orderId, 10n);
      await time.setNextBlockTimestamp(deadline);
      await expect(ledger.trace.connect(supplier).createShipment(input)).to.emit(
        ledger.trace,
        "ShipmentCreated",
      );
    });

    it("takes consent only from an approver of the hospital: OrderNotApprover", async function () {
      const { ledger, actors, supplier, orderId, staff2 } = await loadFixture(fundedOrderFixture);
      for (const caller of [actors.hospital, actors.settler, supplier, staff2.approver]) {
        await expect(ledger.orderBook.connect(caller).allowLateShipment(orderId))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotApprover")
          .withArgs(orderId, caller.address);
      }
    });

    it("takes consent only for a funded order: OrderStatusInvalid", async function () {
      const { ledger, actors, orderId } = await loadFixture(placedOrderFixture);
      await expect(ledger.orderBook.connect(actors.approvers[0]).allowLateShipment(orderId))
        .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
        .withArgs(orderId, OrderStatus.Placed, OrderStatus.Funded);
    });
  });

  describe("tokens", function () {
    describe("a fee-on-transfer token", function () {
      async function feeTokenFixture() {
        const [admin] = await ethers.getSigners();
        const token = await new FeeOnTransferToken__factory(admin).deploy();
        // The tender runs fee-free; the issuer switches the fee on afterwards.
        const ctx = await orderFixtureWith(await token.getAddress());
        const orderId = await placeOrder(ctx.ledger, ctx.actors.hospital, ctx.agreementId, 100n);
        return { ...ctx, token, orderId };
      }

      it("is refused at funding with OrderTokenTransferMismatch", async function () {
        const { ledger, actors, token, orderId } = await loadFixture(feeTokenFixture);
        await token.setFee(100);
        // Attack: escrow would record 1,000,000 while holding 990,000, and the last settlement
        // of some order would find the book short.
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderTokenTransferMismatch")
          .withArgs(1_000_000n, 990_000n);
        expect((await ledger.orderBook.order(orderId)).status).to.equal(OrderStatus.Placed);
        expect(await token.balanceOf(await ledger.orderBook.getAddress())).to.equal(0n);
      });
    });

    describe("a token that refuses transfers to the hospital", function () {
      /**
       * Hospital 1's order of 100 units is funded at the first tier (1,000,000); hospital 2's
       * 100 accepted units then move the agreement to the second tier; the order's 100 units are
       * shipped and received two days late. Settling it owes the hospital a 9,000 penalty and a
       * 100,000 refund. Then the token blocks the hospital.
       */
      async function blockedFixture() {
        const [admin] = await ethers.getSigners();
        const token = await new BlockingToken__factory(admin).deploy();
        const ctx = await orderFixtureWith(await token.getAddress());
        const { ledger, actors, agreementId, staff2 } = ctx;
        const orderId = await placeFundedOrder(ctx, 100n);
        const other = await placeOrder(ledger, actors.hospital2, agreementId, 100n);
        await fundOrder(ledger, [staff2.approver], other);
        await deliver(ctx, other, 100n, staff2.settler);
        const shipment = await ship(ledger, ctx.supplier, orderId, 100n);
        const { deliveryDeadline } = await ledger.orderBook.order(orderId);
        await time.setNextBlockTimestamp(deliveryDeadline + 2n * BigInt(DAY));
        await receive(ledger, actors.receiver, shipment);
        await token.setBlocked(actors.hospital.address, true);
        return { ...ctx, token, orderId, shipment };
      }

      it("still pays the supplier; the hospital's refund is owed instead (RefundDeferred)", async function () {
        const ctx = await loadFixture(blockedFixture);
        const { ledger, actors, supplier, token, orderId, shipment } = ctx;
        // Attack (or mishap): a hospital that cannot receive its refund would make the whole
        // settlement revert and hold the supplier's payment hostage.
        const gross = 900_000n;
        const penalty = 9_000n;
        const refund = 1_000_000n - gross;
        const tx = confirm(ledger, actors.settler, shipment, 100n);
        await expect(tx).to.emit(ledger.orderBook, "OrderClosed").withArgs(orderId, refund);
        await expect(tx)
          .to.emit(ledger.orderBook, "RefundDeferred")
          .withArgs(actors.hospital.address, penalty + refund);
        await expect(tx).to.changeTokenBalances(
          token,
          [supplier, actors.hospital, ledger.orderBook],
          [gross - penalty, 0n, -(gross - penalty)],
        );
        expect(await ledger.orderBook.refundsOwed(actors.hospital.address)).to.equal(penalty + refund);
        expect(await ledger.orderBook.totalRefundsOwed()).to.equal(penalty + refund);
        expect(await ledger.orderBook.totalEscrow()).to.equal(0n);
        await expectBalanced(ctx.ledger, ctx.token);
      });

      it("keeps the owed refund until the hospital can receive it, then pays it out (RefundWithdrawn)", async function () {
        const ctx = await loadFixture(blockedFixture);
        const { ledger, actors, token, shipment } = ctx;
        await confirm(ledger, actors.settler, shipment, 100n);
        const owed = 109_000n;
        await expect(ledger.orderBook.connect(actors.hospital).withdrawRefund())
          .to.be.revertedWithCustomError(token, "RecipientBlocked")
          .withArgs(actors.hospital.address);
        expect(await ledger.orderBook.refundsOwed(actors.hospital.address)).to.equal(owed);
        await token.setBlocked(actors.hospital.address, false);
        const tx = ledger.orderBook.connect(actors.hospital).withdrawRefund();
        await expect(tx).to.emit(ledger.orderBook, "RefundWithdrawn").withArgs(actors.hospital.address, owed);
        await expect(tx).to.changeTokenBalances(token, [actors.hospital, ledger.orderBook], [owed, -owed]);
        expect(await ledger.orderBook.totalRefundsOwed()).to.equal(0n);
        await expectBalanced(ctx.ledger, ctx.token);
        await expect(ledger.orderBook.connect(actors.hospital).withdrawRefund())
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNoRefundOwed")
          .withArgs(actors.hospital.address);
      });

      it("defers a cancellation's refund too, and the cancellation stands", async function () {
        const ctx = await loadFixture(blockedFixture);
        const { ledger, actors } = ctx;
        const id = await placeFundedOrder(ctx, 10n);
        const escrow = (await ledger.orderBook.order(id)).escrow;
        await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(id))
          .to.emit(ledger.orderBook, "RefundDeferred")
          .withArgs(actors.hospital.address, escrow);
        expect((await ledger.orderBook.order(id)).status).to.equal(OrderStatus.Cancelled);
        await expectBalanced(ctx.ledger, ctx.token);
      });

      describe("while the order book is paused", function () {
        it("lets the hospital cancel and withdraw, but not place, approve or confirm (EnforcedPause)", async function () {
          const ctx = await loadFixture(blockedFixture);
          const { ledger, actors, token, agreementId, shipment } = ctx;
          const id = await placeFundedOrder(ctx, 10n);
          const escrow = (await ledger.orderBook.order(id)).escrow;
          const placed = await placeOrder(ledger, actors.hospital, agreementId, 10n);
          await token.setBlocked(actors.hospital.address, false);
          await ledger.orderBook.connect(actors.admin).pause();

          await expect(
            ledger.orderBook
              .connect(actors.hospital)
              .placeOrder(agreementId, 1n, (await now()) + HOUR, ORDER_REF),
          ).to.be.revertedWithCustomError(ledger.orderBook, "EnforcedPause");
          await expect(
            ledger.orderBook.connect(actors.approvers[0]).approveOrder(placed),
          ).to.be.revertedWithCustomError(ledger.orderBook, "EnforcedPause");
          await expect(confirm(ledger, actors.settler, shipment, 100n)).to.be.revertedWithCustomError(
            ledger.orderBook,
            "EnforcedPause",
          );

          await token.setBlocked(actors.hospital.address, true);
          await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(id)).to.emit(
            ledger.orderBook,
            "RefundDeferred",
          );
          await token.setBlocked(actors.hospital.address, false);
          await expect(ledger.orderBook.connect(actors.hospital).withdrawRefund())
            .to.emit(ledger.orderBook, "RefundWithdrawn")
            .withArgs(actors.hospital.address, escrow);
          await expectBalanced(ctx.ledger, ctx.token);
        });
      });
    });

    describe("a permit that would replace an allowance another order relies on", function () {
      /**
       * Two placed orders of hospital 1: the first (50 units, 500,000) is covered by a standing
       * allowance of exactly its escrow; the second (100 units, 1,000,000) is to be funded with
       * a permit.
       */
      async function permitFixture() {
        const ctx = await orderFixture();
        const { ledger, actors, agreementId } = ctx;
        const book = await ledger.orderBook.getAddress();
        const first = await placeOrder(ledger, actors.hospital, agreementId, 50n);
        const second = await placeOrder(ledger, actors.hospital, agreementId, 100n);
        await ledger.token.connect(actors.hospital).approve(book, 500_000n);
        return { ...ctx, book, first, second };
      }

      it("reverts with OrderPermitBelowAllowance and consumes nothing", async function () {
        const { ledger, actors, book, second } = await loadFixture(permitFixture);
        // Attack: a permit for just this order's value would set the allowance to 1,000,000,
        // the funding would take it all, and the first order could no longer be funded.
        const deadline = (await now()) + BigInt(DAY);
        const permit = await signPermit(ledger, actors.hospital, book, 1_000_000n, deadline);
        await expect(
          ledger.orderBook
            .connect(actors.approvers[0])
            .approveOrderWithPermit(second, 1_000_000n, deadline, permit.v, permit.r, permit.s),
        )
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderPermitBelowAllowance")
          .withArgs(1_000_000n, 1_500_000n);
        expect(await ledger.token.nonces(actors.hospital.address)).to.equal(0n);
        expect(await ledger.token.allowance(actors.hospital.address, book)).to.equal(500_000n);
      });

      it("funds the order with an additive permit and leaves the other order's allowance", async function () {
        const { ledger, actors, book, first, second } = await loadFixture(permitFixture);
        const deadline = (await now()) + BigInt(DAY);
        const permit = await signPermit(ledger, actors.hospital, book, 1_500_000n, deadline);
        await expect(
          ledger.orderBook
            .connect(actors.approvers[0])
            .approveOrderWithPermit(second, 1_500_000n, deadline, permit.v, permit.r, permit.s),
        )
          .to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(second, actors.hospital.address, 1_000_000n);
        expect(await ledger.token.allowance(actors.hospital.address, book)).to.equal(500_000n);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(first))
          .to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(first, actors.hospital.address, 500_000n);
      });
    });
  });
});
