import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import * as act from "../../../../ledger/acts";
import { forEachEngine } from "../../helpers/engines";
import { once } from "../../helpers/once";
import { GTIN, LOT, type ChainStack, type Procurement } from "../../support/chain";
import {
  bearer,
  chainIso,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  loginAll,
  receiveWholeShipment,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * Billing usages and the regulator's reports over HTTP: POST /v1/usages (idempotent, scoped to
 * the receiver's hospital), GET /v1/reconciliation (JSON and CSV), fulfilment, overdue payments
 * and recall exposure, with their access rules and error paths.
 */
forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<"receiver" | "regulator" | "supplier" | "receiver2" | "stranger", string>;
  let usedAt: string;

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast } = chain;
    await enrolSecondHospital(chain, [{ wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }]);
    await app.indexer.catchUp();
    t = await loginAll(app, {
      receiver: cast.receiver,
      regulator: cast.regulator,
      supplier: cast.supplier,
      receiver2: cast.receiver2,
      stranger: cast.stranger,
    });
    await receiveWholeShipment(app, chain, t, p, "GR-R1", "gr-r1");
    await app.settlementWorker!.drain();
    await app.indexer.catchUp();
    usedAt = await chainIso(chain, -60);
  });

  after(() => stopApi(stack));

  const usage = (usageId: string, serial: string, extra: Record<string, unknown> = {}) => ({
    usageId,
    barcode: `(01)${GTIN}(10)${LOT}(21)${serial}`,
    department: "Cardiology",
    patientRef: `MRN-${usageId}`,
    usedAt,
    billingCode: "C0401-DES-PCI",
    billedAmount: "10000",
    ...extra,
  });
  const post = (token: string | null, body: unknown, key: string | null = "k") =>
    app.inject({
      method: "POST",
      url: "/v1/usages",
      headers: { ...(token ? bearer(token) : {}), ...(key ? { "idempotency-key": key } : {}) },
      payload: body as object,
    });

  /** The one usage the reports count, recorded by whichever test needs it first. */
  const recordUsage = once(() => post(t.receiver, usage("U-1", p.serials[0]), "u-1"));

  describe("POST /v1/usages", function () {
    it("records a usage with the patient reference hashed, and replays it for the same key", async function () {
      const res = await recordUsage();
      expect(res.statusCode, res.body).to.equal(201);
      const body = res.json<Record<string, unknown>>();
      expect(body).to.include({
        usageId: "U-1",
        gtin: GTIN,
        lot: LOT,
        serial: p.serials[0],
        quantity: 1,
        billedAmount: "10000",
      });
      expect(JSON.stringify(body)).to.not.include("MRN-U-1");
      const again = await post(t.receiver, usage("U-1", p.serials[0]), "u-1");
      expect(again.statusCode).to.equal(201);
      expect(again.json()).to.deep.equal(body);
    });

    it("answers 409 for the same key with another body", async function () {
      await recordUsage();
      expectError(await post(t.receiver, usage("U-1b", p.serials[1]), "u-1"), 409, "IDEMPOTENCY_KEY_REUSED");
    });

    it("names a bad barcode", async function () {
      const res = await post(t.receiver, { ...usage("U-2", "X"), barcode: "(01)09520123456787(21)X" }, "u-2");
      expectError(res, 400, "BARCODE_INVALID", "check digit");
    });

    it("names a missing field and a missing Idempotency-Key", async function () {
      const { department: _omit, ...withoutDepartment } = usage("U-3", p.serials[2]);
      expectInvalidField(await post(t.receiver, withoutDepartment, "u-3"), "body.department");
      expectInvalidField(await post(t.receiver, usage("U-3", p.serials[2]), null), "headers.idempotency-key");
    });

    it("is for hospital receivers only", async function () {
      expectError(await post(null, usage("U-4", p.serials[3]), "u-4"), 401, "UNAUTHORIZED");
      expectError(await post(t.supplier, usage("U-4", p.serials[3]), "u-4"), 403, "FORBIDDEN");
      expectError(await post(t.stranger, usage("U-4", p.serials[3]), "u-4"), 403, "FORBIDDEN");
    });
  });

  describe("GET /v1/reconciliation", function () {
    const get = (query: string, token: string, accept?: string) =>
      app.inject({
        method: "GET",
        url: `/v1/reconciliation${query}`,
        headers: { ...bearer(token), ...(accept ? { accept } : {}) },
      });

    it("compares purchase, receipt and use for the regulator", async function () {
      await recordUsage();
      const res = await get(`?gtin=${GTIN}`, t.regulator);
      expect(res.statusCode, res.body).to.equal(200);
      const rows = res.json<{ rows: Record<string, unknown>[] }>().rows;
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({
        hospital: chain.cast.hospital.address.toLowerCase(),
        gtin: GTIN,
        lot: LOT,
        shipped: "10",
        accepted: "10",
        used: "1",
        onHand: "9",
        billedAmount: "10000",
      });
      expect(rows[0].flags).to.deep.equal([]);
    });

    it("answers CSV with a header row when asked", async function () {
      const res = await get(`?gtin=${GTIN}`, t.regulator, "text/csv");
      expect(res.statusCode).to.equal(200);
      expect(res.headers["content-type"]).to.match(/^text\/csv/);
      const [header, row] = res.body.trim().split(/\r?\n/);
      expect(header.split(",")).to.include.members(["hospital", "gtin", "lot", "accepted", "used"]);
      expect(row).to.include(GTIN);
    });

    it("keeps a hospital to its own figures", async function () {
      const own = await get("", t.receiver2);
      expect(own.statusCode).to.equal(200);
      expect(own.json<{ rows: unknown[] }>().rows).to.deep.equal([]);
      const other = await get(`?hospital=${chain.cast.hospital.address}`, t.receiver2);
      expectError(other, 403, "NOT_YOUR_HOSPITAL");
    });

    it("names a malformed filter", async function () {
      expectInvalidField(await get("?gtin=123", t.regulator), "querystring.gtin");
    });
  });

  describe("fulfilment, overdue payments and recall exposure", function () {
    const get = (url: string, token: string) => app.inject({ method: "GET", url, headers: bearer(token) });

    it("reports each hospital's commitment against what it ordered and accepted", async function () {
      const res = await get(`/v1/agreements/${p.agreementId}/fulfilment`, t.regulator);
      expect(res.statusCode, res.body).to.equal(200);
      const hospital = res
        .json<{ hospitals: Record<string, unknown>[] }>()
        .hospitals.find((h) => h.hospital === chain.cast.hospital.address.toLowerCase());
      expect(hospital).to.include({ committed: "1000", ordered: "10", accepted: "10" });
      expectError(await get("/v1/agreements/999/fulfilment", t.regulator), 404, "AGREEMENT_NOT_FOUND");
    });

    it("lists no overdue payment once every accepted shipment is paid", async function () {
      const res = await get("/v1/payments/overdue?days=0", t.regulator);
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.deep.equal({ days: 0, items: [], nextCursor: null });
    });

    it("shows which hospital holds and used a lot, for the regulator only", async function () {
      await recordUsage();
      const res = await get(`/v1/recalls/${GTIN}/${LOT}/exposure`, t.regulator);
      expect(res.statusCode, res.body).to.equal(200);
      const hospitals = res.json<{ hospitals: Record<string, unknown>[] }>().hospitals;
      expect(hospitals).to.have.length(1);
      expect(hospitals[0]).to.include({
        hospital: chain.cast.hospital.address.toLowerCase(),
        used: "1",
        onHand: "9",
      });
      expectError(await get(`/v1/recalls/${GTIN}/NOPE/exposure`, t.regulator), 404, "LOT_NOT_FOUND");
      expectError(await get(`/v1/recalls/${GTIN}/${LOT}/exposure`, t.receiver), 403, "FORBIDDEN");
    });
  });
});
