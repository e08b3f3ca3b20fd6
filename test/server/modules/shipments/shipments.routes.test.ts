import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import { decodeRevert, revertDataOf } from "../../../../ledger/revert";
import * as act from "../../../../ledger/acts";
import { ManifestUploaded, SerialProof, Shipment } from "../../../../api/shipments";
import { ManifestService } from "../../../../server/modules/shipments/manifest.service";
import { ShipmentsRepository } from "../../../../server/modules/shipments/shipments.repository";
import { forEachEngine } from "../../helpers/engines";
import { expectServedAsDocumented } from "../../support/documented-fields";
import { rejectionOf } from "../../helpers/rejection";
import type { ChainStack, Procurement } from "../../support/chain";
import {
  bearer,
  expectError,
  expectInvalidField,
  loginAll,
  orderAndShip,
  recordAsJson,
  startApi,
  stopApi,
  type ApiStack,
  type Shipped,
} from "../../support/api-fixtures";

/**
 * Serial manifests: PUT /v1/shipments/:id/manifest (the shipment's supplier; accepted only if
 * the list rebuilds the on-chain Merkle root) and GET /v1/shipments/:id/serials/:serial/proof
 * (the shipment's parties and the regulator; the proof verifies with DeliveryTrace.verifySerial).
 */
forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  /** A second shipment whose supplier never uploads a manifest. */
  let unlisted: Shipped;
  let t: Record<"supplier" | "supplier2" | "receiver" | "regulator" | "stranger", string>;

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    await act.registerSupplier(chain.ledger, chain.cast.supplier2, "Beta Devices", "91320000Y");
    unlisted = await orderAndShip(chain, p, { quantity: 3, prefix: "B" });
    await app.indexer.catchUp();
    const { cast } = chain;
    t = await loginAll(app, {
      supplier: cast.supplier,
      supplier2: cast.supplier2,
      receiver: cast.receiver,
      regulator: cast.regulator,
      stranger: cast.stranger,
    });
  });

  after(() => stopApi(stack));

  const put = (shipmentId: bigint | number | string, payload: unknown, token?: string) =>
    app.inject({
      method: "PUT",
      url: `/v1/shipments/${shipmentId}/manifest`,
      headers: token ? bearer(token) : {},
      payload: payload as object,
    });
  const proof = (shipmentId: bigint | number | string, serial: string, token?: string) =>
    app.inject({
      method: "GET",
      url: `/v1/shipments/${shipmentId}/serials/${encodeURIComponent(serial)}/proof`,
      headers: token ? bearer(token) : {},
    });

  describe("PUT /v1/shipments/:id/manifest — refusals", function () {
    it("refuses a list whose Merkle root is not the on-chain root: 400 MANIFEST_ROOT_MISMATCH", async function () {
      const wrong = [...p.serials.slice(0, 9), "SN99999"];
      const body = expectError(
        await put(p.shipmentId, { serials: wrong }, t.supplier),
        400,
        "MANIFEST_ROOT_MISMATCH",
        "is not the on-chain root",
      );
      expect(body.details).to.deep.equal({
        computedRoot: act.serialTree(wrong).root,
        onChainRoot: act.serialTree(p.serials).root,
      });
    });

    it("refuses a list that does not fit the shipment: 400 MANIFEST_INVALID", async function () {
      expectError(
        await put(p.shipmentId, { serials: p.serials.slice(0, 9) }, t.supplier),
        400,
        "MANIFEST_INVALID",
        "the shipment has 10 units but the manifest lists 9 serials",
      );
      expectError(
        await put(p.shipmentId, { serials: [...p.serials.slice(0, 9), p.serials[0]] }, t.supplier),
        400,
        "MANIFEST_INVALID",
        `serial ${p.serials[0]} is listed twice`,
      );
      expectError(
        await put(p.shipmentId, { serials: [...p.serials.slice(0, 9), "S".repeat(21)] }, t.supplier),
        400,
        "MANIFEST_INVALID",
        "serial 10 must have 1 to 20 characters",
      );
      expectError(
        await put(p.shipmentId, { serials: ["", ...p.serials.slice(1)] }, t.supplier),
        400,
        "MANIFEST_INVALID",
        "serial 1 must have 1 to 20 characters",
      );
    });

    it("answers 400 VALIDATION_FAILED naming a missing, mistyped or unknown field", async function () {
      expect(expectInvalidField(await put(p.shipmentId, {}, t.supplier), "body.serials")).to.equal(
        "is required",
      );
      expect(
        expectInvalidField(await put(p.shipmentId, { serials: [] }, t.supplier), "body.serials"),
      ).to.include("fewer than 1 items");
      expect(
        expectInvalidField(
          await put(p.shipmentId, { serials: [{ serial: "A" }] }, t.supplier),
          "body.serials[0]",
        ),
      ).to.equal("must be string");
      expect(
        expectInvalidField(
          await put(p.shipmentId, { serials: p.serials, root: "0x00" }, t.supplier),
          "body.root",
        ),
      ).to.equal("is not allowed");
      expectInvalidField(await put("abc", { serials: p.serials }, t.supplier), "params.id");
    });

    it("answers 401 without a token and 403 FORBIDDEN to an account that is not a supplier", async function () {
      expectError(await put(p.shipmentId, { serials: p.serials }), 401, "UNAUTHORIZED");
      expectError(
        await put(p.shipmentId, { serials: p.serials }, t.receiver),
        403,
        "FORBIDDEN",
        "needs one of the roles supplier",
      );
    });

    it("attack: another supplier uploading to the shipment gets 404 exactly like an unknown shipment", async function () {
      // Before: 403 NOT_THE_SUPPLIER "…belongs to another supplier" confirmed that it exists.
      const others = expectError(
        await put(p.shipmentId, { serials: p.serials }, t.supplier2),
        404,
        "SHIPMENT_NOT_FOUND",
      );
      const missing = expectError(
        await put(999, { serials: p.serials }, t.supplier2),
        404,
        "SHIPMENT_NOT_FOUND",
      );
      expect(others.message.replace(String(p.shipmentId), "ID")).to.equal(
        missing.message.replace("999", "ID"),
      );
    });

    it("answers 404 SHIPMENT_NOT_FOUND for an unknown shipment", async function () {
      expectError(
        await put(999, { serials: p.serials }, t.supplier),
        404,
        "SHIPMENT_NOT_FOUND",
        "shipment 999",
      );
    });
  });

  describe("PUT /v1/shipments/:id/manifest — upload", function () {
    it("stores the right list: 201 with the root, then 200 created=false for the same list again", async function () {
      const root = act.serialTree(p.serials).root;
      const first = await put(p.shipmentId, { serials: p.serials }, t.supplier);
      expect(first.statusCode, first.body).to.equal(201);
      expect(first.json()).to.deep.equal({
        shipmentId: String(p.shipmentId),
        root,
        serials: 10,
        created: true,
      });
      // Order does not matter to the tree (StandardMerkleTree sorts its leaves).
      const again = await put(p.shipmentId, { serials: [...p.serials].reverse() }, t.supplier);
      expect(again.statusCode, again.body).to.equal(200);
      expect(again.json()).to.deep.equal({
        shipmentId: String(p.shipmentId),
        root,
        serials: 10,
        created: false,
      });

      const shipment = await app.inject({
        method: "GET",
        url: `/v1/shipments/${p.shipmentId}`,
        headers: bearer(t.receiver),
      });
      expect(shipment.json()).to.include({ manifestSerials: 10 });
    });
  });

  describe("GET /v1/shipments/:id/serials/:serial/proof", function () {
    // The supplier's list, as the upload test stores it (again, if that test ran: 200).
    before(async function () {
      const res = await put(p.shipmentId, { serials: p.serials }, t.supplier);
      expect(res.statusCode, res.body).to.be.oneOf([200, 201]);
    });

    it("serves every serial's proof with the shipment's record, each verifying on-chain against its root", async function () {
      const root = act.serialTree(p.serials).root;
      const record = await act.shipmentRecord(chain.ledger, p.shipmentId);
      for (const serial of [p.serials[0], p.serials[9]]) {
        const res = await proof(p.shipmentId, serial, t.receiver);
        expect(res.statusCode, res.body).to.equal(200);
        const body = res.json<SerialProof>();
        expect(body).to.include({ shipmentId: String(p.shipmentId), serial, root });
        expect(body.leaf).to.equal(act.serialTree(p.serials).leafHash([serial]));
        expect(body.proof.length).to.be.within(3, 4);
        expect(body.record).to.deep.equal(recordAsJson(record));
        const verify = (s: string) =>
          chain.ledger.trace.verifySerial(p.shipmentId, body.record, s, body.proof);
        expect(await verify(serial)).to.equal(true);
        // The same proof does not vouch for another serial.
        expect(await verify("SN99999")).to.equal(false);
      }
      // The chain checks the record against the shipment's hash: a record with another root is
      // refused, so a proof cannot be checked against a root of the caller's choosing.
      const forged = { ...record, serialRoot: act.serialTree(["SN99999"]).root };
      const refused = await rejectionOf(chain.ledger.trace.verifySerial(p.shipmentId, forged, "SN99999", []));
      expect(decodeRevert(revertDataOf(refused))?.message).to.equal(
        `TraceRecordMismatch(shipmentId=${p.shipmentId})`,
      );
    });

    it("answers 404 SERIAL_NOT_FOUND for a serial that is not in the manifest", async function () {
      expectError(
        await proof(p.shipmentId, "SN99999", t.regulator),
        404,
        "SERIAL_NOT_FOUND",
        `serial SN99999 is not in shipment ${p.shipmentId}'s manifest`,
      );
    });

    it("answers 404 MANIFEST_NOT_FOUND for a shipment without a manifest, SHIPMENT_NOT_FOUND for none", async function () {
      expectError(
        await proof(unlisted.shipmentId, unlisted.serials[0], t.regulator),
        404,
        "MANIFEST_NOT_FOUND",
        `no serial manifest was uploaded for shipment ${unlisted.shipmentId}`,
      );
      expectError(await proof(999, "SN00001", t.regulator), 404, "SHIPMENT_NOT_FOUND");
    });

    it("hides another supplier's shipment (404) and refuses an account with no ledger role (403)", async function () {
      expectError(await proof(p.shipmentId, p.serials[0], t.supplier2), 404, "SHIPMENT_NOT_FOUND");
      expectError(await proof(p.shipmentId, p.serials[0], t.stranger), 403, "FORBIDDEN");
    });

    it("answers 400 for a malformed serial or id, 401 without a token", async function () {
      expectInvalidField(await proof(p.shipmentId, "S".repeat(21), t.regulator), "params.serial");
      expectInvalidField(await proof("0", "SN00001", t.regulator), "params.id");
      expectError(await proof(p.shipmentId, p.serials[0]), 401, "UNAUTHORIZED");
    });
  });

  // What each route serves is what the module produced, and exactly what its schema documents.
  describe("response bodies carry exactly the documented fields", function () {
    it("a manifest upload and a serial's proof with the shipment's record", async function () {
      const id = String(p.shipmentId);
      const upload = await put(id, { serials: p.serials }, t.supplier);
      const uploaded = { shipmentId: id, root: act.serialTree(p.serials).root, serials: 10 };
      expectServedAsDocumented(upload, ManifestUploaded, { ...uploaded, created: upload.statusCode === 201 });
      const produced = await new ManifestService(app.db).proof(id, p.serials[0]);
      expectServedAsDocumented(await proof(id, p.serials[0], t.receiver), SerialProof, produced);
    });

    it("a settled shipment", async function () {
      const id = String(unlisted.shipmentId);
      const shipments = new ShipmentsRepository(app.db);
      const confirmation = { accepted: 3, rejected: 0, receiptHash: ethers.id("GR-UNLISTED") };
      await act.confirmShipment(chain.ledger, chain.cast.settler, unlisted.shipmentId, confirmation);
      await app.indexer.catchUp();
      const produced = await shipments.get(id);
      expect(produced?.settlement).to.include({ accepted: "3", rejected: "0" });
      expectServedAsDocumented(
        await app.inject({ url: `/v1/shipments/${id}`, headers: bearer(t.regulator) }),
        Shipment,
        produced,
      );
    });
  });
});
