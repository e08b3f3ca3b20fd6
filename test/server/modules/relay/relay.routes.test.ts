import type { RelayRequest } from "../../../../api/relay";
import { expect } from "chai";
import { ethers, type HDNodeWallet } from "ethers";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import * as act from "../../../../ledger/acts";
import { FORWARD_REQUEST_TYPES } from "../../../../ledger/forward-request";
import { forEachEngine } from "../../helpers/engines";
import { DAY, type ChainStack, type Procurement } from "../../support/chain";
import { login, RELAYER_WALLET_INDEX } from "../../support/gateway";
import { devWallet } from "../../../../scripts/lib/anvil";
import {
  bearer,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  placedOrder,
  signForward,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * POST /v1/relay: gas-less acts. A signed-in caller's own signed forward request that checks
 * out is sent by the gateway's relayer and the contract sees the signer as the caller; anything
 * wrong is refused before a transaction is sent, so the relayer's nonce does not move. (Who may
 * relay what, quotas and budgets: relay.attacks.test.ts.)
 */
forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  /** Placed, awaiting approval: one for the relayed approval, one for the refused one. */
  let orderToApprove: bigint;
  let otherOrder: bigint;
  let registryAddress: string;
  let orderBookAddress: string;
  let traceAddress: string;
  let approver2Elsewhere: HDNodeWallet;

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    orderToApprove = await placedOrder(chain, p, 3);
    otherOrder = await placedOrder(chain, p, 3);
    registryAddress = await chain.ledger.registry.getAddress();
    orderBookAddress = await chain.ledger.orderBook.getAddress();
    traceAddress = await chain.ledger.trace.getAddress();
    // A hospital that took no part in the procured tender, so it may not order under its
    // agreement, with an approver of its own (not of the orders' hospital).
    approver2Elsewhere = chain.cast.receiver2;
    await enrolSecondHospital(chain, [{ wallet: approver2Elsewhere, roles: act.HOSPITAL_ROLES.approver }]);
  });

  after(() => stopApi(stack));

  const relayer = devWallet(RELAYER_WALLET_INDEX).address;
  const tokens = new Map<string, string>();
  /** POST /v1/relay signed in as `caller` (tokens kept per caller). */
  async function relay(payload: unknown, caller: HDNodeWallet): Promise<LightMyRequestResponse> {
    if (!tokens.has(caller.address)) tokens.set(caller.address, await login(app, caller));
    return app.inject({
      method: "POST",
      url: "/v1/relay",
      payload: payload as object,
      headers: bearer(tokens.get(caller.address)!),
    });
  }

  function registerData(name: string): string {
    return chain.ledger.registry.interface.encodeFunctionData("register", [
      ethers.encodeBytes32String(name),
      ethers.encodeBytes32String(`REG-${name}`),
    ]);
  }

  function approveData(orderId: bigint): string {
    return chain.ledger.orderBook.interface.encodeFunctionData("approveOrder", [orderId]);
  }

  /** Sends `payload`, expecting a refusal, and checks that nothing was sent or consumed. */
  async function refused(
    payload: unknown,
    signer: HDNodeWallet,
    code: string,
    messagePart: string,
  ): Promise<ReturnType<typeof expectError>> {
    const relayerNonce = await chain.provider.getTransactionCount(relayer, "pending");
    const signerNonce = await chain.ledger.forwarder.nonces(signer.address);
    const res: LightMyRequestResponse = await relay(payload, signer);
    const body = expectError(res, 400, code, messagePart);
    expect(await chain.provider.getTransactionCount(relayer, "pending")).to.equal(relayerNonce);
    expect(await chain.ledger.forwarder.nonces(signer.address)).to.equal(signerNonce);
    return body;
  }

  describe("relayed acts", function () {
    it("relays a supplier's signed register: 202, and on-chain the signer is the registered supplier", async function () {
      const supplier2 = chain.cast.supplier2;
      const request = await signForward(chain, supplier2, registryAddress, registerData("Beta Devices"));
      const res = await relay(request, supplier2);
      expect(res.statusCode, res.body).to.equal(202);
      const body = res.json<{ txHash: string; signer: string; nonce: string }>();
      expect(body).to.deep.equal({
        txHash: body.txHash,
        signer: supplier2.address,
        nonce: request.nonce,
      });
      expect(body.txHash).to.match(/^0x[0-9a-f]{64}$/);

      const receipt = (await chain.provider.waitForTransaction(body.txHash))!;
      expect(receipt.status).to.equal(1);
      expect(receipt.from).to.equal(relayer);
      const registered = receipt.logs
        .map((log) => chain.ledger.registry.interface.parseLog(log))
        .find((e) => e?.name === "SupplierRegistered");
      expect(registered?.args.supplier).to.equal(supplier2.address);
      expect(await chain.ledger.registry.supplierStatus(supplier2.address)).to.equal(1n); // Active
      expect(await chain.ledger.forwarder.nonces(supplier2.address)).to.equal(BigInt(request.nonce) + 1n);

      await app.indexer.catchUp();
      const regulator = await login(app, chain.cast.regulator);
      const indexed = await app.inject({
        method: "GET",
        url: `/v1/suppliers/${supplier2.address}`,
        headers: bearer(regulator),
      });
      expect(indexed.statusCode, indexed.body).to.equal(200);
      expect(indexed.json()).to.include({ address: supplier2.address.toLowerCase(), status: "active" });
    });

    it("relays a supplier's signed trace step, which carries the shipment's record: 202, recorded as the supplier's", async function () {
      const supplier = chain.cast.supplier;
      const record = await act.shipmentRecord(chain.ledger, p.shipmentId);
      const eventTime = (await chain.now()) - 60;
      const data = chain.ledger.trace.interface.encodeFunctionData("recordTraceEvent", [
        p.shipmentId,
        record,
        act.TRACE_STEPS.indexOf("arriving"),
        ethers.id("hospital dock 3"),
        eventTime,
        ethers.ZeroHash,
        false,
      ]);
      const res = await relay(await signForward(chain, supplier, traceAddress, data), supplier);
      expect(res.statusCode, res.body).to.equal(202);
      const receipt = (await chain.provider.waitForTransaction(res.json<{ txHash: string }>().txHash))!;
      expect(receipt.status).to.equal(1);
      const recorded = receipt.logs
        .map((log) => chain.ledger.trace.interface.parseLog(log))
        .find((e) => e?.name === "TraceEventRecorded");
      expect(recorded?.args.actor).to.equal(supplier.address);
      // The supplier's first Arriving is the shipment's arrival record, at the relay's block time.
      const block = await chain.provider.getBlock(receipt.blockNumber);
      expect((await chain.ledger.trace.shipmentState(p.shipmentId)).arrivedAt).to.equal(
        BigInt(block!.timestamp),
      );
    });

    it("relays an approver's signed approveOrder: 202, the order is funded and the approver is on record", async function () {
      const approver = chain.cast.approver;
      const request = await signForward(chain, approver, orderBookAddress, approveData(orderToApprove));
      const res = await relay(request, approver);
      expect(res.statusCode, res.body).to.equal(202);
      const receipt = (await chain.provider.waitForTransaction(res.json<{ txHash: string }>().txHash))!;
      expect(receipt.status).to.equal(1);
      const approved = receipt.logs
        .map((log) => chain.ledger.orderBook.interface.parseLog(log))
        .find((e) => e?.name === "OrderApproved");
      expect(approved?.args.orderId).to.equal(orderToApprove);
      expect(approved?.args.approver).to.equal(approver.address);
      expect((await chain.ledger.orderBook.order(orderToApprove)).status).to.equal(2n); // Funded

      await app.indexer.catchUp();
      const token = await login(app, chain.cast.receiver);
      const order = await app.inject({
        method: "GET",
        url: `/v1/orders/${orderToApprove}`,
        headers: bearer(token),
      });
      expect(order.statusCode).to.equal(200);
      expect(order.json()).to.include({ status: "funded", approvals: 1 });
      expect(order.json().approvers[0]).to.include({
        approver: approver.address.toLowerCase(),
        txHash: receipt.hash,
      });
    });
    it("relays an approval that a transaction landing first makes dearer: the order is still funded", async function () {
      // Estimated while the hospital's allowance to the order book is unlimited (funding leaves
      // it alone); the hospital limits it before the relayed transaction is mined, so funding
      // must also write the allowance down. Anvil holds both and mines the hospital's first.
      const orderId = await placedOrder(chain, p, 3);
      const hospital = chain.cast.hospital;
      const limit = 900_000_000n;
      const request = await signForward(chain, chain.cast.approver, orderBookAddress, approveData(orderId));
      let txHash: string;
      await chain.provider.send("evm_setAutomine", [false]);
      try {
        const res = await relay(request, chain.cast.approver);
        expect(res.statusCode, res.body).to.equal(202);
        txHash = res.json<{ txHash: string }>().txHash;
        await chain.ledger.token.connect(hospital).approve(orderBookAddress, limit, {
          maxFeePerGas: 50_000_000_000n,
          maxPriorityFeePerGas: 5_000_000_000n,
        });
        await chain.provider.send("evm_mine", []);
      } finally {
        await chain.provider.send("evm_setAutomine", [true]);
      }
      const receipt = (await chain.provider.getTransactionReceipt(txHash))!;
      expect(receipt.status, `gas used ${receipt.gasUsed}`).to.equal(1);
      const funded = receipt.logs
        .map((log) => chain.ledger.orderBook.interface.parseLog(log))
        .find((e) => e?.name === "OrderFunded");
      expect(funded?.args.orderId).to.equal(orderId);
      expect(await chain.ledger.token.allowance(hospital.address, orderBookAddress)).to.equal(
        limit - (funded?.args.amount as bigint),
      );
      await act.sent(chain.ledger.token.connect(hospital).approve(orderBookAddress, ethers.MaxUint256));
    });
  });

  describe("prepared for signing, then followed", function () {
    const prepare = async (caller: HDNodeWallet, to: string, data: string) => {
      if (!tokens.has(caller.address)) tokens.set(caller.address, await login(app, caller));
      return app.inject({
        method: "POST",
        url: "/v1/relay/prepare",
        payload: { to, data },
        headers: bearer(tokens.get(caller.address)!),
      });
    };

    it("fills in nonce, deadline and gas; the caller's signature of it relays, and the status follows the transaction", async function () {
      const approver = chain.cast.approver;
      const order = await placedOrder(chain, p, 2);
      const res = await prepare(approver, orderBookAddress, approveData(order));
      expect(res.statusCode, res.body).to.equal(200);
      const { request, domain } = res.json<{
        request: Omit<RelayRequest, "signature">;
        domain: ethers.TypedDataDomain;
      }>();
      expect(request).to.include({ from: approver.address, to: orderBookAddress, value: "0" });
      expect(request.nonce).to.equal((await chain.ledger.forwarder.nonces(approver.address)).toString());
      expect(request.deadline).to.equal((await chain.now()) + 3600);
      expect(Number(request.gas)).to.be.within(30_000, 1_000_000);
      expect(domain).to.deep.equal({
        name: "SunshineLedger",
        version: "1",
        chainId: Number(chain.deployment.chainId),
        verifyingContract: await chain.ledger.forwarder.getAddress(),
      });
      const signature = await approver.signTypedData(domain, FORWARD_REQUEST_TYPES, request);
      const sent = await relay({ ...request, signature }, approver);
      expect(sent.statusCode, sent.body).to.equal(202);
      const { txHash } = sent.json<{ txHash: string }>();
      await chain.provider.waitForTransaction(txHash);
      const status = await app.inject({
        method: "GET",
        url: `/v1/relay/${txHash}`,
        headers: bearer(tokens.get(approver.address)!),
      });
      expect(status.statusCode, status.body).to.equal(200);
      expect(status.json()).to.include({ txHash, status: "confirmed", indexed: false });
      await app.indexer.catchUp();
      const later = await app.inject({
        method: "GET",
        url: `/v1/relay/${txHash}`,
        headers: bearer(tokens.get(approver.address)!),
      });
      expect(later.json()).to.include({ status: "confirmed", indexed: true });
      expect((await chain.ledger.orderBook.order(order)).status).to.equal(2n); // Funded
    });

    it("answers dropped for a transaction neither the chain nor this gateway holds", async function () {
      const hash = `0x${"cd".repeat(32)}`;
      if (!tokens.has(chain.cast.approver.address))
        tokens.set(chain.cast.approver.address, await login(app, chain.cast.approver));
      const res = await app.inject({
        method: "GET",
        url: `/v1/relay/${hash}`,
        headers: bearer(tokens.get(chain.cast.approver.address)!),
      });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.deep.equal({
        txHash: hash,
        status: "dropped",
        blockNumber: null,
        indexed: false,
      });
    });

    it("refuses to prepare a call that would revert, naming the custom error, and one the caller's role may not relay", async function () {
      const { supplier } = chain.cast;
      const again = await prepare(supplier, registryAddress, registerData("Acme Again"));
      const body = expectError(again, 400, "RELAY_CALL_REVERTED", "RegistrySupplierAlreadyRegistered");
      expect(body.details).to.deep.equal({
        error: "RegistrySupplierAlreadyRegistered",
        args: { supplier: supplier.address },
      });
      expectError(
        await prepare(supplier, orderBookAddress, approveData(otherOrder)),
        403,
        "RELAY_FUNCTION_NOT_ALLOWED",
        "approveOrder",
      );
    });
  });

  describe("refused before sending", function () {
    it("refuses a request signed by another key: 400 RELAY_SIGNATURE_INVALID", async function () {
      const { supplier2, stranger } = chain.cast;
      const request = await signForward(chain, supplier2, registryAddress, registerData("Forged"), {
        signWith: stranger,
      });
      await refused(
        request,
        supplier2,
        "RELAY_SIGNATURE_INVALID",
        `signed by ${stranger.address}, not by ${supplier2.address}`,
      );
    });

    it("refuses a request altered after signing: 400 RELAY_SIGNATURE_INVALID", async function () {
      const approver = chain.cast.approver;
      const request = await signForward(chain, approver, orderBookAddress, approveData(otherOrder));
      await refused(
        { ...request, gas: "600000" },
        approver,
        "RELAY_SIGNATURE_INVALID",
        `not by ${approver.address}`,
      );
    });

    it("refuses a request past its deadline: 400 RELAY_EXPIRED", async function () {
      const approver = chain.cast.approver;
      const deadline = (await chain.now()) - 1;
      const request = await signForward(chain, approver, orderBookAddress, approveData(otherOrder), {
        deadline,
      });
      await refused(request, approver, "RELAY_EXPIRED", `deadline ${deadline} has passed`);
    });

    it("refuses a nonce that is not the signer's next: 400 RELAY_NONCE_INVALID with the expected one", async function () {
      const approver = chain.cast.approver;
      const next = await chain.ledger.forwarder.nonces(approver.address);
      const request = await signForward(chain, approver, orderBookAddress, approveData(otherOrder), {
        nonce: next + 1n,
      });
      const body = await refused(
        request,
        approver,
        "RELAY_NONCE_INVALID",
        `nonce ${next + 1n} is not the signer's next nonce ${next}`,
      );
      expect(body.details).to.deep.equal({ expected: next.toString() });
    });

    it("refuses a target that is not a ledger contract: 400 RELAY_TARGET_NOT_LEDGER", async function () {
      const supplier = chain.cast.supplier;
      const token = await chain.ledger.token.getAddress();
      const data = chain.ledger.token.interface.encodeFunctionData("transfer", [supplier.address, 1n]);
      const request = await signForward(chain, supplier, token, data);
      await refused(request, supplier, "RELAY_TARGET_NOT_LEDGER", `${token} is not a ledger contract`);
      const forwarder = await chain.ledger.forwarder.getAddress();
      await refused(
        await signForward(chain, supplier, forwarder, "0x"),
        supplier,
        "RELAY_TARGET_NOT_LEDGER",
        "is not a ledger contract",
      );
    });

    it("refuses a request carrying ether: 400 RELAY_VALUE_NOT_ALLOWED", async function () {
      const approver = chain.cast.approver;
      const request = await signForward(chain, approver, orderBookAddress, approveData(otherOrder));
      await refused({ ...request, value: "1" }, approver, "RELAY_VALUE_NOT_ALLOWED", "carry no value");
    });

    it("refuses a call that would revert, naming the custom error: 400 RELAY_CALL_REVERTED", async function () {
      const { supplier } = chain.cast;
      const again = await signForward(chain, supplier, registryAddress, registerData("Acme Again"));
      const registered = await refused(
        again,
        supplier,
        "RELAY_CALL_REVERTED",
        "would revert: RegistrySupplierAlreadyRegistered",
      );
      expect(registered.details).to.deep.equal({
        error: "RegistrySupplierAlreadyRegistered",
        args: { supplier: supplier.address },
      });

      // An approver of another hospital holds the role the relay asks for; the contract refuses.
      const foreign = await signForward(chain, approver2Elsewhere, orderBookAddress, approveData(otherOrder));
      const body = await refused(foreign, approver2Elsewhere, "RELAY_CALL_REVERTED", "OrderNotApprover");
      expect(body.details).to.deep.equal({
        error: "OrderNotApprover",
        args: { orderId: otherOrder.toString(), caller: approver2Elsewhere.address },
      });

      // Raised by the agreement book inside the order book's call: its errors are decoded too.
      const hospital2 = chain.cast.hospital2;
      const order = chain.ledger.orderBook.interface.encodeFunctionData("placeOrder", [
        p.agreementId,
        1,
        (await chain.now()) + 20 * DAY,
        ethers.id("PO-NOT-A-PARTY"),
      ]);
      const notParty = await refused(
        await signForward(chain, hospital2, orderBookAddress, order),
        hospital2,
        "RELAY_CALL_REVERTED",
        "AgreementHospitalNotParty",
      );
      expect(notParty.details).to.deep.equal({
        error: "AgreementHospitalNotParty",
        args: { agreementId: p.agreementId.toString(), hospital: hospital2.address },
      });
    });
  });

  describe("request schema", function () {
    let valid: RelayRequest;
    before(async function () {
      valid = await signForward(chain, chain.cast.approver, orderBookAddress, approveData(otherOrder));
    });

    it("answers 400 VALIDATION_FAILED naming a missing field", async function () {
      const { signature: _signature, ...rest } = valid;
      expect(expectInvalidField(await relay(rest, chain.cast.approver), "body.signature")).to.equal(
        "is required",
      );
    });

    it("answers 400 VALIDATION_FAILED naming a mistyped field", async function () {
      expect(
        expectInvalidField(
          await relay({ ...valid, deadline: "tomorrow" }, chain.cast.approver),
          "body.deadline",
        ),
      ).to.equal("must be integer");
      expect(
        expectInvalidField(await relay({ ...valid, data: "0x123" }, chain.cast.approver), "body.data"),
      ).to.match(/pattern/);
      expect(
        expectInvalidField(await relay({ ...valid, from: "0x1234" }, chain.cast.approver), "body.from"),
      ).to.match(/pattern/);
    });

    it("answers 400 VALIDATION_FAILED naming an unknown field", async function () {
      expect(
        expectInvalidField(await relay({ ...valid, relayer: "me" }, chain.cast.approver), "body.relayer"),
      ).to.equal("is not allowed");
    });
  });
});
