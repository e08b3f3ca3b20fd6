import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import {
  addMember,
  agreementFixture,
  DAY,
  enrolHospital,
  GTIN,
  SETTLER,
  STENTS,
  YEAR,
} from "./helpers/fixtures";
import {
  confirmation,
  confirmationArgs,
  expectedPenalty,
  fundOrder,
  LOT,
  now,
  OrderStatus,
  payoutArgs,
  placeOrder,
  RECEIPT_HASH,
  ship,
  shippedOrderFixture,
} from "./helpers/orderBook";

const HOSPITAL_FUNDS = 10_000_000_000n;

/**
 * An order of 7 units straddling the 100-unit tier boundary (97 units already ordered):
 * 3 × 10000 + 4 × 9000 = 66000 fen, which 7 does not divide.
 */
async function straddlingOrderFixture() {
  const base = await agreementFixture();
  const { ledger, actors, agreementId } = base;
  await placeOrder(ledger, actors.hospital, agreementId, 97n);
  const orderId = await placeOrder(ledger, actors.hospital, agreementId, 7n);
  await fundOrder(ledger, actors, orderId);
  return { ...base, orderId, value: 66_000n };
}

/** The shipped order (40 units in flight) with its delivery deadline 30 days behind. */
async function lateFixture() {
  const base = await shippedOrderFixture();
  await time.increaseTo(base.deadline + 30n * BigInt(DAY));
  return base;
}

/** The shipped order with a temperature excursion flagged by the supplier's carrier step. */
async function excursionFixture() {
  const base = await shippedOrderFixture();
  const { ledger, supplier, shipmentId } = base;
  await ledger.trace
    .connect(supplier)
    .recordTraceEvent(shipmentId, 0, STENTS, await now(), RECEIPT_HASH, true);
  return base;
}

async function balances(ledger: Awaited<ReturnType<typeof agreementFixture>>["ledger"], accounts: string[]) {
  return Promise.all(accounts.map((a) => ledger.token.balanceOf(a)));
}

describe("OrderBook: settlement", function () {
  describe("confirmShipment", function () {
    describe("when every shipped unit is accepted on time", function () {
      it("pays the accepted share of the value, marks the shipment and emits ShipmentSettled", async function () {
        const { ledger, actors, supplier, orderId, shipmentId, shippedAt } =
          await loadFixture(shippedOrderFixture);
        const c = confirmation(40n, 0n, shippedAt);
        const tx = ledger.orderBook.connect(actors.settler).confirmShipment(shipmentId, c);
        await expect(tx)
          .to.emit(ledger.orderBook, "ShipmentSettled")
          .withArgs(shipmentId, orderId, supplier.address, confirmationArgs(c), payoutArgs(400_000n, 0n, 0n));
        await expect(tx).to.emit(ledger.trace, "ShipmentConfirmed").withArgs(shipmentId);
        await expect(tx).not.to.emit(ledger.orderBook, "OrderClosed");
        await expect(tx).to.changeTokenBalances(
          ledger.token,
          [supplier, actors.hospital, ledger.orderBook],
          [400_000n, 0n, -400_000n],
        );
        const o = await ledger.orderBook.order(orderId);
        expect([o.accepted, o.shipped, o.grossPaid, o.escrow]).to.deep.equal([40n, 40n, 400_000n, 600_000n]);
        expect(o.status).to.equal(OrderStatus.Funded);
        expect(await ledger.orderBook.totalEscrow()).to.equal(600_000n);
        expect((await ledger.trace.shipment(shipmentId)).confirmed).to.equal(true);
      });
    });

    describe("when the delivery completes the order", function () {
      it("closes the order with nothing left in escrow", async function () {
        const { ledger, actors, supplier, orderId, shipmentId, shippedAt, value } =
          await loadFixture(shippedOrderFixture);
        await ledger.orderBook
          .connect(actors.settler)
          .confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt));
        const last = await ship(ledger, supplier, orderId, 60n);
        const tx = ledger.orderBook
          .connect(actors.settler)
          .confirmShipment(last, confirmation(60n, 0n, await now()));
        await expect(tx).to.emit(ledger.orderBook, "OrderClosed").withArgs(orderId, 0n);
        await expect(tx).to.changeTokenBalances(
          ledger.token,
          [supplier, ledger.orderBook],
          [600_000n, -600_000n],
        );
        const o = await ledger.orderBook.order(orderId);
        expect(o.status).to.equal(OrderStatus.Closed);
        expect(o.escrow).to.equal(0n);
        expect(o.grossPaid).to.equal(value);
        expect(await ledger.token.balanceOf(supplier.address)).to.equal(value);
        expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(0n);
      });
    });

    describe("pro rata payment", function () {
      describe("when the value is not divisible by the quantity and arrives in three deliveries", function () {
        it("pays each delivery its share rounded down and the last the exact remainder", async function () {
          const { ledger, actors, supplier, orderId, value } = await loadFixture(straddlingOrderFixture);
          const book = await ledger.orderBook.getAddress();
          const accounts = [supplier.address, actors.hospital.address, book];
          expect(await balances(ledger, accounts)).to.deep.equal([0n, HOSPITAL_FUNDS - value, value]);

          // floor(2 × 66000 / 7) = 18857; floor(4 × 66000 / 7) = 37714; then the remainder 28286.
          const expected = [
            { units: 2n, gross: 18_857n },
            { units: 2n, gross: 18_857n },
            { units: 3n, gross: 28_286n },
          ];
          let paid = 0n;
          for (const [i, step] of expected.entries()) {
            const id = await ship(ledger, supplier, orderId, step.units);
            const c = confirmation(step.units, 0n, await now());
            const tx = ledger.orderBook.connect(actors.settler).confirmShipment(id, c);
            await expect(tx)
              .to.emit(ledger.orderBook, "ShipmentSettled")
              .withArgs(id, orderId, supplier.address, confirmationArgs(c), payoutArgs(step.gross, 0n, 0n));
            if (i < expected.length - 1) await expect(tx).not.to.emit(ledger.orderBook, "OrderClosed");
            else await expect(tx).to.emit(ledger.orderBook, "OrderClosed").withArgs(orderId, 0n);
            paid += step.gross;
            expect(await balances(ledger, accounts)).to.deep.equal([
              paid,
              HOSPITAL_FUNDS - value,
              value - paid,
            ]);
          }
          expect(paid).to.equal(value);
          expect(await ledger.orderBook.totalEscrow()).to.equal(0n);
        });
      });

      describe("when delivered one unit at a time", function () {
        it("rounds the running total, so no delivery's rounding adds up", async function () {
          const { ledger, actors, supplier, orderId, value } = await loadFixture(straddlingOrderFixture);
          const grosses: bigint[] = [];
          for (let k = 1n; k <= 7n; k++) {
            const id = await ship(ledger, supplier, orderId, 1n);
            await ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(id, confirmation(1n, 0n, await now()));
            const o = await ledger.orderBook.order(orderId);
            expect(o.grossPaid).to.equal(k === 7n ? value : (k * value) / 7n);
            grosses.push(o.grossPaid - (grosses.length ? grosses.reduce((a, b) => a + b) : 0n));
          }
          expect(grosses).to.deep.equal([9428n, 9429n, 9428n, 9429n, 9428n, 9429n, 9429n]);
          expect(await ledger.token.balanceOf(supplier.address)).to.equal(value);
        });
      });

      describe("when some units are rejected", function () {
        it("pays only the accepted units and lets the supplier replace the rejected ones", async function () {
          const { ledger, actors, supplier, orderId, shipmentId, shippedAt, value } =
            await loadFixture(shippedOrderFixture);
          const c = confirmation(30n, 10n, shippedAt);
          await expect(ledger.orderBook.connect(actors.settler).confirmShipment(shipmentId, c))
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(
              shipmentId,
              orderId,
              supplier.address,
              confirmationArgs(c),
              payoutArgs(300_000n, 0n, 0n),
            );
          let o = await ledger.orderBook.order(orderId);
          expect([o.accepted, o.shipped, o.cancelled]).to.deep.equal([30n, 30n, 0n]);
          expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(70n);

          const replacement = await ship(ledger, supplier, orderId, 70n);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(replacement, confirmation(70n, 0n, await now())),
          )
            .to.emit(ledger.orderBook, "OrderClosed")
            .withArgs(orderId, 0n);
          o = await ledger.orderBook.order(orderId);
          expect(o.status).to.equal(OrderStatus.Closed);
          expect(await ledger.token.balanceOf(supplier.address)).to.equal(value);
        });
      });
    });

    describe("late delivery penalty", function () {
      const cases: [string, bigint][] = [
        ["received exactly at the deadline", 0n],
        ["received one second late (a partial day counts as a whole one)", 1n],
        ["received exactly one day late", BigInt(DAY)],
        ["received one day and one second late", BigInt(DAY) + 1n],
        ["received 20 days late (exactly at the cap)", 20n * BigInt(DAY)],
        ["received 25 days late (above the cap)", 25n * BigInt(DAY)],
      ];
      for (const [name, lateBy] of cases) {
        describe(`when ${name}`, function () {
          it("withholds the penalty from the supplier and returns it to the hospital", async function () {
            const { ledger, actors, supplier, orderId, shipmentId, deadline } =
              await loadFixture(lateFixture);
            const receivedAt = deadline + lateBy;
            const gross = 400_000n;
            const [penalty, daysLate] = expectedPenalty(gross, deadline, receivedAt);
            const c = confirmation(40n, 0n, receivedAt);
            const tx = ledger.orderBook.connect(actors.settler).confirmShipment(shipmentId, c);
            await expect(tx)
              .to.emit(ledger.orderBook, "ShipmentSettled")
              .withArgs(
                shipmentId,
                orderId,
                supplier.address,
                confirmationArgs(c),
                payoutArgs(gross, penalty, daysLate),
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

      describe("when the penalty does not divide evenly", function () {
        it("rounds the penalty down", async function () {
          const { ledger, actors, supplier, orderId } = await loadFixture(straddlingOrderFixture);
          const id = await ship(ledger, supplier, orderId, 2n);
          const deadline = (await ledger.orderBook.order(orderId)).deliveryDeadline;
          await time.increaseTo(deadline + BigInt(DAY));
          const c = confirmation(2n, 0n, deadline + 1n);
          // 18857 × 50 / 10000 = 94.285 → 94
          await expect(ledger.orderBook.connect(actors.settler).confirmShipment(id, c))
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(id, orderId, supplier.address, confirmationArgs(c), payoutArgs(18_857n, 94n, 1n));
        });
      });

      describe("when a late shipment is rejected in full", function () {
        it("reports the days late but pays and charges nothing", async function () {
          const { ledger, actors, supplier, orderId, shipmentId, deadline } = await loadFixture(lateFixture);
          const c = confirmation(0n, 40n, deadline + 3n * BigInt(DAY));
          const tx = ledger.orderBook.connect(actors.settler).confirmShipment(shipmentId, c);
          await expect(tx)
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(shipmentId, orderId, supplier.address, confirmationArgs(c), payoutArgs(0n, 0n, 3n));
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
          const { ledger, actors, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
          await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, 1);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipmentId, confirmation(1n, 39n, shippedAt)),
          )
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementLotRecalled")
            .withArgs(shipmentId, GTIN, LOT);
        });

        it("reverts with SettlementLotRecalled also when the supplier recalled it", async function () {
          const { ledger, supplier, actors, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
          await ledger.trace.connect(supplier).recall(GTIN, LOT, 2);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt)),
          )
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementLotRecalled")
            .withArgs(shipmentId, GTIN, LOT);
        });
      });

      describe("and every unit is rejected", function () {
        it("settles with no payment and returns the units to ship", async function () {
          const { ledger, actors, supplier, orderId, shipmentId, shippedAt } =
            await loadFixture(shippedOrderFixture);
          await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, 1);
          const c = confirmation(0n, 40n, shippedAt);
          const tx = ledger.orderBook.connect(actors.settler).confirmShipment(shipmentId, c);
          await expect(tx)
            .to.emit(ledger.orderBook, "ShipmentSettled")
            .withArgs(shipmentId, orderId, supplier.address, confirmationArgs(c), payoutArgs(0n, 0n, 0n));
          await expect(tx).to.changeTokenBalances(ledger.token, [supplier, ledger.orderBook], [0n, 0n]);
          expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(100n);
        });
      });

      describe("when another lot was recalled", function () {
        it("pays", async function () {
          const { ledger, actors, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
          await ledger.trace.connect(actors.regulator).recall(GTIN, "LOT-OTHER", 1);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt)),
          ).to.emit(ledger.orderBook, "ShipmentSettled");
        });
      });
    });

    describe("when the goods had expired at receipt", function () {
      async function shortExpiryFixture() {
        const base = await shippedOrderFixture();
        const { ledger, supplier, orderId } = base;
        const expiry = (await now()) + 5n * BigInt(DAY);
        const shortId = await ship(ledger, supplier, orderId, 10n, { expiry, lot: "LOT-SHORT" });
        await time.increaseTo(expiry + BigInt(DAY));
        return { ...base, expiry, shortId };
      }

      for (const [name, offset] of [
        ["at the expiry instant", 0n],
        ["after the expiry", 1n],
      ] as const) {
        it(`reverts with SettlementExpiredAtReceipt when received ${name}`, async function () {
          const { ledger, actors, expiry, shortId } = await loadFixture(shortExpiryFixture);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shortId, confirmation(10n, 0n, expiry + offset)),
          )
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementExpiredAtReceipt")
            .withArgs(shortId, expiry, expiry + offset);
        });
      }

      describe("when received before the expiry, even if confirmed after it", function () {
        it("pays", async function () {
          const { ledger, actors, expiry, shortId } = await loadFixture(shortExpiryFixture);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shortId, confirmation(10n, 0n, expiry - 1n)),
          ).to.emit(ledger.orderBook, "ShipmentSettled");
        });
      });

      describe("when every unit is rejected", function () {
        it("settles with no payment", async function () {
          const { ledger, actors, expiry, shortId } = await loadFixture(shortExpiryFixture);
          await expect(
            ledger.orderBook.connect(actors.settler).confirmShipment(shortId, confirmation(0n, 10n, expiry)),
          ).to.emit(ledger.orderBook, "ShipmentSettled");
        });
      });
    });

    describe("when the supplier is suspended", function () {
      describe("and units are accepted", function () {
        it("reverts with SettlementSupplierNotQualified", async function () {
          const { ledger, actors, supplier, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
          await ledger.registry.connect(actors.regulator).suspend(supplier.address, 7);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt)),
          )
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementSupplierNotQualified")
            .withArgs(shipmentId, supplier.address, STENTS);
        });
      });

      describe("and every unit is rejected", function () {
        it("settles with no payment", async function () {
          const { ledger, actors, supplier, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
          await ledger.registry.connect(actors.regulator).suspend(supplier.address, 7);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipmentId, confirmation(0n, 40n, shippedAt)),
          ).to.changeTokenBalances(ledger.token, [supplier, ledger.orderBook], [0n, 0n]);
        });
      });

      describe("and then reinstated", function () {
        it("pays", async function () {
          const { ledger, actors, supplier, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
          await ledger.registry.connect(actors.regulator).suspend(supplier.address, 7);
          await ledger.registry.connect(actors.regulator).reinstate(supplier.address, 8);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt)),
          ).to.changeTokenBalances(ledger.token, [supplier, ledger.orderBook], [400_000n, -400_000n]);
        });
      });
    });

    describe("when the supplier's qualification documents have lapsed", function () {
      it("reverts with SettlementSupplierNotQualified", async function () {
        const { ledger, actors, supplier, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
        await time.increase(2 * YEAR + DAY);
        expect(await ledger.registry.isQualified(supplier.address, STENTS, await now())).to.equal(false);
        await expect(
          ledger.orderBook
            .connect(actors.settler)
            .confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt)),
        )
          .to.be.revertedWithCustomError(ledger.orderBook, "SettlementSupplierNotQualified")
          .withArgs(shipmentId, supplier.address, STENTS);
      });
    });

    describe("when a temperature excursion was flagged", function () {
      describe("and nobody waived it", function () {
        it("reverts with SettlementExcursionNotWaived", async function () {
          const { ledger, actors, shipmentId, shippedAt } = await loadFixture(excursionFixture);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt)),
          )
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementExcursionNotWaived")
            .withArgs(shipmentId);
        });
      });

      describe("and a hospital approver waived it", function () {
        it("pays", async function () {
          const { ledger, actors, supplier, shipmentId, shippedAt } = await loadFixture(excursionFixture);
          await ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, 3);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt)),
          ).to.changeTokenBalances(ledger.token, [supplier, ledger.orderBook], [400_000n, -400_000n]);
        });
      });

      describe("and every unit is rejected", function () {
        it("settles without a waiver", async function () {
          const { ledger, actors, shipmentId, shippedAt } = await loadFixture(excursionFixture);
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipmentId, confirmation(0n, 40n, shippedAt)),
          ).to.emit(ledger.orderBook, "ShipmentSettled");
        });
      });
    });

    describe("when the shipment was already confirmed", function () {
      for (const [name, accepted] of [
        ["accepted", 40n],
        ["rejected", 0n],
      ] as const) {
        it(`reverts with SettlementAlreadyConfirmed after it was ${name}`, async function () {
          const { ledger, actors, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
          const c = confirmation(accepted, 40n - accepted, shippedAt);
          await ledger.orderBook.connect(actors.settler).confirmShipment(shipmentId, c);
          await expect(ledger.orderBook.connect(actors.settler).confirmShipment(shipmentId, c))
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementAlreadyConfirmed")
            .withArgs(shipmentId);
        });
      }
    });

    describe("when accepted and rejected do not add up to the shipped quantity", function () {
      it("reverts with SettlementQuantityMismatch", async function () {
        const { ledger, actors, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
        for (const [accepted, rejected] of [
          [30n, 5n],
          [40n, 1n],
          [0n, 0n],
        ]) {
          await expect(
            ledger.orderBook
              .connect(actors.settler)
              .confirmShipment(shipmentId, confirmation(accepted, rejected, shippedAt)),
          )
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementQuantityMismatch")
            .withArgs(shipmentId, accepted, rejected, 40n);
        }
      });
    });

    describe("when the receipt time is before the shipment", function () {
      it("reverts with SettlementInvalidReceiptTime", async function () {
        const { ledger, actors, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
        const at = (await now()) + 10n;
        await time.setNextBlockTimestamp(at);
        await expect(
          ledger.orderBook
            .connect(actors.settler)
            .confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt - 1n)),
        )
          .to.be.revertedWithCustomError(ledger.orderBook, "SettlementInvalidReceiptTime")
          .withArgs(shipmentId, shippedAt - 1n, shippedAt, at);
      });
    });

    describe("when the receipt time is in the future", function () {
      it("reverts with SettlementInvalidReceiptTime", async function () {
        const { ledger, actors, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
        const at = (await now()) + 10n;
        await time.setNextBlockTimestamp(at);
        await expect(
          ledger.orderBook
            .connect(actors.settler)
            .confirmShipment(shipmentId, confirmation(40n, 0n, at + 1n)),
        )
          .to.be.revertedWithCustomError(ledger.orderBook, "SettlementInvalidReceiptTime")
          .withArgs(shipmentId, at + 1n, shippedAt, at);
      });
    });

    describe("when the caller is not a settler of the order's hospital", function () {
      it("reverts with SettlementNotSettler, also for the admin, approvers and other hospitals' settlers", async function () {
        const { ledger, actors, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
        await enrolHospital(ledger, actors, actors.hospital2);
        await addMember(ledger, actors.hospital2, actors.carrier, SETTLER);
        for (const caller of [
          actors.hospital,
          actors.approvers[0],
          actors.receiver,
          actors.stranger,
          actors.carrier,
        ]) {
          await expect(
            ledger.orderBook.connect(caller).confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt)),
          )
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementNotSettler")
            .withArgs(shipmentId, caller.address);
        }
      });
    });

    describe("when the shipment does not exist", function () {
      it("reverts with the trace's TraceShipmentNotFound", async function () {
        const { ledger, actors } = await loadFixture(shippedOrderFixture);
        await expect(ledger.orderBook.connect(actors.settler).confirmShipment(99n, confirmation(1n, 0n, 1n)))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(99n);
      });
    });

    describe("when the order book is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, shipmentId, shippedAt } = await loadFixture(shippedOrderFixture);
        await ledger.orderBook.connect(actors.admin).pause();
        await expect(
          ledger.orderBook
            .connect(actors.settler)
            .confirmShipment(shipmentId, confirmation(40n, 0n, shippedAt)),
        ).to.be.revertedWithCustomError(ledger.orderBook, "EnforcedPause");
      });
    });
  });
});
