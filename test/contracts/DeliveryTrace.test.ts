import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import { ethers } from "hardhat";
import { PAUSER_ROLE } from "../../scripts/lib/ledger";
import type { DeliveryTrace } from "../../typechain-types";
import { BAD_GTIN, enrolHospital, GTIN, serials, serialTree, STENTS } from "./helpers/fixtures";
import {
  fundedOrderFixture,
  HOSPITAL_STEPS,
  LOT,
  NOTICE_HASH,
  ORDER_QUANTITY,
  shipmentInput,
  shippedFixture,
  Step,
  TRANSPORT_STEPS,
  WAREHOUSE_GLN,
} from "./helpers/trace";

const OTHER_GTIN = 12345678901231n;
const RECALL_REASON = 7;
const WAIVER_REASON = 3;
const SENSOR_DIGEST = ethers.id("logger-0042:2-8C:ok");

/** Gas the transaction spent executing: its receipt minus the base cost and calldata pricing. */
async function executionGas(tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = (await tx.wait()) as ContractTransactionReceipt;
  const data = ethers.getBytes(tx.data);
  const calldataGas = data.reduce((sum, byte) => sum + (byte === 0 ? 4n : 16n), 0n);
  return receipt.gasUsed - 21_000n - calldataGas;
}

/** The serial at `index` of a shipment's serial tree. */
function serialAt(tree: ReturnType<typeof serialTree>, index: number): string {
  const value = tree.at(index);
  if (!value) throw new Error(`no serial at ${index}`);
  return value[0];
}

/** Records `step` at time `at` at the warehouse, without sensor data. */
function record(trace: DeliveryTrace, by: HardhatEthersSigner, shipmentId: bigint, step: Step, at: number) {
  return trace.connect(by).recordTraceEvent(shipmentId, step, WAREHOUSE_GLN, at, ethers.ZeroHash, false);
}

describe("DeliveryTrace", function () {
  describe("bindOrderBook", function () {
    async function unboundTraceFixture() {
      const base = await fundedOrderFixture();
      const { ledger, actors } = base;
      const trace = await ethers.deployContract(
        "DeliveryTrace",
        [
          await ledger.roles.getAddress(),
          await ledger.forwarder.getAddress(),
          await ledger.registry.getAddress(),
          await ledger.hospitals.getAddress(),
        ],
        actors.admin,
      );
      return { ...base, unbound: trace as unknown as DeliveryTrace };
    }

    describe("when the caller is not the admin", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { unbound, actors } = await loadFixture(unboundTraceFixture);
        await expect(unbound.connect(actors.regulator).bindOrderBook(actors.stranger.address))
          .to.be.revertedWithCustomError(unbound, "LedgerUnauthorized")
          .withArgs(actors.regulator.address, ethers.ZeroHash);
      });
    });

    describe("when the admin binds an unbound trace", function () {
      it("stores the order book and emits OrderBookBound", async function () {
        const { unbound, ledger, actors } = await loadFixture(unboundTraceFixture);
        const orderBook = await ledger.orderBook.getAddress();
        await expect(unbound.connect(actors.admin).bindOrderBook(orderBook))
          .to.emit(unbound, "OrderBookBound")
          .withArgs(orderBook);
        expect(await unbound.orderBook()).to.equal(orderBook);
      });
    });

    describe("when the order book is the zero address", function () {
      it("reverts with TraceZeroOrderBook and stays unbound", async function () {
        const { unbound, actors } = await loadFixture(unboundTraceFixture);
        await expect(
          unbound.connect(actors.admin).bindOrderBook(ethers.ZeroAddress),
        ).to.be.revertedWithCustomError(unbound, "TraceZeroOrderBook");
        expect(await unbound.orderBook()).to.equal(ethers.ZeroAddress);
      });
    });

    describe("when the trace is already bound", function () {
      it("reverts with TraceOrderBookAlreadyBound", async function () {
        const { ledger, actors } = await loadFixture(fundedOrderFixture);
        await expect(ledger.trace.connect(actors.admin).bindOrderBook(actors.stranger.address))
          .to.be.revertedWithCustomError(ledger.trace, "TraceOrderBookAlreadyBound")
          .withArgs(await ledger.orderBook.getAddress());
      });
    });
  });

  describe("createShipment", function () {
    describe("when a qualified supplier ships against its funded order", function () {
      it("emits ShipmentCreated with every stated value", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        const input = await shipmentInput(orderId);
        await expect(ledger.trace.connect(supplier).createShipment(input))
          .to.emit(ledger.trace, "ShipmentCreated")
          .withArgs(
            1n,
            orderId,
            supplier.address,
            GTIN,
            LOT,
            input.expiry,
            input.quantity,
            input.serialRoot,
            NOTICE_HASH,
          );
      });

      it("stores the shipment and numbers it from 1", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        const input = await shipmentInput(orderId);
        await ledger.trace.connect(supplier).createShipment(input);
        const createdAt = await time.latest();
        expect(await ledger.trace.shipmentCount()).to.equal(1n);
        const s = await ledger.trace.shipment(1n);
        expect(s.orderId).to.equal(orderId);
        expect(s.supplier).to.equal(supplier.address);
        expect(s.gtin).to.equal(GTIN);
        expect(s.lot).to.equal(LOT);
        expect(s.expiry).to.equal(input.expiry);
        expect(s.quantity).to.equal(input.quantity);
        expect(s.createdAt).to.equal(createdAt);
        expect(s.serialRoot).to.equal(input.serialRoot);
        expect(s.noticeHash).to.equal(NOTICE_HASH);
        expect([s.excursion, s.excursionWaived, s.confirmed, s.hospitalCustody]).to.deep.equal([
          false,
          false,
          false,
          false,
        ]);
      });

      it("reserves the quantity on the order and records who shipped the lot", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { quantity: 30n }));
        expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(ORDER_QUANTITY - 30n);
        const key = await ledger.trace.lotKey(GTIN, LOT);
        expect(await ledger.trace.hasShippedLot(key, supplier.address)).to.equal(true);
        expect(await ledger.trace.hasShippedLot(key, actors.suppliers[1].address)).to.equal(false);
      });

      it("accepts exactly the undelivered remainder, then nothing more", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { quantity: 60n }));
        await expect(
          ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { quantity: 40n })),
        ).to.emit(ledger.trace, "ShipmentCreated");
        await expect(
          ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { quantity: 1n })),
        )
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderQuantityExceedsRemaining")
          .withArgs(orderId, 1n, 0n);
      });

      it("accepts lots of 1 and of 20 characters", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        for (const lot of ["A", "L".repeat(20)]) {
          await ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { lot }));
          expect((await ledger.trace.shipment(await ledger.trace.shipmentCount())).lot).to.equal(lot);
        }
      });
    });

    describe("when the serial tree grows from 10 to 10,000 serials", function () {
      it("costs the same gas (only the root goes on-chain)", async function () {
        const small = serialTree(serials("SN", 10));
        const large = serialTree(serials("SN", 10_000));
        expect(large.length).to.equal(10_000);
        const gas: bigint[] = [];
        for (const tree of [small, large]) {
          const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
          const input = await shipmentInput(orderId, { serialRoot: tree.root, lot: "LOT-GAS-01" });
          gas.push(await executionGas(await ledger.trace.connect(supplier).createShipment(input)));
          expect((await ledger.trace.shipment(1n)).serialRoot).to.equal(tree.root);
        }
        expect(gas[1]).to.equal(gas[0]);
      });
    });

    describe("when the GTIN is not a valid GTIN-14", function () {
      for (const gtin of [BAD_GTIN, 0n, 10n ** 14n, 95012345678902n]) {
        it(`reverts with TraceInvalidGtin for ${gtin}`, async function () {
          const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
          await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { gtin })))
            .to.be.revertedWithCustomError(ledger.trace, "TraceInvalidGtin")
            .withArgs(gtin);
        });
      }
    });

    describe("when the lot is empty or longer than 20 characters", function () {
      for (const lot of ["", "L".repeat(21)]) {
        it(`reverts with TraceInvalidLot for a lot of ${lot.length} characters`, async function () {
          const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
          await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { lot })))
            .to.be.revertedWithCustomError(ledger.trace, "TraceInvalidLot")
            .withArgs(lot);
        });
      }
    });

    describe("when the expiry is not in the future", function () {
      for (const [label, offset] of [
        ["already passed", -1],
        ["is the shipping time itself", 0],
      ] as const) {
        it(`reverts with TraceExpiryPassed when it ${label}`, async function () {
          const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
          const now = (await time.latest()) + 100;
          const expiry = BigInt(now + offset);
          await time.setNextBlockTimestamp(now);
          await expect(
            ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { expiry })),
          )
            .to.be.revertedWithCustomError(ledger.trace, "TraceExpiryPassed")
            .withArgs(expiry, now);
        });
      }
    });

    describe("when the quantity is zero", function () {
      it("reverts with TraceZeroQuantity", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await expect(
          ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { quantity: 0n })),
        ).to.be.revertedWithCustomError(ledger.trace, "TraceZeroQuantity");
      });
    });

    describe("when the serial root is zero", function () {
      it("reverts with TraceZeroSerialRoot", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await expect(
          ledger.trace
            .connect(supplier)
            .createShipment(await shipmentInput(orderId, { serialRoot: ethers.ZeroHash })),
        ).to.be.revertedWithCustomError(ledger.trace, "TraceZeroSerialRoot");
      });
    });

    describe("when the quantity exceeds what remains undelivered", function () {
      it("reverts with the order book's OrderQuantityExceedsRemaining", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        const quantity = ORDER_QUANTITY + 1n;
        await expect(
          ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { quantity })),
        )
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderQuantityExceedsRemaining")
          .withArgs(orderId, quantity, ORDER_QUANTITY);
      });
    });

    describe("when the caller is not the order's supplier", function () {
      it("reverts with the order book's OrderNotSupplier", async function () {
        const { ledger, actors, orderId } = await loadFixture(fundedOrderFixture);
        await expect(ledger.trace.connect(actors.carrier).createShipment(await shipmentInput(orderId)))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotSupplier")
          .withArgs(orderId, actors.carrier.address);
      });
    });

    describe("when the order is not funded yet", function () {
      it("reverts with the order book's OrderStatusInvalid", async function () {
        const { ledger, actors, supplier, agreementId } = await loadFixture(fundedOrderFixture);
        const deliveryDate = (await time.latest()) + 30 * 24 * 3600;
        await ledger.orderBook
          .connect(actors.hospital)
          .placeOrder(agreementId, 10n, deliveryDate, ethers.id("PO2"));
        const placed = await ledger.orderBook.orderCount();
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(placed)))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderStatusInvalid")
          .withArgs(placed, 1n);
      });
    });

    describe("when the supplier is no longer qualified", function () {
      it("reverts with TraceSupplierNotQualified", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.registry.connect(actors.regulator).suspend(supplier.address, 1);
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId)))
          .to.be.revertedWithCustomError(ledger.trace, "TraceSupplierNotQualified")
          .withArgs(supplier.address, STENTS);
      });
    });

    describe("when the lot has been recalled", function () {
      it("reverts with TraceLotRecalled", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON);
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId)))
          .to.be.revertedWithCustomError(ledger.trace, "TraceLotRecalled")
          .withArgs(GTIN, LOT);
      });
    });

    describe("when the trace is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.trace.connect(actors.admin).pause();
        await expect(
          ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId)),
        ).to.be.revertedWithCustomError(ledger.trace, "EnforcedPause");
      });
    });
  });

  describe("verifySerial", function () {
    describe("when the proof was made off-chain by StandardMerkleTree", function () {
      it("returns true for every serial of the shipment", async function () {
        const { ledger, tree, shipmentId } = await loadFixture(shippedFixture);
        for (const [i, [serial]] of tree.entries()) {
          expect(await ledger.trace.verifySerial(shipmentId, serial, tree.getProof(i))).to.equal(true);
        }
      });
    });

    describe("when the shipment has a single serial", function () {
      it("returns true for it with an empty proof", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        const tree = serialTree(["SN-ONLY"]);
        await ledger.trace
          .connect(supplier)
          .createShipment(await shipmentInput(orderId, { serialRoot: tree.root }));
        expect(await ledger.trace.verifySerial(1n, "SN-ONLY", [])).to.equal(true);
        expect(await ledger.trace.verifySerial(1n, "SN-OTHER", [])).to.equal(false);
      });
    });

    describe("when the serial is not in the shipment", function () {
      it("returns false", async function () {
        const { ledger, tree, shipmentId } = await loadFixture(shippedFixture);
        expect(await ledger.trace.verifySerial(shipmentId, "SN999999", tree.getProof(0))).to.equal(false);
      });
    });

    describe("when the proof belongs to another serial", function () {
      it("returns false", async function () {
        const { ledger, tree, shipmentId } = await loadFixture(shippedFixture);
        const [first, second] = [serialAt(tree, 0), serialAt(tree, 1)];
        expect(await ledger.trace.verifySerial(shipmentId, first, tree.getProof(1))).to.equal(false);
        expect(await ledger.trace.verifySerial(shipmentId, second, tree.getProof(1))).to.equal(true);
      });
    });

    describe("when the serial belongs to another shipment", function () {
      it("returns false", async function () {
        const { ledger, supplier, orderId, shipmentId } = await loadFixture(shippedFixture);
        const other = serialTree(serials("XS", 4));
        await ledger.trace
          .connect(supplier)
          .createShipment(await shipmentInput(orderId, { serialRoot: other.root }));
        expect(await ledger.trace.verifySerial(shipmentId, serialAt(other, 0), other.getProof(0))).to.equal(
          false,
        );
        expect(
          await ledger.trace.verifySerial(shipmentId + 1n, serialAt(other, 0), other.getProof(0)),
        ).to.equal(true);
      });
    });

    describe("when the shipment does not exist", function () {
      it("reverts with TraceShipmentNotFound", async function () {
        const { ledger, tree } = await loadFixture(shippedFixture);
        await expect(ledger.trace.verifySerial(99n, serialAt(tree, 0), tree.getProof(0)))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(99n);
      });
    });
  });

  describe("recordTraceEvent", function () {
    /** The shipped fixture with the carrier allowed by supplier 0 and a second hospital enrolled. */
    async function tracingFixture() {
      const base = await shippedFixture();
      const { ledger, actors, supplier } = base;
      await ledger.trace.connect(supplier).setCarrier(actors.carrier.address, true);
      await enrolHospital(ledger, actors, actors.hospital2);
      return base;
    }

    describe("for the transport steps (Shipping, Departing, Arriving)", function () {
      for (const step of TRANSPORT_STEPS) {
        describe(`when recording ${Step[step]}`, function () {
          it("lets the supplier record it and emits TraceEventRecorded", async function () {
            const { ledger, supplier, shipmentId } = await loadFixture(tracingFixture);
            const at = await time.latest();
            await expect(record(ledger.trace, supplier, shipmentId, step, at))
              .to.emit(ledger.trace, "TraceEventRecorded")
              .withArgs(shipmentId, 1n, step, supplier.address, WAREHOUSE_GLN, at, ethers.ZeroHash, false);
            expect((await ledger.trace.shipment(shipmentId)).hospitalCustody).to.equal(false);
          });

          it("lets a carrier the supplier allowed record it", async function () {
            const { ledger, actors, shipmentId } = await loadFixture(tracingFixture);
            const at = await time.latest();
            await expect(record(ledger.trace, actors.carrier, shipmentId, step, at))
              .to.emit(ledger.trace, "TraceEventRecorded")
              .withArgs(
                shipmentId,
                1n,
                step,
                actors.carrier.address,
                WAREHOUSE_GLN,
                at,
                ethers.ZeroHash,
                false,
              );
          });

          it("reverts with TraceStepNotAllowed for a carrier the supplier revoked", async function () {
            const { ledger, actors, supplier, shipmentId } = await loadFixture(tracingFixture);
            await ledger.trace.connect(supplier).setCarrier(actors.carrier.address, false);
            await expect(record(ledger.trace, actors.carrier, shipmentId, step, await time.latest()))
              .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
              .withArgs(shipmentId, step, actors.carrier.address);
          });

          it("reverts with TraceStepNotAllowed for another supplier's carrier", async function () {
            const { ledger, actors, shipmentId } = await loadFixture(tracingFixture);
            const [other, otherCarrier] = [actors.suppliers[1], actors.suppliers[2]];
            await ledger.trace.connect(other).setCarrier(otherCarrier.address, true);
            for (const account of [other, otherCarrier]) {
              await expect(record(ledger.trace, account, shipmentId, step, await time.latest()))
                .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
                .withArgs(shipmentId, step, account.address);
            }
          });

          it("reverts with TraceStepNotAllowed for the hospital, its members and strangers", async function () {
            const { ledger, actors, shipmentId } = await loadFixture(tracingFixture);
            for (const account of [actors.hospital, actors.approvers[0], actors.receiver, actors.stranger]) {
              await expect(record(ledger.trace, account, shipmentId, step, await time.latest()))
                .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
                .withArgs(shipmentId, step, account.address);
            }
          });
        });
      }

      describe("once the hospital has taken custody", function () {
        it("reverts with TraceStepNotAllowed for the supplier and its carrier", async function () {
          const { ledger, actors, supplier, shipmentId } = await loadFixture(tracingFixture);
          await record(ledger.trace, actors.receiver, shipmentId, Step.Receiving, await time.latest());
          expect((await ledger.trace.shipment(shipmentId)).hospitalCustody).to.equal(true);
          for (const step of TRANSPORT_STEPS) {
            for (const account of [supplier, actors.carrier]) {
              await expect(record(ledger.trace, account, shipmentId, step, await time.latest()))
                .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
                .withArgs(shipmentId, step, account.address);
            }
          }
        });
      });
    });

    describe("for the hospital steps (Receiving, Inspecting, Accepting, Holding, Storing)", function () {
      for (const step of HOSPITAL_STEPS) {
        describe(`when recording ${Step[step]}`, function () {
          it("lets the hospital admin and every member record it and takes custody", async function () {
            const { ledger, actors, shipmentId } = await loadFixture(tracingFixture);
            const staff = [actors.hospital, ...actors.approvers, actors.settler, actors.receiver];
            for (const [i, account] of staff.entries()) {
              const at = await time.latest();
              await expect(record(ledger.trace, account, shipmentId, step, at))
                .to.emit(ledger.trace, "TraceEventRecorded")
                .withArgs(
                  shipmentId,
                  BigInt(i + 1),
                  step,
                  account.address,
                  WAREHOUSE_GLN,
                  at,
                  ethers.ZeroHash,
                  false,
                );
            }
            expect((await ledger.trace.shipment(shipmentId)).hospitalCustody).to.equal(true);
          });

          it("reverts with TraceStepNotAllowed for the supplier and its carrier", async function () {
            const { ledger, actors, supplier, shipmentId } = await loadFixture(tracingFixture);
            for (const account of [supplier, actors.carrier]) {
              await expect(record(ledger.trace, account, shipmentId, step, await time.latest()))
                .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
                .withArgs(shipmentId, step, account.address);
            }
          });

          it("reverts with TraceStepNotAllowed for another hospital and for strangers", async function () {
            const { ledger, actors, shipmentId } = await loadFixture(tracingFixture);
            for (const account of [actors.hospital2, actors.stranger]) {
              await expect(record(ledger.trace, account, shipmentId, step, await time.latest()))
                .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
                .withArgs(shipmentId, step, account.address);
            }
            expect((await ledger.trace.shipment(shipmentId)).hospitalCustody).to.equal(false);
          });
        });
      }

      describe("when a member has been removed from the hospital", function () {
        it("reverts with TraceStepNotAllowed", async function () {
          const { ledger, actors, shipmentId } = await loadFixture(tracingFixture);
          await ledger.hospitals.connect(actors.hospital).setMemberRoles(actors.receiver.address, 0);
          await expect(record(ledger.trace, actors.receiver, shipmentId, Step.Receiving, await time.latest()))
            .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
            .withArgs(shipmentId, Step.Receiving, actors.receiver.address);
        });
      });
    });

    describe("when the event time is in the future", function () {
      it("reverts with TraceEventInFuture", async function () {
        const { ledger, supplier, shipmentId } = await loadFixture(tracingFixture);
        const now = (await time.latest()) + 100;
        await time.setNextBlockTimestamp(now);
        await expect(record(ledger.trace, supplier, shipmentId, Step.Shipping, now + 1))
          .to.be.revertedWithCustomError(ledger.trace, "TraceEventInFuture")
          .withArgs(now + 1, now);
      });
    });

    describe("when the event time is the block time or earlier", function () {
      it("records the event", async function () {
        const { ledger, supplier, shipmentId } = await loadFixture(tracingFixture);
        const now = (await time.latest()) + 100;
        await time.setNextBlockTimestamp(now);
        await expect(record(ledger.trace, supplier, shipmentId, Step.Shipping, now)).to.emit(
          ledger.trace,
          "TraceEventRecorded",
        );
        await expect(record(ledger.trace, supplier, shipmentId, Step.Departing, now - 3600))
          .to.emit(ledger.trace, "TraceEventRecorded")
          .withArgs(
            shipmentId,
            2n,
            Step.Departing,
            supplier.address,
            WAREHOUSE_GLN,
            now - 3600,
            ethers.ZeroHash,
            false,
          );
        expect(await ledger.trace.traceEventCount(shipmentId)).to.equal(2n);
      });
    });

    describe("when the event reports a sensor excursion", function () {
      it("carries the sensor digest and flags the shipment", async function () {
        const { ledger, actors, shipmentId } = await loadFixture(tracingFixture);
        const at = await time.latest();
        const location = ethers.id("GLN 6901234000024");
        await expect(
          ledger.trace
            .connect(actors.carrier)
            .recordTraceEvent(shipmentId, Step.Departing, location, at, SENSOR_DIGEST, true),
        )
          .to.emit(ledger.trace, "TraceEventRecorded")
          .withArgs(
            shipmentId,
            1n,
            Step.Departing,
            actors.carrier.address,
            location,
            at,
            SENSOR_DIGEST,
            true,
          );
        expect((await ledger.trace.shipment(shipmentId)).excursion).to.equal(true);
      });
    });

    describe("when a later event reports no excursion", function () {
      it("keeps the shipment flagged", async function () {
        const { ledger, supplier, shipmentId } = await loadFixture(tracingFixture);
        const at = await time.latest();
        await ledger.trace
          .connect(supplier)
          .recordTraceEvent(shipmentId, Step.Shipping, WAREHOUSE_GLN, at, SENSOR_DIGEST, true);
        await record(ledger.trace, supplier, shipmentId, Step.Departing, at);
        expect((await ledger.trace.shipment(shipmentId)).excursion).to.equal(true);
      });
    });

    describe("when the shipment does not exist", function () {
      it("reverts with TraceShipmentNotFound", async function () {
        const { ledger, supplier } = await loadFixture(tracingFixture);
        await expect(record(ledger.trace, supplier, 2n, Step.Shipping, await time.latest()))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(2n);
      });
    });

    describe("when the trace is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, supplier, shipmentId } = await loadFixture(tracingFixture);
        await ledger.trace.connect(actors.admin).pause();
        await expect(
          record(ledger.trace, supplier, shipmentId, Step.Shipping, await time.latest()),
        ).to.be.revertedWithCustomError(ledger.trace, "EnforcedPause");
      });
    });
  });

  describe("waiveExcursion", function () {
    async function excursionFixture() {
      const base = await shippedFixture();
      const { ledger, supplier, shipmentId } = base;
      const at = await time.latest();
      await ledger.trace
        .connect(supplier)
        .recordTraceEvent(shipmentId, Step.Departing, WAREHOUSE_GLN, at, SENSOR_DIGEST, true);
      return base;
    }

    async function confirmAll(fx: Awaited<ReturnType<typeof shippedFixture>>) {
      const receivedAt = await time.latest();
      return fx.ledger.orderBook.connect(fx.actors.settler).confirmShipment(fx.shipmentId, {
        accepted: fx.input.quantity,
        rejected: 0n,
        receivedAt,
        receiptHash: ethers.id("GRN"),
      });
    }

    describe("when the shipment had an excursion", function () {
      describe("and an approver of the order's hospital waives it", function () {
        it("emits ExcursionWaived and marks the shipment waived", async function () {
          const { ledger, actors, shipmentId } = await loadFixture(excursionFixture);
          await expect(ledger.trace.connect(actors.approvers[1]).waiveExcursion(shipmentId, WAIVER_REASON))
            .to.emit(ledger.trace, "ExcursionWaived")
            .withArgs(shipmentId, actors.approvers[1].address, WAIVER_REASON);
          const s = await ledger.trace.shipment(shipmentId);
          expect([s.excursion, s.excursionWaived]).to.deep.equal([true, true]);
        });

        it("lets the settler confirm the shipment", async function () {
          const fx = await loadFixture(excursionFixture);
          await fx.ledger.trace.connect(fx.actors.approvers[0]).waiveExcursion(fx.shipmentId, WAIVER_REASON);
          await expect(confirmAll(fx))
            .to.emit(fx.ledger.orderBook, "ShipmentSettled")
            .and.to.emit(fx.ledger.trace, "ShipmentConfirmed")
            .withArgs(fx.shipmentId);
        });

        describe("and a further excursion is recorded after the waiver", function () {
          it("needs a new waiver before the shipment can be settled", async function () {
            const fx = await loadFixture(excursionFixture);
            const { ledger, actors, shipmentId } = fx;
            await ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, WAIVER_REASON);
            await ledger.trace
              .connect(actors.receiver)
              .recordTraceEvent(
                shipmentId,
                Step.Storing,
                WAREHOUSE_GLN,
                await time.latest(),
                SENSOR_DIGEST,
                true,
              );
            expect((await ledger.trace.shipment(shipmentId)).excursionWaived).to.equal(false);
            await expect(confirmAll(fx))
              .to.be.revertedWithCustomError(ledger.orderBook, "SettlementExcursionNotWaived")
              .withArgs(shipmentId);
            await ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, WAIVER_REASON);
            await expect(confirmAll(fx)).to.emit(ledger.orderBook, "ShipmentSettled");
          });
        });

        describe("and a later event reports no excursion", function () {
          it("keeps the waiver", async function () {
            const { ledger, actors, shipmentId } = await loadFixture(excursionFixture);
            await ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, WAIVER_REASON);
            await record(ledger.trace, actors.receiver, shipmentId, Step.Receiving, await time.latest());
            expect((await ledger.trace.shipment(shipmentId)).excursionWaived).to.equal(true);
          });
        });
      });

      describe("and nobody waives it", function () {
        it("blocks settlement with SettlementExcursionNotWaived", async function () {
          const fx = await loadFixture(excursionFixture);
          await expect(confirmAll(fx))
            .to.be.revertedWithCustomError(fx.ledger.orderBook, "SettlementExcursionNotWaived")
            .withArgs(fx.shipmentId);
        });
      });

      describe("and the caller is not an approver of the order's hospital", function () {
        it("reverts with TraceNotApprover", async function () {
          const { ledger, actors, supplier, shipmentId } = await loadFixture(excursionFixture);
          for (const account of [
            actors.hospital,
            actors.settler,
            actors.receiver,
            supplier,
            actors.regulator,
          ]) {
            await expect(ledger.trace.connect(account).waiveExcursion(shipmentId, WAIVER_REASON))
              .to.be.revertedWithCustomError(ledger.trace, "TraceNotApprover")
              .withArgs(shipmentId, account.address);
          }
        });
      });
    });

    describe("when the shipment had no excursion", function () {
      it("reverts with TraceNoExcursion", async function () {
        const { ledger, actors, shipmentId } = await loadFixture(shippedFixture);
        await expect(ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, WAIVER_REASON))
          .to.be.revertedWithCustomError(ledger.trace, "TraceNoExcursion")
          .withArgs(shipmentId);
      });
    });

    describe("when the shipment does not exist", function () {
      it("reverts with TraceShipmentNotFound", async function () {
        const { ledger, actors } = await loadFixture(shippedFixture);
        await expect(ledger.trace.connect(actors.approvers[0]).waiveExcursion(5n, WAIVER_REASON))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(5n);
      });
    });

    describe("when the trace is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, shipmentId } = await loadFixture(excursionFixture);
        await ledger.trace.connect(actors.admin).pause();
        await expect(
          ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, WAIVER_REASON),
        ).to.be.revertedWithCustomError(ledger.trace, "EnforcedPause");
      });
    });
  });

  describe("setCarrier", function () {
    describe("when a supplier allows a carrier", function () {
      it("emits CarrierChanged and records the carrier under that supplier only", async function () {
        const { ledger, actors, supplier } = await loadFixture(fundedOrderFixture);
        await expect(ledger.trace.connect(supplier).setCarrier(actors.carrier.address, true))
          .to.emit(ledger.trace, "CarrierChanged")
          .withArgs(supplier.address, actors.carrier.address, true);
        expect(await ledger.trace.isCarrier(supplier.address, actors.carrier.address)).to.equal(true);
        expect(await ledger.trace.isCarrier(actors.suppliers[1].address, actors.carrier.address)).to.equal(
          false,
        );
      });
    });

    describe("when the supplier revokes the carrier", function () {
      it("emits CarrierChanged and forgets the carrier", async function () {
        const { ledger, actors, supplier } = await loadFixture(fundedOrderFixture);
        await ledger.trace.connect(supplier).setCarrier(actors.carrier.address, true);
        await expect(ledger.trace.connect(supplier).setCarrier(actors.carrier.address, false))
          .to.emit(ledger.trace, "CarrierChanged")
          .withArgs(supplier.address, actors.carrier.address, false);
        expect(await ledger.trace.isCarrier(supplier.address, actors.carrier.address)).to.equal(false);
      });
    });

    describe("when the trace is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, supplier } = await loadFixture(fundedOrderFixture);
        await ledger.trace.connect(actors.admin).pause();
        await expect(
          ledger.trace.connect(supplier).setCarrier(actors.carrier.address, true),
        ).to.be.revertedWithCustomError(ledger.trace, "EnforcedPause");
      });
    });
  });

  describe("recall", function () {
    describe("when the supplier that shipped the lot recalls it", function () {
      it("emits LotRecalled and marks only that lot recalled", async function () {
        const { ledger, supplier } = await loadFixture(shippedFixture);
        const key = await ledger.trace.lotKey(GTIN, LOT);
        const at = (await time.latest()) + 60;
        await time.setNextBlockTimestamp(at);
        await expect(ledger.trace.connect(supplier).recall(GTIN, LOT, RECALL_REASON))
          .to.emit(ledger.trace, "LotRecalled")
          .withArgs(key, GTIN, LOT, supplier.address, RECALL_REASON, at);
        expect(await ledger.trace.isRecalled(GTIN, LOT)).to.equal(true);
        expect(await ledger.trace.isRecalled(GTIN, "LOT-2025-A2")).to.equal(false);
        expect(await ledger.trace.isRecalled(OTHER_GTIN, LOT)).to.equal(false);
      });
    });

    describe("when a regulator recalls a lot", function () {
      it("emits LotRecalled even if the lot was never shipped", async function () {
        const { ledger, actors } = await loadFixture(fundedOrderFixture);
        const key = await ledger.trace.lotKey(OTHER_GTIN, "NEVER-SHIPPED");
        const at = (await time.latest()) + 60;
        await time.setNextBlockTimestamp(at);
        await expect(
          ledger.trace.connect(actors.regulator).recall(OTHER_GTIN, "NEVER-SHIPPED", RECALL_REASON),
        )
          .to.emit(ledger.trace, "LotRecalled")
          .withArgs(key, OTHER_GTIN, "NEVER-SHIPPED", actors.regulator.address, RECALL_REASON, at);
        expect(await ledger.trace.isRecalled(OTHER_GTIN, "NEVER-SHIPPED")).to.equal(true);
      });
    });

    describe("when the caller neither shipped the lot nor is a regulator", function () {
      it("reverts with TraceRecallNotAllowed", async function () {
        const { ledger, actors, supplier } = await loadFixture(shippedFixture);
        for (const account of [actors.suppliers[1], actors.carrier, actors.hospital, actors.admin]) {
          await expect(ledger.trace.connect(account).recall(GTIN, LOT, RECALL_REASON))
            .to.be.revertedWithCustomError(ledger.trace, "TraceRecallNotAllowed")
            .withArgs(GTIN, LOT, account.address);
        }
        // Having shipped another lot of the same product is not enough.
        await expect(ledger.trace.connect(supplier).recall(GTIN, "LOT-2025-A2", RECALL_REASON))
          .to.be.revertedWithCustomError(ledger.trace, "TraceRecallNotAllowed")
          .withArgs(GTIN, "LOT-2025-A2", supplier.address);
      });
    });

    describe("when the lot is already recalled", function () {
      it("reverts with TraceLotRecalled", async function () {
        const { ledger, actors, supplier } = await loadFixture(shippedFixture);
        await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON);
        await expect(ledger.trace.connect(supplier).recall(GTIN, LOT, RECALL_REASON))
          .to.be.revertedWithCustomError(ledger.trace, "TraceLotRecalled")
          .withArgs(GTIN, LOT);
      });
    });

    describe("when a shipment of the recalled lot is settled", function () {
      async function recalledFixture() {
        const base = await shippedFixture();
        await base.ledger.trace.connect(base.supplier).recall(GTIN, LOT, RECALL_REASON);
        return base;
      }

      describe("accepting units", function () {
        it("reverts with the order book's SettlementLotRecalled", async function () {
          const { ledger, actors, shipmentId, input } = await loadFixture(recalledFixture);
          const confirmation = {
            accepted: input.quantity,
            rejected: 0n,
            receivedAt: await time.latest(),
            receiptHash: ethers.id("GRN"),
          };
          await expect(ledger.orderBook.connect(actors.settler).confirmShipment(shipmentId, confirmation))
            .to.be.revertedWithCustomError(ledger.orderBook, "SettlementLotRecalled")
            .withArgs(shipmentId, GTIN, LOT);
        });
      });

      describe("rejecting every unit", function () {
        it("settles without paying and marks the shipment confirmed", async function () {
          const { ledger, actors, supplier, shipmentId, input } = await loadFixture(recalledFixture);
          const confirmation = {
            accepted: 0n,
            rejected: input.quantity,
            receivedAt: await time.latest(),
            receiptHash: ethers.id("GRN"),
          };
          await expect(ledger.orderBook.connect(actors.settler).confirmShipment(shipmentId, confirmation))
            .to.emit(ledger.trace, "ShipmentConfirmed")
            .withArgs(shipmentId)
            .and.not.to.emit(ledger.token, "Transfer");
          expect(await ledger.token.balanceOf(supplier.address)).to.equal(0n);
          expect((await ledger.trace.shipment(shipmentId)).confirmed).to.equal(true);
        });
      });
    });

    describe("when the trace is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors } = await loadFixture(shippedFixture);
        await ledger.trace.connect(actors.admin).pause();
        await expect(
          ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON),
        ).to.be.revertedWithCustomError(ledger.trace, "EnforcedPause");
      });
    });
  });

  describe("markConfirmed", function () {
    async function orderBookSignerFixture() {
      const base = await shippedFixture();
      const orderBook = await ethers.getImpersonatedSigner(await base.ledger.orderBook.getAddress());
      await setBalance(orderBook.address, ethers.parseEther("1"));
      return { ...base, orderBook };
    }

    describe("when the caller is not the order book", function () {
      it("reverts with TraceCallerNotOrderBook", async function () {
        const { ledger, actors, shipmentId } = await loadFixture(shippedFixture);
        for (const account of [actors.admin, actors.settler]) {
          await expect(ledger.trace.connect(account).markConfirmed(shipmentId))
            .to.be.revertedWithCustomError(ledger.trace, "TraceCallerNotOrderBook")
            .withArgs(account.address);
        }
      });
    });

    describe("when the order book settles the shipment", function () {
      it("emits ShipmentConfirmed and marks it confirmed", async function () {
        const { ledger, actors, shipmentId, input } = await loadFixture(shippedFixture);
        const confirmation = {
          accepted: input.quantity,
          rejected: 0n,
          receivedAt: await time.latest(),
          receiptHash: ethers.id("GRN"),
        };
        await expect(ledger.orderBook.connect(actors.settler).confirmShipment(shipmentId, confirmation))
          .to.emit(ledger.trace, "ShipmentConfirmed")
          .withArgs(shipmentId);
        expect((await ledger.trace.shipment(shipmentId)).confirmed).to.equal(true);
      });
    });

    describe("when the shipment is already confirmed", function () {
      it("reverts with TraceAlreadyConfirmed", async function () {
        const { ledger, orderBook, shipmentId } = await loadFixture(orderBookSignerFixture);
        await expect(ledger.trace.connect(orderBook).markConfirmed(shipmentId))
          .to.emit(ledger.trace, "ShipmentConfirmed")
          .withArgs(shipmentId);
        await expect(ledger.trace.connect(orderBook).markConfirmed(shipmentId))
          .to.be.revertedWithCustomError(ledger.trace, "TraceAlreadyConfirmed")
          .withArgs(shipmentId);
      });
    });

    describe("when the shipment does not exist", function () {
      it("reverts with TraceShipmentNotFound", async function () {
        const { ledger, orderBook } = await loadFixture(orderBookSignerFixture);
        await expect(ledger.trace.connect(orderBook).markConfirmed(42n))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(42n);
      });
    });
  });

  describe("shipment", function () {
    describe("when the shipment does not exist", function () {
      it("reverts with TraceShipmentNotFound", async function () {
        const { ledger } = await loadFixture(fundedOrderFixture);
        await expect(ledger.trace.shipment(0n))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(0n);
      });
    });
  });

  describe("lotKey", function () {
    it("hashes the ABI encoding of (gtin, lot)", async function () {
      const { ledger } = await loadFixture(fundedOrderFixture);
      const expected = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["uint64", "string"], [GTIN, LOT]),
      );
      expect(await ledger.trace.lotKey(GTIN, LOT)).to.equal(expected);
      expect(await ledger.trace.lotKey(OTHER_GTIN, LOT)).not.to.equal(expected);
    });
  });

  describe("pause", function () {
    describe("when the caller is not a pauser", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { ledger, actors } = await loadFixture(fundedOrderFixture);
        await expect(ledger.trace.connect(actors.stranger).pause())
          .to.be.revertedWithCustomError(ledger.trace, "LedgerUnauthorized")
          .withArgs(actors.stranger.address, PAUSER_ROLE);
      });
    });

    describe("when a pauser unpauses", function () {
      it("lets shipments be created again", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.trace.connect(actors.admin).pause();
        await ledger.trace.connect(actors.admin).unpause();
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId))).to.emit(
          ledger.trace,
          "ShipmentCreated",
        );
      });
    });
  });
});
