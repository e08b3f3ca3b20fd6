import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { DAY, GTIN, qualify, registerGtins, STENTS, YEAR } from "./helpers/fixtures";
import {
  acceptedUnits,
  arrive,
  confirm,
  confirmation,
  confirmationArgs,
  deliver,
  expectBalanced,
  expectedPenalty,
  fundOrder,
  HOUR,
  LOT,
  now,
  orderFixture,
  OrderStatus,
  payoutArgs,
  placeFundedOrder,
  placeOrder,
  receive,
  RECEIVING_WINDOW,
  ship,
  shippedOrderFixture,
  traceStep,
} from "./helpers/orderBook";

/** The shipped order (40 units in flight) received on chain by the hospital's receiver. */
async function receivedFixture() {
  const base = await shippedOrderFixture();
  const receivedAt = await receive(base.ledger, base.actors.receiver, base.shipment);
  return { ...base, receivedAt };
}

/**
 * The shipped order with a temperature excursion flagged by the supplier's departing step, then
 * received on chain.
 */
async function excursionFixture() {
  const base = await shippedOrderFixture();
  await traceStep(base.ledger, base.supplier, base.shipment, "departing", true);
  const receivedAt = await receive(base.ledger, base.actors.receiver, base.shipment);
  return { ...base, receivedAt };
}

/**
 * Hospital 1's order of 100 units funded at the first tier (1,000,000 fen); then hospital 2
 * receives 97 units, so the agreement's accepted volume stands 3 units below the second tier.
 */
async function crossHospitalFixture() {
  const ctx = await orderFixture();
  const { ledger, actors, agreementId, staff2 } = ctx;
  const orderId = await placeFundedOrder(ctx, 100n);
  const other = await placeOrder(ledger, actors.hospital2, agreementId, 97n);
  await fundOrder(ledger, [staff2.approver], other);
  await deliver(ctx, other, 97n, staff2.settler);
  return { ...ctx, orderId, value: 1_000_000n };
}

describe("OrderBook: settlement", function () {
  describe("confirmShipment", function () {
    describe("when every shipped unit is accepted on time", function () {
      it("pays the accepted units at the agreement's tier, books them and emits ShipmentSettled only", async function () {
        const { ledger, actors, supplier, agreementId, orderId, shipment, receivedAt } =
          await loadFixture(receivedFixture);
        const tx = confirm(ledger, actors.settler, shipment, 40n);
        await expect(tx)
          .to.emit(ledger.orderBook, "ShipmentSettled")
          .withArgs(
            shipment.id,
            orderId,
            supplier.address,
            actors.settler.address,
            confirmationArgs(confirmation(40n, 0n)),
            payoutArgs(400_000n, 0n, 0n, receivedAt),
          );
        // Acceptance moves no funded volume: ShipmentSettled alone reports the accepted units.
        await expect(tx).not.to.emit(ledger.agreements, "AgreementVolumeChanged");
        await expect(tx).not.to.emit(ledger.orderBook, "OrderClosed");
        await expect(tx).to.changeTokenBalances(
          ledger.token,
          [supplier, actors.hospital, ledger.orderBook],
          [400_000n, 0n, -400_000n],
        );
        const o = await ledger.orderBook.order(orderId);
        expect([o.accepted, o.shipped, o.escrow]).to.deep.equal([40n, 40n, 600_000n]);
        expect(o.status).to.equal(OrderStatus.Funded);
        expect(await ledger.orderBook.totalEscrow()).to.equal(600_000n);
        await expectBalanced(ledger, ledger.token);
        expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(40n);
        expect(
          (await ledger.agreements.hospitalVolume(agreementId, actors.hospital.address)).funded,
        ).to.equal(100n);
        expect(await acceptedUnits(ledger, agreementId, actors.hospital.address)).to.equal(40n);
        expect((await ledger.trace.shipmentState(shipment.id)).confirmed).to.equal(true);
      });
    });

    describe("when the delivery completes the order at the tier it was funded at", function () {
      it("closes the order with nothing left to refund", async function () {
        const { ledger, actors, supplier, orderId, shipment, value } = await loadFixture(shippedOrderFixture);
        // The supplier already holds its returned bid bond.
        const before = await ledger.token.balanceOf(supplier.address);
        await confirm(ledger, actors.settler, shipment, 40n);
        const last = await ship(ledger, supplier, orderId, 60n);
        const tx = confirm(ledger, actors.settler, last, 60n);
        await expect(tx).to.emit(ledger.orderBook, "OrderClosed").withArgs(orderId, 0n);
        await expect(tx).to.changeTokenBalances(
          ledger.token,
          [supplier, actors.hospital, ledger.orderBook],
          [600_000n, 0n, -600_000n],
        );
        const o = await ledger.orderBook.order(orderId);
        expect(o.status).to.equal(OrderStatus.Closed);
        expect(o.escrow).to.equal(0n);
        expect(await ledger.token.balanceOf(supplier.address)).to.equal(before + value);
        expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(0n);
      });
    });

    describe("pricing at acceptance", function () {
      describe("when another hospital's acceptances moved the agreement to a cheaper tier after funding", function () {
        it("pays each delivery at the accepted volume of its acceptance and refunds the rest at close", async function () {
          const ctx = await loadFixture(crossHospitalFixture);
          const { ledger, actors, supplier, agreementId, orderId, value } = ctx;
          // Units 98–100 of the agreement at 10000, then 101–104 at 9000.
          const first = await ship(ledger, supplier, orderId, 7n);
          const firstGross = 3n * 10_000n + 4n * 9_000n;
          const at = (await now()) + 10n;
          await time.setNextBlockTimestamp(at);
          await expect(confirm(ledger, actors.settler, first, 7n))
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(
              first.id,
              orderId,
              supplier.address,
              actors.settler.address,
              confirmationArgs(confirmation(7n, 0n)),
              payoutArgs(firstGross, 0n, 0n, at),
            );
          expect((await ledger.orderBook.order(orderId)).escrow).to.equal(value - firstGross);

          const rest = await ship(ledger, supplier, orderId, 93n);
          const restGross = 93n * 9_000n;
          const refund = value - firstGross - restGross;
          expect(refund).to.equal(97_000n);
          const tx = confirm(ledger, actors.settler, rest, 93n);
          await expect(tx).to.emit(ledger.orderBook, "OrderClosed").withArgs(orderId, refund);
          await expect(tx).to.changeTokenBalances(
            ledger.token,
            [supplier, actors.hospital, ledger.orderBook],
            [restGross, refund, -(value - firstGross)],
          );
          expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(197n);
          expect(await ledger.orderBook.totalEscrow()).to.equal(0n);
        });
      });

      describe("when some units are rejected", function () {
        it("pays only the accepted units and lets the supplier replace the rejected ones", async function () {
          const { ledger, actors, supplier, agreementId, orderId, shipment, value } =
            await loadFixture(shippedOrderFixture);
          const before = await ledger.token.balanceOf(supplier.address);
          const at = (await now()) + 10n;
          await time.setNextBlockTimestamp(at);
          const tx = confirm(ledger, actors.settler, shipment, 30n, 10n);
          await expect(tx)
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(
              shipment.id,
              orderId,
              supplier.address,
              actors.settler.address,
              confirmationArgs(confirmation(30n, 10n)),
              payoutArgs(300_000n, 0n, 0n, at),
            );
          let o = await ledger.orderBook.order(orderId);
          expect([o.accepted, o.shipped, o.cancelled]).to.deep.equal([30n, 30n, 0n]);
          expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(70n);
          expect((await ledger.agreements.agreement(agreementId)).acceptedVolume).to.equal(30n);

          const replacement = await ship(ledger, supplier, orderId, 70n);
          await expect(confirm(ledger, actors.settler, replacement, 70n))
            .to.emit(ledger.orderBook, "OrderClosed")
            .withArgs(orderId, 0n);
          o = await ledger.orderBook.order(orderId);
          expect(o.status).to.equal(OrderStatus.Closed);
          expect(await ledger.token.balanceOf(supplier.address)).to.equal(before + value);
        });
      });
    });

    describe("delivery time", function () {
      describe("when the hospital recorded a receiving step and the supplier no arrival", function () {
        it("is the receiving step's block time, however late the confirmation", async function () {
          const { ledger, actors, shipment, receivedAt } = await loadFixture(receivedFixture);
          await time.increase(3 * DAY);
          const tx = confirm(ledger, actors.settler, shipment, 40n);
          await expect(tx)
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(
              shipment.id,
              shipment.record.orderId,
              shipment.record.supplier,
              actors.settler.address,
              confirmationArgs(confirmation(40n, 0n)),
              payoutArgs(400_000n, 0n, 0n, receivedAt),
            );
        });
      });

      describe("when only the first of several hospital steps counts", function () {
        it("keeps the time of the first receiving step", async function () {
          const { ledger, actors, shipment, receivedAt } = await loadFixture(receivedFixture);
          await time.increase(HOUR);
          await traceStep(ledger, actors.settler, shipment, "storing");
          await traceStep(ledger, actors.receiver, shipment, "receiving");
          expect((await ledger.trace.shipmentState(shipment.id)).receivedAt).to.equal(receivedAt);
        });
      });

      describe("when nobody recorded a step", function () {
        it("is the confirmation: it is the hospital's receipt", async function () {
          const { ledger, actors, shipment } = await loadFixture(shippedOrderFixture);
          const at = (await now()) + 100n;
          await time.setNextBlockTimestamp(at);
          await expect(confirm(ledger, actors.settler, shipment, 40n))
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(
              shipment.id,
              shipment.record.orderId,
              shipment.record.supplier,
              actors.settler.address,
              confirmationArgs(confirmation(40n, 0n)),
              payoutArgs(400_000n, 0n, 0n, at),
            );
          const state = await ledger.trace.shipmentState(shipment.id);
          expect([state.receivedAt, state.hospitalCustody, state.confirmed]).to.deep.equal([at, true, true]);
        });
      });

      describe("when the supplier recorded arrival within the receiving window before the receipt", function () {
        it("is the arrival", async function () {
          const { ledger, actors, supplier, shipment } = await loadFixture(shippedOrderFixture);
          const arrivedAt = (await now()) + 100n;
          await time.setNextBlockTimestamp(arrivedAt);
          await arrive(ledger, supplier, shipment);
          await time.setNextBlockTimestamp(arrivedAt + RECEIVING_WINDOW);
          await receive(ledger, actors.receiver, shipment);
          await expect(confirm(ledger, actors.settler, shipment, 40n))
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(
              shipment.id,
              shipment.record.orderId,
              supplier.address,
              actors.settler.address,
              confirmationArgs(confirmation(40n, 0n)),
              payoutArgs(400_000n, 0n, 0n, arrivedAt),
            );
        });
      });

      describe("when the supplier recorded arrival longer than the receiving window before the receipt", function () {
        it("is the receipt less the receiving window", async function () {
          const { ledger, actors, supplier, shipment } = await loadFixture(shippedOrderFixture);
          const arrivedAt = (await now()) + 100n;
          await time.setNextBlockTimestamp(arrivedAt);
          await arrive(ledger, supplier, shipment);
          const receivedAt = arrivedAt + 3n * BigInt(DAY);
          await time.setNextBlockTimestamp(receivedAt);
          await receive(ledger, actors.receiver, shipment);
          await expect(confirm(ledger, actors.settler, shipment, 40n))
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(
              shipment.id,
              shipment.record.orderId,
              supplier.address,
              actors.settler.address,
              confirmationArgs(confirmation(40n, 0n)),
              payoutArgs(400_000n, 0n, 0n, receivedAt - RECEIVING_WINDOW),
            );
        });
      });
    });

    describe("late delivery penalty", function () {
      const cases: [string, bigint][] = [
        ["delivered exactly at the deadline", 0n],
        ["delivered one second late (a partial day counts as a whole one)", 1n],
        ["delivered exactly one day late", BigInt(DAY)],
        ["delivered one day and one second late", BigInt(DAY) + 1n],
        ["delivered 20 days late (exactly at the cap)", 20n * BigInt(DAY)],
        ["delivered 25 days late (above the cap)", 25n * BigInt(DAY)],
      ];
      for (const [name, lateBy] of cases) {
        describe(`when ${name}`, function () {
          it("withholds the penalty from the supplier and returns it to the hospital", async function () {
            const { ledger, actors, supplier, orderId, shipment, deadline } =
              await loadFixture(shippedOrderFixture);
            const deliveredAt = deadline + lateBy;
            await time.setNextBlockTimestamp(deliveredAt);
            await receive(ledger, actors.receiver, shipment);
            const gross = 400_000n;
            const [penalty, daysLate] = expectedPenalty(gross, deadline, deliveredAt);
            const tx = confirm(ledger, actors.settler, shipment, 40n);
            await expect(tx)
              .to.emit(ledger.orderBook, "ShipmentSettled")
              .withArgs(
                shipment.id,
                orderId,
                supplier.address,
                actors.settler.address,
                confirmationArgs(confirmation(40n, 0n)),
                payoutArgs(gross, penalty, daysLate, deliveredAt),
              );
            await expect(tx).to.changeTokenBalances(
              ledger.token,
              [supplier, actors.hospital, ledger.orderBook],
              [gross - penalty, penalty, -gross],
            );
            expect((await ledger.orderBook.order(orderId)).escrow).to.equal(600_000n);
          });
        });
      }

      it("charges 50 bps per started day up to 1000 bps", function () {
        const gross = 400_000n;
        const d = 1_000n;
        expect(expectedPenalty(gross, d, d)).to.deep.equal([0n, 0n]);
        expect(expectedPenalty(gross, d, d + 1n)).to.deep.equal([2_000n, 1n]);
        expect(expectedPenalty(gross, d, d + BigInt(DAY) + 1n)).to.deep.equal([4_000n, 2n]);
        expect(expectedPenalty(gross, d, d + 25n * BigInt(DAY))).to.deep.equal([40_000n, 25n]);
      });

      describe("when a late shipment is rejected in full", function () {
        it("reports the days late but pays and charges nothing", async function () {
          const { ledger, actors, supplier, orderId, shipment, deadline } =
            await loadFixture(shippedOrderFixture);
          const deliveredAt = deadline + 3n * BigInt(DAY);
          await time.setNextBlockTimestamp(deliveredAt);
          await receive(ledger, actors.receiver, shipment);
          const tx = confirm(ledger, actors.settler, shipment, 0n, 40n);
          await expect(tx)
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(
              shipment.id,
              orderId,
              supplier.address,
              actors.settler.address,
              confirmationArgs(confirmation(0n, 40n)),
              payoutArgs(0n, 0n, 3n, deliveredAt),
            );
          await expect(tx).to.changeTokenBalances(
            ledger.token,
            [supplier, actors.hospital, ledger.orderBook],
            [0n, 0n, 0n],
          );
        });
      });
    });

    describe("when the lot has been recalled", function () {
      describe("and units are accepted", function () {
        it("reverts with SettlementLotRecalled", async function () {
          const { ledger, actors, shipment } = await loadFixture(shippedOrderFixture);
          await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, 1);
          await expect(confirm(ledger, actors.settler, shipment, 1n, 39n))
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementLotRecalled")
            .withArgs(shipment.id, GTIN, LOT);
        });

        it("reverts with SettlementLotRecalled also when the supplier recalled it", async function () {
          const { ledger, supplier, actors, shipment } = await loadFixture(shippedOrderFixture);
          await ledger.trace.connect(supplier).recall(GTIN, LOT, 2);
          await expect(confirm(ledger, actors.settler, shipment, 40n))
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementLotRecalled")
            .withArgs(shipment.id, GTIN, LOT);
        });
      });

      describe("and every unit is rejected", function () {
        it("settles with no payment and returns the units to ship", async function () {
          const { ledger, actors, supplier, orderId, shipment } = await loadFixture(shippedOrderFixture);
          await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, 1);
          const at = (await now()) + 10n;
          await time.setNextBlockTimestamp(at);
          const tx = confirm(ledger, actors.settler, shipment, 0n, 40n);
          await expect(tx)
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(
              shipment.id,
              orderId,
              supplier.address,
              actors.settler.address,
              confirmationArgs(confirmation(0n, 40n)),
              payoutArgs(0n, 0n, 0n, at),
            );
          await expect(tx).to.changeTokenBalances(ledger.token, [supplier, ledger.orderBook], [0n, 0n]);
          expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(100n);
        });
      });

      describe("and a regulator lifted the recall", function () {
        it("pays", async function () {
          const { ledger, actors, supplier, shipment } = await loadFixture(shippedOrderFixture);
          await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, 1);
          await ledger.trace.connect(actors.regulator).liftRecall(GTIN, LOT, ethers.ZeroAddress, 9);
          await expect(confirm(ledger, actors.settler, shipment, 40n)).to.changeTokenBalances(
            ledger.token,
            [supplier, ledger.orderBook],
            [400_000n, -400_000n],
          );
        });
      });

      describe("when another lot was recalled", function () {
        it("pays", async function () {
          const { ledger, actors, shipment } = await loadFixture(shippedOrderFixture);
          await ledger.trace.connect(actors.regulator).recall(GTIN, "LOT-OTHER", 1);
          await expect(confirm(ledger, actors.settler, shipment, 40n)).to.emit(
            ledger.orderBook,
            "ShipmentSettled",
          );
        });
      });

      describe("when a competitor recalled the same lot of its own stock", function () {
        it("pays: a supplier's recall covers only its own shipments", async function () {
          const { ledger, actors, supplier, shipment } = await loadFixture(shippedOrderFixture);
          const competitor = actors.suppliers[1];
          await qualify(ledger, actors.regulator, competitor);
          await registerGtins(ledger, actors.regulator, competitor, [GTIN]);
          await ledger.trace.connect(competitor).recall(GTIN, LOT, 3);
          await expect(confirm(ledger, actors.settler, shipment, 40n)).to.changeTokenBalances(
            ledger.token,
            [supplier, ledger.orderBook],
            [400_000n, -400_000n],
          );
        });
      });
    });

    describe("when the goods had expired at delivery", function () {
      /** A second shipment of 10 units expiring in 5 days, against the shipped order. */
      async function shortExpiryFixture() {
        const base = await shippedOrderFixture();
        const { ledger, supplier, orderId } = base;
        const expiry = (await now()) + 5n * BigInt(DAY);
        const short = await ship(ledger, supplier, orderId, 10n, { expiry, lot: "LOT-SHORT" });
        return { ...base, expiry, short };
      }

      for (const [name, offset] of [
        ["at the expiry instant", 0n],
        ["after the expiry", 1n],
      ] as const) {
        it(`reverts with SettlementExpiredAtDelivery when received ${name}`, async function () {
          const { ledger, actors, expiry, short } = await loadFixture(shortExpiryFixture);
          await time.setNextBlockTimestamp(expiry + offset);
          await receive(ledger, actors.receiver, short);
          await expect(confirm(ledger, actors.settler, short, 10n))
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementExpiredAtDelivery")
            .withArgs(short.id, expiry, expiry + offset);
        });
      }

      describe("when received on chain before the expiry, even if confirmed after it", function () {
        it("pays", async function () {
          const { ledger, actors, expiry, short } = await loadFixture(shortExpiryFixture);
          await time.setNextBlockTimestamp(expiry - 1n);
          await receive(ledger, actors.receiver, short);
          await time.increase(DAY);
          await expect(confirm(ledger, actors.settler, short, 10n)).to.emit(
            ledger.orderBook,
            "ShipmentSettled",
          );
        });
      });

      describe("when the supplier's arrival before the expiry counts and the receipt came after it", function () {
        it("pays: the arrival within the receiving window is the delivery time", async function () {
          const { ledger, actors, supplier, expiry, short } = await loadFixture(shortExpiryFixture);
          await time.setNextBlockTimestamp(expiry - HOUR);
          await arrive(ledger, supplier, short);
          await time.setNextBlockTimestamp(expiry + HOUR);
          await receive(ledger, actors.receiver, short);
          await expect(confirm(ledger, actors.settler, short, 10n))
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(
              short.id,
              short.record.orderId,
              supplier.address,
              actors.settler.address,
              confirmationArgs(confirmation(10n, 0n)),
              payoutArgs(100_000n, 0n, 0n, expiry - HOUR),
            );
        });
      });

      describe("when every unit is rejected", function () {
        it("settles with no payment", async function () {
          const { ledger, actors, supplier, expiry, short } = await loadFixture(shortExpiryFixture);
          await time.increaseTo(expiry + 1n);
          await expect(confirm(ledger, actors.settler, short, 0n, 10n)).to.changeTokenBalances(
            ledger.token,
            [supplier, ledger.orderBook],
            [0n, 0n],
          );
        });
      });
    });

    describe("when the supplier is suspended", function () {
      describe("and units are accepted", function () {
        it("reverts with SettlementSupplierNotQualified", async function () {
          const { ledger, actors, supplier, shipment } = await loadFixture(shippedOrderFixture);
          await ledger.registry.connect(actors.regulator).suspend(supplier.address, 7);
          await expect(confirm(ledger, actors.settler, shipment, 40n))
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementSupplierNotQualified")
            .withArgs(shipment.id, supplier.address, STENTS);
        });
      });

      describe("and every unit is rejected", function () {
        it("settles with no payment", async function () {
          const { ledger, actors, supplier, shipment } = await loadFixture(shippedOrderFixture);
          await ledger.registry.connect(actors.regulator).suspend(supplier.address, 7);
          await expect(confirm(ledger, actors.settler, shipment, 0n, 40n)).to.changeTokenBalances(
            ledger.token,
            [supplier, ledger.orderBook],
            [0n, 0n],
          );
        });
      });

      describe("and then reinstated", function () {
        it("pays", async function () {
          const { ledger, actors, supplier, shipment } = await loadFixture(shippedOrderFixture);
          await ledger.registry.connect(actors.regulator).suspend(supplier.address, 7);
          await ledger.registry.connect(actors.regulator).reinstate(supplier.address, 8);
          await expect(confirm(ledger, actors.settler, shipment, 40n)).to.changeTokenBalances(
            ledger.token,
            [supplier, ledger.orderBook],
            [400_000n, -400_000n],
          );
        });
      });
    });

    describe("when the supplier's qualification documents have lapsed by the confirmation", function () {
      it("reverts with SettlementSupplierNotQualified", async function () {
        const { ledger, actors, supplier, shipment } = await loadFixture(receivedFixture);
        await time.increase(2 * YEAR);
        expect(await ledger.registry.isQualified(supplier.address, STENTS, await now())).to.equal(false);
        await expect(confirm(ledger, actors.settler, shipment, 40n))
          .to.be.revertedWithCustomError(ledger.orderBook, "SettlementSupplierNotQualified")
          .withArgs(shipment.id, supplier.address, STENTS);
      });
    });

    describe("when a temperature excursion was flagged", function () {
      describe("and nobody waived it", function () {
        it("reverts with SettlementExcursionNotWaived", async function () {
          const { ledger, actors, shipment } = await loadFixture(excursionFixture);
          await expect(confirm(ledger, actors.settler, shipment, 40n))
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementExcursionNotWaived")
            .withArgs(shipment.id);
        });
      });

      describe("and a hospital approver waived it", function () {
        it("pays", async function () {
          const { ledger, actors, supplier, shipment } = await loadFixture(excursionFixture);
          await ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipment.id, shipment.record, 3);
          await expect(confirm(ledger, actors.settler, shipment, 40n)).to.changeTokenBalances(
            ledger.token,
            [supplier, ledger.orderBook],
            [400_000n, -400_000n],
          );
        });
      });

      describe("and every unit is rejected", function () {
        it("settles without a waiver", async function () {
          const { ledger, actors, shipment } = await loadFixture(excursionFixture);
          await expect(confirm(ledger, actors.settler, shipment, 0n, 40n)).to.emit(
            ledger.orderBook,
            "ShipmentSettled",
          );
        });
      });
    });

    describe("when the shipment was already confirmed", function () {
      for (const [name, accepted] of [
        ["accepted", 40n],
        ["rejected", 0n],
      ] as const) {
        it(`reverts with the trace's TraceAlreadyConfirmed after it was ${name}`, async function () {
          const { ledger, actors, shipment } = await loadFixture(shippedOrderFixture);
          await confirm(ledger, actors.settler, shipment, accepted, 40n - accepted);
          await expect(confirm(ledger, actors.settler, shipment, accepted, 40n - accepted))
            .to.be.revertedWithCustomError(ledger.trace, "TraceAlreadyConfirmed")
            .withArgs(shipment.id);
        });
      }
    });

    describe("when accepted and rejected do not add up to the shipped quantity", function () {
      it("reverts with SettlementQuantityMismatch", async function () {
        const { ledger, actors, shipment } = await loadFixture(shippedOrderFixture);
        for (const [accepted, rejected] of [
          [30n, 5n],
          [40n, 1n],
          [0n, 0n],
        ]) {
          await expect(confirm(ledger, actors.settler, shipment, accepted, rejected))
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementQuantityMismatch")
            .withArgs(shipment.id, accepted, rejected, 40n);
        }
      });
    });

    describe("when the record passed back differs from the one shipped", function () {
      it("reverts with the trace's TraceRecordMismatch, so no fact can be restated", async function () {
        const { ledger, actors, shipment } = await loadFixture(shippedOrderFixture);
        const forged = [
          { ...shipment.record, quantity: 100n },
          { ...shipment.record, expiry: BigInt(shipment.record.expiry) + BigInt(YEAR) },
          { ...shipment.record, lot: "LOT-B2" },
        ];
        for (const record of forged) {
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipment.id, record, confirmation(BigInt(record.quantity), 0n)),
          )
            .to.be.revertedWithCustomError(ledger.trace, "TraceRecordMismatch")
            .withArgs(shipment.id);
        }
      });
    });

    describe("when the caller is not a settler of the order's hospital", function () {
      it("reverts with SettlementNotSettler, also for the admin, approvers and other hospitals' settlers", async function () {
        const { ledger, actors, shipment, staff2 } = await loadFixture(shippedOrderFixture);
        for (const caller of [
          actors.hospital,
          actors.approvers[0],
          actors.receiver,
          actors.stranger,
          staff2.settler,
        ]) {
          await expect(confirm(ledger, caller, shipment, 40n))
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementNotSettler")
            .withArgs(shipment.id, caller.address);
        }
      });
    });

    describe("when the shipment does not exist", function () {
      it("reverts with the trace's TraceShipmentNotFound", async function () {
        const { ledger, actors, shipment } = await loadFixture(shippedOrderFixture);
        await expect(confirm(ledger, actors.settler, { ...shipment, id: 99n }, 40n))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(99n);
      });
    });

    describe("when the order book is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, shipment } = await loadFixture(shippedOrderFixture);
        await ledger.orderBook.connect(actors.admin).pause();
        await expect(confirm(ledger, actors.settler, shipment, 40n)).to.be.revertedWithCustomError(
          ledger.orderBook,
          "EnforcedPause",
        );
      });
    });
  });
});
