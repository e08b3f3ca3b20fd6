import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { LEDGER_BASED_CONTRACTS, lotKeyOf, type Ledger } from "../../ledger/contracts";
import type { ERC2771Forwarder } from "../../typechain-types/contracts/LedgerForwarder";
import { agreementFixture, DAY, GTIN, shipmentRecord } from "./helpers/fixtures";
import { fundedOrderFixture, LOT, recordHash, shipmentInput } from "./helpers/trace";

type ForwardRequestData = ERC2771Forwarder.ForwardRequestDataStruct;

const DOMAIN_NAME = "SunshineLedger";
const DOMAIN_VERSION = "1";
const REQUEST_GAS = 1_000_000n;
const FORWARD_REQUEST_TYPES = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
};

interface Unsigned {
  from: string;
  to: string;
  value: bigint;
  gas: bigint;
  nonce: bigint;
  deadline: bigint;
  data: string;
}

async function domainOf(ledger: Ledger, name = DOMAIN_NAME) {
  const { chainId } = await ethers.provider.getNetwork();
  return { name, version: DOMAIN_VERSION, chainId, verifyingContract: await ledger.forwarder.getAddress() };
}

/**
 * Builds `signer`'s EIP-712 forward request calling `to` with `data`, at the signer's current
 * nonce and a one-hour deadline unless overridden, and signs it (by `signedBy`, if given).
 */
async function signedRequest(
  ledger: Ledger,
  signer: HardhatEthersSigner,
  to: string,
  data: string,
  overrides: Partial<Unsigned> & { signedBy?: HardhatEthersSigner; domainName?: string } = {},
): Promise<{ request: ForwardRequestData; message: Unsigned }> {
  const { signedBy = signer, domainName, ...fields } = overrides;
  const message: Unsigned = {
    from: signer.address,
    to,
    value: 0n,
    gas: REQUEST_GAS,
    nonce: await ledger.forwarder.nonces(signer.address),
    deadline: BigInt(await time.latest()) + 3600n,
    data,
    ...fields,
  };
  const signature = await signedBy.signTypedData(
    await domainOf(ledger, domainName),
    FORWARD_REQUEST_TYPES,
    message,
  );
  // The forwarder reads the nonce from its own state; the request carries only the signature.
  const { from, value, gas, deadline } = message;
  return { request: { from, to: message.to, value, gas, deadline, data: message.data, signature }, message };
}

/** A supplier's signed createShipment for the funded order, ready for anyone to relay. */
async function relayedShipmentFixture() {
  const base = await fundedOrderFixture();
  const { ledger, supplier, orderId } = base;
  const input = await shipmentInput(orderId);
  const data = ledger.trace.interface.encodeFunctionData("createShipment", [input]);
  const signed = await signedRequest(ledger, supplier, await ledger.trace.getAddress(), data);
  return { ...base, input, ...signed };
}

describe("LedgerForwarder", function () {
  describe("eip712Domain", function () {
    it("is named SunshineLedger, version 1, on this chain and contract", async function () {
      const { ledger } = await loadFixture(fundedOrderFixture);
      const domain = await ledger.forwarder.eip712Domain();
      expect(domain.name).to.equal(DOMAIN_NAME);
      expect(domain.version).to.equal(DOMAIN_VERSION);
      expect(domain.chainId).to.equal(31337n);
      expect(domain.verifyingContract).to.equal(await ledger.forwarder.getAddress());
    });
  });

  describe("isTrustedForwarder", function () {
    for (const name of LEDGER_BASED_CONTRACTS) {
      describe(`on the ${name} contract`, function () {
        it("is true for the ledger's forwarder only", async function () {
          const { ledger, actors } = await loadFixture(fundedOrderFixture);
          const target = ledger[name];
          expect(await target.isTrustedForwarder(await ledger.forwarder.getAddress())).to.equal(true);
          expect(await target.trustedForwarder()).to.equal(await ledger.forwarder.getAddress());
          expect(await target.isTrustedForwarder(actors.stranger.address)).to.equal(false);
        });
      });
    }
  });

  describe("execute", function () {
    describe("when a stranger relays a supplier's signed createShipment", function () {
      it("creates the shipment as the supplier", async function () {
        const { ledger, actors, supplier, orderId, input, request } =
          await loadFixture(relayedShipmentFixture);
        await expect(ledger.forwarder.connect(actors.stranger).execute(request))
          .to.emit(ledger.trace, "ShipmentCreated")
          .withArgs(1n, supplier.address, await ledger.trace.lotKey(GTIN, LOT), anyValue)
          .and.to.emit(ledger.forwarder, "ExecutedForwardRequest")
          .withArgs(supplier.address, 0n, true);
        const record = await shipmentRecord(ledger, 1n);
        expect([record.supplier, record.orderId, record.quantity, record.serialRoot]).to.deep.equal([
          supplier.address,
          orderId,
          input.quantity,
          input.serialRoot,
        ]);
        expect(await ledger.forwarder.nonces(supplier.address)).to.equal(1n);
      });

      it("costs the supplier no ether", async function () {
        const { ledger, actors, supplier, request } = await loadFixture(relayedShipmentFixture);
        await expect(ledger.forwarder.connect(actors.stranger).execute(request)).to.changeEtherBalance(
          supplier,
          0n,
        );
      });
    });

    describe("when a stranger relays a new supplier's signed register", function () {
      it("registers the signer", async function () {
        const { ledger, actors } = await loadFixture(fundedOrderFixture);
        const newcomer = actors.suppliers[3];
        const [name, regId] = [
          ethers.encodeBytes32String("Newcomer"),
          ethers.encodeBytes32String("91440000Y"),
        ];
        const data = ledger.registry.interface.encodeFunctionData("register", [name, regId]);
        const { request } = await signedRequest(ledger, newcomer, await ledger.registry.getAddress(), data);
        const at = (await time.latest()) + 10;
        await time.setNextBlockTimestamp(at);
        await expect(ledger.forwarder.connect(actors.stranger).execute(request))
          .to.emit(ledger.registry, "SupplierRegistered")
          .withArgs(newcomer.address, name, regId, at);
        expect(await ledger.registry.supplierStatus(newcomer.address)).to.equal(1n);
      });
    });

    describe("when two approvers' signed approveOrder requests are relayed", function () {
      it("counts each approver and funds the order", async function () {
        const { ledger, actors, agreementId } = await loadFixture(agreementFixture);
        const deliveryDate = BigInt(await time.latest()) + 30n * BigInt(DAY);
        await ledger.orderBook
          .connect(actors.hospital)
          .placeOrder(agreementId, 600n, deliveryDate, ethers.id("PO"));
        const orderId = await ledger.orderBook.orderCount();
        const value = await ledger.agreements.quote(agreementId, 600n);
        expect(value).to.be.greaterThan(await ledger.hospitals.approvalThreshold(actors.hospital.address));
        const to = await ledger.orderBook.getAddress();
        const data = ledger.orderBook.interface.encodeFunctionData("approveOrder", [orderId]);
        const [first, second] = actors.approvers;

        const firstRequest = (await signedRequest(ledger, first, to, data)).request;
        await expect(ledger.forwarder.connect(actors.stranger).execute(firstRequest))
          .to.emit(ledger.orderBook, "OrderApproved")
          .withArgs(orderId, first.address, 1, 2)
          .and.not.to.emit(ledger.orderBook, "OrderFunded");

        const secondRequest = (await signedRequest(ledger, second, to, data)).request;
        await expect(ledger.forwarder.connect(actors.stranger).execute(secondRequest))
          .to.emit(ledger.orderBook, "OrderApproved")
          .withArgs(orderId, second.address, 2, 2)
          .and.to.emit(ledger.orderBook, "OrderFunded")
          .withArgs(orderId, actors.hospital.address, value);
        expect((await ledger.orderBook.order(orderId)).status).to.equal(2n);
      });
    });

    describe("when the signature is not the from account's", function () {
      it("reverts with ERC2771ForwarderInvalidSigner and keeps the nonce", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(relayedShipmentFixture);
        const data = ledger.trace.interface.encodeFunctionData("createShipment", [
          await shipmentInput(orderId),
        ]);
        const { request } = await signedRequest(ledger, supplier, await ledger.trace.getAddress(), data, {
          signedBy: actors.stranger,
        });
        expect(await ledger.forwarder.verify(request)).to.equal(false);
        await expect(ledger.forwarder.connect(actors.stranger).execute(request))
          .to.be.revertedWithCustomError(ledger.forwarder, "ERC2771ForwarderInvalidSigner")
          .withArgs(actors.stranger.address, supplier.address);
        expect(await ledger.forwarder.nonces(supplier.address)).to.equal(0n);
      });
    });

    describe("when the request was signed for another EIP-712 domain", function () {
      it("reverts with ERC2771ForwarderInvalidSigner", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(relayedShipmentFixture);
        const data = ledger.trace.interface.encodeFunctionData("createShipment", [
          await shipmentInput(orderId),
        ]);
        const { request, message } = await signedRequest(
          ledger,
          supplier,
          await ledger.trace.getAddress(),
          data,
          {
            domainName: "OtherLedger",
          },
        );
        const recovered = ethers.verifyTypedData(
          await domainOf(ledger),
          FORWARD_REQUEST_TYPES,
          message,
          request.signature as string,
        );
        await expect(ledger.forwarder.connect(actors.stranger).execute(request))
          .to.be.revertedWithCustomError(ledger.forwarder, "ERC2771ForwarderInvalidSigner")
          .withArgs(recovered, supplier.address);
      });
    });

    describe("when the relayer alters the signed data", function () {
      it("reverts with ERC2771ForwarderInvalidSigner", async function () {
        const { ledger, actors, supplier, orderId, request, message } =
          await loadFixture(relayedShipmentFixture);
        const altered = await shipmentInput(orderId, { quantity: 99n });
        const data = ledger.trace.interface.encodeFunctionData("createShipment", [altered]);
        const recovered = ethers.verifyTypedData(
          await domainOf(ledger),
          FORWARD_REQUEST_TYPES,
          { ...message, data },
          request.signature as string,
        );
        await expect(ledger.forwarder.connect(actors.stranger).execute({ ...request, data }))
          .to.be.revertedWithCustomError(ledger.forwarder, "ERC2771ForwarderInvalidSigner")
          .withArgs(recovered, supplier.address);
      });
    });

    describe("when the deadline has passed", function () {
      it("reverts with ERC2771ForwarderExpiredRequest", async function () {
        const { ledger, actors, request } = await loadFixture(relayedShipmentFixture);
        await time.increaseTo(BigInt(request.deadline) + 1n);
        expect(await ledger.forwarder.verify(request)).to.equal(false);
        await expect(ledger.forwarder.connect(actors.stranger).execute(request))
          .to.be.revertedWithCustomError(ledger.forwarder, "ERC2771ForwarderExpiredRequest")
          .withArgs(request.deadline);
      });
    });

    describe("when a request is relayed a second time", function () {
      it("reverts with ERC2771ForwarderInvalidSigner: its nonce is used", async function () {
        const { ledger, actors, supplier, request, message } = await loadFixture(relayedShipmentFixture);
        await ledger.forwarder.connect(actors.stranger).execute(request);
        // The forwarder hashes the current nonce (1), so the old signature recovers someone else.
        const recovered = ethers.verifyTypedData(
          await domainOf(ledger),
          FORWARD_REQUEST_TYPES,
          { ...message, nonce: 1n },
          request.signature as string,
        );
        expect(recovered).not.to.equal(supplier.address);
        await expect(ledger.forwarder.connect(actors.regulator).execute(request))
          .to.be.revertedWithCustomError(ledger.forwarder, "ERC2771ForwarderInvalidSigner")
          .withArgs(recovered, supplier.address);
        expect(await ledger.trace.shipmentCount()).to.equal(1n);
      });
    });

    describe("when the request was signed for a later nonce", function () {
      it("reverts with ERC2771ForwarderInvalidSigner", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(relayedShipmentFixture);
        const data = ledger.trace.interface.encodeFunctionData("createShipment", [
          await shipmentInput(orderId),
        ]);
        const { request, message } = await signedRequest(
          ledger,
          supplier,
          await ledger.trace.getAddress(),
          data,
          {
            nonce: 5n,
          },
        );
        const recovered = ethers.verifyTypedData(
          await domainOf(ledger),
          FORWARD_REQUEST_TYPES,
          { ...message, nonce: 0n },
          request.signature as string,
        );
        await expect(ledger.forwarder.connect(actors.stranger).execute(request))
          .to.be.revertedWithCustomError(ledger.forwarder, "ERC2771ForwarderInvalidSigner")
          .withArgs(recovered, supplier.address);
      });
    });

    describe("when the relayed call itself reverts", function () {
      it("reverts with FailedCall and keeps the nonce", async function () {
        const { ledger, actors, orderId } = await loadFixture(relayedShipmentFixture);
        // The carrier is registered for no GTIN, so the trace refuses the shipment.
        const data = ledger.trace.interface.encodeFunctionData("createShipment", [
          await shipmentInput(orderId),
        ]);
        const { request } = await signedRequest(
          ledger,
          actors.carrier,
          await ledger.trace.getAddress(),
          data,
        );
        expect(await ledger.forwarder.verify(request)).to.equal(true);
        await expect(
          ledger.forwarder.connect(actors.stranger).execute(request),
        ).to.be.revertedWithCustomError(ledger.forwarder, "FailedCall");
        expect(await ledger.forwarder.nonces(actors.carrier.address)).to.equal(0n);
      });
    });

    describe("when the target does not trust the forwarder", function () {
      it("reverts with ERC2771UntrustfulTarget", async function () {
        const { ledger, actors } = await loadFixture(fundedOrderFixture);
        const token = await ledger.token.getAddress();
        const data = ledger.token.interface.encodeFunctionData("transfer", [actors.stranger.address, 1n]);
        const { request } = await signedRequest(ledger, actors.hospital, token, data);
        await expect(ledger.forwarder.connect(actors.stranger).execute(request))
          .to.be.revertedWithCustomError(ledger.forwarder, "ERC2771UntrustfulTarget")
          .withArgs(token, await ledger.forwarder.getAddress());
      });
    });

    describe("when the value sent differs from the signed value", function () {
      it("reverts with ERC2771ForwarderMismatchedValue", async function () {
        const { ledger, actors, request } = await loadFixture(relayedShipmentFixture);
        await expect(ledger.forwarder.connect(actors.stranger).execute(request, { value: 1n }))
          .to.be.revertedWithCustomError(ledger.forwarder, "ERC2771ForwarderMismatchedValue")
          .withArgs(0n, 1n);
      });
    });
  });

  describe("a caller that is not the forwarder", function () {
    describe("when it appends another account's address to the calldata", function () {
      it("still acts as itself", async function () {
        const { ledger, actors, supplier, orderId } = await loadFixture(fundedOrderFixture);
        const data = ledger.trace.interface.encodeFunctionData("createShipment", [
          await shipmentInput(orderId),
        ]);
        const forged = ethers.concat([data, supplier.address]);
        // Acting as the supplier it would pass the GTIN check; as itself it is registered for nothing.
        await expect(actors.stranger.sendTransaction({ to: await ledger.trace.getAddress(), data: forged }))
          .to.be.revertedWithCustomError(ledger.trace, "TraceGtinNotRegistered")
          .withArgs(actors.stranger.address, GTIN);
      });
    });
  });

  describe("a relayed request to an address-checked entry point", function () {
    describe("when a supplier relays markConfirmed", function () {
      it("is refused: the trace checks the order book by msg.sender, not the signer", async function () {
        const { ledger, actors, supplier, request } = await loadFixture(relayedShipmentFixture);
        await ledger.forwarder.connect(actors.stranger).execute(request);
        const record = await shipmentRecord(ledger, 1n);
        const data = ledger.trace.interface.encodeFunctionData("markConfirmed", [
          1n,
          recordHash(record),
          lotKeyOf(record.gtin, record.lot),
          record.supplier,
        ]);
        const relayed = await signedRequest(ledger, supplier, await ledger.trace.getAddress(), data);
        await expect(
          ledger.forwarder.connect(actors.stranger).execute(relayed.request),
        ).to.be.revertedWithCustomError(ledger.forwarder, "FailedCall");
        expect((await ledger.trace.shipmentState(1n)).confirmed).to.equal(false);
      });
    });
  });
});
