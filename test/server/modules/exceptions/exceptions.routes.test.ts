import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import type { Exception } from "../../../../api/exceptions";
import * as act from "../../../../ledger/acts";
import { forEachEngine } from "../../helpers/engines";
import { once } from "../../helpers/once";
import { GTIN, LOT, type ChainStack, type Procurement } from "../../support/chain";
import { chainReads } from "../../support/chain-reads";
import {
  bearer,
  chainIso,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  extraWallet,
  isoDate,
  loginAll,
  orderAndShip,
  postReceipt,
  startApi,
  stopApi,
  yymmdd,
  type ApiStack,
  type Shipped,
} from "../../support/api-fixtures";

/**
 * GET /v1/exceptions and POST /v1/exceptions/:id/resolve: receipts that did not match, decided
 * by a hospital approver; each decision becomes a settlement the worker pays on-chain pro rata,
 * and a settlement the chain refuses comes back as a new exception.
 */

const RECALLED_LOT = "LOTRECALL";

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<
    "receiver" | "approver" | "regulator" | "supplier" | "stranger" | "receiver2" | "approver2",
    string
  >;
  const s = {} as Record<"short" | "part" | "reject" | "recalled" | "open", Shipped>;
  /** Exception ids by shipment key. */
  const e = {} as Record<keyof typeof s, string>;
  /** The chain's clock when the receipts were posted, and its head's after. */
  let ledgerBefore: number;
  let ledgerAfter: number;

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast, ledger } = chain;
    const otherApprover = extraWallet(chain, 12);
    await enrolSecondHospital(chain, [
      { wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver },
      { wallet: otherApprover, roles: act.HOSPITAL_ROLES.approver },
    ]);
    s.short = await orderAndShip(chain, p, { quantity: 10, prefix: "SH" });
    s.part = await orderAndShip(chain, p, { quantity: 4, prefix: "PT" });
    s.reject = await orderAndShip(chain, p, { quantity: 2, prefix: "RJ" });
    s.recalled = await orderAndShip(chain, p, { quantity: 2, prefix: "RC", lot: RECALLED_LOT });
    s.open = await orderAndShip(chain, p, { quantity: 2, prefix: "OP" });
    await act.sent(ledger.trace.connect(cast.regulator).recall(BigInt(GTIN), RECALLED_LOT, 2));
    await app.indexer.catchUp();
    t = await loginAll(app, {
      receiver: cast.receiver,
      approver: cast.approver,
      regulator: cast.regulator,
      supplier: cast.supplier,
      stranger: cast.stranger,
      receiver2: cast.receiver2,
      approver2: otherApprover,
    });
    const lines: Record<keyof typeof s, Record<string, unknown>[]> = {
      short: [{ gtin: GTIN, lot: LOT, expiry: isoDate(s.short.expiry), quantity: 8 }],
      part: [{ gtin: GTIN, lot: LOT, expiry: isoDate(s.part.expiry), quantity: 2 }],
      reject: [{ gtin: GTIN, lot: LOT, expiry: isoDate(s.reject.expiry), quantity: 3 }],
      recalled: [{ gtin: GTIN, lot: RECALLED_LOT, expiry: isoDate(s.recalled.expiry), quantity: 2 }],
      open: [{ barcode: `(01)${GTIN}(17)${yymmdd(s.open.expiry)}(10)LOT1999Z`, quantity: 2 }],
    };
    ledgerBefore = (await chain.now()) * 1000;
    for (const key of Object.keys(s) as (keyof typeof s)[]) {
      const res = await postReceipt(
        app,
        t.receiver,
        {
          receiptNo: `GR-${key}`,
          shipmentId: String(s[key].shipmentId),
          receivedAt: await chainIso(chain),
          lines: lines[key],
        },
        `key-${key}`,
      );
      expect(res.statusCode, res.body).to.equal(201);
      e[key] = res.json<{ exceptionId: string }>().exceptionId;
    }
    ledgerAfter = (await chain.now()) * 1000;
  });

  after(() => stopApi(stack));

  const list = (query: string, token: string) =>
    app.inject({ method: "GET", url: `/v1/exceptions${query}`, headers: bearer(token) });
  const items = async (query: string, token: string): Promise<Exception[]> => {
    const res = await list(query, token);
    expect(res.statusCode, res.body).to.equal(200);
    return res.json<{ items: Exception[] }>().items;
  };
  const resolve = (id: string, payload: unknown, token: string) =>
    app.inject({
      method: "POST",
      url: `/v1/exceptions/${id}/resolve`,
      headers: bearer(token),
      payload: payload as object,
    });

  /** Supplier's balance change over a worker drain, and the ShipmentSettled event of `shipmentId`. */
  async function drainAndSettle(shipmentId: bigint) {
    const { token, orderBook } = chain.ledger;
    const before = await token.balanceOf(chain.cast.supplier.address);
    await app.settlementWorker!.drain();
    const paid = (await token.balanceOf(chain.cast.supplier.address)) - before;
    const events = await orderBook.queryFilter(orderBook.filters.ShipmentSettled(shipmentId));
    return { paid, events };
  }

  describe("GET /v1/exceptions", function () {
    it("lists the hospital's open exceptions with their reasons", async function () {
      const all = await items("", t.receiver);
      expect(all.map((x) => x.id)).to.deep.equal([e.short, e.part, e.reject, e.recalled, e.open]);
      const short = all[0];
      expect(short).to.deep.include({
        shipmentId: String(s.short.shipmentId),
        orderId: String(s.short.orderId),
        hospital: chain.cast.hospital.address.toLowerCase(),
        receiptNo: "GR-short",
        source: "match",
        proposedAccepted: "8",
        shipped: "10",
        status: "open",
        resolution: null,
        resolvedAccepted: null,
        note: null,
        resolvedBy: null,
        resolvedAt: null,
      });
      expect(short.reasons.map((r) => r.code)).to.deep.equal(["SHORT_DELIVERY"]);
      // Raised on the ledger's clock (its now: the end of the head's second), which runs ahead of the wall here.
      for (const x of all) expect(Date.parse(x.createdAt)).to.be.within(ledgerBefore, ledgerAfter + 1000);
      expect(all.map((x) => x.reasons[0].code)).to.deep.equal([
        "SHORT_DELIVERY",
        "SHORT_DELIVERY",
        "OVER_DELIVERY",
        "LOT_RECALLED",
        "LOT_MISMATCH",
      ]);
    });

    it("filters by status and by reason code", async function () {
      expect((await items("?status=open", t.approver)).map((x) => x.id)).to.have.length(5);
      expect(await items("?status=resolved", t.approver)).to.deep.equal([]);
      expect((await items("?reason=SHORT_DELIVERY", t.approver)).map((x) => x.id)).to.deep.equal([
        e.short,
        e.part,
      ]);
      expect((await items("?status=open&reason=LOT_RECALLED", t.approver)).map((x) => x.id)).to.deep.equal([
        e.recalled,
      ]);
      expect(await items("?reason=EXCURSION_HOLD", t.approver)).to.deep.equal([]);
      expect(expectInvalidField(await list("?status=closed", t.approver), "querystring.status")).to.include(
        '"open", "resolved"',
      );
    });

    it("shows the regulator every hospital's, another hospital none; refuses suppliers and strangers", async function () {
      expect(await items("", t.regulator)).to.have.length(5);
      expect(await items("", t.receiver2)).to.deep.equal([]);
      expectError(await list("", t.supplier), 403, "FORBIDDEN");
      expectError(await list("", t.stranger), 403, "FORBIDDEN");
      expectError(await app.inject({ method: "GET", url: "/v1/exceptions" }), 401, "UNAUTHORIZED");
    });
  });

  describe("POST /v1/exceptions/:id/resolve — refusals", function () {
    it("refuses anyone but a hospital approver: 403 FORBIDDEN", async function () {
      for (const token of [t.receiver, t.supplier, t.regulator]) {
        expectError(
          await resolve(e.open, { action: "reject", note: "n" }, token),
          403,
          "FORBIDDEN",
          "needs one of the roles hospital-approver",
        );
      }
    });

    it("answers 404 EXCEPTION_NOT_FOUND for an unknown id and for another hospital's exception", async function () {
      expectError(
        await resolve("9999", { action: "reject", note: "n" }, t.approver),
        404,
        "EXCEPTION_NOT_FOUND",
        "exception 9999 not found for your hospital",
      );
      expectError(
        await resolve(e.open, { action: "reject", note: "n" }, t.approver2),
        404,
        "EXCEPTION_NOT_FOUND",
      );
    });

    it("refuses accept_part without acceptedQuantity or above the shipped quantity: 400 RESOLUTION_INVALID", async function () {
      expectError(
        await resolve(e.open, { action: "accept_part", note: "n" }, t.approver),
        400,
        "RESOLUTION_INVALID",
        "accept_part needs acceptedQuantity",
      );
      expectError(
        await resolve(e.open, { action: "accept_part", acceptedQuantity: 3, note: "n" }, t.approver),
        400,
        "RESOLUTION_INVALID",
        "acceptedQuantity must be between 1 and the shipped 2",
      );
      // Nothing changed.
      const [open] = await items(`?reason=LOT_MISMATCH`, t.approver);
      expect(open).to.include({ id: e.open, status: "open" });
    });

    it("answers 400 VALIDATION_FAILED naming a missing, mistyped or unknown field", async function () {
      expect(
        expectInvalidField(
          await resolve(e.open, { action: "approve", note: "n" }, t.approver),
          "body.action",
        ),
      ).to.include('"accept_all", "accept_part", "reject"');
      expect(
        expectInvalidField(await resolve(e.open, { action: "reject" }, t.approver), "body.note"),
      ).to.equal("is required");
      expect(
        expectInvalidField(
          await resolve(e.open, { action: "accept_part", acceptedQuantity: 0, note: "n" }, t.approver),
          "body.acceptedQuantity",
        ),
      ).to.include(">= 1");
      expect(
        expectInvalidField(
          await resolve(e.open, { action: "accept_part", acceptedQuantity: "two", note: "n" }, t.approver),
          "body.acceptedQuantity",
        ),
      ).to.equal("must be integer");
      expect(
        expectInvalidField(
          await resolve(e.open, { action: "reject", note: "n", urgent: true }, t.approver),
          "body.urgent",
        ),
      ).to.equal("is not allowed");
      expectInvalidField(await resolve("x", { action: "reject", note: "n" }, t.approver), "params.id");
    });
  });

  // The decisions, each taken once by whichever test needs it first (a test may run alone).
  const decide = {
    short: once(async () => {
      const res = await resolve(
        e.short,
        { action: "accept_all", note: "8 of 10 arrived; 2 to follow" },
        t.approver,
      );
      const receipt = await app.inject({
        method: "GET",
        url: "/v1/receipts/GR-short",
        headers: bearer(t.receiver),
      });
      const value = (await chain.ledger.orderBook.order(s.short.orderId)).escrow;
      return { res, receipt, value, ...(await drainAndSettle(s.short.shipmentId)) };
    }),
    part: once(async () => {
      const res = await resolve(
        e.part,
        { action: "accept_part", acceptedQuantity: 3, note: "a third unit was found in the dock" },
        t.approver,
      );
      const value = (await chain.ledger.orderBook.order(s.part.orderId)).escrow;
      return { res, value, ...(await drainAndSettle(s.part.shipmentId)) };
    }),
    reject: once(async () => {
      const { result: res, heads } = await chainReads(app.chain.provider, () =>
        resolve(e.reject, { action: "reject", note: "wrong delivery" }, t.approver),
      );
      return { res, heads, ...(await drainAndSettle(s.reject.shipmentId)) };
    }),
    /** accept_all of recalled units, refused by the chain; then the reject it allows. */
    recalled: once(async () => {
      const res = await resolve(e.recalled, { action: "accept_all", note: "use them anyway" }, t.approver);
      const refused = await drainAndSettle(s.recalled.shipmentId);
      const raised = await items("?status=open&reason=CHAIN_REVERT", t.approver);
      const receipt = await app.inject({
        method: "GET",
        url: "/v1/receipts/GR-recalled",
        headers: bearer(t.receiver),
      });
      const rejected = await resolve(
        raised[0].id,
        { action: "reject", note: "recalled lot returned" },
        t.approver,
      );
      const settled = await drainAndSettle(s.recalled.shipmentId);
      return { res, refused, raised, receipt, rejected, settled };
    }),
  };

  describe("POST /v1/exceptions/:id/resolve — decisions paid on-chain", function () {
    it("accept_all settles the proposed units and pays them at the agreement's price", async function () {
      const { res, receipt, value, paid, events } = await decide.short();
      expect(res.statusCode, res.body).to.equal(200);
      const resolved = res.json<Exception>();
      expect(resolved).to.include({
        id: e.short,
        status: "resolved",
        resolution: "accept_all",
        resolvedAccepted: "8",
        note: "8 of 10 arrived; 2 to follow",
        resolvedBy: chain.cast.approver.address.toLowerCase(),
      });
      // On the ledger's clock, as the decision's payment will be.
      expect(Date.parse(resolved.resolvedAt!)).to.be.at.least(ledgerAfter);
      // Queued for the worker until it pays.
      expect(receipt.json().settlement).to.include({ status: "pending" });

      // Funding escrowed the order at the first tier's unit price, which each accepted unit pays.
      expect(paid).to.equal((value * 8n) / 10n);
      expect(events).to.have.length(1);
      expect(events[0].args.confirmation.accepted).to.equal(8n);
      expect(events[0].args.confirmation.rejected).to.equal(2n);
      expect(events[0].args.payout.paid).to.equal(paid);
      expect(await chain.ledger.orderBook.remainingToShip(s.short.orderId)).to.equal(2n);
    });

    it("refuses to resolve it twice: 409 EXCEPTION_ALREADY_RESOLVED", async function () {
      await decide.short();
      expectError(
        await resolve(e.short, { action: "reject", note: "changed my mind" }, t.approver),
        409,
        "EXCEPTION_ALREADY_RESOLVED",
        `exception ${e.short} is already resolved`,
      );
    });

    it("accept_part settles the units the approver accepts", async function () {
      const { res, value, paid, events } = await decide.part();
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.include({ status: "resolved", resolution: "accept_part", resolvedAccepted: "3" });
      expect(paid).to.equal((value * 3n) / 4n);
      expect(events[0].args.confirmation.accepted).to.equal(3n);
      expect(events[0].args.confirmation.rejected).to.equal(1n);
    });

    it("reject pays nothing and returns every unit to the order", async function () {
      const { res, heads, paid, events } = await decide.reject();
      expect(res.statusCode, res.body).to.equal(200);
      // One read of the chain's head, for the role check and the decision's ledger time.
      expect(heads).to.have.length(1);
      expect(res.json()).to.include({ resolution: "reject", resolvedAccepted: "0" });
      expect(paid).to.equal(0n);
      expect(events[0].args.confirmation.accepted).to.equal(0n);
      expect(events[0].args.confirmation.rejected).to.equal(2n);
      expect(await chain.ledger.orderBook.remainingToShip(s.reject.orderId)).to.equal(2n);
    });

    it("a settlement the chain refuses comes back as a settlement exception naming the custom error", async function () {
      const { res, refused, raised, receipt, rejected, settled } = await decide.recalled();
      expect(res.statusCode, res.body).to.equal(200);
      expect(refused.paid).to.equal(0n);
      expect(refused.events).to.deep.equal([]);

      expect(raised).to.have.length(1);
      expect(raised[0]).to.include({
        shipmentId: String(s.recalled.shipmentId),
        receiptNo: "GR-recalled",
        source: "settlement",
        status: "open",
        proposedAccepted: "2",
      });
      // Raised by the settlement worker, on the ledger's clock too.
      expect(Date.parse(raised[0].createdAt)).to.be.at.least(ledgerAfter);
      expect(raised[0].reasons).to.have.length(1);
      expect(raised[0].reasons[0]).to.include({ code: "CHAIN_REVERT", error: "SettlementLotRecalled" });
      expect(raised[0].reasons[0].message).to.match(
        /^SettlementLotRecalled\(shipmentId=\d+, gtin=\d+, lot=LOTRECALL\)$/,
      );
      expect(receipt.json().settlement).to.include({ status: "failed" });
      expect(receipt.json().settlement.error).to.include("SettlementLotRecalled");

      // Rejecting the recalled units is what the chain allows: the failed job is re-armed.
      expect(rejected.statusCode, rejected.body).to.equal(200);
      expect(settled.paid).to.equal(0n);
      expect(settled.events[0].args.confirmation.accepted).to.equal(0n);
      expect(settled.events[0].args.confirmation.rejected).to.equal(2n);
    });

    it("lists the resolved exceptions, and only the untouched one is still open", async function () {
      for (const decision of [decide.short, decide.part, decide.reject, decide.recalled]) await decision();
      const resolved = await items("?status=resolved", t.approver);
      expect(resolved.map((x) => x.resolution)).to.deep.equal([
        "accept_all",
        "accept_part",
        "reject",
        "accept_all",
        "reject",
      ]);
      expect((await items("?status=open", t.approver)).map((x) => x.id)).to.deep.equal([e.open]);
    });
  });
});
