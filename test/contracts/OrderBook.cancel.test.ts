import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import {
  acceptedUnits,
  confirm,
  expectBalanced,
  fundedOrderFixture,
  OrderStatus,
  placedOrderFixture,
  receive,
  ship,
  shipmentInput,
  shippedOrderFixture,
} from "./helpers/orderBook";

/**
 * The shipped order (40 units in flight), received on chain by the hospital before the
 * deadline (so settling it later charges no penalty), once its delivery deadline has passed.
 */
async function overdueFixture() {
  const base = await shippedOrderFixture();
  await receive(base.ledger, base.actors.receiver, base.shipment);
  await time.increaseTo(base.deadline + 1n);
  return base;
}

/** The shipped order whose 40 units were all accepted on time; 60 remain unshipped. */
async function partlyDeliveredFixture() {
  const base = await shippedOrderFixture();
  await confirm(base.ledger, base.actors.settler, base.shipment, 40n);
  return base;
}

describe("OrderBook: cancellation", function () {
  describe("cancelOrder", function () {
    describe("when the order is placed but not funded", function () {
      it("cancels every unit and moves no tokens and no volume", async function () {
        const { ledger, actors, agreementId, orderId, quantity } = await loadFixture(placedOrderFixture);
        const tx = ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
        await expect(tx)
          .to.emit(ledger.orderBook, "OrderCancelled")
          .withArgs(orderId, actors.hospital.address, quantity, 0n, OrderStatus.Cancelled);
        await expect(tx).not.to.emit(ledger.orderBook, "OrderClosed");
        await expect(tx).not.to.emit(ledger.agreements, "AgreementVolumeChanged");
        await expect(tx).to.changeTokenBalances(ledger.token, [actors.hospital, ledger.orderBook], [0n, 0n]);
        const o = await ledger.orderBook.order(orderId);
        expect(o.status).to.equal(OrderStatus.Cancelled);
        expect(o.cancelled).to.equal(quantity);
        expect(
          (await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address)).funded,
        ).to.equal(0n);
      });

      describe("when an approver of the hospital cancels", function () {
        it("records the approver as the canceller", async function () {
          const { ledger, actors, orderId, quantity } = await loadFixture(placedOrderFixture);
          await expect(ledger.orderBook.connect(actors.approvers[1]).cancelOrder(orderId))
            .to.emit(ledger.orderBook, "OrderCancelled")
            .withArgs(orderId, actors.approvers[1].address, quantity, 0n, OrderStatus.Cancelled);
        });
      });
    });

    describe("when the order is funded and nothing was shipped", function () {
      it("cancels every unit, refunds the whole escrow and releases the funded volume", async function () {
        const { ledger, actors, agreementId, orderId, quantity, value } =
          await loadFixture(fundedOrderFixture);
        const tx = ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
        await expect(tx)
          .to.emit(ledger.orderBook, "OrderCancelled")
          .withArgs(orderId, actors.hospital.address, quantity, value, OrderStatus.Cancelled);
        await expect(tx)
          .to.emit(ledger.agreements, "AgreementVolumeChanged")
          .withArgs(agreementId, actors.hospital.address, 0n, 0n);
        await expect(tx).to.changeTokenBalances(
          ledger.token,
          [actors.hospital, ledger.orderBook],
          [value, -value],
        );
        const o = await ledger.orderBook.order(orderId);
        expect(o.status).to.equal(OrderStatus.Cancelled);
        expect(o.escrow).to.equal(0n);
        expect(await ledger.orderBook.totalEscrow()).to.equal(0n);
        await expectBalanced(ledger, ledger.token);
        expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(0n);
        expect(
          (await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address)).funded,
        ).to.equal(0n);
      });
    });

    describe("when a shipment has been made", function () {
      describe("before the delivery deadline, without the supplier's agreement", function () {
        it("reverts with OrderCancelNotAllowed", async function () {
          const { ledger, actors, orderId, deadline } = await loadFixture(shippedOrderFixture);
          const at = deadline - 100n;
          await time.setNextBlockTimestamp(at);
          await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
            .to.be.revertedWithCustomError(ledger.orderBook, "OrderCancelNotAllowed")
            .withArgs(orderId, deadline, at);
        });

        it("reverts with OrderCancelNotAllowed at the deadline itself", async function () {
          const { ledger, actors, orderId, deadline } = await loadFixture(shippedOrderFixture);
          await time.setNextBlockTimestamp(deadline);
          await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
            .to.be.revertedWithCustomError(ledger.orderBook, "OrderCancelNotAllowed")
            .withArgs(orderId, deadline, deadline);
        });

        describe("even when every shipped unit was rejected", function () {
          it("reverts with OrderCancelNotAllowed: the supplier may still replace them", async function () {
            const { ledger, actors, orderId, shipment, deadline } = await loadFixture(shippedOrderFixture);
            await confirm(ledger, actors.settler, shipment, 0n, 40n);
            expect((await ledger.orderBook.order(orderId)).shipped).to.equal(0n);
            const at = (await time.latest()) + 10;
            await time.setNextBlockTimestamp(at);
            await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
              .to.be.revertedWithCustomError(ledger.orderBook, "OrderCancelNotAllowed")
              .withArgs(orderId, deadline, at);
          });
        });
      });

      describe("once the delivery deadline has passed", function () {
        describe("with a shipment still in flight", function () {
          it("cancels the unshipped units, keeps the escrow and stays funded", async function () {
            const { ledger, actors, agreementId, orderId, value } = await loadFixture(overdueFixture);
            const tx = ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
            await expect(tx)
              .to.emit(ledger.orderBook, "OrderCancelled")
              .withArgs(orderId, actors.hospital.address, 60n, 0n, OrderStatus.Funded);
            await expect(tx).not.to.emit(ledger.orderBook, "OrderClosed");
            await expect(tx)
              .to.emit(ledger.agreements, "AgreementVolumeChanged")
              .withArgs(agreementId, actors.hospital.address, 40n, 0n);
            await expect(tx).to.changeTokenBalances(
              ledger.token,
              [actors.hospital, ledger.orderBook],
              [0n, 0n],
            );
            const o = await ledger.orderBook.order(orderId);
            expect(o.status).to.equal(OrderStatus.Funded);
            expect(o.cancelled).to.equal(60n);
            expect(o.cancelRequested).to.equal(true);
            expect(o.escrow).to.equal(value);
            expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(0n);
          });

          describe("when the hospital cancels again", function () {
            it("reverts with OrderCancelAlreadyRequested", async function () {
              const { ledger, actors, orderId } = await loadFixture(overdueFixture);
              await ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
              await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
                .to.be.revertedWithCustomError(ledger.orderBook, "OrderCancelAlreadyRequested")
                .withArgs(orderId);
            });
          });

          describe("when the supplier, allowed to ship late, tries to ship the cancelled units", function () {
            it("reverts with OrderQuantityExceedsRemaining", async function () {
              const { ledger, actors, supplier, orderId } = await loadFixture(overdueFixture);
              await ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
              await ledger.orderBook.connect(actors.approvers[0]).allowLateShipment(orderId);
              await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, 1n)))
                .to.be.revertedWithCustomError(ledger.orderBook, "OrderQuantityExceedsRemaining")
                .withArgs(orderId, 1n, 0n);
            });
          });

          describe("when the in-flight shipment is then confirmed with rejections", function () {
            it("cancels the rejected units too, closes the order and refunds the rest", async function () {
              const { ledger, actors, supplier, agreementId, orderId, shipment, value } =
                await loadFixture(overdueFixture);
              await ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
              const paid = 30n * 10_000n;
              const tx = confirm(ledger, actors.settler, shipment, 30n, 10n);
              await expect(tx)
                .to.emit(ledger.orderBook, "OrderClosed")
                .withArgs(orderId, value - paid);
              await expect(tx).to.changeTokenBalances(
                ledger.token,
                [supplier, actors.hospital, ledger.orderBook],
                [paid, value - paid, -value],
              );
              const o = await ledger.orderBook.order(orderId);
              expect(o.status).to.equal(OrderStatus.Closed);
              expect([o.accepted, o.shipped, o.cancelled, o.escrow]).to.deep.equal([30n, 30n, 70n, 0n]);
              const position = await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address);
              expect(position.funded).to.equal(30n);
              expect(await acceptedUnits(ledger, agreementId, actors.hospital.address)).to.equal(30n);
              expect(await ledger.orderBook.totalEscrow()).to.equal(0n);
              await expectBalanced(ledger, ledger.token);
            });
          });

          describe("when the in-flight shipment is then accepted in full", function () {
            it("closes the order and refunds the cancelled units' escrow", async function () {
              const { ledger, actors, orderId, shipment, value } = await loadFixture(overdueFixture);
              await ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
              await expect(confirm(ledger, actors.settler, shipment, 40n))
                .to.emit(ledger.orderBook, "OrderClosed")
                .withArgs(orderId, value - 400_000n);
              expect((await ledger.orderBook.order(orderId)).cancelled).to.equal(60n);
            });
          });
        });

        describe("with nothing in flight", function () {
          it("cancels the remainder, closes the order and refunds its escrow", async function () {
            const { ledger, actors, agreementId, orderId, deadline } =
              await loadFixture(partlyDeliveredFixture);
            await time.increaseTo(deadline + 1n);
            const refund = 600_000n;
            const tx = ledger.orderBook.connect(actors.approvers[0]).cancelOrder(orderId);
            await expect(tx)
              .to.emit(ledger.orderBook, "OrderCancelled")
              .withArgs(orderId, actors.approvers[0].address, 60n, refund, OrderStatus.Closed);
            await expect(tx).to.emit(ledger.orderBook, "OrderClosed").withArgs(orderId, refund);
            await expect(tx).to.changeTokenBalances(
              ledger.token,
              [actors.hospital, ledger.orderBook],
              [refund, -refund],
            );
            const o = await ledger.orderBook.order(orderId);
            expect(o.status).to.equal(OrderStatus.Closed);
            expect(o.escrow).to.equal(0n);
            expect(
              (await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address)).funded,
            ).to.equal(40n);
            expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(40n);
          });

          describe("when every shipped unit had been rejected", function () {
            it("cancels every unit, closes the order and refunds all of it", async function () {
              const { ledger, actors, orderId, shipment, value, deadline } =
                await loadFixture(shippedOrderFixture);
              await confirm(ledger, actors.settler, shipment, 0n, 40n);
              await time.increaseTo(deadline + 1n);
              const tx = ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
              await expect(tx)
                .to.emit(ledger.orderBook, "OrderCancelled")
                .withArgs(orderId, actors.hospital.address, 100n, value, OrderStatus.Closed);
              await expect(tx).to.changeTokenBalances(
                ledger.token,
                [actors.hospital, ledger.orderBook],
                [value, -value],
              );
            });
          });
        });

        describe("with every unit already shipped", function () {
          it("cancels nothing now, but later rejected units are not replaced", async function () {
            const { ledger, actors, supplier, orderId, value, deadline } =
              await loadFixture(fundedOrderFixture);
            const shipment = await ship(ledger, supplier, orderId, 100n);
            await receive(ledger, actors.receiver, shipment);
            await time.increaseTo(deadline + 1n);
            await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
              .to.emit(ledger.orderBook, "OrderCancelled")
              .withArgs(orderId, actors.hospital.address, 0n, 0n, OrderStatus.Funded);
            await expect(confirm(ledger, actors.settler, shipment, 90n, 10n))
              .to.emit(ledger.orderBook, "OrderClosed")
              .withArgs(orderId, value - 900_000n);
            expect((await ledger.orderBook.order(orderId)).cancelled).to.equal(10n);
          });
        });
      });

      describe("when the supplier agreed to cancel before the deadline", function () {
        it("cancels the unshipped remainder", async function () {
          const { ledger, actors, supplier, orderId } = await loadFixture(shippedOrderFixture);
          await ledger.orderBook.connect(supplier).agreeToCancel(orderId);
          await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
            .to.emit(ledger.orderBook, "OrderCancelled")
            .withArgs(orderId, actors.hospital.address, 60n, 0n, OrderStatus.Funded);
        });
      });
    });

    describe("when the order was already cancelled", function () {
      it("reverts with OrderStatusInvalid(Cancelled, expected Funded)", async function () {
        const { ledger, actors, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
        await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(orderId, OrderStatus.Cancelled, OrderStatus.Funded);
      });
    });

    describe("when the order is closed", function () {
      it("reverts with OrderStatusInvalid(Closed, expected Funded)", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(partlyDeliveredFixture);
        const rest = await ship(ledger, supplier, orderId, 60n);
        await confirm(ledger, actors.settler, rest, 60n);
        expect((await ledger.orderBook.order(orderId)).status).to.equal(OrderStatus.Closed);
        await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(orderId))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(orderId, OrderStatus.Closed, OrderStatus.Funded);
      });
    });

    describe("when the caller is not staff of the order's hospital", function () {
      it("reverts with OrderNotHospitalStaff, also for another hospital's admin and approvers", async function () {
        const { ledger, actors, orderId, staff2 } = await loadFixture(fundedOrderFixture);
        for (const caller of [
          actors.stranger,
          actors.settler,
          actors.receiver,
          actors.hospital2,
          staff2.approver,
        ]) {
          await expect(ledger.orderBook.connect(caller).cancelOrder(orderId))
            .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotHospitalStaff")
            .withArgs(caller.address);
        }
      });
    });

    describe("when the order does not exist", function () {
      it("reverts with OrderNotFound", async function () {
        const { ledger, actors } = await loadFixture(fundedOrderFixture);
        await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(3n))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotFound")
          .withArgs(3n);
      });
    });

    describe("when the order book is paused", function () {
      it("still cancels and refunds a funded order: a hospital can always take back what was not shipped", async function () {
        const { ledger, actors, agreementId, orderId, quantity, value } =
          await loadFixture(fundedOrderFixture);
        await ledger.orderBook.connect(actors.admin).pause();
        const tx = ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
        await expect(tx)
          .to.emit(ledger.orderBook, "OrderCancelled")
          .withArgs(orderId, actors.hospital.address, quantity, value, OrderStatus.Cancelled);
        await expect(tx).to.changeTokenBalances(
          ledger.token,
          [actors.hospital, ledger.orderBook],
          [value, -value],
        );
        expect(
          (await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address)).funded,
        ).to.equal(0n);
      });

      it("still cancels the unshipped remainder of an overdue order", async function () {
        const { ledger, actors, orderId } = await loadFixture(overdueFixture);
        await ledger.orderBook.connect(actors.admin).pause();
        await expect(ledger.orderBook.connect(actors.approvers[0]).cancelOrder(orderId))
          .to.emit(ledger.orderBook, "OrderCancelled")
          .withArgs(orderId, actors.approvers[0].address, 60n, 0n, OrderStatus.Funded);
      });
    });
  });

  describe("agreeToCancel", function () {
    describe("when the caller is the agreement's supplier", function () {
      it("records the agreement and emits SupplierAgreedToCancel", async function () {
        const { ledger, supplier, orderId } = await loadFixture(shippedOrderFixture);
        await expect(ledger.orderBook.connect(supplier).agreeToCancel(orderId))
          .to.emit(ledger.orderBook, "SupplierAgreedToCancel")
          .withArgs(orderId, supplier.address);
        expect((await ledger.orderBook.order(orderId)).supplierAgreedToCancel).to.equal(true);
      });
    });

    describe("when the caller is not the agreement's supplier", function () {
      it("reverts with OrderNotSupplier", async function () {
        const { ledger, actors, orderId } = await loadFixture(shippedOrderFixture);
        for (const caller of [actors.suppliers[1], actors.hospital, actors.stranger]) {
          await expect(ledger.orderBook.connect(caller).agreeToCancel(orderId))
            .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotSupplier")
            .withArgs(orderId, caller.address);
        }
      });
    });

    describe("when the order is not funded", function () {
      it("reverts with OrderStatusInvalid(…, expected Funded)", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(placedOrderFixture);
        await expect(ledger.orderBook.connect(supplier).agreeToCancel(orderId))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(orderId, OrderStatus.Placed, OrderStatus.Funded);
        await ledger.orderBook.connect(actors.hospital).cancelOrder(orderId);
        await expect(ledger.orderBook.connect(supplier).agreeToCancel(orderId))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(orderId, OrderStatus.Cancelled, OrderStatus.Funded);
      });
    });

    describe("when the order does not exist", function () {
      it("reverts with OrderNotFound", async function () {
        const { ledger, supplier } = await loadFixture(fundedOrderFixture);
        await expect(ledger.orderBook.connect(supplier).agreeToCancel(8n))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotFound")
          .withArgs(8n);
      });
    });

    describe("when the order book is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.orderBook.connect(actors.admin).pause();
        await expect(ledger.orderBook.connect(supplier).agreeToCancel(orderId)).to.be.revertedWithCustomError(
          ledger.orderBook,
          "EnforcedPause",
        );
      });
    });
  });
});
