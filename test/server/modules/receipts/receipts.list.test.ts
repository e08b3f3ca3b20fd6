import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { ReceiptPage, type ReceiptSummary } from "../../../../api/receipts";
import * as act from "../../../../ledger/acts";
import { listReceipts } from "../../../../server/modules/receipts/receipts.repository";
import { forEachEngine } from "../../helpers/engines";
import { expectServedAsDocumented } from "../../support/documented-fields";
import { GTIN, LOT, type ChainStack, type Procurement } from "../../support/chain";
import {
  bearer,
  chainIso,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  isoDate,
  loginAll,
  orderAndShip,
  postReceipt,
  serialLines,
  startApi,
  stopApi,
  uploadManifest,
  type ApiStack,
  type Shipped,
} from "../../support/api-fixtures";
import { LedgerSeed } from "../reconciliation/seed";

/**
 * GET /v1/receipts: a hospital's goods receipts (every hospital's for a regulator) as summaries
 * with their match status, by shipment id, filtered by shipment, match status and time received.
 * Hospital A's receipts go through POST /v1/receipts (one matched, one an exception); hospital
 * B's, under the same receipt number, is seeded with its shipment.
 */

const B_SHIPMENT = 900_001;

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<"regulator" | "receiver" | "approver" | "receiver2" | "supplier" | "stranger", string>;
  let over: Shipped;
  let hospitalA: string;
  let hospitalB: string;
  /** The three receipts, in shipment id order: A's matched GR-0001, A's exception GR-0002, B's GR-0001. */
  let matched: ReceiptSummary;
  let exception: ReceiptSummary;
  let others: ReceiptSummary;

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast } = chain;
    await enrolSecondHospital(chain, [{ wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }]);
    hospitalA = cast.hospital.address.toLowerCase();
    hospitalB = cast.hospital2.address.toLowerCase();
    over = await orderAndShip(chain, p, { quantity: 2, prefix: "OV" });
    await app.indexer.catchUp();
    t = await loginAll(app, {
      regulator: cast.regulator,
      receiver: cast.receiver,
      approver: cast.approver,
      receiver2: cast.receiver2,
      supplier: cast.supplier,
      stranger: cast.stranger,
    });
    await uploadManifest(app, t.supplier, p.shipmentId, p.serials);
    // An hour apart on the ledger's clock, so a time range can tell them apart.
    const firstAt = await chainIso(chain);
    const first = await postReceipt(
      app,
      t.receiver,
      {
        receiptNo: "GR-0001",
        shipmentId: String(p.shipmentId),
        receivedAt: firstAt,
        lines: serialLines(p.serials, p.expiry),
      },
      "gr-0001",
    );
    expect(first.statusCode, first.body).to.equal(201);
    await chain.advance(3600);
    const secondAt = await chainIso(chain);
    const second = await postReceipt(
      app,
      t.receiver,
      {
        receiptNo: "GR-0002",
        shipmentId: String(over.shipmentId),
        receivedAt: secondAt,
        lines: [{ gtin: GTIN, lot: over.lot, expiry: isoDate(over.expiry), quantity: 3 }],
      },
      "gr-0002",
    );
    expect(second.statusCode, second.body).to.equal(201);
    expect(second.json().match.status).to.equal("exception");
    // Hospital B's receipt uses the same number: numbers are per hospital.
    const seed = new LedgerSeed(app.db);
    const createdAt = await chainIso(chain, -7200);
    await seed.order({
      id: B_SHIPMENT,
      agreementId: Number(p.agreementId),
      hospital: hospitalB,
      quantity: 4,
      value: 100,
      placedAt: createdAt,
    });
    await seed.shipment({
      id: B_SHIPMENT,
      orderId: B_SHIPMENT,
      gtin: GTIN,
      lot: LOT,
      expiry: "2099-01-01T00:00:00Z",
      quantity: 4,
      createdAt,
    });
    const othersAt = await chainIso(chain, -1800);
    await seed.receipt({
      receiptNo: "GR-0001",
      shipmentId: B_SHIPMENT,
      hospital: hospitalB,
      receivedAt: othersAt,
      received: 4,
      rejected: 1,
      match: { status: "matched", accepted: 3, matchedAt: othersAt },
    });
    matched = {
      receiptNo: "GR-0001",
      shipmentId: String(p.shipmentId),
      hospital: hospitalA,
      receivedAt: firstAt,
      received: "10",
      rejected: "0",
      matchStatus: "matched",
    };
    exception = {
      receiptNo: "GR-0002",
      shipmentId: String(over.shipmentId),
      hospital: hospitalA,
      receivedAt: secondAt,
      received: "3",
      rejected: "0",
      matchStatus: "exception",
    };
    others = {
      receiptNo: "GR-0001",
      shipmentId: String(B_SHIPMENT),
      hospital: hospitalB,
      receivedAt: othersAt,
      received: "4",
      rejected: "1",
      matchStatus: "matched",
    };
  });

  after(() => stopApi(stack));

  const get = (url: string, token?: string) =>
    app.inject({ method: "GET", url, headers: token ? bearer(token) : {} });
  const items = async (url: string, token: string) => {
    const res = await get(url, token);
    expect(res.statusCode, res.body).to.equal(200);
    return res.json<ReceiptPage>().items;
  };

  it("shows a hospital's staff their hospital's receipts as summaries, a regulator every hospital's", async function () {
    expect(await items("/v1/receipts", t.receiver)).to.deep.equal([matched, exception]);
    expect(await items("/v1/receipts", t.approver)).to.deep.equal([matched, exception]);
    expect(await items("/v1/receipts", t.receiver2)).to.deep.equal([others]);
    expect(await items("/v1/receipts", t.regulator)).to.deep.equal([matched, exception, others]);
    expect(
      await items(`/v1/receipts?hospital=${hospitalB.toUpperCase().replace("0X", "0x")}`, t.regulator),
    ).to.deep.equal([others]);
  });

  it("lists nothing to a hospital that names another: the filter narrows, never widens", async function () {
    expect(await items(`/v1/receipts?hospital=${hospitalA}`, t.receiver2)).to.deep.equal([]);
    expect(await items(`/v1/receipts?hospital=${hospitalB}`, t.receiver)).to.deep.equal([]);
    expect(await items(`/v1/receipts?hospital=${hospitalA}`, t.receiver)).to.deep.equal([matched, exception]);
  });

  it("filters by shipment, match status and the time received (from inclusive, to exclusive)", async function () {
    expect(await items(`/v1/receipts?shipmentId=${over.shipmentId}`, t.receiver)).to.deep.equal([exception]);
    expect(await items(`/v1/receipts?shipmentId=${B_SHIPMENT}`, t.receiver)).to.deep.equal([]);
    expect(await items("/v1/receipts?matchStatus=matched", t.regulator)).to.deep.equal([matched, others]);
    expect(await items("/v1/receipts?matchStatus=exception", t.regulator)).to.deep.equal([exception]);
    expect(await items(`/v1/receipts?from=${others.receivedAt}`, t.regulator)).to.deep.equal([
      exception,
      others,
    ]);
    expect(await items(`/v1/receipts?to=${others.receivedAt}`, t.regulator)).to.deep.equal([matched]);
    expect(
      await items(`/v1/receipts?from=${matched.receivedAt}&to=${exception.receivedAt}`, t.regulator),
    ).to.deep.equal([matched, others]);
  });

  it("serves each item as documented: what the repository listed, field for field", async function () {
    const produced = await listReceipts(app.db, {}, undefined);
    expectServedAsDocumented(await get("/v1/receipts", t.regulator), ReceiptPage, produced);
  });

  it("pages one at a time: the pages add up to the whole list, each receipt once", async function () {
    const seen: ReceiptSummary[][] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `/v1/receipts?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        t.regulator,
      );
      expect(res.statusCode, res.body).to.equal(200);
      const page = res.json<ReceiptPage>();
      seen.push(page.items);
      cursor = page.nextCursor;
    } while (cursor !== null && seen.length < 10);
    expect(seen).to.deep.equal([[matched], [exception], [others]]);
  });

  it("answers 400 CURSOR_INVALID for a cursor it did not issue, and 400 naming a bad filter", async function () {
    expectError(
      await get("/v1/receipts?cursor=!!not-ours", t.receiver),
      400,
      "CURSOR_INVALID",
      "not one this API issued",
    );
    expectError(
      await get(`/v1/receipts?cursor=${Buffer.from("GR-0001").toString("base64url")}`, t.receiver),
      400,
      "CURSOR_INVALID",
    );
    expect(
      expectInvalidField(await get("/v1/receipts?matchStatus=paid", t.receiver), "querystring.matchStatus"),
    ).to.include('"matched"');
    expectInvalidField(await get("/v1/receipts?from=yesterday", t.receiver), "querystring.from");
    expectInvalidField(await get("/v1/receipts?to=0000-01-01T00:00:00Z", t.receiver), "querystring.to");
    expectInvalidField(await get("/v1/receipts?shipmentId=x", t.receiver), "querystring.shipmentId");
    expectInvalidField(await get("/v1/receipts?hospital=general", t.regulator), "querystring.hospital");
  });

  it("answers 401 without a token and 403 to a supplier or an account without roles", async function () {
    expectError(await get("/v1/receipts"), 401, "UNAUTHORIZED");
    for (const token of [t.supplier, t.stranger]) {
      expectError(
        await get("/v1/receipts?matchStatus=paid", token),
        403,
        "FORBIDDEN",
        "this route needs one of the roles regulator, hospital-admin, hospital-approver, hospital-settler, hospital-receiver",
      );
    }
  });
});
