import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { DAY, qualify, registerGtins, GTIN, YEAR } from "./helpers/fixtures";
import {
  COMMITTED,
  deliver,
  expectBalanced,
  FUNDING_WINDOW,
  fundOrder,
  fundedOrderFixture,
  HOUR,
  LEAD_TIME,
  now,
  ORDER_REF,
  orderFixture,
  OrderStatus,
  placeFundedOrder,
  placedOrderFixture,
  placeOrder,
  scheduleValue,
  ship,
  shipmentInput,
  signPermit,
  THRESHOLD,
  twoApproverOrderFixture,
} from "./helpers/orderBook";

/** A placed order whose hospital has withdrawn the standing allowance: only a permit can fund it. */
async function permitOrderFixture() {
  return withPermit(await placedOrderFixture());
}

/** The same, for an order that needs two approvers. */
async function twoApproverPermitFixture() {
  return withPermit(await twoApproverOrderFixture());
}

async function withPermit(base: Awaited<ReturnType<typeof placedOrderFixture>>) {
  const { ledger, actors } = base;
  await ledger.token.connect(actors.hospital).approve(await ledger.orderBook.getAddress(), 0n);
  const permitDeadline = (await now()) + BigInt(DAY);
  const permit = await signPermit(
    ledger,
    actors.hospital,
    await ledger.orderBook.getAddress(),
    base.value,
    permitDeadline,
  );
  return { ...base, permitDeadline, permit };
}

describe("OrderBook: orders and escrow", function () {
  describe("placeOrder", function () {
    describe("when the caller is the hospital admin", function () {
      it("stores the order without a value and emits OrderPlaced with its funding deadline", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        const at = (await now()) + 100n;
        const requested = at + 30n * BigInt(DAY);
        await time.setNextBlockTimestamp(at);
        await expect(
          ledger.orderBook.connect(actors.hospital).placeOrder(agreementId, 10n, requested, ORDER_REF),
        )
          .to.emit(ledger.orderBook, "OrderPlaced")
          .withArgs(
            1n,
            agreementId,
            actors.hospital.address,
            actors.hospital.address,
            10n,
            requested,
            requested,
            at + FUNDING_WINDOW,
            ORDER_REF,
          );
        const o = await ledger.orderBook.order(1n);
        expect(o.agreementId).to.equal(agreementId);
        expect(o.hospital).to.equal(actors.hospital.address);
        expect(o.status).to.equal(OrderStatus.Placed);
        expect(o.quantity).to.equal(10n);
        expect(o.deliveryDeadline).to.equal(requested);
        expect(o.fundingExpiresAt).to.equal(at + FUNDING_WINDOW);
        expect([o.shipped, o.accepted, o.cancelled, o.escrow]).to.deep.equal([0n, 0n, 0n, 0n]);
        expect([
          o.cancelRequested,
          o.supplierAgreedToCancel,
          o.shippedAgainst,
          o.excessConsented,
          o.lateShipmentAllowed,
          o.twoApprovals,
        ]).to.deep.equal([false, false, false, false, false, false]);
        expect(o.firstApprover).to.equal(ethers.ZeroAddress);
        expect(await ledger.orderBook.orderCount()).to.equal(1n);
        expect(await ledger.orderBook.totalEscrow()).to.equal(0n);
      });

      it("books no volume: the hospital's position counts nothing funded, the agreement nothing accepted", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        await expect(
          ledger.orderBook
            .connect(actors.hospital)
            .placeOrder(agreementId, 42n, (await now()) + HOUR, ORDER_REF),
        ).not.to.emit(ledger.agreements, "AgreementVolumeChanged");
        expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(0n);
        const position = await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address);
        expect([position.committed, position.funded, position.party]).to.deep.equal([COMMITTED, 0n, true]);
      });

      it("moves no tokens: nothing is escrowed before funding", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        await expect(
          ledger.orderBook
            .connect(actors.hospital)
            .placeOrder(agreementId, 10n, (await now()) + HOUR, ORDER_REF),
        ).to.changeTokenBalances(ledger.token, [actors.hospital, ledger.orderBook], [0n, 0n]);
      });
    });

    describe("when the caller is an approver of the hospital", function () {
      it("places the order for the approver's hospital", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        const at = (await now()) + 100n;
        await time.setNextBlockTimestamp(at);
        await expect(
          ledger.orderBook.connect(actors.approvers[1]).placeOrder(agreementId, 10n, at + HOUR, ORDER_REF),
        )
          .to.emit(ledger.orderBook, "OrderPlaced")
          .withArgs(
            1n,
            agreementId,
            actors.hospital.address,
            actors.approvers[1].address,
            10n,
            at + HOUR,
            at + LEAD_TIME,
            at + FUNDING_WINDOW,
            ORDER_REF,
          );
        expect((await ledger.orderBook.order(1n)).hospital).to.equal(actors.hospital.address);
      });
    });

    describe("delivery deadline", function () {
      describe("when the requested date is sooner than the lead time allows", function () {
        it("is the placement time plus the agreement's lead time", async function () {
          const { ledger, actors, agreementId } = await loadFixture(orderFixture);
          const at = (await now()) + 100n;
          await time.setNextBlockTimestamp(at);
          await ledger.orderBook.connect(actors.hospital).placeOrder(agreementId, 1n, at + 1n, ORDER_REF);
          expect((await ledger.orderBook.order(1n)).deliveryDeadline).to.equal(at + LEAD_TIME);
        });
      });

      describe("when the requested date is exactly the lead time", function () {
        it("is the requested date", async function () {
          const { ledger, actors, agreementId } = await loadFixture(orderFixture);
          const at = (await now()) + 100n;
          await time.setNextBlockTimestamp(at);
          await ledger.orderBook
            .connect(actors.hospital)
            .placeOrder(agreementId, 1n, at + LEAD_TIME, ORDER_REF);
          expect((await ledger.orderBook.order(1n)).deliveryDeadline).to.equal(at + LEAD_TIME);
        });
      });

      describe("when the requested date is now", function () {
        it("is accepted and the deadline is the lead time", async function () {
          const { ledger, actors, agreementId } = await loadFixture(orderFixture);
          const at = (await now()) + 100n;
          await time.setNextBlockTimestamp(at);
          await ledger.orderBook.connect(actors.hospital).placeOrder(agreementId, 1n, at, ORDER_REF);
          expect((await ledger.orderBook.order(1n)).deliveryDeadline).to.equal(at + LEAD_TIME);
        });
      });
    });

    describe("when the caller is not the hospital or one of its approvers", function () {
      it("reverts with OrderNotHospitalStaff", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        for (const caller of [actors.stranger, actors.settler, actors.receiver, actors.suppliers[0]]) {
          await expect(
            ledger.orderBook.connect(caller).placeOrder(agreementId, 10n, (await now()) + HOUR, ORDER_REF),
          )
            .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotHospitalStaff")
            .withArgs(caller.address);
        }
      });
    });

    describe("when the quantity is zero", function () {
      it("reverts with OrderZeroQuantity", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        await expect(
          ledger.orderBook
            .connect(actors.hospital)
            .placeOrder(agreementId, 0n, (await now()) + HOUR, ORDER_REF),
        ).to.be.revertedWithCustomError(ledger.orderBook, "OrderZeroQuantity");
      });
    });

    describe("when the requested delivery date is in the past", function () {
      it("reverts with OrderDeliveryDateInPast", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        const at = (await now()) + 100n;
        await time.setNextBlockTimestamp(at);
        await expect(
          ledger.orderBook.connect(actors.hospital).placeOrder(agreementId, 1n, at - 1n, ORDER_REF),
        )
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderDeliveryDateInPast")
          .withArgs(at - 1n, at);
      });
    });

    describe("when the agreement does not exist", function () {
      it("reverts with AgreementNotFound", async function () {
        const { ledger, actors } = await loadFixture(orderFixture);
        await expect(
          ledger.orderBook.connect(actors.hospital).placeOrder(99n, 1n, (await now()) + HOUR, ORDER_REF),
        )
          .to.be.revertedWithCustomError(ledger.agreements, "AgreementNotFound")
          .withArgs(99n);
      });
    });

    describe("when the agreement's term is over", function () {
      it("reverts with AgreementNotInTerm", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        const { start, end } = await ledger.agreements.agreementTerms(agreementId);
        expect(end - start).to.equal(BigInt(YEAR));
        await time.setNextBlockTimestamp(end + 1n);
        await expect(
          ledger.orderBook.connect(actors.hospital).placeOrder(agreementId, 1n, end + 10n, ORDER_REF),
        )
          .to.be.revertedWithCustomError(ledger.agreements, "AgreementNotInTerm")
          .withArgs(agreementId, start, end, end + 1n);
      });
    });

    describe("when the order book is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        await ledger.orderBook.connect(actors.admin).pause();
        await expect(
          ledger.orderBook
            .connect(actors.hospital)
            .placeOrder(agreementId, 1n, (await now()) + HOUR, ORDER_REF),
        ).to.be.revertedWithCustomError(ledger.orderBook, "EnforcedPause");
      });
    });
  });

  describe("approveOrder", function () {
    describe("when the value is below the hospital's threshold", function () {
      it("funds the order on the first approval, escrowing its quote and booking its volume", async function () {
        const { ledger, actors, agreementId, orderId, quantity, value } =
          await loadFixture(placedOrderFixture);
        expect(value).to.equal(quantity * 10_000n);
        const approver = actors.approvers[0];
        const tx = ledger.orderBook.connect(approver).approveOrder(orderId);
        await expect(tx).to.emit(ledger.orderBook, "OrderApproved").withArgs(orderId, approver.address, 1, 1);
        await expect(tx)
          .to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(orderId, actors.hospital.address, value);
        await expect(tx)
          .to.emit(ledger.agreements, "AgreementVolumeChanged")
          .withArgs(agreementId, actors.hospital.address, quantity, 0n);
        await expect(tx).to.changeTokenBalances(
          ledger.token,
          [actors.hospital, ledger.orderBook],
          [-value, value],
        );
        const o = await ledger.orderBook.order(orderId);
        expect(o.status).to.equal(OrderStatus.Funded);
        expect(o.escrow).to.equal(value);
        expect(await ledger.orderBook.totalEscrow()).to.equal(value);
        await expectBalanced(ledger, ledger.token);
        expect(
          (await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address)).funded,
        ).to.equal(quantity);
      });
    });

    describe("pricing: units are escrowed at the price they would cost if accepted next", function () {
      describe("when other orders are funded but nothing is accepted", function () {
        it("escrows at the first tier: funded volume does not lower the price", async function () {
          const ctx = await loadFixture(orderFixture);
          const { ledger, actors, agreementId, staff2 } = ctx;
          const other = await placeOrder(ledger, actors.hospital2, agreementId, 100n);
          await fundOrder(ledger, [staff2.approver], other);
          const id = await placeOrder(ledger, actors.hospital, agreementId, 10n);
          await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(id))
            .to.emit(ledger.orderBook, "OrderFunded")
            .withArgs(id, actors.hospital.address, 100_000n);
        });
      });

      describe("when another hospital's 100 accepted units moved the agreement to the second tier", function () {
        it("escrows at the second tier", async function () {
          const ctx = await loadFixture(orderFixture);
          const { ledger, actors, agreementId, staff2 } = ctx;
          const other = await placeOrder(ledger, actors.hospital2, agreementId, 100n);
          await fundOrder(ledger, [staff2.approver], other);
          await deliver(ctx, other, 100n, staff2.settler);
          expect(await ledger.agreements.quote(agreementId, 10n)).to.equal(90_000n);
          const id = await placeOrder(ledger, actors.hospital, agreementId, 10n);
          await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(id))
            .to.emit(ledger.orderBook, "OrderFunded")
            .withArgs(id, actors.hospital.address, 90_000n);
        });
      });

      describe("when the order straddles a tier boundary of the accepted volume", function () {
        it("prices each side of the boundary at its own tier", async function () {
          const ctx = await loadFixture(orderFixture);
          const { ledger, actors, agreementId } = ctx;
          const first = await placeFundedOrder(ctx, 97n);
          await deliver(ctx, first, 97n);
          const id = await placeOrder(ledger, actors.hospital, agreementId, 7n);
          await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(id))
            .to.emit(ledger.orderBook, "OrderFunded")
            .withArgs(id, actors.hospital.address, 3n * 10_000n + 4n * 9_000n);
        });
      });

      describe("when the order straddles every tier", function () {
        it("prices piecewise across all three tiers", async function () {
          const { ledger, actors, agreementId } = await loadFixture(orderFixture);
          const value = 100n * 10_000n + 400n * 9_000n + 100n * 8_000n;
          expect(scheduleValue(0n, 600n)).to.equal(value);
          const id = await placeOrder(ledger, actors.hospital, agreementId, 600n);
          await ledger.orderBook.connect(actors.approvers[0]).approveOrder(id);
          await expect(ledger.orderBook.connect(actors.approvers[1]).approveOrder(id))
            .to.emit(ledger.orderBook, "OrderFunded")
            .withArgs(id, actors.hospital.address, value);
        });
      });
    });

    describe("when the value is exactly the threshold", function () {
      it("needs one approver", async function () {
        const { ledger, actors, agreementId } = await loadFixture(orderFixture);
        // 100 × 10000 + 400 × 9000 + 50 × 8000 = 5,000,000 fen, the fixture's threshold.
        const id = await placeOrder(ledger, actors.hospital, agreementId, 550n);
        expect(await ledger.agreements.quote(agreementId, 550n)).to.equal(THRESHOLD);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(id))
          .to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(id, actors.hospital.address, THRESHOLD);
        expect((await ledger.orderBook.order(id)).status).to.equal(OrderStatus.Funded);
      });
    });

    describe("when the value is one fen above the threshold", function () {
      async function aboveThresholdFixture() {
        const base = await orderFixture();
        const { ledger, actors, agreementId } = base;
        await ledger.hospitals.connect(actors.hospital).setApprovalThreshold(THRESHOLD - 1n);
        const orderId = await placeOrder(ledger, actors.hospital, agreementId, 550n);
        return { ...base, orderId };
      }

      describe("on the first approval", function () {
        it("records the approver and funds nothing", async function () {
          const { ledger, actors, orderId } = await loadFixture(aboveThresholdFixture);
          const tx = ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
          await expect(tx)
            .to.emit(ledger.orderBook, "OrderApproved")
            .withArgs(orderId, actors.approvers[0].address, 1, 2);
          await expect(tx).not.to.emit(ledger.orderBook, "OrderFunded");
          await expect(tx).to.changeTokenBalances(
            ledger.token,
            [actors.hospital, ledger.orderBook],
            [0n, 0n],
          );
          const o = await ledger.orderBook.order(orderId);
          expect(o.twoApprovals).to.equal(true);
          expect(o.status).to.equal(OrderStatus.Placed);
          expect(o.firstApprover).to.equal(actors.approvers[0].address);
          expect(o.escrow).to.equal(0n);
        });
      });

      describe("on a second approval by another approver", function () {
        it("funds the order", async function () {
          const { ledger, actors, orderId } = await loadFixture(aboveThresholdFixture);
          await ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
          const tx = ledger.orderBook.connect(actors.approvers[1]).approveOrder(orderId);
          await expect(tx)
            .to.emit(ledger.orderBook, "OrderApproved")
            .withArgs(orderId, actors.approvers[1].address, 2, 2);
          await expect(tx)
            .to.emit(ledger.orderBook, "OrderFunded")
            .withArgs(orderId, actors.hospital.address, THRESHOLD);
          await expect(tx).to.changeTokenBalances(
            ledger.token,
            [actors.hospital, ledger.orderBook],
            [-THRESHOLD, THRESHOLD],
          );
          expect((await ledger.orderBook.order(orderId)).status).to.equal(OrderStatus.Funded);
        });
      });

      describe("on a second approval by the same approver", function () {
        it("reverts with OrderAlreadyApproved", async function () {
          const { ledger, actors, orderId } = await loadFixture(aboveThresholdFixture);
          await ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
          await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId))
            .to.be.revertedWithCustomError(ledger.orderBook, "OrderAlreadyApproved")
            .withArgs(orderId, actors.approvers[0].address);
        });
      });

      describe("when the hospital raises its threshold after placement", function () {
        it("still needs the second approval: placement decided", async function () {
          const { ledger, actors, orderId } = await loadFixture(aboveThresholdFixture);
          await ledger.hospitals.connect(actors.hospital).setApprovalThreshold(THRESHOLD * 10n);
          await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId))
            .to.emit(ledger.orderBook, "OrderApproved")
            .withArgs(orderId, actors.approvers[0].address, 1, 2)
            .and.not.to.emit(ledger.orderBook, "OrderFunded");
          await expect(ledger.orderBook.connect(actors.approvers[1]).approveOrder(orderId))
            .to.emit(ledger.orderBook, "OrderApproved")
            .withArgs(orderId, actors.approvers[1].address, 2, 2)
            .and.to.emit(ledger.orderBook, "OrderFunded")
            .withArgs(orderId, actors.hospital.address, THRESHOLD);
        });
      });
    });

    describe("when the hospital lowers its threshold below a placed order's value", function () {
      it("funds on one approval: placement decided", async function () {
        const { ledger, actors, orderId, value } = await loadFixture(placedOrderFixture);
        await ledger.hospitals.connect(actors.hospital).setApprovalThreshold(1n);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId))
          .to.emit(ledger.orderBook, "OrderApproved")
          .withArgs(orderId, actors.approvers[0].address, 1, 1)
          .and.to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(orderId, actors.hospital.address, value);
      });
    });

    describe("when the caller is not an approver of the order's hospital", function () {
      it("reverts with OrderNotApprover, also for the hospital admin and other hospitals' approvers", async function () {
        const { ledger, actors, orderId, staff2 } = await loadFixture(placedOrderFixture);
        for (const caller of [actors.hospital, actors.settler, actors.stranger, staff2.approver]) {
          await expect(ledger.orderBook.connect(caller).approveOrder(orderId))
            .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotApprover")
            .withArgs(orderId, caller.address);
        }
      });
    });

    describe("when the order does not exist", function () {
      it("reverts with OrderNotFound", async function () {
        const { ledger, actors } = await loadFixture(placedOrderFixture);
        for (const id of [0n, 2n]) {
          await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(id))
            .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotFound")
            .withArgs(id);
        }
      });
    });

    describe("when the order is already funded", function () {
      it("reverts with OrderStatusInvalid(Funded, expected Placed)", async function () {
        const { ledger, actors, orderId } = await loadFixture(fundedOrderFixture);
        await expect(ledger.orderBook.connect(actors.approvers[1]).approveOrder(orderId))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(orderId, OrderStatus.Funded, OrderStatus.Placed);
      });
    });

    describe("when the order was cancelled", function () {
      it("reverts with OrderStatusInvalid(Cancelled, expected Placed)", async function () {
        const { ledger, actors, orderId } = await loadFixture(placedOrderFixture);
        await ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(orderId, OrderStatus.Cancelled, OrderStatus.Placed);
      });
    });

    describe("when the hospital has not allowed the order book to pull the value", function () {
      it("reverts with the token's ERC20InsufficientAllowance and stays placed", async function () {
        const { ledger, actors, orderId, value } = await loadFixture(placedOrderFixture);
        await ledger.token.connect(actors.hospital).approve(await ledger.orderBook.getAddress(), value - 1n);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId))
          .to.be.revertedWithCustomError(ledger.token, "ERC20InsufficientAllowance")
          .withArgs(await ledger.orderBook.getAddress(), value - 1n, value);
        expect((await ledger.orderBook.order(orderId)).status).to.equal(OrderStatus.Placed);
      });
    });

    describe("when the hospital cannot pay", function () {
      it("reverts with the token's ERC20InsufficientBalance", async function () {
        const { ledger, actors, orderId, value } = await loadFixture(placedOrderFixture);
        const balance = await ledger.token.balanceOf(actors.hospital.address);
        await ledger.token.connect(actors.hospital).transfer(actors.stranger.address, balance - value + 1n);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId))
          .to.be.revertedWithCustomError(ledger.token, "ERC20InsufficientBalance")
          .withArgs(actors.hospital.address, value - 1n, value);
      });
    });

    describe("when the order book is paused", function () {
      it("reverts with EnforcedPause, and funds once unpaused", async function () {
        const { ledger, actors, orderId } = await loadFixture(placedOrderFixture);
        await ledger.orderBook.connect(actors.admin).pause();
        await expect(
          ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId),
        ).to.be.revertedWithCustomError(ledger.orderBook, "EnforcedPause");
        await ledger.orderBook.connect(actors.admin).unpause();
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId)).to.emit(
          ledger.orderBook,
          "OrderFunded",
        );
      });
    });
  });

  describe("approveOrderWithPermit", function () {
    describe("when the hospital signed a permit for the order's value", function () {
      it("applies the permit and funds the order without a standing allowance", async function () {
        const { ledger, actors, orderId, value, permitDeadline, permit } =
          await loadFixture(permitOrderFixture);
        const tx = ledger.orderBook
          .connect(actors.approvers[0])
          .approveOrderWithPermit(orderId, value, permitDeadline, permit.v, permit.r, permit.s);
        await expect(tx)
          .to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(orderId, actors.hospital.address, value);
        await expect(tx).to.changeTokenBalances(
          ledger.token,
          [actors.hospital, ledger.orderBook],
          [-value, value],
        );
        expect(await ledger.token.nonces(actors.hospital.address)).to.equal(1n);
        expect(
          await ledger.token.allowance(actors.hospital.address, await ledger.orderBook.getAddress()),
        ).to.equal(0n);
      });
    });

    describe("when someone front-ran the permit", function () {
      it("still funds the order from the allowance the permit granted", async function () {
        const { ledger, actors, orderId, value, permitDeadline, permit } =
          await loadFixture(permitOrderFixture);
        await ledger.token
          .connect(actors.stranger)
          .permit(
            actors.hospital.address,
            await ledger.orderBook.getAddress(),
            value,
            permitDeadline,
            permit.v,
            permit.r,
            permit.s,
          );
        await expect(
          ledger.orderBook
            .connect(actors.approvers[0])
            .approveOrderWithPermit(orderId, value, permitDeadline, permit.v, permit.r, permit.s),
        )
          .to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(orderId, actors.hospital.address, value);
        expect((await ledger.orderBook.order(orderId)).escrow).to.equal(value);
      });
    });

    describe("when the permit is invalid and there is no allowance", function () {
      it("reverts with the token's ERC20InsufficientAllowance", async function () {
        const { ledger, actors, orderId, value, permitDeadline } = await loadFixture(permitOrderFixture);
        const forged = await signPermit(
          ledger,
          actors.stranger,
          await ledger.orderBook.getAddress(),
          value,
          permitDeadline,
        );
        await expect(
          ledger.orderBook
            .connect(actors.approvers[0])
            .approveOrderWithPermit(orderId, value, permitDeadline, forged.v, forged.r, forged.s),
        )
          .to.be.revertedWithCustomError(ledger.token, "ERC20InsufficientAllowance")
          .withArgs(await ledger.orderBook.getAddress(), 0n, value);
      });
    });

    describe("when the permit has expired but the hospital allowed the order book", function () {
      it("ignores the permit and funds from the allowance", async function () {
        const { ledger, actors, orderId, value, permitDeadline, permit } =
          await loadFixture(permitOrderFixture);
        await ledger.token.connect(actors.hospital).approve(await ledger.orderBook.getAddress(), value);
        await time.increaseTo(permitDeadline + 1n);
        await expect(
          ledger.orderBook
            .connect(actors.approvers[0])
            .approveOrderWithPermit(orderId, value, permitDeadline, permit.v, permit.r, permit.s),
        ).to.emit(ledger.orderBook, "OrderFunded");
        expect(await ledger.token.nonces(actors.hospital.address)).to.equal(0n);
      });
    });

    describe("when the order needs two approvers", function () {
      it("grants the allowance on the first approval and pulls on the second", async function () {
        const { ledger, actors, orderId, value, permitDeadline, permit } =
          await loadFixture(twoApproverPermitFixture);
        await expect(
          ledger.orderBook
            .connect(actors.approvers[0])
            .approveOrderWithPermit(orderId, value, permitDeadline, permit.v, permit.r, permit.s),
        ).not.to.emit(ledger.orderBook, "OrderFunded");
        expect(
          await ledger.token.allowance(actors.hospital.address, await ledger.orderBook.getAddress()),
        ).to.equal(value);
        await expect(ledger.orderBook.connect(actors.approvers[1]).approveOrder(orderId))
          .to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(orderId, actors.hospital.address, value);
      });
    });

    describe("when the order does not exist", function () {
      it("reverts with OrderNotFound", async function () {
        const { ledger, actors, value, permitDeadline, permit } = await loadFixture(permitOrderFixture);
        await expect(
          ledger.orderBook
            .connect(actors.approvers[0])
            .approveOrderWithPermit(9n, value, permitDeadline, permit.v, permit.r, permit.s),
        )
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotFound")
          .withArgs(9n);
      });
    });

    describe("when the caller is not an approver", function () {
      it("reverts with OrderNotApprover and the permit is not consumed", async function () {
        const { ledger, actors, orderId, value, permitDeadline, permit } =
          await loadFixture(permitOrderFixture);
        await expect(
          ledger.orderBook
            .connect(actors.stranger)
            .approveOrderWithPermit(orderId, value, permitDeadline, permit.v, permit.r, permit.s),
        )
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotApprover")
          .withArgs(orderId, actors.stranger.address);
        expect(await ledger.token.nonces(actors.hospital.address)).to.equal(0n);
      });
    });

    describe("when the order book is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, orderId, value, permitDeadline, permit } =
          await loadFixture(permitOrderFixture);
        await ledger.orderBook.connect(actors.admin).pause();
        await expect(
          ledger.orderBook
            .connect(actors.approvers[0])
            .approveOrderWithPermit(orderId, value, permitDeadline, permit.v, permit.r, permit.s),
        ).to.be.revertedWithCustomError(ledger.orderBook, "EnforcedPause");
      });
    });
  });

  describe("shipping against an order (recordShipment)", function () {
    describe("when the order is funded", function () {
      it("records the shipped quantity and lowers what remains to ship", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await expect(
          ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, 40n)),
        ).to.emit(ledger.trace, "ShipmentCreated");
        const o = await ledger.orderBook.order(orderId);
        expect(o.shipped).to.equal(40n);
        expect(o.shippedAgainst).to.equal(true);
        expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(60n);
        await ship(ledger, supplier, orderId, 60n);
        expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(0n);
      });
    });

    describe("when the order is not funded yet", function () {
      it("reverts with OrderStatusInvalid(Placed, expected Funded)", async function () {
        const { ledger, supplier, orderId } = await loadFixture(placedOrderFixture);
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, 1n)))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(orderId, OrderStatus.Placed, OrderStatus.Funded);
      });
    });

    describe("when the order still waits for its second approver", function () {
      it("reverts with OrderStatusInvalid(Placed, expected Funded)", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(twoApproverOrderFixture);
        await ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, 1n)))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(orderId, OrderStatus.Placed, OrderStatus.Funded);
      });
    });

    describe("when the order was cancelled", function () {
      it("reverts with OrderStatusInvalid(Cancelled, expected Funded)", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, 1n)))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(orderId, OrderStatus.Cancelled, OrderStatus.Funded);
      });
    });

    describe("when the order does not exist", function () {
      it("reverts with OrderNotFound", async function () {
        const { ledger, supplier } = await loadFixture(fundedOrderFixture);
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(7n, 1n)))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotFound")
          .withArgs(7n);
      });
    });

    describe("when the shipper is not the agreement's supplier", function () {
      it("reverts with OrderNotSupplier", async function () {
        const { ledger, actors, orderId } = await loadFixture(fundedOrderFixture);
        const other = actors.suppliers[1];
        await qualify(ledger, actors.regulator, other);
        await registerGtins(ledger, actors.regulator, other, [GTIN]);
        await expect(ledger.trace.connect(other).createShipment(await shipmentInput(orderId, 1n)))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotSupplier")
          .withArgs(orderId, other.address);
      });
    });

    describe("when the quantity exceeds what remains to ship", function () {
      it("reverts with OrderQuantityExceedsRemaining", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, 101n)))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderQuantityExceedsRemaining")
          .withArgs(orderId, 101n, 100n);
        await ship(ledger, supplier, orderId, 40n);
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, 61n)))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderQuantityExceedsRemaining")
          .withArgs(orderId, 61n, 60n);
      });
    });

    describe("when called by anyone but the delivery trace", function () {
      it("reverts with OrderCallerNotTrace", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        for (const caller of [supplier, actors.stranger]) {
          await expect(ledger.orderBook.connect(caller).recordShipment(orderId, supplier.address, 1n))
            .to.be.revertedWithCustomError(ledger.orderBook, "OrderCallerNotTrace")
            .withArgs(caller.address);
        }
      });
    });

    describe("when the order book is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.orderBook.connect(actors.admin).pause();
        await expect(
          ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, 1n)),
        ).to.be.revertedWithCustomError(ledger.orderBook, "EnforcedPause");
      });
    });
  });

  describe("views", function () {
    describe("order", function () {
      it("reverts with OrderNotFound for an unknown id", async function () {
        const { ledger } = await loadFixture(placedOrderFixture);
        await expect(ledger.orderBook.order(2n))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotFound")
          .withArgs(2n);
      });
    });

    describe("remainingToShip", function () {
      it("is zero until the order is funded, then the whole quantity", async function () {
        const { ledger, actors, orderId, quantity } = await loadFixture(placedOrderFixture);
        expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(0n);
        await fundOrder(ledger, actors.approvers, orderId);
        expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(quantity);
      });

      it("reverts with OrderNotFound for an unknown id", async function () {
        const { ledger } = await loadFixture(placedOrderFixture);
        await expect(ledger.orderBook.remainingToShip(5n))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotFound")
          .withArgs(5n);
      });
    });
  });
});
