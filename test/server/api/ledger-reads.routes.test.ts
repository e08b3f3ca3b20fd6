import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import * as act from "../../../ledger/acts";
import { Agreement, AgreementPage } from "../../../api/agreements";
import { Order, OrderPage } from "../../../api/orders";
import { Shipment } from "../../../api/shipments";
import { Supplier, SupplierDocumentPage, SupplierPage } from "../../../api/suppliers";
import { Tender, TenderPage } from "../../../api/tenders";
import { AgreementsRepository } from "../../../server/modules/agreements/agreements.repository";
import { OrdersRepository } from "../../../server/modules/orders/orders.repository";
import { ShipmentsRepository } from "../../../server/modules/shipments/shipments.repository";
import { SuppliersRepository } from "../../../server/modules/suppliers/suppliers.repository";
import { TendersRepository } from "../../../server/modules/tenders/tenders.repository";
import { forEachEngine } from "../helpers/engines";
import { expectServedAsDocumented } from "../support/documented-fields";
import {
  BID_BOND,
  GTIN,
  LOT,
  STENTS,
  tenderTerms,
  type ChainStack,
  type Procurement,
} from "../support/chain";
import {
  bearer,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  extraWallet,
  loginAll,
  placedOrder,
  startApi,
  stopApi,
  type ApiStack,
} from "../support/api-fixtures";

/**
 * The indexed ledger's read routes: suppliers, tenders and agreements for anyone signed in;
 * orders and shipments only for the regulator, the ordering hospital and the supplier. Every
 * list pages with a cursor and filters; every id that is not there (or not visible) is a 404.
 * The v2 facts show where they belong: registered GTINs, bid bonds and windows, cancelled
 * tenders, funded and accepted volume, funding expiry, the shipment's on-chain arrival and
 * receipt, disputes, and the recalls that reach a shipment (global or its supplier's, lifted or
 * not).
 */

const BALLOONS = act.categoryCode("C0402-BALLOON");

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<
    "regulator" | "receiver" | "hospital" | "receiver2" | "supplier" | "supplier2" | "stranger",
    string
  >;
  let placed: bigint[];
  let suspendedSupplier: string;
  let cancelledTender: bigint;
  let openTender: bigint;

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast, ledger } = chain;
    await enrolSecondHospital(chain, [{ wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }]);
    // Three more suppliers' worth of rows: supplier2 active, a third one suspended.
    await act.registerSupplier(ledger, cast.supplier2, "Beta Devices", "91320000Y");
    const third = extraWallet(chain, 12);
    await act.registerSupplier(ledger, third, "Gamma Supplies", "91330000Z");
    await act.sent(ledger.registry.connect(cast.regulator).suspend(third.address, 7));
    suspendedSupplier = third.address.toLowerCase();
    // Two more tenders, one in another category. The supplier bids in the first (escrowing its
    // bond, which its reveal in the procured tender gave back), a regulator cancels it, and the
    // supplier withdraws the bond; the other stays open.
    const now = await chain.now();
    const [stents, balloons] = [STENTS, BALLOONS].map((category) => tenderTerms(now, { category }));
    const volumes = [{ hospital: cast.hospital.address, volume: 100n }];
    cancelledTender = await act.openTender(ledger, cast.regulator, stents, volumes);
    openTender = await act.openTender(ledger, cast.regulator, balloons, volumes);
    const tiers = [{ threshold: 0n, unitPrice: 9_500n }];
    await act.commitBid(ledger, cast.supplier, cancelledTender, tiers, ethers.id("bid-2"));
    await act.sent(ledger.tenders.connect(cast.regulator).cancelTender(cancelledTender, 4));
    await act.sent(ledger.tenders.connect(cast.supplier).withdrawBond(cancelledTender));
    // Three more orders (placed, not approved): four in all.
    placed = [];
    for (let i = 0; i < 3; i++) placed.push(await placedOrder(chain, p, 2));
    // The procured shipment arrives and is received on chain; the approver disputes a unit; the
    // regulator's recall of the lot is lifted, the supplier recalls its own stock of it, and
    // another supplier's recall of the same lot reaches only that supplier's shipments.
    const at = (await chain.now()) - 60;
    await act.recordTrace(ledger, cast.supplier, p.shipmentId, "arriving", {
      location: "dock",
      eventTime: at,
    });
    await act.recordTrace(ledger, cast.receiver, p.shipmentId, "receiving", {
      location: "store",
      eventTime: at,
    });
    const record = await act.shipmentRecord(ledger, p.shipmentId);
    await act.sent(ledger.orderBook.connect(cast.approver).disputeShipment(p.shipmentId, record, 1, 3));
    await act.sent(ledger.trace.connect(cast.regulator).recall(BigInt(GTIN), LOT, 5));
    await act.sent(ledger.trace.connect(cast.regulator).liftRecall(BigInt(GTIN), LOT, ethers.ZeroAddress, 6));
    await act.sent(ledger.trace.connect(cast.supplier).recall(BigInt(GTIN), LOT, 8));
    await act.sent(ledger.trace.connect(cast.supplier2).recall(BigInt(GTIN), LOT, 9));
    await app.indexer.catchUp();
    t = await loginAll(app, {
      regulator: cast.regulator,
      receiver: cast.receiver,
      hospital: cast.hospital,
      receiver2: cast.receiver2,
      supplier: cast.supplier,
      supplier2: cast.supplier2,
      stranger: cast.stranger,
    });
  });

  after(() => stopApi(stack));

  const get = (url: string, token?: string) =>
    app.inject({ method: "GET", url, headers: token ? bearer(token) : {} });

  /** Walks every page of `url` with `limit`, returning the pages. */
  async function walk<P extends { nextCursor: string | null }>(
    url: string,
    limit: number,
    token: string,
  ): Promise<P[]> {
    const pages: P[] = [];
    let cursor: string | null = null;
    do {
      const sep = url.includes("?") ? "&" : "?";
      const res = await get(
        `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        token,
      );
      expect(res.statusCode, res.body).to.equal(200);
      const page = res.json<P>();
      pages.push(page);
      cursor = page.nextCursor;
      expect(pages.length).to.be.below(20);
    } while (cursor !== null);
    return pages;
  }

  describe("GET /v1/suppliers", function () {
    it("lists every supplier with its status, ordered by address", async function () {
      const res = await get("/v1/suppliers", t.stranger);
      expect(res.statusCode, res.body).to.equal(200);
      const { items, nextCursor } = res.json<SupplierPage>();
      expect(nextCursor).to.equal(null);
      const addresses = [chain.cast.supplier, chain.cast.supplier2]
        .map((w) => w.address.toLowerCase())
        .concat(suspendedSupplier)
        .sort();
      expect(items.map((s) => s.address)).to.deep.equal(addresses);
      const acme = items.find((s) => s.address === chain.cast.supplier.address.toLowerCase())!;
      expect(acme).to.include({ status: "active", name: ethers.encodeBytes32String("Acme Medical") });
      expect(items.find((s) => s.address === suspendedSupplier)).to.include({
        status: "suspended",
        statusReason: 7,
      });
    });

    it("filters by status", async function () {
      const suspended = (await get("/v1/suppliers?status=suspended", t.regulator)).json<SupplierPage>();
      expect(suspended.items.map((s) => s.address)).to.deep.equal([suspendedSupplier]);
      const active = (await get("/v1/suppliers?status=active", t.regulator)).json<SupplierPage>();
      expect(active.items.map((s) => s.status)).to.deep.equal(["active", "active"]);
      expect(
        expectInvalidField(await get("/v1/suppliers?status=banned", t.regulator), "querystring.status"),
      ).to.match(/must be one of "active", "suspended"/);
    });

    it("pages one supplier at a time with a cursor", async function () {
      const pages = await walk<SupplierPage>("/v1/suppliers", 1, t.regulator);
      expect(pages.map((pg) => pg.items.length)).to.deep.equal([1, 1, 1]);
      const all = pages.flatMap((pg) => pg.items.map((s) => s.address));
      expect(all).to.deep.equal([...all].sort());
      expect(new Set(all).size).to.equal(3);
      expect(pages[2].nextCursor).to.equal(null);
    });
  });

  describe("GET /v1/suppliers/:address", function () {
    it("shows a supplier with its attested documents and the GTINs registered to it", async function () {
      const res = await get(`/v1/suppliers/${chain.cast.supplier.address}`, t.receiver);
      expect(res.statusCode, res.body).to.equal(200);
      const body = res.json<Supplier>();
      expect(body).to.include({ address: chain.cast.supplier.address.toLowerCase(), status: "active" });
      // Newest first: the product registration certificate that declared the GTIN was filed last.
      expect(body.documents.map((d) => [d.kind, d.status, d.gtins])).to.deep.equal([
        ["product_registration", "attested", [GTIN]],
        ["product_registration", "attested", null],
        ["device_operating_permit", "attested", null],
        ["business_licence", "attested", null],
      ]);
      expect(body.documents[3].categories).to.deep.equal([STENTS]);
      expect(body).to.include({ documentsNextCursor: null, gtinsNextCursor: null });
      const certificate = body.documents[0];
      const onChain = await chain.ledger.registry.document(BigInt(certificate.id));
      expect(body.gtins).to.deep.equal([
        {
          gtin: GTIN,
          documentId: certificate.id,
          validFrom: new Date(Number(onChain.validFrom) * 1000).toISOString(),
          validUntil: new Date(Number(onChain.validUntil) * 1000).toISOString(),
        },
      ]);
      expect(body.lastChange.txHash).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("pages its documents, newest first, and its GTINs", async function () {
      const address = chain.cast.supplier.address;
      const whole = (await get(`/v1/suppliers/${address}`, t.receiver)).json<Supplier>();
      const ids: string[] = [];
      let cursor = "";
      do {
        const res = await get(`/v1/suppliers/${address}/documents?limit=3${cursor}`, t.receiver);
        expect(res.statusCode, res.body).to.equal(200);
        const page = res.json<SupplierDocumentPage>();
        ids.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor === null ? "" : `&cursor=${page.nextCursor}`;
      } while (cursor !== "");
      expect(ids).to.deep.equal(whole.documents.map((d) => d.id));
      expect(ids.map(Number)).to.deep.equal([...ids.map(Number)].sort((a, b) => b - a));
      const gtins = await get(`/v1/suppliers/${address}/gtins?limit=1`, t.receiver);
      expect(gtins.statusCode, gtins.body).to.equal(200);
      expect(gtins.json()).to.deep.equal({ items: whole.gtins, nextCursor: null });
    });

    it("answers 404 SUPPLIER_NOT_FOUND for the documents of an address that never registered", async function () {
      for (const list of ["documents", "gtins"]) {
        const res = await get(`/v1/suppliers/${chain.cast.stranger.address}/${list}`, t.receiver);
        expectError(res, 404, "SUPPLIER_NOT_FOUND", chain.cast.stranger.address);
      }
    });

    it("shows a supplier without product registrations with no GTINs", async function () {
      const res = await get(`/v1/suppliers/${chain.cast.supplier2.address}`, t.receiver);
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.deep.include({ documents: [], gtins: [], documentsNextCursor: null });
    });

    it("answers 404 SUPPLIER_NOT_FOUND for an address that never registered", async function () {
      expectError(
        await get(`/v1/suppliers/${chain.cast.stranger.address}`, t.receiver),
        404,
        "SUPPLIER_NOT_FOUND",
        chain.cast.stranger.address,
      );
    });

    it("answers 400 VALIDATION_FAILED for something that is not an address", async function () {
      expect(expectInvalidField(await get("/v1/suppliers/0x1234", t.receiver), "params.address")).to.match(
        /pattern/,
      );
    });

    it("answers 401 UNAUTHORIZED without a token", async function () {
      expectError(await get(`/v1/suppliers/${chain.cast.supplier.address}`), 401, "UNAUTHORIZED");
    });
  });

  describe("GET /v1/tenders and /v1/tenders/:id", function () {
    it("lists the tenders, filtered by status and category", async function () {
      const all = (await get("/v1/tenders", t.supplier)).json<TenderPage>();
      expect(all.items.map((x) => [x.id, x.status])).to.deep.equal([
        ["1", "awarded"],
        [String(cancelledTender), "cancelled"],
        [String(openTender), "open"],
      ]);
      const open = (await get("/v1/tenders?status=open", t.supplier)).json<TenderPage>();
      expect(open.items.map((x) => x.id)).to.deep.equal([String(openTender)]);
      const cancelled = (await get("/v1/tenders?status=cancelled", t.supplier)).json<TenderPage>();
      expect(cancelled.items.map((x) => x.id)).to.deep.equal([String(cancelledTender)]);
      const balloons = (await get(`/v1/tenders?category=${BALLOONS}`, t.supplier)).json<TenderPage>();
      expect(balloons.items.map((x) => x.id)).to.deep.equal(["3"]);
      const pages = await walk<TenderPage>("/v1/tenders", 2, t.supplier);
      expect(pages.map((pg) => pg.items.map((x) => x.id))).to.deep.equal([["1", "2"], ["3"]]);
    });

    it("shows a tender with its terms, bond and windows and its revealed, winning bid", async function () {
      const res = await get("/v1/tenders/1", t.stranger);
      expect(res.statusCode, res.body).to.equal(200);
      const tender = res.json<Tender>();
      const terms = tenderTerms(0);
      expect(tender).to.include({
        id: "1",
        category: STENTS,
        reservePrice: "1000000",
        status: "awarded",
        leadTimeDays: 10,
        penaltyBpsPerDay: 50,
        penaltyCapBps: 1000,
        winners: 1,
        bidBond: BID_BOND.toString(),
        fundingWindowSeconds: terms.fundingWindow,
        receivingWindowSeconds: terms.receivingWindow,
        confirmWindowSeconds: terms.confirmWindow,
        // Every bidder revealed: nothing was forfeited.
        forfeited: "0",
      });
      expect(tender.hospitals).to.deep.equal([
        { hospital: chain.cast.hospital.address.toLowerCase(), volume: "1000", forfeitClaimed: "0" },
      ]);
      expect(tender.bids).to.have.length(1);
      const onChain = await chain.ledger.tenders.bid(1n, chain.cast.supplier.address);
      expect(tender.bids[0]).to.include({
        bidder: chain.cast.supplier.address.toLowerCase(),
        committedAt: new Date(Number(onChain.committedAt) * 1000).toISOString(),
        bond: BID_BOND.toString(),
        bondReturned: true,
        revealed: true,
        won: true,
      });
      expect(tender.bids[0].commitment.slice(0, 50)).to.equal(onChain.commitment);
    });

    it("shows a cancelled tender with the bond its unrevealed bidder withdrew", async function () {
      const res = await get(`/v1/tenders/${cancelledTender}`, t.supplier);
      expect(res.statusCode, res.body).to.equal(200);
      const tender = res.json<Tender>();
      expect(tender).to.include({ status: "cancelled", forfeited: "0" });
      expect(tender.bids).to.have.length(1);
      expect(tender.bids[0]).to.include({
        bidder: chain.cast.supplier.address.toLowerCase(),
        bond: BID_BOND.toString(),
        bondReturned: true,
        revealed: false,
        won: false,
        tiers: null,
      });
    });

    it("answers 404 TENDER_NOT_FOUND and 400 for an id that is not one", async function () {
      expectError(await get("/v1/tenders/999", t.stranger), 404, "TENDER_NOT_FOUND", "no tender 999");
      expectInvalidField(await get("/v1/tenders/abc", t.stranger), "params.id");
      expectInvalidField(await get("/v1/tenders/0", t.stranger), "params.id");
    });
  });

  describe("GET /v1/agreements and /v1/agreements/:id", function () {
    it("lists agreements, filtered by supplier and tender", async function () {
      const all = (await get("/v1/agreements", t.receiver)).json<AgreementPage>();
      expect(all.items.map((a) => [a.id, a.supplier])).to.deep.equal([
        [String(p.agreementId), chain.cast.supplier.address.toLowerCase()],
      ]);
      const mine = await get(`/v1/agreements?supplier=${chain.cast.supplier.address}&tenderId=1`, t.receiver);
      expect(mine.json<AgreementPage>().items).to.have.length(1);
      const none = await get(`/v1/agreements?supplier=${chain.cast.supplier2.address}`, t.receiver);
      expect(none.json<AgreementPage>()).to.deep.equal({ items: [], nextCursor: null });
      expectInvalidField(await get("/v1/agreements?supplier=acme", t.receiver), "querystring.supplier");
    });

    it("shows an agreement with its tiers, windows and the hospital's committed, funded and accepted volume", async function () {
      const res = await get(`/v1/agreements/${p.agreementId}`, t.supplier2);
      expect(res.statusCode, res.body).to.equal(200);
      const agreement = res.json<Agreement>();
      const terms = tenderTerms(0);
      expect(agreement).to.include({
        id: String(p.agreementId),
        tenderId: "1",
        category: STENTS,
        fundingWindowSeconds: terms.fundingWindow,
        receivingWindowSeconds: terms.receivingWindow,
        confirmWindowSeconds: terms.confirmWindow,
      });
      expect(agreement.tiers).to.deep.equal([
        { threshold: "0", unitPrice: "10000" },
        { threshold: "100", unitPrice: "9000" },
      ]);
      // The procured order's 10 units are funded; the three placed ones book nothing until they
      // are; nothing is accepted yet, so the tier position (accepted volume) is still 0.
      expect(agreement).to.include({ fundedVolume: "10", acceptedVolume: "0" });
      expect(agreement).not.to.have.property("cumulativeVolume");
      expect(agreement.hospitals).to.deep.equal([
        {
          hospital: chain.cast.hospital.address.toLowerCase(),
          committed: "1000",
          funded: "10",
          accepted: "0",
        },
      ]);
      // The book keeps funded volume per hospital: the tender's one hospital holds all of it.
      const onChain = await chain.ledger.agreements.agreement(p.agreementId);
      const position = await chain.ledger.agreements.hospitalVolume(
        p.agreementId,
        chain.cast.hospital.address,
      );
      expect([position.funded, onChain.acceptedVolume]).to.deep.equal([10n, 0n]);
    });

    it("shows the supplier's consignment offer once it is on the ledger, null before", async function () {
      const id = String(p.agreementId);
      expect((await get(`/v1/agreements/${id}`, t.receiver)).json<Agreement>().consignment).to.equal(null);
      await act.offerConsignment(chain.ledger, chain.cast.supplier, p.agreementId, true);
      await app.indexer.catchUp();
      const [offered] = await chain.ledger.consignment.queryFilter(
        chain.ledger.consignment.filters.ConsignmentOffered(p.agreementId),
      );
      const at = new Date((await offered.getBlock()).timestamp * 1000).toISOString();
      const expected = { hospitalBearsExpiry: true, offeredAt: at, offeredTx: offered.transactionHash };
      expect((await get(`/v1/agreements/${id}`, t.receiver)).json<Agreement>().consignment).to.deep.equal(
        expected,
      );
      const listed = (await get("/v1/agreements", t.hospital)).json<AgreementPage>().items;
      expect(listed.map((a) => a.consignment)).to.deep.equal([expected]);
    });

    it("answers 404 AGREEMENT_NOT_FOUND", async function () {
      expectError(await get("/v1/agreements/42", t.supplier), 404, "AGREEMENT_NOT_FOUND", "no agreement 42");
    });
  });

  describe("GET /v1/orders", function () {
    const ids = (res: { json<T>(): T }) => res.json<OrderPage>().items.map((o) => o.id);

    it("shows the regulator every order, a hospital its own, a supplier its own", async function () {
      const every = ["1", ...placed.map(String)];
      expect(ids(await get("/v1/orders", t.regulator))).to.deep.equal(every);
      expect(ids(await get("/v1/orders", t.receiver))).to.deep.equal(every);
      expect(ids(await get("/v1/orders", t.hospital))).to.deep.equal(every);
      expect(ids(await get("/v1/orders", t.supplier))).to.deep.equal(every);
      expect(ids(await get("/v1/orders", t.receiver2))).to.deep.equal([]);
      expect(ids(await get("/v1/orders", t.supplier2))).to.deep.equal([]);
      // Asking for another hospital's orders does not widen a hospital's scope.
      const asked = await get(`/v1/orders?hospital=${chain.cast.hospital.address}`, t.receiver2);
      expect(ids(asked)).to.deep.equal([]);
    });

    it("answers 403 FORBIDDEN to an account that is neither regulator, hospital nor supplier", async function () {
      expectError(
        await get("/v1/orders", t.stranger),
        403,
        "FORBIDDEN",
        "this route needs one of the roles regulator, hospital-admin, hospital-approver, hospital-settler, hospital-receiver, supplier",
      );
    });

    it("filters by status, agreement, hospital and supplier", async function () {
      expect(ids(await get("/v1/orders?status=placed", t.regulator))).to.deep.equal(placed.map(String));
      expect(ids(await get("/v1/orders?status=funded", t.regulator))).to.deep.equal([String(p.orderId)]);
      expect(ids(await get("/v1/orders?status=closed", t.regulator))).to.deep.equal([]);
      expect(
        ids(await get(`/v1/orders?agreementId=${p.agreementId}&status=funded`, t.regulator)),
      ).to.deep.equal([String(p.orderId)]);
      expect(ids(await get("/v1/orders?agreementId=77", t.regulator))).to.deep.equal([]);
      expect(
        ids(await get(`/v1/orders?hospital=${chain.cast.hospital2.address}`, t.regulator)),
      ).to.deep.equal([]);
      expect(
        ids(await get(`/v1/orders?supplier=${chain.cast.supplier.address}`, t.regulator)),
      ).to.have.length(4);
      expect(
        expectInvalidField(await get("/v1/orders?status=shipped", t.regulator), "querystring.status"),
      ).to.include('"placed"');
    });

    it("walks the orders two at a time with the cursor", async function () {
      const pages = await walk<OrderPage>("/v1/orders", 2, t.regulator);
      expect(pages.map((pg) => pg.items.map((o) => o.id))).to.deep.equal([
        ["1", String(placed[0])],
        [String(placed[1]), String(placed[2])],
      ]);
      expect(pages[0].nextCursor).to.be.a("string");
      const threes = await walk<OrderPage>("/v1/orders?status=placed", 1, t.receiver);
      expect(threes.map((pg) => pg.items.map((o) => o.id))).to.deep.equal(placed.map((id) => [String(id)]));
    });

    it("answers 400 CURSOR_INVALID for a cursor it did not issue, and 400 for a bad limit", async function () {
      expectError(
        await get("/v1/orders?cursor=!!not-ours", t.regulator),
        400,
        "CURSOR_INVALID",
        "not one this API issued",
      );
      const wellFormed = Buffer.from("hello").toString("base64url");
      expectError(await get(`/v1/orders?cursor=${wellFormed}`, t.regulator), 400, "CURSOR_INVALID");
      expect(
        expectInvalidField(await get("/v1/orders?limit=0", t.regulator), "querystring.limit"),
      ).to.include(">= 1");
      expect(
        expectInvalidField(await get("/v1/orders?limit=501", t.regulator), "querystring.limit"),
      ).to.include("<= 500");
      expect(
        expectInvalidField(await get("/v1/orders?limit=ten", t.regulator), "querystring.limit"),
      ).to.equal("must be integer");
    });
  });

  describe("GET /v1/orders/:id", function () {
    it("shows the funded order with its amounts as strings and its approval", async function () {
      const res = await get(`/v1/orders/${p.orderId}`, t.receiver);
      expect(res.statusCode, res.body).to.equal(200);
      const order = res.json<Order>();
      expect(order).to.include({
        id: String(p.orderId),
        agreementId: String(p.agreementId),
        hospital: chain.cast.hospital.address.toLowerCase(),
        supplier: chain.cast.supplier.address.toLowerCase(),
        placedBy: chain.cast.hospital.address.toLowerCase(),
        quantity: "10",
        value: "100000",
        status: "funded",
        excessConsented: false,
        lateShipmentAllowed: false,
        approvals: 1,
        shipped: "10",
        accepted: "0",
        cancelled: "0",
        escrow: "100000",
        paid: "0",
        orderRef: ethers.id("PO-1"),
      });
      expect(order.approvers).to.have.length(1);
      expect(order.approvers[0].approver).to.equal(chain.cast.approver.address.toLowerCase());
      expect(order.lastChange.blockNumber).to.be.a("number");
    });

    it("shows a placed order to its supplier: no value until funded, and when funding closes", async function () {
      const res = await get(`/v1/orders/${placed[0]}`, t.supplier);
      expect(res.statusCode).to.equal(200);
      const onChain = await chain.ledger.orderBook.order(placed[0]);
      expect(res.json()).to.include({
        status: "placed",
        quantity: "2",
        value: "0",
        approvals: 0,
        escrow: "0",
        fundingExpiresAt: new Date(Number(onChain.fundingExpiresAt) * 1000).toISOString(),
      });
    });

    it("hides the order from another hospital and another supplier: 404 ORDER_NOT_FOUND", async function () {
      expectError(
        await get(`/v1/orders/${p.orderId}`, t.receiver2),
        404,
        "ORDER_NOT_FOUND",
        "visible to you",
      );
      expectError(await get(`/v1/orders/${p.orderId}`, t.supplier2), 404, "ORDER_NOT_FOUND");
    });

    it("answers 404 ORDER_NOT_FOUND for an unknown id and 400 for a malformed one", async function () {
      expectError(await get("/v1/orders/999", t.regulator), 404, "ORDER_NOT_FOUND", "no order 999");
      expectInvalidField(await get("/v1/orders/99999999999999999999999", t.regulator), "params.id");
      expectInvalidField(await get("/v1/orders/-1", t.regulator), "params.id");
      expectInvalidField(await get("/v1/orders/01", t.regulator), "params.id");
    });
  });

  describe("GET /v1/shipments/:id", function () {
    it("shows the shipment to its hospital and supplier, with its on-chain arrival, receipt and dispute", async function () {
      const state = await chain.ledger.trace.shipmentState(p.shipmentId);
      const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString();
      for (const token of [t.receiver, t.supplier, t.regulator]) {
        const res = await get(`/v1/shipments/${p.shipmentId}`, token);
        expect(res.statusCode, res.body).to.equal(200);
        const s = res.json<Shipment>();
        expect(s).to.deep.include({
          id: String(p.shipmentId),
          orderId: String(p.orderId),
          hospital: chain.cast.hospital.address.toLowerCase(),
          gtin: GTIN,
          lot: LOT,
          lotKey: await chain.ledger.trace.lotKey(BigInt(GTIN), LOT),
          quantity: "10",
          expiry: new Date(p.expiry * 1000).toISOString(),
          arrivedAt: iso(state.arrivedAt),
          chainReceivedAt: iso(state.receivedAt),
          excursion: false,
          dispute: { units: "1", reasonCode: 3 },
          confirmed: false,
          manifestSerials: null,
          settlement: null,
        });
        expect(s.traceEvents.map((e) => [e.index, e.step])).to.deep.equal([
          [1, "arriving"],
          [2, "receiving"],
        ]);
        expect(s.serialRoot).to.equal(act.serialTree(p.serials).root);
      }
    });

    it("shows the recalls that reach the shipment: the regulator's, lifted, and its supplier's own", async function () {
      const res = await get(`/v1/shipments/${p.shipmentId}`, t.receiver);
      expect(res.statusCode, res.body).to.equal(200);
      const s = res.json<Shipment>();
      const supplier = chain.cast.supplier.address.toLowerCase();
      expect(s.recalls.map((r) => [r.scope, r.recalledBy, r.reasonCode, r.lifted === null])).to.deep.equal([
        [ethers.ZeroAddress, chain.cast.regulator.address.toLowerCase(), 5, false],
        [supplier, supplier, 8, true],
      ]);
      expect(s.recalls[0].lifted).to.include({
        by: chain.cast.regulator.address.toLowerCase(),
        reasonCode: 6,
      });
      // The supplier's own recall is open: the chain refuses to pay for the lot, as shown.
      expect(s.recalled).to.equal(true);
      expect(await chain.ledger.trace.isRecalled(BigInt(GTIN), LOT, chain.cast.supplier.address)).to.equal(
        true,
      );
    });

    it("hides it from another hospital and another supplier, and 404s an unknown id", async function () {
      expectError(
        await get(`/v1/shipments/${p.shipmentId}`, t.receiver2),
        404,
        "SHIPMENT_NOT_FOUND",
        "visible to you",
      );
      expectError(await get(`/v1/shipments/${p.shipmentId}`, t.supplier2), 404, "SHIPMENT_NOT_FOUND");
      expectError(await get("/v1/shipments/404", t.regulator), 404, "SHIPMENT_NOT_FOUND", "no shipment 404");
      expectError(await get(`/v1/shipments/${p.shipmentId}`, t.stranger), 403, "FORBIDDEN");
    });
  });

  // What each route serves is what its repository produced, and exactly what its schema documents.
  describe("response bodies carry exactly the documented fields", function () {
    it("suppliers: a page and a supplier with documents, GTINs and a suspension", async function () {
      const repo = new SuppliersRepository(app.db);
      expectServedAsDocumented(await get("/v1/suppliers", t.receiver), SupplierPage, await repo.list({}));
      for (const address of [chain.cast.supplier.address, suspendedSupplier]) {
        const produced = await repo.get(address);
        expectServedAsDocumented(await get(`/v1/suppliers/${address}`, t.receiver), Supplier, produced);
      }
    });

    it("tenders: a page, an awarded tender with its revealed bid and a cancelled one", async function () {
      const repo = new TendersRepository(app.db);
      expectServedAsDocumented(await get("/v1/tenders", t.stranger), TenderPage, await repo.list({}));
      for (const id of ["1", String(cancelledTender)]) {
        expectServedAsDocumented(await get(`/v1/tenders/${id}`, t.stranger), Tender, await repo.get(id));
      }
    });

    it("agreements: a page and an agreement with its hospitals' volumes", async function () {
      const repo = new AgreementsRepository(app.db);
      const id = String(p.agreementId);
      expectServedAsDocumented(await get("/v1/agreements", t.receiver), AgreementPage, await repo.list({}));
      expectServedAsDocumented(await get(`/v1/agreements/${id}`, t.receiver), Agreement, await repo.get(id));
    });

    it("orders: a page, a funded order with its approval and a placed one", async function () {
      const repo = new OrdersRepository(app.db);
      expectServedAsDocumented(await get("/v1/orders", t.regulator), OrderPage, await repo.list({}));
      for (const id of [String(p.orderId), String(placed[0])]) {
        expectServedAsDocumented(await get(`/v1/orders/${id}`, t.regulator), Order, await repo.get(id));
      }
    });

    it("shipments: a disputed shipment with trace events and recalls, one lifted", async function () {
      const id = String(p.shipmentId);
      const produced = await new ShipmentsRepository(app.db).get(id);
      expectServedAsDocumented(await get(`/v1/shipments/${id}`, t.receiver), Shipment, produced);
    });
  });
});
