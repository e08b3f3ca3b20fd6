import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { migrate } from "../../../server/db";
import type { ShipmentRecordStruct } from "../../../typechain-types/contracts/DeliveryTrace";
import * as act from "../../../ledger/acts";
import { forEachEngine } from "../helpers/engines";
import { once } from "../helpers/once";
import { recordAsJson, serialLines } from "../support/api-fixtures";
import { GTIN, LOT, procure, startChain, type ChainStack, type Procurement } from "../support/chain";
import { as, buildGateway, errorOf, login } from "../support/gateway";

/**
 * The gateway end to end against a real Anvil node: index → receipt → match → payment on-chain,
 * on both database engines.
 */
forEachEngine((engine) => {
  let chain: ChainStack;
  let app: FastifyInstance;
  let p: Procurement;
  let receiver: string;
  let supplier: string;
  let regulator: string;

  before(async function () {
    this.timeout(180_000);
    chain = await startChain();
    p = await procure(chain, 10);
    await migrate(engine.db);
    app = await buildGateway(engine.db, chain);
    await app.indexer.catchUp();
    receiver = await login(app, chain.cast.receiver);
    supplier = await login(app, chain.cast.supplier);
    regulator = await login(app, chain.cast.regulator);
  });

  after(async () => {
    await app?.close();
    await chain?.stop();
  });

  /** The supplier uploads the shipment's serial list: receipts are matched against it. */
  const uploadManifest = once(() =>
    app.inject({
      method: "PUT",
      url: `/v1/shipments/${p.shipmentId}/manifest`,
      headers: as(supplier),
      payload: { serials: p.serials },
    }),
  );

  describe("sign-in", function () {
    it("reads the caller's roles from the chain", async function () {
      const nonce = (await app.inject({ method: "POST", url: "/v1/auth/nonce" })).json<{ nonce: string }>();
      expect(nonce.nonce).to.match(/^[0-9a-f]{24}$/);
      const res = await app.inject({ method: "GET", url: "/v1/orders", headers: as(receiver) });
      expect(res.statusCode).to.equal(200);
    });

    it("refuses a request without a token with 401", async function () {
      const res = await app.inject({ method: "GET", url: "/v1/orders" });
      expect(res.statusCode).to.equal(401);
      expect(errorOf(res).error).to.equal("UNAUTHORIZED");
    });
  });

  describe("indexed ledger", function () {
    it("lists the order with the escrow funding took and the block of its latest change", async function () {
      const res = await app.inject({ method: "GET", url: `/v1/orders/${p.orderId}`, headers: as(regulator) });
      expect(res.statusCode).to.equal(200);
      const order = res.json();
      expect(order).to.include({
        id: String(p.orderId),
        status: "funded",
        quantity: "10",
        value: "100000",
        shipped: "10",
      });
      expect(order.lastChange.txHash).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("shows the shipment to its supplier", async function () {
      const res = await app.inject({
        method: "GET",
        url: `/v1/shipments/${p.shipmentId}`,
        headers: as(supplier),
      });
      expect(res.statusCode).to.equal(200);
      expect(res.json()).to.include({ gtin: GTIN, lot: LOT, quantity: "10", confirmed: false });
    });
  });

  describe("manifest", function () {
    it("refuses a serial list whose root is not the on-chain root", async function () {
      const wrong = [...p.serials.slice(0, 9), "OTHER"];
      const res = await app.inject({
        method: "PUT",
        url: `/v1/shipments/${p.shipmentId}/manifest`,
        headers: as(supplier),
        payload: { serials: wrong },
      });
      expect(res.statusCode).to.equal(400);
      expect(errorOf(res).error).to.equal("MANIFEST_ROOT_MISMATCH");
    });

    it("accepts the right list and serves proofs that verify on-chain", async function () {
      const res = await uploadManifest();
      expect(res.statusCode).to.equal(201);
      const proof = await app.inject({
        method: "GET",
        url: `/v1/shipments/${p.shipmentId}/serials/${p.serials[3]}/proof`,
        headers: as(regulator),
      });
      expect(proof.statusCode).to.equal(200);
      // The proof comes with the shipment's record, which the chain checks against its hash.
      const body = proof.json<{ proof: string[]; record: ShipmentRecordStruct }>();
      expect(body.record).to.deep.equal(recordAsJson(await act.shipmentRecord(chain.ledger, p.shipmentId)));
      expect(
        await chain.ledger.trace.verifySerial(p.shipmentId, body.record, p.serials[3], body.proof),
      ).to.equal(true);
    });
  });

  describe("receipt → match → payment", function () {
    it("matches a clean receipt and pays the supplier exactly the order value on-chain", async function () {
      await uploadManifest();
      const before = await chain.ledger.token.balanceOf(chain.cast.supplier.address);
      const payload = {
        receiptNo: "GR-0001",
        shipmentId: String(p.shipmentId),
        receivedAt: new Date((await chain.now()) * 1000).toISOString(),
        lines: serialLines(p.serials, p.expiry),
      };
      const res = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        headers: { ...as(receiver), "idempotency-key": "gr-0001" },
        payload,
      });
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.json().match).to.deep.include({ status: "matched", accepted: "10", rejected: "0" });

      const again = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        headers: { ...as(receiver), "idempotency-key": "gr-0001" },
        payload,
      });
      expect(again.statusCode).to.equal(201);
      expect(again.json()).to.deep.equal(res.json());

      const changed = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        headers: { ...as(receiver), "idempotency-key": "gr-0001" },
        payload: { ...payload, receiptNo: "GR-0002" },
      });
      expect(changed.statusCode).to.equal(409);
      expect(errorOf(changed).error).to.equal("IDEMPOTENCY_KEY_REUSED");

      await app.settlementWorker!.drain();
      const after = await chain.ledger.token.balanceOf(chain.cast.supplier.address);
      expect(after - before).to.equal(100_000n);
      await app.indexer.catchUp();
      const payments = await app.inject({ method: "GET", url: "/v1/payments", headers: as(regulator) });
      expect(payments.json().items[0]).to.include({
        shipmentId: String(p.shipmentId),
        status: "confirmed",
        paid: "100000",
        penalty: "0",
      });
      const order = await app.inject({
        method: "GET",
        url: `/v1/orders/${p.orderId}`,
        headers: as(regulator),
      });
      expect(order.json()).to.include({ status: "closed", accepted: "10", escrow: "0", paid: "100000" });
    });
  });
});
