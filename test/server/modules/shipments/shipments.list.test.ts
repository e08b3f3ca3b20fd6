import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { ShipmentPage, type Shipment } from "../../../../api/shipments";
import * as act from "../../../../ledger/acts";
import { ShipmentsRepository } from "../../../../server/modules/shipments/shipments.repository";
import { forEachEngine } from "../../helpers/engines";
import { expectServedAsDocumented } from "../../support/documented-fields";
import { GTIN, LOT, STENTS, type ChainStack, type Procurement } from "../../support/chain";
import {
  bearer,
  chainIso,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  loginAll,
  orderAndShip,
  startApi,
  stopApi,
  type ApiStack,
  type Shipped,
} from "../../support/api-fixtures";
import { LedgerSeed } from "../reconciliation/seed";

/**
 * GET /v1/shipments: every shipment the caller may see (a regulator's all, a hospital's its own,
 * a supplier's its own) by id, filtered by order, parties, item and stage, a page at a time.
 * Hospital A's shipments from supplier A are on chain, at each stage but the last; hospital B's
 * (from supplier A) and supplier B's (to hospital A) are seeded into the projections, settled.
 */

/** Seeded shipments (and their orders): far above any id the test chain reaches. */
const B_SHIPMENT = 900_001;
const SUPPLIER2_SHIPMENT = 900_002;
const SUPPLIER2_AGREEMENT = 900;
const OTHER_LOT = "LOTB2026";

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<"regulator" | "receiver" | "receiver2" | "supplier" | "supplier2" | "stranger", string>;
  let arrived: Shipped;
  let shipped: Shipped;
  /** Every shipment's id, in id order. */
  let all: string[];

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast, ledger } = chain;
    await enrolSecondHospital(chain, [{ wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }]);
    await act.registerSupplier(ledger, cast.supplier2, "Beta Devices", "91320000Y");
    // The procured shipment arrives and is received; another only arrives; a third is in transit.
    arrived = await orderAndShip(chain, p, { quantity: 2, prefix: "AR", lot: OTHER_LOT });
    shipped = await orderAndShip(chain, p, { quantity: 1, prefix: "SH" });
    const at = (await chain.now()) - 60;
    for (const id of [p.shipmentId, arrived.shipmentId]) {
      await act.recordTrace(ledger, cast.supplier, id, "arriving", { location: "dock", eventTime: at });
    }
    await act.recordTrace(ledger, cast.receiver, p.shipmentId, "receiving", {
      location: "store",
      eventTime: at,
    });
    await app.indexer.catchUp();

    const seed = new LedgerSeed(app.db);
    const createdAt = await chainIso(chain, -3600);
    const order = { quantity: 1, value: 100, placedAt: createdAt };
    const shipment = { gtin: GTIN, lot: LOT, expiry: "2099-01-01T00:00:00Z", quantity: 1, createdAt };
    await seed.order({
      id: B_SHIPMENT,
      agreementId: Number(p.agreementId),
      hospital: cast.hospital2.address.toLowerCase(),
      ...order,
    });
    await seed.shipment({ id: B_SHIPMENT, orderId: B_SHIPMENT, ...shipment });
    await seed.agreement({
      id: SUPPLIER2_AGREEMENT,
      supplier: cast.supplier2.address.toLowerCase(),
      category: STENTS,
      startAt: createdAt,
      endAt: "2099-01-01T00:00:00Z",
      hospitals: [],
    });
    await seed.order({
      id: SUPPLIER2_SHIPMENT,
      agreementId: SUPPLIER2_AGREEMENT,
      hospital: cast.hospital.address.toLowerCase(),
      ...order,
    });
    await seed.shipment({ id: SUPPLIER2_SHIPMENT, orderId: SUPPLIER2_SHIPMENT, ...shipment });

    all = [p.shipmentId, arrived.shipmentId, shipped.shipmentId, B_SHIPMENT, SUPPLIER2_SHIPMENT].map(String);
    t = await loginAll(app, {
      regulator: cast.regulator,
      receiver: cast.receiver,
      receiver2: cast.receiver2,
      supplier: cast.supplier,
      supplier2: cast.supplier2,
      stranger: cast.stranger,
    });
  });

  after(() => stopApi(stack));

  const get = (url: string, token?: string) =>
    app.inject({ method: "GET", url, headers: token ? bearer(token) : {} });
  const ids = async (url: string, token: string) => {
    const res = await get(url, token);
    expect(res.statusCode, res.body).to.equal(200);
    return res.json<ShipmentPage>().items.map((s) => s.id);
  };

  it("shows a regulator every shipment, a hospital and a supplier only their own", async function () {
    const [a1, a2, a3, b, s2] = all;
    expect(await ids("/v1/shipments", t.regulator)).to.deep.equal(all);
    expect(await ids("/v1/shipments", t.receiver)).to.deep.equal([a1, a2, a3, s2]);
    expect(await ids("/v1/shipments", t.receiver2)).to.deep.equal([b]);
    expect(await ids("/v1/shipments", t.supplier)).to.deep.equal([a1, a2, a3, b]);
    expect(await ids("/v1/shipments", t.supplier2)).to.deep.equal([s2]);
  });

  it("lists another party's shipments for nobody who names that party: the filter narrows, never widens", async function () {
    const { cast } = chain;
    expect(await ids(`/v1/shipments?hospital=${cast.hospital.address}`, t.receiver2)).to.deep.equal([]);
    expect(await ids(`/v1/shipments?hospital=${cast.hospital2.address}`, t.receiver)).to.deep.equal([]);
    expect(await ids(`/v1/shipments?supplier=${cast.supplier.address}`, t.supplier2)).to.deep.equal([]);
    // Naming one's own party is just a filter (addresses in any case).
    expect(
      await ids(
        `/v1/shipments?supplier=${cast.supplier2.address.toUpperCase().replace("0X", "0x")}`,
        t.receiver,
      ),
    ).to.deep.equal([String(SUPPLIER2_SHIPMENT)]);
  });

  it("filters by order, hospital, supplier, GTIN and lot", async function () {
    const { cast } = chain;
    expect(await ids(`/v1/shipments?orderId=${shipped.orderId}`, t.regulator)).to.deep.equal([
      String(shipped.shipmentId),
    ]);
    expect(await ids("/v1/shipments?orderId=777", t.regulator)).to.deep.equal([]);
    expect(await ids(`/v1/shipments?hospital=${cast.hospital2.address}`, t.regulator)).to.deep.equal([
      String(B_SHIPMENT),
    ]);
    expect(await ids(`/v1/shipments?supplier=${cast.supplier2.address}`, t.regulator)).to.deep.equal([
      String(SUPPLIER2_SHIPMENT),
    ]);
    expect(await ids(`/v1/shipments?gtin=${GTIN}`, t.regulator)).to.deep.equal(all);
    expect(await ids("/v1/shipments?gtin=09520123456795", t.regulator)).to.deep.equal([]);
    expect(await ids(`/v1/shipments?lot=${OTHER_LOT}`, t.regulator)).to.deep.equal([
      String(arrived.shipmentId),
    ]);
    expect(
      await ids(`/v1/shipments?lot=${OTHER_LOT}&supplier=${cast.supplier2.address}`, t.regulator),
    ).to.deep.equal([]);
  });

  it("filters by stage: shipped, arrived, received on chain, confirmed (settled)", async function () {
    const stage = async (status: string) => ids(`/v1/shipments?status=${status}`, t.regulator);
    expect(await stage("shipped")).to.deep.equal([String(shipped.shipmentId)]);
    expect(await stage("arrived")).to.deep.equal([String(arrived.shipmentId)]);
    expect(await stage("received")).to.deep.equal([String(p.shipmentId)]);
    expect(await stage("confirmed")).to.deep.equal([String(B_SHIPMENT), String(SUPPLIER2_SHIPMENT)]);
    expect(await ids("/v1/shipments?status=confirmed", t.receiver)).to.deep.equal([
      String(SUPPLIER2_SHIPMENT),
    ]);
    // The shipment itself says the same.
    const one = await get(`/v1/shipments/${arrived.shipmentId}`, t.receiver);
    expect(one.json<Shipment>().status).to.equal("arrived");
  });

  it("says when each shipment's supplier may claim settlement, and lists those open before a time", async function () {
    const terms = await chain.ledger.agreements.agreementTerms(p.agreementId);
    const after = (iso: string | null, seconds: bigint) =>
      new Date(Date.parse(iso!) + Number(seconds) * 1000);
    const byId = new Map(
      (await get("/v1/shipments", t.regulator)).json<ShipmentPage>().items.map((s) => [s.id, s]),
    );
    const received = byId.get(String(p.shipmentId))!;
    const onArrival = byId.get(String(arrived.shipmentId))!;
    // After the hospital's receipt, its confirmation window; without one, both windows after the arrival.
    const receivedOpens = after(received.chainReceivedAt, terms.confirmWindow);
    const arrivalOpens = after(onArrival.arrivedAt, terms.receivingWindow + terms.confirmWindow);
    expect(received.claimOpensAt).to.equal(receivedOpens.toISOString());
    expect(onArrival.claimOpensAt).to.equal(arrivalOpens.toISOString());
    for (const id of [shipped.shipmentId, B_SHIPMENT, SUPPLIER2_SHIPMENT]) {
      expect(byId.get(String(id))!.claimOpensAt, `shipment ${id}`).to.equal(null);
    }
    const openBefore = (at: Date) =>
      ids(`/v1/shipments?claimOpenBefore=${encodeURIComponent(at.toISOString())}`, t.supplier);
    expect(await openBefore(receivedOpens)).to.deep.equal([]);
    expect(await openBefore(new Date(receivedOpens.getTime() + 1000))).to.deep.equal([String(p.shipmentId)]);
    expect(await openBefore(new Date(arrivalOpens.getTime() + 1000))).to.deep.equal([
      String(p.shipmentId),
      String(arrived.shipmentId),
    ]);
    // Another supplier has none of them to claim.
    expect(
      await ids(`/v1/shipments?claimOpenBefore=${encodeURIComponent("2099-01-01T00:00:00Z")}`, t.supplier2),
    ).to.deep.equal([]);
    expectInvalidField(
      await get("/v1/shipments?claimOpenBefore=tomorrow", t.supplier),
      "querystring.claimOpenBefore",
    );
  });

  it("serves a shipment with the record every act on it passes back, as its creation carried it", async function () {
    const res = await get(`/v1/shipments/${arrived.shipmentId}`, t.supplier);
    expect(res.statusCode, res.body).to.equal(200);
    const onChain = await act.shipmentRecord(chain.ledger, arrived.shipmentId);
    const { record } = res.json<Shipment>();
    expect(record).to.deep.equal({
      orderId: String(onChain.orderId),
      supplier: String(onChain.supplier).toLowerCase(),
      hospital: String(onChain.hospital).toLowerCase(),
      gtin: String(onChain.gtin),
      expiry: String(onChain.expiry),
      quantity: String(onChain.quantity),
      createdAt: String(onChain.createdAt),
      serialRoot: onChain.serialRoot,
      noticeHash: onChain.noticeHash,
      lot: onChain.lot,
    });
    // A row with no creation event in the log (seeded here; the indexer writes both together).
    const seeded = await get(`/v1/shipments/${B_SHIPMENT}`, t.regulator);
    expect(seeded.statusCode, seeded.body).to.equal(200);
    expect(seeded.json<Shipment>().record).to.equal(null);
  });

  it("serves each item as documented: what the repository listed, field for field", async function () {
    const repo = new ShipmentsRepository(app.db);
    const produced = await repo.list({}, {});
    expectServedAsDocumented(await get("/v1/shipments", t.regulator), ShipmentPage, produced);
    const received = produced.items[0];
    expect(received).to.deep.include({
      id: String(p.shipmentId),
      orderId: String(p.orderId),
      hospital: chain.cast.hospital.address.toLowerCase(),
      supplier: chain.cast.supplier.address.toLowerCase(),
      gtin: GTIN,
      lot: LOT,
      quantity: "10",
      status: "received",
      confirmed: false,
      dispute: null,
    });
    expect(received.arrivedAt).to.be.a("string");
    expect(received.chainReceivedAt).to.be.a("string");
  });

  it("pages two at a time: the pages add up to the whole list, each shipment once", async function () {
    const pages: ShipmentPage[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `/v1/shipments?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        t.regulator,
      );
      expect(res.statusCode, res.body).to.equal(200);
      pages.push(res.json<ShipmentPage>());
      cursor = pages[pages.length - 1].nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages.map((pg) => pg.items.map((s) => s.id))).to.deep.equal([
      all.slice(0, 2),
      all.slice(2, 4),
      all.slice(4),
    ]);
    // A cursor carries on within the filter it came with.
    const first = await get(`/v1/shipments?status=confirmed&limit=1`, t.regulator);
    const next = await get(
      `/v1/shipments?status=confirmed&limit=1&cursor=${first.json<ShipmentPage>().nextCursor}`,
      t.regulator,
    );
    expect(next.json<ShipmentPage>()).to.deep.include({ nextCursor: null });
    expect(next.json<ShipmentPage>().items.map((s) => s.id)).to.deep.equal([String(SUPPLIER2_SHIPMENT)]);
  });

  it("answers 400 CURSOR_INVALID for a cursor it did not issue, and 400 naming a bad filter", async function () {
    expectError(
      await get("/v1/shipments?cursor=!!not-ours", t.regulator),
      400,
      "CURSOR_INVALID",
      "not one this API issued",
    );
    const address = Buffer.from(chain.cast.supplier.address).toString("base64url");
    expectError(await get(`/v1/shipments?cursor=${address}`, t.regulator), 400, "CURSOR_INVALID");
    expect(
      expectInvalidField(await get("/v1/shipments?status=lost", t.regulator), "querystring.status"),
    ).to.include('"shipped"');
    expectInvalidField(await get("/v1/shipments?supplier=acme", t.regulator), "querystring.supplier");
    expectInvalidField(await get("/v1/shipments?gtin=123", t.regulator), "querystring.gtin");
    expectInvalidField(await get("/v1/shipments?orderId=0", t.regulator), "querystring.orderId");
    expectInvalidField(await get("/v1/shipments?limit=501", t.regulator), "querystring.limit");
    expectInvalidField(await get("/v1/shipments?colour=red", t.regulator), "querystring.colour");
  });

  it("answers 401 without a token and 403 to an account that is no party", async function () {
    expectError(await get("/v1/shipments"), 401, "UNAUTHORIZED");
    expectError(
      await get("/v1/shipments?status=lost", t.stranger),
      403,
      "FORBIDDEN",
      "this route needs one of the roles regulator, hospital-admin, hospital-approver, hospital-settler, hospital-receiver, supplier",
    );
  });
});
