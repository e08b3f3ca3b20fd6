import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { ISSUING_AGENCIES } from "../../ledger/enums";
import { productKeyOf } from "../../ledger/product-key";
import { gtinCheckDigit } from "../../server/modules/barcodes";
import { BAD_GTIN, registerGtins, shipmentRecord } from "./helpers/fixtures";
import { fundedOrderFixture, LOT, shipmentInput } from "./helpers/trace";

/**
 * Device identifiers of agencies other than GS1 (SupplierRegistry.declareDeviceIdentifier): a
 * declared identifier's product key (≥ 10^14, never a GTIN) is registered, shipped, recalled,
 * settled and moved between campuses exactly like a GTIN.
 */

const MA = ISSUING_AGENCIES.indexOf("MA");
const AHM = ISSUING_AGENCIES.indexOf("AHM");
const MA_DI = "MA.156.M0.100761.21234561";
const MA_KEY = BigInt(productKeyOf("MA", MA_DI));
const RECEIPT_HASH = ethers.id("GRN-MA");
/** Supplier 0's stents agreement prices its first 100 accepted units at 10,000 fen. */
const FIRST_TIER_PRICE = 10_000n;

async function declaredFixture() {
  const fx = await fundedOrderFixture();
  await fx.ledger.registry.connect(fx.supplier).declareDeviceIdentifier(MA, MA_DI);
  return fx;
}

describe("Device identifiers of other agencies", function () {
  describe("declareDeviceIdentifier", function () {
    it("binds the MA identifier's key (the same the gateway computes) and emits it with the identifier", async function () {
      const { ledger, supplier } = await loadFixture(fundedOrderFixture);
      expect(MA_KEY >= 10n ** 14n).to.equal(true);
      expect(await ledger.registry.productKeyOf(MA, MA_DI)).to.equal(MA_KEY);
      expect(await ledger.registry.isProductKeyDeclared(MA_KEY)).to.equal(false);
      const tx = await ledger.registry.connect(supplier).declareDeviceIdentifier(MA, MA_DI);
      await expect(tx)
        .to.emit(ledger.registry, "DeviceIdentifierDeclared")
        .withArgs(MA_KEY, supplier.address, MA, MA_DI);
      expect(await ledger.registry.isProductKeyDeclared(MA_KEY)).to.equal(true);
      // Measured 58,547: one storage write, the form check and the event.
      expect((await tx.wait())!.gasUsed).to.be.below(60_000n);
    });

    it("accepts an AHM identifier as an opaque string, under a different key than the same text for MA", async function () {
      const { ledger, supplier } = await loadFixture(fundedOrderFixture);
      const di = "AHM-8835601-X1";
      await expect(ledger.registry.connect(supplier).declareDeviceIdentifier(AHM, di))
        .to.emit(ledger.registry, "DeviceIdentifierDeclared")
        .withArgs(BigInt(productKeyOf("AHM", di)), supplier.address, AHM, di);
      expect(await ledger.registry.productKeyOf(AHM, MA_DI)).to.not.equal(MA_KEY);
    });

    it("reverts with RegistryProductKeyTaken for an identifier already declared, by anyone", async function () {
      const { ledger, actors } = await loadFixture(declaredFixture);
      for (const who of [actors.suppliers[0], actors.suppliers[1]]) {
        if ((await ledger.registry.supplierStatus(who.address)) === 0n) {
          await ledger.registry
            .connect(who)
            .register(ethers.encodeBytes32String("Other"), ethers.encodeBytes32String("9131X"));
        }
        await expect(ledger.registry.connect(who).declareDeviceIdentifier(MA, MA_DI))
          .to.be.revertedWithCustomError(ledger.registry, "RegistryProductKeyTaken")
          .withArgs(MA_KEY, MA, MA_DI);
      }
    });

    const bad: [number, string][] = [
      [MA, "MA.156.M0.100761"], // four segments
      [MA, "MA.156.M0.100761."], // empty product code
      [MA, "MA.156.MX.100761.21234561"], // not the medical-device industry
      [MA, "MA.840.M0.100761.21234561"], // not China
      [MA, "MA.156.M0.10076.21234561"], // 5-character registrant
      [MA, "MA.156.M0.100761.2123-561"], // product code not alphanumeric
      [MA, `${MA_DI}.L1`], // a production identifier is not part of the DI
      [MA, "MA.156.M0.100761." + "1".repeat(48)], // 65 characters
      [AHM, ""],
      [AHM, "AHM 123"], // space
      [AHM, "=HYPERLINK(1)"], // spreadsheet formula
      [AHM, "批号"], // not ASCII
      [0, "09520123456788"], // no agency: a GTIN needs no declaration
    ];
    for (const [agency, di] of bad) {
      it(`reverts with RegistryInvalidDeviceIdentifier for ${ISSUING_AGENCIES[agency]} ${JSON.stringify(di)}`, async function () {
        const { ledger, supplier } = await loadFixture(fundedOrderFixture);
        await expect(ledger.registry.connect(supplier).declareDeviceIdentifier(agency, di))
          .to.be.revertedWithCustomError(ledger.registry, "RegistryInvalidDeviceIdentifier")
          .withArgs(agency, di);
      });
    }

    it("reverts with RegistrySupplierNotRegistered for an account that is no supplier", async function () {
      const { ledger, actors } = await loadFixture(fundedOrderFixture);
      await expect(ledger.registry.connect(actors.stranger).declareDeviceIdentifier(MA, MA_DI))
        .to.be.revertedWithCustomError(ledger.registry, "RegistrySupplierNotRegistered")
        .withArgs(actors.stranger.address);
    });
  });

  describe("fileProductRegistration", function () {
    it("reverts with RegistryProductKeyNotDeclared for a key no identifier was declared for", async function () {
      const { ledger, actors, supplier } = await loadFixture(fundedOrderFixture);
      await expect(registerGtins(ledger, actors.regulator, supplier, [MA_KEY]))
        .to.be.revertedWithCustomError(ledger.registry, "RegistryProductKeyNotDeclared")
        .withArgs(MA_KEY);
    });

    it("still reverts with RegistryInvalidGtin for a malformed GTIN below 10^14", async function () {
      const { ledger, actors, supplier } = await loadFixture(declaredFixture);
      await expect(registerGtins(ledger, actors.regulator, supplier, [MA_KEY, BAD_GTIN]))
        .to.be.revertedWithCustomError(ledger.registry, "RegistryInvalidGtin")
        .withArgs(BAD_GTIN);
    });
  });

  describe("an MA product end to end", function () {
    it("is registered, shipped, settled at the agreement's price, recalled and moved between campuses by its key", async function () {
      const fx = await loadFixture(declaredFixture);
      const { ledger, actors, supplier, orderId } = fx;
      const input = await shipmentInput(orderId, { gtin: MA_KEY });
      // Declared but not yet registered for the supplier: no shipment.
      await expect(ledger.trace.connect(supplier).createShipment(input))
        .to.be.revertedWithCustomError(ledger.trace, "TraceGtinNotRegistered")
        .withArgs(supplier.address, MA_KEY);

      await registerGtins(ledger, actors.regulator, supplier, [MA_KEY]);
      expect(await ledger.registry.isGtinRegistered(supplier.address, MA_KEY, await time.latest())).to.equal(
        true,
      );
      await ledger.trace.connect(supplier).createShipment(input);
      const shipmentId = await ledger.trace.shipmentCount();
      const record = await shipmentRecord(ledger, shipmentId);
      expect(record.gtin).to.equal(MA_KEY);

      const before = await ledger.token.balanceOf(supplier.address);
      await expect(
        ledger.orderBook
          .connect(actors.settler)
          .confirmShipment(shipmentId, record, { accepted: 10n, rejected: 0n, receiptHash: RECEIPT_HASH }),
      ).to.emit(ledger.orderBook, "ShipmentSettled");
      expect((await ledger.token.balanceOf(supplier.address)) - before).to.equal(10n * FIRST_TIER_PRICE);

      await ledger.trace.connect(actors.regulator).recall(MA_KEY, LOT, 7);
      expect(await ledger.trace.isRecalled(MA_KEY, LOT, supplier.address)).to.equal(true);
      await expect(
        ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, { gtin: MA_KEY })),
      )
        .to.be.revertedWithCustomError(ledger.trace, "TraceLotRecalled")
        .withArgs(MA_KEY, LOT);
    });

    it("a campus transfer takes the key, and still refuses a malformed GTIN", async function () {
      const { ledger, actors } = await loadFixture(declaredFixture);
      const main = BigInt(`690000000001${gtinCheckDigit("690000000001")}`);
      const east = BigInt(`690000000002${gtinCheckDigit("690000000002")}`);
      await expect(
        ledger.campusTransfers
          .connect(actors.receiver)
          .recordTransfer(MA_KEY, LOT, main, east, 2, ethers.ZeroHash),
      ).to.emit(ledger.campusTransfers, "CampusTransferRecorded");
      await expect(
        ledger.campusTransfers
          .connect(actors.receiver)
          .recordTransfer(BAD_GTIN, LOT, main, east, 2, ethers.ZeroHash),
      )
        .to.be.revertedWithCustomError(ledger.campusTransfers, "TransferInvalidGtin")
        .withArgs(BAD_GTIN);
    });
  });
});
