import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import { ethers } from "hardhat";
import { lotKeyOf } from "../../ledger/contracts";
import { PAUSER_ROLE } from "../../ledger/roles";
import type { DeliveryTrace } from "../../typechain-types";
import type { ShipmentRecordStruct } from "../../typechain-types/contracts/DeliveryTrace";
import {
  BAD_GTIN,
  enrolHospital,
  GTIN,
  qualify,
  REGULATOR_ROLE,
  registerGtins,
  runTender,
  serials,
  serialTree,
  shipmentRecord,
  STENTS,
  tiers,
} from "./helpers/fixtures";
import {
  fundedOrderFixture,
  HOSPITAL_STEPS,
  LOT,
  NOTICE_HASH,
  ORDER_QUANTITY,
  placeFundedOrder,
  recordHash,
  shipmentInput,
  shippedFixture,
  Step,
  TRANSPORT_STEPS,
  WAREHOUSE_GLN,
} from "./helpers/trace";

const OTHER_GTIN = 12345678901231n;
const OTHER_LOT = "LOT-2025-A2";
const RECALL_REASON = 7;
const LIFT_REASON = 8;
const WAIVER_REASON = 3;
const SENSOR_DIGEST = ethers.id("logger-0042:2-8C:ok");
const RECEIPT_HASH = ethers.id("GRN");
/** Supplier 0's stents agreement prices its first 100 accepted units at 10,000 fen. */
const FIRST_TIER_PRICE = 10_000n;

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

/** The record's fields in ABI order, as a ShipmentCreated event carries them. */
function recordArgs(r: ShipmentRecordStruct): unknown[] {
  return [
    r.orderId,
    r.supplier,
    r.hospital,
    r.gtin,
    r.expiry,
    r.quantity,
    r.createdAt,
    r.serialRoot,
    r.noticeHash,
    r.lot,
  ];
}

/** Records `step` at time `at` at the warehouse, without sensor data. */
function recordStep(
  trace: DeliveryTrace,
  by: HardhatEthersSigner,
  shipmentId: bigint,
  shipment: ShipmentRecordStruct,
  step: Step,
  at: number,
) {
  return trace
    .connect(by)
    .recordTraceEvent(shipmentId, shipment, step, WAREHOUSE_GLN, at, ethers.ZeroHash, false);
}

/** The settler accepts (or rejects) every unit of the shipment. */
function settleAll(
  fx: Awaited<ReturnType<typeof shippedFixture>>,
  shipmentId = fx.shipmentId,
  shipment = fx.record,
  accept = true,
) {
  const quantity = BigInt(shipment.quantity);
  return fx.ledger.orderBook.connect(fx.actors.settler).confirmShipment(shipmentId, shipment, {
    accepted: accept ? quantity : 0n,
    rejected: accept ? 0n : quantity,
    receiptHash: RECEIPT_HASH,
  });
}

/** Ships `input` as `supplier` and returns the new shipment's id and record. */
async function ship(
  fx: Awaited<ReturnType<typeof shippedFixture>>,
  supplier: HardhatEthersSigner,
  orderId: bigint,
  overrides: Parameters<typeof shipmentInput>[1] = {},
) {
  await fx.ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, overrides));
  const shipmentId = await fx.ledger.trace.shipmentCount();
  return { shipmentId, record: await shipmentRecord(fx.ledger, shipmentId) };
}

/**
 * The shipped fixture plus a competing stents supplier (supplier 1) with its own agreement and
 * funded order, registered for OTHER_GTIN only: what the v1 recall abuse needed.
 */
async function attackerFixture() {
  const base = await shippedFixture();
  const { ledger, actors } = base;
  const attacker = actors.suppliers[1];
  await qualify(ledger, actors.regulator, attacker);
  await registerGtins(ledger, actors.regulator, attacker, [OTHER_GTIN]);
  const { agreementIds } = await runTender(
    ledger,
    actors.regulator,
    [{ bidder: attacker, schedule: tiers([0, 9_500]), salt: ethers.id("attacker") }],
    [actors.hospital.address],
    [1000n],
    { winners: 1 },
  );
  const attackerOrderId = await placeFundedOrder({ ...base, agreementId: agreementIds[0] });
  return { ...base, attacker, attackerOrderId };
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
    describe("when a qualified supplier ships a registered GTIN against its funded order", function () {
      it("emits ShipmentCreated with the lot key and the whole record", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        const input = await shipmentInput(orderId);
        const at = (await time.latest()) + 10;
        await time.setNextBlockTimestamp(at);
        const expected: ShipmentRecordStruct = {
          orderId,
          supplier: supplier.address,
          hospital: actors.hospital.address,
          gtin: GTIN,
          expiry: input.expiry,
          quantity: input.quantity,
          createdAt: at,
          serialRoot: input.serialRoot,
          noticeHash: NOTICE_HASH,
          lot: LOT,
        };
        await expect(ledger.trace.connect(supplier).createShipment(input))
          .to.emit(ledger.trace, "ShipmentCreated")
          .withArgs(1n, supplier.address, await ledger.trace.lotKey(GTIN, LOT), recordArgs(expected));
      });

      it("stores only the record's hash and an empty state, numbering from 1", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId));
        expect(await ledger.trace.shipmentCount()).to.equal(1n);
        const stored = await shipmentRecord(ledger, 1n);
        const encoded = ethers.AbiCoder.defaultAbiCoder().encode(
          [
            "tuple(uint256 orderId, address supplier, address hospital, uint64 gtin, uint64 expiry, uint32 quantity, uint64 createdAt, bytes32 serialRoot, bytes32 noticeHash, string lot)",
          ],
          [stored],
        );
        expect(await ledger.trace.shipmentHash(1n)).to.equal(ethers.keccak256(encoded));
        const state = await ledger.trace.shipmentState(1n);
        expect([...state]).to.deep.equal([0n, 0n, false, false, false, false]);
        expect([...(await ledger.trace.checkedState(1n, stored))]).to.deep.equal([...state]);
      });

      it("reserves the quantity on the order", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { quantity: 30n }));
        expect(await ledger.orderBook.remainingToShip(orderId)).to.equal(ORDER_QUANTITY - 30n);
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
          expect((await shipmentRecord(ledger, 1n)).serialRoot).to.equal(tree.root);
        }
        expect(gas[1]).to.equal(gas[0]);
      });
    });

    describe("when the GTIN is not a valid GTIN-14", function () {
      for (const gtin of [BAD_GTIN, 0n, 95012345678902n]) {
        it(`reverts with TraceInvalidGtin for ${gtin}`, async function () {
          const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
          await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { gtin })))
            .to.be.revertedWithCustomError(ledger.trace, "TraceInvalidGtin")
            .withArgs(gtin);
        });
      }
    });

    describe("when the number is a product key (≥ 10^14) nobody registered", function () {
      it("reverts with TraceGtinNotRegistered: a key is a product number, not a malformed GTIN", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        const gtin = 10n ** 14n;
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { gtin })))
          .to.be.revertedWithCustomError(ledger.trace, "TraceGtinNotRegistered")
          .withArgs(supplier.address, gtin);
      });
    });

    describe("when the supplier is not registered for the GTIN", function () {
      it("reverts with TraceGtinNotRegistered", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        await expect(
          ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { gtin: OTHER_GTIN })),
        )
          .to.be.revertedWithCustomError(ledger.trace, "TraceGtinNotRegistered")
          .withArgs(supplier.address, OTHER_GTIN);
      });
    });

    describe("when the product registration is only filed, not attested", function () {
      it("reverts with TraceGtinNotRegistered", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        const now = BigInt(await time.latest());
        await ledger.registry
          .connect(supplier)
          .fileProductRegistration(
            ethers.id("pending-registration"),
            now - 1n,
            now + 86_400n,
            [STENTS],
            [OTHER_GTIN],
          );
        await expect(
          ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { gtin: OTHER_GTIN })),
        )
          .to.be.revertedWithCustomError(ledger.trace, "TraceGtinNotRegistered")
          .withArgs(supplier.address, OTHER_GTIN);
      });
    });

    describe("when the lot breaks the GS1 AI (10) rules", function () {
      const invalid: [string, string][] = [
        ["empty", ""],
        ["21 characters long", "L".repeat(21)],
        ["starting with =", "=SUM(A1)"],
        ["starting with +", "+LOT1"],
        ["starting with -", "-LOT1"],
        ["starting with @", "@LOT1"],
        ["holding a space", "LOT 1"],
        ["holding #", "LOT#1"],
        ["holding a non-ASCII letter", "LOT-É1"],
        ["holding a control character", "LOT\n1"],
      ];
      for (const [label, lot] of invalid) {
        it(`reverts with TraceInvalidLot for a lot ${label}`, async function () {
          const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
          await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { lot })))
            .to.be.revertedWithCustomError(ledger.trace, "TraceInvalidLot")
            .withArgs(lot);
        });
      }
    });

    describe("when the lot keeps the GS1 AI (10) rules", function () {
      it("accepts 1 and 20 characters and every punctuation mark of set 82", async function () {
        const { ledger, supplier, orderId } = await loadFixture(fundedOrderFixture);
        for (const lot of ["A", "L".repeat(20), `!"%&'()*+,-./:;<=>?_`, "A=+-9"]) {
          await ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { lot }));
          expect((await shipmentRecord(ledger, await ledger.trace.shipmentCount())).lot).to.equal(lot);
        }
      });
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
      it("reverts with the order book's OrderNotSupplier, even when it is registered for the GTIN", async function () {
        const { ledger, actors, orderId } = await loadFixture(fundedOrderFixture);
        const other = actors.suppliers[1];
        await registerGtins(ledger, actors.regulator, other, [GTIN]);
        await expect(ledger.trace.connect(other).createShipment(await shipmentInput(orderId)))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderNotSupplier")
          .withArgs(orderId, other.address);
      });

      it("reverts with TraceGtinNotRegistered for an account registered for nothing", async function () {
        const { ledger, actors, orderId } = await loadFixture(fundedOrderFixture);
        await expect(ledger.trace.connect(actors.carrier).createShipment(await shipmentInput(orderId)))
          .to.be.revertedWithCustomError(ledger.trace, "TraceGtinNotRegistered")
          .withArgs(actors.carrier.address, GTIN);
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
          .withArgs(placed, 1n, 2n);
      });
    });

    describe("when the order's delivery deadline has passed", function () {
      it("reverts with OrderShipmentLate until the hospital allows late shipment", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        const deadline = (await ledger.orderBook.order(orderId)).deliveryDeadline;
        await time.increaseTo(deadline + 1n);
        const input = await shipmentInput(orderId);
        const at = (await time.latest()) + 10;
        await time.setNextBlockTimestamp(at);
        await expect(ledger.trace.connect(supplier).createShipment(input))
          .to.be.revertedWithCustomError(ledger.orderBook, "OrderShipmentLate")
          .withArgs(orderId, deadline, at);
        await ledger.orderBook.connect(actors.approvers[0]).allowLateShipment(orderId);
        await expect(ledger.trace.connect(supplier).createShipment(input)).to.emit(
          ledger.trace,
          "ShipmentCreated",
        );
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

  describe("the lot key topic", function () {
    it("lets one log filter find every shipment of a lot, of every supplier", async function () {
      const fx = await loadFixture(attackerFixture);
      const { ledger, actors, supplier, orderId, attacker, attackerOrderId } = fx;
      await registerGtins(ledger, actors.regulator, attacker, [GTIN]);
      const second = await ship(fx, supplier, orderId, { lot: OTHER_LOT });
      const third = await ship(fx, attacker, attackerOrderId);
      const fourth = await ship(fx, supplier, orderId);
      const lotKey = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["uint64", "string"], [GTIN, LOT]),
      );

      const logs = await ledger.trace.queryFilter(
        ledger.trace.filters.ShipmentCreated(undefined, undefined, lotKey),
      );
      expect(logs.map((l) => l.args.shipmentId)).to.deep.equal([
        fx.shipmentId,
        third.shipmentId,
        fourth.shipmentId,
      ]);
      expect(logs.map((l) => l.args.supplier)).to.deep.equal([
        supplier.address,
        attacker.address,
        supplier.address,
      ]);
      const other = await ledger.trace.queryFilter(
        ledger.trace.filters.ShipmentCreated(
          undefined,
          undefined,
          await ledger.trace.lotKey(GTIN, OTHER_LOT),
        ),
      );
      expect(other.map((l) => l.args.shipmentId)).to.deep.equal([second.shipmentId]);
    });
  });

  describe("verifySerial", function () {
    describe("when the proof was made off-chain by StandardMerkleTree", function () {
      it("returns true for every serial of the shipment", async function () {
        const { ledger, tree, shipmentId, record } = await loadFixture(shippedFixture);
        for (const [i, [serial]] of tree.entries()) {
          expect(await ledger.trace.verifySerial(shipmentId, record, serial, tree.getProof(i))).to.equal(
            true,
          );
        }
      });
    });

    describe("when the shipment has a single serial", function () {
      it("returns true for it with an empty proof", async function () {
        const fx = await loadFixture(shippedFixture);
        const tree = serialTree(["SN-ONLY"]);
        const { shipmentId, record } = await ship(fx, fx.supplier, fx.orderId, { serialRoot: tree.root });
        expect(await fx.ledger.trace.verifySerial(shipmentId, record, "SN-ONLY", [])).to.equal(true);
        expect(await fx.ledger.trace.verifySerial(shipmentId, record, "SN-OTHER", [])).to.equal(false);
      });
    });

    describe("when the serial is not in the shipment", function () {
      it("returns false", async function () {
        const { ledger, tree, shipmentId, record } = await loadFixture(shippedFixture);
        expect(await ledger.trace.verifySerial(shipmentId, record, "SN999999", tree.getProof(0))).to.equal(
          false,
        );
      });
    });

    describe("when the proof belongs to another serial", function () {
      it("returns false", async function () {
        const { ledger, tree, shipmentId, record } = await loadFixture(shippedFixture);
        const [first, second] = [serialAt(tree, 0), serialAt(tree, 1)];
        expect(await ledger.trace.verifySerial(shipmentId, record, first, tree.getProof(1))).to.equal(false);
        expect(await ledger.trace.verifySerial(shipmentId, record, second, tree.getProof(1))).to.equal(true);
      });
    });

    describe("when the serial belongs to another shipment", function () {
      it("returns false", async function () {
        const fx = await loadFixture(shippedFixture);
        const other = serialTree(serials("XS", 4));
        const shipped = await ship(fx, fx.supplier, fx.orderId, { serialRoot: other.root });
        const serial = serialAt(other, 0);
        expect(
          await fx.ledger.trace.verifySerial(fx.shipmentId, fx.record, serial, other.getProof(0)),
        ).to.equal(false);
        expect(
          await fx.ledger.trace.verifySerial(shipped.shipmentId, shipped.record, serial, other.getProof(0)),
        ).to.equal(true);
      });
    });

    describe("when the record given names another serial root", function () {
      it("reverts with TraceRecordMismatch: a forged record proves nothing", async function () {
        const { ledger, shipmentId, record } = await loadFixture(shippedFixture);
        const forged = serialTree(["SN-FORGED"]);
        await expect(
          ledger.trace.verifySerial(shipmentId, { ...record, serialRoot: forged.root }, "SN-FORGED", []),
        )
          .to.be.revertedWithCustomError(ledger.trace, "TraceRecordMismatch")
          .withArgs(shipmentId);
      });
    });

    describe("when the shipment does not exist", function () {
      it("reverts with TraceShipmentNotFound", async function () {
        const { ledger, tree, record } = await loadFixture(shippedFixture);
        await expect(ledger.trace.verifySerial(99n, record, serialAt(tree, 0), tree.getProof(0)))
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
            const { ledger, supplier, shipmentId, record } = await loadFixture(tracingFixture);
            const at = await time.latest();
            await expect(recordStep(ledger.trace, supplier, shipmentId, record, step, at))
              .to.emit(ledger.trace, "TraceEventRecorded")
              .withArgs(shipmentId, step, supplier.address, WAREHOUSE_GLN, at, ethers.ZeroHash, false);
            expect((await ledger.trace.shipmentState(shipmentId)).hospitalCustody).to.equal(false);
          });

          it("lets a carrier the supplier allowed record it", async function () {
            const { ledger, actors, shipmentId, record } = await loadFixture(tracingFixture);
            const at = await time.latest();
            await expect(recordStep(ledger.trace, actors.carrier, shipmentId, record, step, at))
              .to.emit(ledger.trace, "TraceEventRecorded")
              .withArgs(shipmentId, step, actors.carrier.address, WAREHOUSE_GLN, at, ethers.ZeroHash, false);
          });

          it("reverts with TraceStepNotAllowed for a carrier the supplier revoked", async function () {
            const { ledger, actors, supplier, shipmentId, record } = await loadFixture(tracingFixture);
            await ledger.trace.connect(supplier).setCarrier(actors.carrier.address, false);
            await expect(
              recordStep(ledger.trace, actors.carrier, shipmentId, record, step, await time.latest()),
            )
              .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
              .withArgs(shipmentId, step, actors.carrier.address);
          });

          it("reverts with TraceStepNotAllowed for another supplier's carrier", async function () {
            const { ledger, actors, shipmentId, record } = await loadFixture(tracingFixture);
            const [other, otherCarrier] = [actors.suppliers[1], actors.suppliers[2]];
            await ledger.trace.connect(other).setCarrier(otherCarrier.address, true);
            for (const account of [other, otherCarrier]) {
              await expect(recordStep(ledger.trace, account, shipmentId, record, step, await time.latest()))
                .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
                .withArgs(shipmentId, step, account.address);
            }
          });

          it("reverts with TraceStepNotAllowed for the hospital, its members and strangers", async function () {
            const { ledger, actors, shipmentId, record } = await loadFixture(tracingFixture);
            for (const account of [actors.hospital, actors.approvers[0], actors.receiver, actors.stranger]) {
              await expect(recordStep(ledger.trace, account, shipmentId, record, step, await time.latest()))
                .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
                .withArgs(shipmentId, step, account.address);
            }
          });
        });
      }

      describe("when Arriving is recorded twice", function () {
        it("keeps the block time of the first as the arrival time", async function () {
          const { ledger, supplier, actors, shipmentId, record } = await loadFixture(tracingFixture);
          const first = (await time.latest()) + 60;
          await time.setNextBlockTimestamp(first);
          await recordStep(ledger.trace, supplier, shipmentId, record, Step.Arriving, first);
          await time.increase(3600);
          await recordStep(
            ledger.trace,
            actors.carrier,
            shipmentId,
            record,
            Step.Arriving,
            await time.latest(),
          );
          const state = await ledger.trace.shipmentState(shipmentId);
          expect(state.arrivedAt).to.equal(first);
          expect([state.receivedAt, state.hospitalCustody]).to.deep.equal([0n, false]);
        });
      });

      describe("when only Shipping and Departing are recorded", function () {
        it("leaves the shipment's state untouched", async function () {
          const { ledger, supplier, shipmentId, record } = await loadFixture(tracingFixture);
          for (const step of [Step.Shipping, Step.Departing]) {
            await recordStep(ledger.trace, supplier, shipmentId, record, step, await time.latest());
          }
          expect([...(await ledger.trace.shipmentState(shipmentId))]).to.deep.equal([
            0n,
            0n,
            false,
            false,
            false,
            false,
          ]);
        });
      });

      describe("once the hospital has taken custody", function () {
        it("reverts with TraceStepNotAllowed for the supplier and its carrier", async function () {
          const { ledger, actors, supplier, shipmentId, record } = await loadFixture(tracingFixture);
          await recordStep(
            ledger.trace,
            actors.receiver,
            shipmentId,
            record,
            Step.Receiving,
            await time.latest(),
          );
          expect((await ledger.trace.shipmentState(shipmentId)).hospitalCustody).to.equal(true);
          for (const step of TRANSPORT_STEPS) {
            for (const account of [supplier, actors.carrier]) {
              await expect(recordStep(ledger.trace, account, shipmentId, record, step, await time.latest()))
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
          it("lets the hospital admin and every member record it", async function () {
            const { ledger, actors, shipmentId, record } = await loadFixture(tracingFixture);
            const staff = [actors.hospital, ...actors.approvers, actors.settler, actors.receiver];
            for (const account of staff) {
              const at = await time.latest();
              await expect(recordStep(ledger.trace, account, shipmentId, record, step, at))
                .to.emit(ledger.trace, "TraceEventRecorded")
                .withArgs(shipmentId, step, account.address, WAREHOUSE_GLN, at, ethers.ZeroHash, false);
            }
          });

          it("takes custody at the block time of the first hospital step only", async function () {
            const { ledger, actors, shipmentId, record } = await loadFixture(tracingFixture);
            const first = (await time.latest()) + 60;
            await time.setNextBlockTimestamp(first);
            await recordStep(ledger.trace, actors.receiver, shipmentId, record, step, first);
            await time.increase(3600);
            await recordStep(
              ledger.trace,
              actors.hospital,
              shipmentId,
              record,
              Step.Storing,
              await time.latest(),
            );
            const state = await ledger.trace.shipmentState(shipmentId);
            expect([state.receivedAt, state.hospitalCustody, state.arrivedAt]).to.deep.equal([
              BigInt(first),
              true,
              0n,
            ]);
          });

          it("reverts with TraceStepNotAllowed for the supplier and its carrier", async function () {
            const { ledger, actors, supplier, shipmentId, record } = await loadFixture(tracingFixture);
            for (const account of [supplier, actors.carrier]) {
              await expect(recordStep(ledger.trace, account, shipmentId, record, step, await time.latest()))
                .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
                .withArgs(shipmentId, step, account.address);
            }
          });

          it("reverts with TraceStepNotAllowed for another hospital and for strangers", async function () {
            const { ledger, actors, shipmentId, record } = await loadFixture(tracingFixture);
            for (const account of [actors.hospital2, actors.stranger]) {
              await expect(recordStep(ledger.trace, account, shipmentId, record, step, await time.latest()))
                .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
                .withArgs(shipmentId, step, account.address);
            }
            expect((await ledger.trace.shipmentState(shipmentId)).hospitalCustody).to.equal(false);
          });
        });
      }

      describe("when a member has been removed from the hospital", function () {
        it("reverts with TraceStepNotAllowed", async function () {
          const { ledger, actors, shipmentId, record } = await loadFixture(tracingFixture);
          await ledger.hospitals.connect(actors.hospital).setMemberRoles(actors.receiver.address, 0);
          await expect(
            recordStep(
              ledger.trace,
              actors.receiver,
              shipmentId,
              record,
              Step.Receiving,
              await time.latest(),
            ),
          )
            .to.be.revertedWithCustomError(ledger.trace, "TraceStepNotAllowed")
            .withArgs(shipmentId, Step.Receiving, actors.receiver.address);
        });
      });

      describe("when another hospital passes a record naming itself", function () {
        it("reverts with TraceRecordMismatch", async function () {
          const { ledger, actors, shipmentId, record } = await loadFixture(tracingFixture);
          const forged = { ...record, hospital: actors.hospital2.address };
          await expect(
            recordStep(
              ledger.trace,
              actors.hospital2,
              shipmentId,
              forged,
              Step.Receiving,
              await time.latest(),
            ),
          )
            .to.be.revertedWithCustomError(ledger.trace, "TraceRecordMismatch")
            .withArgs(shipmentId);
          expect((await ledger.trace.shipmentState(shipmentId)).hospitalCustody).to.equal(false);
        });
      });
    });

    describe("when the event time is in the future", function () {
      it("reverts with TraceEventInFuture", async function () {
        const { ledger, supplier, shipmentId, record } = await loadFixture(tracingFixture);
        const now = (await time.latest()) + 100;
        await time.setNextBlockTimestamp(now);
        await expect(recordStep(ledger.trace, supplier, shipmentId, record, Step.Shipping, now + 1))
          .to.be.revertedWithCustomError(ledger.trace, "TraceEventInFuture")
          .withArgs(now + 1, now);
      });
    });

    describe("when the event time is the block time or earlier", function () {
      it("records the event", async function () {
        const { ledger, supplier, shipmentId, record } = await loadFixture(tracingFixture);
        const now = (await time.latest()) + 100;
        await time.setNextBlockTimestamp(now);
        await expect(recordStep(ledger.trace, supplier, shipmentId, record, Step.Shipping, now)).to.emit(
          ledger.trace,
          "TraceEventRecorded",
        );
        await expect(recordStep(ledger.trace, supplier, shipmentId, record, Step.Departing, now - 3600))
          .to.emit(ledger.trace, "TraceEventRecorded")
          .withArgs(
            shipmentId,
            Step.Departing,
            supplier.address,
            WAREHOUSE_GLN,
            now - 3600,
            ethers.ZeroHash,
            false,
          );
        const logs = await ledger.trace.queryFilter(ledger.trace.filters.TraceEventRecorded(shipmentId));
        expect(logs.map((l) => l.args.step)).to.deep.equal([BigInt(Step.Shipping), BigInt(Step.Departing)]);
      });
    });

    describe("when the event reports a sensor excursion", function () {
      it("carries the sensor digest and flags the shipment", async function () {
        const { ledger, actors, shipmentId, record } = await loadFixture(tracingFixture);
        const at = await time.latest();
        const location = ethers.id("GLN 6901234000024");
        await expect(
          ledger.trace
            .connect(actors.carrier)
            .recordTraceEvent(shipmentId, record, Step.Departing, location, at, SENSOR_DIGEST, true),
        )
          .to.emit(ledger.trace, "TraceEventRecorded")
          .withArgs(shipmentId, Step.Departing, actors.carrier.address, location, at, SENSOR_DIGEST, true);
        expect((await ledger.trace.shipmentState(shipmentId)).excursion).to.equal(true);
      });
    });

    describe("when a later event reports no excursion", function () {
      it("keeps the shipment flagged", async function () {
        const { ledger, supplier, shipmentId, record } = await loadFixture(tracingFixture);
        const at = await time.latest();
        await ledger.trace
          .connect(supplier)
          .recordTraceEvent(shipmentId, record, Step.Shipping, WAREHOUSE_GLN, at, SENSOR_DIGEST, true);
        await recordStep(ledger.trace, supplier, shipmentId, record, Step.Departing, at);
        expect((await ledger.trace.shipmentState(shipmentId)).excursion).to.equal(true);
      });
    });

    describe("when the shipment does not exist", function () {
      it("reverts with TraceShipmentNotFound", async function () {
        const { ledger, supplier, record } = await loadFixture(tracingFixture);
        await expect(recordStep(ledger.trace, supplier, 2n, record, Step.Shipping, await time.latest()))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(2n);
      });
    });

    describe("when the trace is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, supplier, shipmentId, record } = await loadFixture(tracingFixture);
        await ledger.trace.connect(actors.admin).pause();
        await expect(
          recordStep(ledger.trace, supplier, shipmentId, record, Step.Shipping, await time.latest()),
        ).to.be.revertedWithCustomError(ledger.trace, "EnforcedPause");
      });
    });
  });

  describe("waiveExcursion", function () {
    async function excursionFixture() {
      const base = await shippedFixture();
      const { ledger, supplier, shipmentId, record } = base;
      const at = await time.latest();
      await ledger.trace
        .connect(supplier)
        .recordTraceEvent(shipmentId, record, Step.Departing, WAREHOUSE_GLN, at, SENSOR_DIGEST, true);
      return base;
    }

    describe("when the shipment had an excursion", function () {
      describe("and an approver of the order's hospital waives it", function () {
        it("emits ExcursionWaived and marks the shipment waived", async function () {
          const { ledger, actors, shipmentId, record } = await loadFixture(excursionFixture);
          await expect(
            ledger.trace.connect(actors.approvers[1]).waiveExcursion(shipmentId, record, WAIVER_REASON),
          )
            .to.emit(ledger.trace, "ExcursionWaived")
            .withArgs(shipmentId, actors.approvers[1].address, WAIVER_REASON);
          const s = await ledger.trace.shipmentState(shipmentId);
          expect([s.excursion, s.excursionWaived]).to.deep.equal([true, true]);
        });

        it("lets the settler settle the shipment", async function () {
          const fx = await loadFixture(excursionFixture);
          await fx.ledger.trace
            .connect(fx.actors.approvers[0])
            .waiveExcursion(fx.shipmentId, fx.record, WAIVER_REASON);
          await expect(settleAll(fx)).to.emit(fx.ledger.orderBook, "ShipmentSettled");
          expect((await fx.ledger.trace.shipmentState(fx.shipmentId)).confirmed).to.equal(true);
        });

        describe("and a further excursion is recorded after the waiver", function () {
          it("needs a new waiver before the shipment can be settled", async function () {
            const fx = await loadFixture(excursionFixture);
            const { ledger, actors, shipmentId, record } = fx;
            await ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, record, WAIVER_REASON);
            await ledger.trace
              .connect(actors.receiver)
              .recordTraceEvent(
                shipmentId,
                record,
                Step.Storing,
                WAREHOUSE_GLN,
                await time.latest(),
                SENSOR_DIGEST,
                true,
              );
            expect((await ledger.trace.shipmentState(shipmentId)).excursionWaived).to.equal(false);
            await expect(settleAll(fx))
              .to.be.revertedWithCustomError(ledger.orderBook, "SettlementExcursionNotWaived")
              .withArgs(shipmentId);
            await ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, record, WAIVER_REASON);
            await expect(settleAll(fx)).to.emit(ledger.orderBook, "ShipmentSettled");
          });
        });

        describe("and a later event reports no excursion", function () {
          it("keeps the waiver", async function () {
            const { ledger, actors, shipmentId, record } = await loadFixture(excursionFixture);
            await ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, record, WAIVER_REASON);
            await recordStep(
              ledger.trace,
              actors.receiver,
              shipmentId,
              record,
              Step.Receiving,
              await time.latest(),
            );
            expect((await ledger.trace.shipmentState(shipmentId)).excursionWaived).to.equal(true);
          });
        });
      });

      describe("and nobody waives it", function () {
        it("blocks settlement with SettlementExcursionNotWaived", async function () {
          const fx = await loadFixture(excursionFixture);
          await expect(settleAll(fx))
            .to.be.revertedWithCustomError(fx.ledger.orderBook, "SettlementExcursionNotWaived")
            .withArgs(fx.shipmentId);
        });
      });

      describe("and the caller is not an approver of the order's hospital", function () {
        it("reverts with TraceNotApprover", async function () {
          const { ledger, actors, supplier, shipmentId, record } = await loadFixture(excursionFixture);
          for (const account of [
            actors.hospital,
            actors.settler,
            actors.receiver,
            supplier,
            actors.regulator,
          ]) {
            await expect(ledger.trace.connect(account).waiveExcursion(shipmentId, record, WAIVER_REASON))
              .to.be.revertedWithCustomError(ledger.trace, "TraceNotApprover")
              .withArgs(shipmentId, account.address);
          }
        });
      });
    });

    describe("when the shipment had no excursion", function () {
      it("reverts with TraceNoExcursion", async function () {
        const { ledger, actors, shipmentId, record } = await loadFixture(shippedFixture);
        await expect(
          ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, record, WAIVER_REASON),
        )
          .to.be.revertedWithCustomError(ledger.trace, "TraceNoExcursion")
          .withArgs(shipmentId);
      });
    });

    describe("when the shipment does not exist", function () {
      it("reverts with TraceShipmentNotFound", async function () {
        const { ledger, actors, record } = await loadFixture(shippedFixture);
        await expect(ledger.trace.connect(actors.approvers[0]).waiveExcursion(5n, record, WAIVER_REASON))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(5n);
      });
    });

    describe("when the trace is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors, shipmentId, record } = await loadFixture(excursionFixture);
        await ledger.trace.connect(actors.admin).pause();
        await expect(
          ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, record, WAIVER_REASON),
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
    describe("when a supplier recalls a lot", function () {
      it("emits LotRecalled scoped to itself and recalls that lot for it only", async function () {
        const { ledger, actors, supplier } = await loadFixture(shippedFixture);
        const key = await ledger.trace.lotKey(GTIN, LOT);
        const at = (await time.latest()) + 60;
        await time.setNextBlockTimestamp(at);
        await expect(ledger.trace.connect(supplier).recall(GTIN, LOT, RECALL_REASON))
          .to.emit(ledger.trace, "LotRecalled")
          .withArgs(key, GTIN, LOT, supplier.address, supplier.address, RECALL_REASON, at);
        expect(await ledger.trace.isRecalled(GTIN, LOT, supplier.address)).to.equal(true);
        expect(await ledger.trace.isRecalled(GTIN, LOT, actors.suppliers[1].address)).to.equal(false);
        expect(await ledger.trace.isRecalled(GTIN, OTHER_LOT, supplier.address)).to.equal(false);
        expect(await ledger.trace.isRecalled(OTHER_GTIN, LOT, supplier.address)).to.equal(false);
      });
    });

    describe("when a regulator recalls a lot", function () {
      it("emits LotRecalled with the zero scope, even if the lot was never shipped", async function () {
        const { ledger, actors, supplier } = await loadFixture(fundedOrderFixture);
        const key = await ledger.trace.lotKey(OTHER_GTIN, "NEVER-SHIPPED");
        const at = (await time.latest()) + 60;
        await time.setNextBlockTimestamp(at);
        await expect(
          ledger.trace.connect(actors.regulator).recall(OTHER_GTIN, "NEVER-SHIPPED", RECALL_REASON),
        )
          .to.emit(ledger.trace, "LotRecalled")
          .withArgs(
            key,
            OTHER_GTIN,
            "NEVER-SHIPPED",
            ethers.ZeroAddress,
            actors.regulator.address,
            RECALL_REASON,
            at,
          );
        for (const account of [supplier, actors.suppliers[1], actors.stranger]) {
          expect(await ledger.trace.isRecalled(OTHER_GTIN, "NEVER-SHIPPED", account.address)).to.equal(true);
        }
      });
    });

    describe("when the lot is already recalled in the caller's scope or globally", function () {
      it("reverts with TraceLotRecalled", async function () {
        const { ledger, actors, supplier } = await loadFixture(shippedFixture);
        await ledger.trace.connect(supplier).recall(GTIN, LOT, RECALL_REASON);
        await expect(ledger.trace.connect(supplier).recall(GTIN, LOT, RECALL_REASON))
          .to.be.revertedWithCustomError(ledger.trace, "TraceLotRecalled")
          .withArgs(GTIN, LOT);
        // A supplier's recall does not stop the regulator's global one.
        await expect(ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON)).to.emit(
          ledger.trace,
          "LotRecalled",
        );
        await expect(ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON))
          .to.be.revertedWithCustomError(ledger.trace, "TraceLotRecalled")
          .withArgs(GTIN, LOT);
        await expect(ledger.trace.connect(actors.suppliers[1]).recall(GTIN, LOT, RECALL_REASON))
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
          const fx = await loadFixture(recalledFixture);
          await expect(settleAll(fx))
            .to.be.revertedWithCustomError(fx.ledger.orderBook, "SettlementLotRecalled")
            .withArgs(fx.shipmentId, GTIN, LOT);
        });
      });

      describe("rejecting every unit", function () {
        it("settles without paying and marks the shipment confirmed", async function () {
          const fx = await loadFixture(recalledFixture);
          const before = await fx.ledger.token.balanceOf(fx.supplier.address);
          await expect(settleAll(fx, fx.shipmentId, fx.record, false))
            .to.emit(fx.ledger.orderBook, "ShipmentSettled")
            .and.not.to.emit(fx.ledger.token, "Transfer");
          expect(await fx.ledger.token.balanceOf(fx.supplier.address)).to.equal(before);
          expect((await fx.ledger.trace.shipmentState(fx.shipmentId)).confirmed).to.equal(true);
        });
      });
    });
  });

  describe("liftRecall", function () {
    describe("when a regulator lifts a supplier's recall", function () {
      it("emits RecallLifted with the scope and reason and clears that scope only", async function () {
        const { ledger, actors, supplier } = await loadFixture(shippedFixture);
        await ledger.trace.connect(supplier).recall(GTIN, LOT, RECALL_REASON);
        await ledger.trace.connect(actors.suppliers[1]).recall(GTIN, LOT, RECALL_REASON);
        await expect(
          ledger.trace.connect(actors.regulator).liftRecall(GTIN, LOT, supplier.address, LIFT_REASON),
        )
          .to.emit(ledger.trace, "RecallLifted")
          .withArgs(
            await ledger.trace.lotKey(GTIN, LOT),
            GTIN,
            LOT,
            supplier.address,
            actors.regulator.address,
            LIFT_REASON,
          );
        expect(await ledger.trace.isRecalled(GTIN, LOT, supplier.address)).to.equal(false);
        expect(await ledger.trace.isRecalled(GTIN, LOT, actors.suppliers[1].address)).to.equal(true);
      });
    });

    describe("when nothing is recalled in that scope", function () {
      it("reverts with TraceLotNotRecalled", async function () {
        const { ledger, actors, supplier } = await loadFixture(shippedFixture);
        await ledger.trace.connect(supplier).recall(GTIN, LOT, RECALL_REASON);
        await expect(
          ledger.trace.connect(actors.regulator).liftRecall(GTIN, LOT, ethers.ZeroAddress, LIFT_REASON),
        )
          .to.be.revertedWithCustomError(ledger.trace, "TraceLotNotRecalled")
          .withArgs(GTIN, LOT, ethers.ZeroAddress);
        await expect(
          ledger.trace.connect(actors.regulator).liftRecall(GTIN, OTHER_LOT, supplier.address, LIFT_REASON),
        )
          .to.be.revertedWithCustomError(ledger.trace, "TraceLotNotRecalled")
          .withArgs(GTIN, OTHER_LOT, supplier.address);
      });
    });
  });

  describe("attack: recall abuse", function () {
    describe("when a supplier ships one unit declaring a competitor's GTIN and lot (on v1, to gain the right to recall it)", function () {
      it("reverts with TraceGtinNotRegistered and ships nothing", async function () {
        const fx = await loadFixture(attackerFixture);
        const { ledger, attacker, attackerOrderId } = fx;
        // The attacker holds a funded order of its own, as the v1 attack needed.
        expect(await ledger.orderBook.remainingToShip(attackerOrderId)).to.equal(ORDER_QUANTITY);
        const before = await ledger.trace.shipmentCount();
        await expect(
          ledger.trace
            .connect(attacker)
            .createShipment(await shipmentInput(attackerOrderId, { gtin: GTIN, lot: LOT, quantity: 1n })),
        )
          .to.be.revertedWithCustomError(ledger.trace, "TraceGtinNotRegistered")
          .withArgs(attacker.address, GTIN);
        expect(await ledger.trace.shipmentCount()).to.equal(before);
        // The recall it was after now covers only its own (non-existent) shipments of the lot.
        await ledger.trace.connect(attacker).recall(GTIN, LOT, RECALL_REASON);
        expect(await ledger.trace.isRecalled(GTIN, LOT, fx.supplier.address)).to.equal(false);
        await expect(settleAll(fx)).to.emit(ledger.orderBook, "ShipmentSettled");
      });
    });

    describe("when a supplier that shipped the same GTIN and lot recalls it", function () {
      it("recalls only its own shipments: the competitor still ships and is paid", async function () {
        const fx = await loadFixture(attackerFixture);
        const { ledger, actors, supplier, orderId, attacker, attackerOrderId } = fx;
        // A distributor of the same product, registered for the GTIN by its own certificate.
        await registerGtins(ledger, actors.regulator, attacker, [GTIN]);
        const own = await ship(fx, attacker, attackerOrderId, { quantity: 1n });

        const at = (await time.latest()) + 60;
        await time.setNextBlockTimestamp(at);
        await expect(ledger.trace.connect(attacker).recall(GTIN, LOT, RECALL_REASON))
          .to.emit(ledger.trace, "LotRecalled")
          .withArgs(
            await ledger.trace.lotKey(GTIN, LOT),
            GTIN,
            LOT,
            attacker.address,
            attacker.address,
            RECALL_REASON,
            at,
          );
        expect(await ledger.trace.isRecalled(GTIN, LOT, supplier.address)).to.equal(false);
        expect(await ledger.trace.isRecalled(GTIN, LOT, attacker.address)).to.equal(true);

        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId))).to.emit(
          ledger.trace,
          "ShipmentCreated",
        );
        await expect(settleAll(fx)).to.changeTokenBalances(
          ledger.token,
          [supplier],
          [BigInt(fx.record.quantity) * FIRST_TIER_PRICE],
        );
        // The attacker's own stock of the lot is what it stopped.
        await expect(ledger.trace.connect(attacker).createShipment(await shipmentInput(attackerOrderId)))
          .to.be.revertedWithCustomError(ledger.trace, "TraceLotRecalled")
          .withArgs(GTIN, LOT);
        await expect(settleAll(fx, own.shipmentId, own.record))
          .to.be.revertedWithCustomError(ledger.orderBook, "SettlementLotRecalled")
          .withArgs(own.shipmentId, GTIN, LOT);
      });
    });

    describe("when a regulator recalls the lot", function () {
      it("recalls every supplier's shipments of it", async function () {
        const fx = await loadFixture(attackerFixture);
        const { ledger, actors, supplier, orderId, attacker, attackerOrderId } = fx;
        await registerGtins(ledger, actors.regulator, attacker, [GTIN]);
        await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON);
        for (const s of [supplier, attacker]) {
          expect(await ledger.trace.isRecalled(GTIN, LOT, s.address)).to.equal(true);
        }
        for (const [s, o] of [
          [supplier, orderId],
          [attacker, attackerOrderId],
        ] as const) {
          await expect(ledger.trace.connect(s).createShipment(await shipmentInput(o)))
            .to.be.revertedWithCustomError(ledger.trace, "TraceLotRecalled")
            .withArgs(GTIN, LOT);
        }
        await expect(settleAll(fx))
          .to.be.revertedWithCustomError(ledger.orderBook, "SettlementLotRecalled")
          .withArgs(fx.shipmentId, GTIN, LOT);
      });
    });

    describe("when a regulator lifts the global recall", function () {
      it("emits RecallLifted with its reason and lets the lot ship and be paid again", async function () {
        const fx = await loadFixture(shippedFixture);
        const { ledger, actors, supplier, orderId } = fx;
        await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON);
        await expect(
          ledger.trace.connect(actors.regulator).liftRecall(GTIN, LOT, ethers.ZeroAddress, LIFT_REASON),
        )
          .to.emit(ledger.trace, "RecallLifted")
          .withArgs(
            await ledger.trace.lotKey(GTIN, LOT),
            GTIN,
            LOT,
            ethers.ZeroAddress,
            actors.regulator.address,
            LIFT_REASON,
          );
        expect(await ledger.trace.isRecalled(GTIN, LOT, supplier.address)).to.equal(false);
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId))).to.emit(
          ledger.trace,
          "ShipmentCreated",
        );
        await expect(settleAll(fx)).to.changeTokenBalances(
          ledger.token,
          [supplier],
          [BigInt(fx.record.quantity) * FIRST_TIER_PRICE],
        );
      });
    });

    describe("when anyone but a regulator tries to lift a recall", function () {
      it("reverts with LedgerUnauthorized, even for the supplier's own recall", async function () {
        const { ledger, actors, supplier } = await loadFixture(shippedFixture);
        await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON);
        await ledger.trace.connect(actors.suppliers[1]).recall(GTIN, OTHER_LOT, RECALL_REASON);
        for (const account of [supplier, actors.hospital, actors.admin, actors.stranger]) {
          await expect(ledger.trace.connect(account).liftRecall(GTIN, LOT, ethers.ZeroAddress, LIFT_REASON))
            .to.be.revertedWithCustomError(ledger.trace, "LedgerUnauthorized")
            .withArgs(account.address, REGULATOR_ROLE);
        }
        const own = actors.suppliers[1];
        await expect(ledger.trace.connect(own).liftRecall(GTIN, OTHER_LOT, own.address, LIFT_REASON))
          .to.be.revertedWithCustomError(ledger.trace, "LedgerUnauthorized")
          .withArgs(own.address, REGULATOR_ROLE);
        expect(await ledger.trace.isRecalled(GTIN, LOT, supplier.address)).to.equal(true);
        expect(await ledger.trace.isRecalled(GTIN, OTHER_LOT, own.address)).to.equal(true);
      });
    });

    describe("when the trace is paused", function () {
      it("still recalls and lifts: stopping unsafe stock must not wait for an unpause", async function () {
        const { ledger, actors, supplier } = await loadFixture(shippedFixture);
        await ledger.trace.connect(actors.admin).pause();
        await expect(ledger.trace.connect(supplier).recall(GTIN, OTHER_LOT, RECALL_REASON)).to.emit(
          ledger.trace,
          "LotRecalled",
        );
        await expect(ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON)).to.emit(
          ledger.trace,
          "LotRecalled",
        );
        await expect(
          ledger.trace.connect(actors.regulator).liftRecall(GTIN, LOT, ethers.ZeroAddress, LIFT_REASON),
        ).to.emit(ledger.trace, "RecallLifted");
        expect(await ledger.trace.isRecalled(GTIN, LOT, supplier.address)).to.equal(false);
      });
    });

    describe("when a lifted lot turns out unsafe after all", function () {
      it("can be recalled again", async function () {
        const fx = await loadFixture(shippedFixture);
        const { ledger, actors, supplier, orderId } = fx;
        await ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON);
        await ledger.trace.connect(actors.regulator).liftRecall(GTIN, LOT, ethers.ZeroAddress, LIFT_REASON);
        const at = (await time.latest()) + 60;
        await time.setNextBlockTimestamp(at);
        await expect(ledger.trace.connect(actors.regulator).recall(GTIN, LOT, RECALL_REASON + 1))
          .to.emit(ledger.trace, "LotRecalled")
          .withArgs(
            await ledger.trace.lotKey(GTIN, LOT),
            GTIN,
            LOT,
            ethers.ZeroAddress,
            actors.regulator.address,
            RECALL_REASON + 1,
            at,
          );
        expect(await ledger.trace.isRecalled(GTIN, LOT, supplier.address)).to.equal(true);
        await expect(ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId)))
          .to.be.revertedWithCustomError(ledger.trace, "TraceLotRecalled")
          .withArgs(GTIN, LOT);
      });
    });
  });

  describe("markConfirmed", function () {
    /** What the order book passes: the record's hash, the lot key and the supplier. */
    function confirmArgs(shipmentId: bigint, record: ShipmentRecordStruct) {
      return [shipmentId, recordHash(record), lotKeyOf(record.gtin, record.lot), record.supplier] as const;
    }

    async function orderBookSignerFixture() {
      const base = await shippedFixture();
      const orderBook = await ethers.getImpersonatedSigner(await base.ledger.orderBook.getAddress());
      await setBalance(orderBook.address, ethers.parseEther("1"));
      return { ...base, orderBook };
    }

    describe("when the caller is not the order book", function () {
      it("reverts with TraceCallerNotOrderBook", async function () {
        const { ledger, actors, shipmentId, record } = await loadFixture(shippedFixture);
        for (const account of [actors.admin, actors.settler]) {
          await expect(ledger.trace.connect(account).markConfirmed(...confirmArgs(shipmentId, record)))
            .to.be.revertedWithCustomError(ledger.trace, "TraceCallerNotOrderBook")
            .withArgs(account.address);
        }
      });
    });

    describe("when the order book settles a shipment the hospital never recorded receiving", function () {
      it("marks it confirmed and takes the settlement as the receiving record", async function () {
        const fx = await loadFixture(shippedFixture);
        const at = (await time.latest()) + 60;
        await time.setNextBlockTimestamp(at);
        await expect(settleAll(fx)).to.emit(fx.ledger.orderBook, "ShipmentSettled");
        const state = await fx.ledger.trace.shipmentState(fx.shipmentId);
        expect([...state]).to.deep.equal([0n, BigInt(at), true, false, false, true]);
      });
    });

    describe("when the shipment has arrival and receiving records, an excursion and a recall", function () {
      it("returns both times, the recall and the unwaived excursion", async function () {
        const { ledger, actors, supplier, orderBook, shipmentId, record } =
          await loadFixture(orderBookSignerFixture);
        const arrived = (await time.latest()) + 60;
        await time.setNextBlockTimestamp(arrived);
        await recordStep(ledger.trace, supplier, shipmentId, record, Step.Arriving, arrived);
        const received = arrived + 600;
        await time.setNextBlockTimestamp(received);
        await ledger.trace
          .connect(actors.receiver)
          .recordTraceEvent(shipmentId, record, Step.Receiving, WAREHOUSE_GLN, received, SENSOR_DIGEST, true);
        await ledger.trace.connect(supplier).recall(GTIN, LOT, RECALL_REASON);
        expect([
          ...(await ledger.trace
            .connect(orderBook)
            .markConfirmed.staticCall(...confirmArgs(shipmentId, record))),
        ]).to.deep.equal([BigInt(arrived), BigInt(received), true, true]);
        await ledger.trace.connect(actors.approvers[0]).waiveExcursion(shipmentId, record, WAIVER_REASON);
        expect(
          (
            await ledger.trace.connect(orderBook).markConfirmed.staticCall(...confirmArgs(shipmentId, record))
          )[3],
        ).to.equal(false);
      });
    });

    describe("when the shipment is already confirmed", function () {
      it("reverts with TraceAlreadyConfirmed", async function () {
        const { ledger, orderBook, shipmentId, record } = await loadFixture(orderBookSignerFixture);
        await ledger.trace.connect(orderBook).markConfirmed(...confirmArgs(shipmentId, record));
        expect((await ledger.trace.shipmentState(shipmentId)).confirmed).to.equal(true);
        await expect(ledger.trace.connect(orderBook).markConfirmed(...confirmArgs(shipmentId, record)))
          .to.be.revertedWithCustomError(ledger.trace, "TraceAlreadyConfirmed")
          .withArgs(shipmentId);
      });
    });

    describe("when the record does not match", function () {
      it("reverts with TraceRecordMismatch", async function () {
        const { ledger, orderBook, shipmentId, record } = await loadFixture(orderBookSignerFixture);
        await expect(
          ledger.trace
            .connect(orderBook)
            .markConfirmed(...confirmArgs(shipmentId, { ...record, quantity: 1n })),
        )
          .to.be.revertedWithCustomError(ledger.trace, "TraceRecordMismatch")
          .withArgs(shipmentId);
      });
    });

    describe("when the shipment does not exist", function () {
      it("reverts with TraceShipmentNotFound", async function () {
        const { ledger, orderBook, record } = await loadFixture(orderBookSignerFixture);
        await expect(ledger.trace.connect(orderBook).markConfirmed(...confirmArgs(42n, record)))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(42n);
      });
    });
  });

  describe("shipmentState and shipmentHash", function () {
    describe("when the shipment does not exist", function () {
      it("revert with TraceShipmentNotFound", async function () {
        const { ledger } = await loadFixture(fundedOrderFixture);
        await expect(ledger.trace.shipmentState(0n))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(0n);
        await expect(ledger.trace.shipmentHash(1n))
          .to.be.revertedWithCustomError(ledger.trace, "TraceShipmentNotFound")
          .withArgs(1n);
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
