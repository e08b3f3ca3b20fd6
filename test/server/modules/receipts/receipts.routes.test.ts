import { Readable } from "node:stream";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import type { ReceiptResult } from "../../../../api/receipts";
import * as act from "../../../../ledger/acts";
import { gtinCheckDigit } from "../../../../server/modules/barcodes";
import { forEachEngine } from "../../helpers/engines";
import { once } from "../../helpers/once";
import { DAY, GTIN, LOT, type ChainStack, type Procurement } from "../../support/chain";
import {
  bearer,
  chainIso,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  isoDate,
  loginAll,
  orderAndShip,
  parseMetrics,
  postReceipt,
  serialLines,
  startApi,
  stopApi,
  uploadManifest,
  yymmdd,
  type ApiStack,
  type ReceiptPayload,
  type Shipped,
} from "../../support/api-fixtures";

/**
 * POST /v1/receipts and GET /v1/receipts/:receiptNo: goods receipts matched against the order
 * and shipment at once — every mismatch reason through the API, one shipment each — with
 * idempotency keys, and the settlement a match queues paid on-chain by the worker.
 */

const OTHER_GTIN = `0952012345679${gtinCheckDigit("0952012345679")}`;
const RECALLED_LOT = "LOTRECALL";
/** A lot the supplier recalls itself: only its own shipments of it are recalled. */
const OWN_RECALL_LOT = "LOTOWNRECALL";
/** A lot another supplier recalls for its own stock: our supplier's shipments of it are not. */
const OTHERS_RECALL_LOT = "LOTOTHERSRECALL";
const SSCC = "09520123400000001";
/** One serial in two shipments' manifests. */
const SHARED_SERIAL = "RS-SHARED";
/** A lot recalled while a receipt of it is on its way (its body still arriving). */
const SLOW_BODY_LOT = "LOTSLOWBODY";

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<
    "receiver" | "receiver2" | "supplier" | "regulator" | "stranger" | "hospital" | "settler",
    string
  >;
  const s = {} as Record<
    | "short"
    | "within"
    | "over"
    | "lot"
    | "gtin"
    | "expiry"
    | "notInManifest"
    | "noManifest"
    | "alreadyReceived"
    | "duplicated"
    | "shelfLife"
    | "recalled"
    | "ownRecall"
    | "othersRecall"
    | "unqualified"
    | "excursion"
    | "warehouseRejected"
    | "errors"
    | "sameKey"
    | "twoKeys"
    | "numberA"
    | "numberB"
    | "slowBody"
    | "serialA"
    | "serialB",
    Shipped
  >;

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast, ledger } = chain;
    await enrolSecondHospital(chain, [{ wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }]);
    s.short = await orderAndShip(chain, p, { quantity: 10, prefix: "SH" });
    s.within = await orderAndShip(chain, p, { quantity: 50, prefix: "WT" });
    s.over = await orderAndShip(chain, p, { quantity: 2, prefix: "OV" });
    s.lot = await orderAndShip(chain, p, { quantity: 2, prefix: "LM" });
    s.gtin = await orderAndShip(chain, p, { quantity: 2, prefix: "GM" });
    s.expiry = await orderAndShip(chain, p, { quantity: 2, prefix: "EX" });
    s.notInManifest = await orderAndShip(chain, p, { quantity: 2, prefix: "NM" });
    s.noManifest = await orderAndShip(chain, p, { quantity: 1, prefix: "MM" });
    // Its manifest lists SN00001, which the first shipment's receipt takes in first.
    s.alreadyReceived = await orderAndShip(chain, p, { serials: [p.serials[0], "AR002"] });
    s.duplicated = await orderAndShip(chain, p, { quantity: 2, prefix: "DU" });
    s.shelfLife = await orderAndShip(chain, p, { quantity: 2, prefix: "SL", expiresIn: 30 * DAY });
    s.recalled = await orderAndShip(chain, p, { quantity: 2, prefix: "RC", lot: RECALLED_LOT });
    s.ownRecall = await orderAndShip(chain, p, { quantity: 2, prefix: "OR", lot: OWN_RECALL_LOT });
    s.othersRecall = await orderAndShip(chain, p, { quantity: 2, prefix: "XR", lot: OTHERS_RECALL_LOT });
    s.unqualified = await orderAndShip(chain, p, { quantity: 2, prefix: "UQ" });
    s.excursion = await orderAndShip(chain, p, { quantity: 2, prefix: "XC" });
    s.warehouseRejected = await orderAndShip(chain, p, { quantity: 3, prefix: "WR" });
    s.errors = await orderAndShip(chain, p, { quantity: 2, prefix: "ER" });
    s.sameKey = await orderAndShip(chain, p, { quantity: 2, prefix: "SK" });
    s.twoKeys = await orderAndShip(chain, p, { quantity: 2, prefix: "TK" });
    s.numberA = await orderAndShip(chain, p, { quantity: 2, prefix: "NA" });
    s.numberB = await orderAndShip(chain, p, { quantity: 2, prefix: "NB" });
    // Two manifests listing one serial: whichever receipt takes it in first, the other is held.
    s.serialA = await orderAndShip(chain, p, { serials: [SHARED_SERIAL, "RSA-2"] });
    s.serialB = await orderAndShip(chain, p, { serials: [SHARED_SERIAL, "RSB-2"] });
    s.slowBody = await orderAndShip(chain, p, { quantity: 2, prefix: "SB", lot: SLOW_BODY_LOT });
    await act.sent(ledger.trace.connect(cast.regulator).recall(BigInt(GTIN), RECALLED_LOT, 2));
    await act.sent(ledger.trace.connect(cast.supplier).recall(BigInt(GTIN), OWN_RECALL_LOT, 3));
    await act.sent(ledger.trace.connect(cast.supplier2).recall(BigInt(GTIN), OTHERS_RECALL_LOT, 3));
    await act.recordTrace(ledger, cast.supplier, s.excursion.shipmentId, "shipping", {
      location: "Shanghai DC",
      eventTime: await chain.now(),
      sensorLog: "logger-17: 11.2 °C for 40 min",
      excursion: true,
    });
    await app.indexer.catchUp();
    t = await loginAll(app, {
      receiver: cast.receiver,
      receiver2: cast.receiver2,
      supplier: cast.supplier,
      regulator: cast.regulator,
      stranger: cast.stranger,
      hospital: cast.hospital,
      settler: cast.settler,
    });
    await uploadManifest(app, t.supplier, p.shipmentId, p.serials);
    for (const x of [
      s.notInManifest,
      s.alreadyReceived,
      s.duplicated,
      s.warehouseRejected,
      s.serialA,
      s.serialB,
    ]) {
      await uploadManifest(app, t.supplier, x.shipmentId, x.serials);
    }
  });

  after(() => stopApi(stack));

  async function receipt(
    shipment: { shipmentId: bigint },
    receiptNo: string,
    lines: Record<string, unknown>[],
  ): Promise<ReceiptPayload> {
    return { receiptNo, shipmentId: String(shipment.shipmentId), receivedAt: await chainIso(chain), lines };
  }

  /** Posts a receipt that must be recorded (201) and returns its body. */
  async function recorded(payload: ReceiptPayload, key = `key-${payload.receiptNo}`): Promise<ReceiptResult> {
    const res = await postReceipt(app, t.receiver, payload, key);
    expect(res.statusCode, res.body).to.equal(201);
    return res.json<ReceiptResult>();
  }

  /** An exception receipt: held, with an exception id and exactly these reason codes. */
  function expectException(body: ReceiptResult, codes: string[], accepted: string, rejected: string): void {
    expect(body.match.status).to.equal("exception");
    expect(body.match.reasons.map((r) => r.code)).to.deep.equal(codes);
    expect(body.match).to.include({ accepted, rejected });
    expect(body.exceptionId).to.match(/^[0-9]+$/);
    expect(body.settlement).to.equal("held");
  }

  /** `quantity` units of `shipment` given as fields: the GTIN, and the shipment's lot and expiry. */
  const lotLine = (shipment: Shipped, quantity: number, extra: Record<string, unknown> = {}) => ({
    gtin: GTIN,
    lot: shipment.lot,
    expiry: isoDate(shipment.expiry),
    quantity,
    ...extra,
  });

  // The receipts every later check builds on, each posted once by whichever test needs it first
  // (a test may run alone), in the order the file's tests post them.

  /** GR-0001: the whole procured shipment, scanned serial by serial. */
  const clean = once(async () => {
    const payload = await receipt(p, "GR-0001", serialLines(p.serials, p.expiry));
    return { payload, first: await recorded(payload, "gr-0001") };
  });
  /** GR-0001's settlement paid, and the supplier's balance change. */
  const cleanPaid = once(async () => {
    await clean();
    const before = await chain.ledger.token.balanceOf(chain.cast.supplier.address);
    await app.settlementWorker!.drain();
    return { paid: (await chain.ledger.token.balanceOf(chain.cast.supplier.address)) - before };
  });

  describe("a clean receipt", function () {
    it("is matched and queued for payment: 201 with the exact result", async function () {
      const { payload, first } = await clean();
      expect(first).to.deep.equal({
        receiptNo: "GR-0001",
        shipmentId: String(p.shipmentId),
        orderId: String(p.orderId),
        hospital: chain.cast.hospital.address.toLowerCase(),
        receivedAt: payload.receivedAt,
        // The hospital has registered no campus (stock/ tests cover campuses).
        campus: null,
        receiptHash: first.receiptHash,
        received: "10",
        match: { status: "matched", accepted: "10", rejected: "0", reasons: [] },
        exceptionId: null,
        settlement: "queued",
      });
      expect(first.receiptHash).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("answers the same key and body with the first result again, marked as a replay", async function () {
      const { payload, first } = await clean();
      const res = await postReceipt(app, t.receiver, payload, "gr-0001");
      expect(res.statusCode).to.equal(201);
      expect(res.headers["idempotent-replayed"]).to.equal("true");
      expect(res.json()).to.deep.equal(first);
    });

    it("refuses the same key with another body: 409 IDEMPOTENCY_KEY_REUSED", async function () {
      const { payload } = await clean();
      const changed = { ...payload, lines: payload.lines.slice(0, 9) };
      expectError(
        await postReceipt(app, t.receiver, changed, "gr-0001"),
        409,
        "IDEMPOTENCY_KEY_REUSED",
        "Idempotency-Key gr-0001 was already used with a different request body",
      );
    });

    it("refuses a receipt number already used, even on another shipment: 409 RECEIPT_EXISTS", async function () {
      await clean();
      const again = await receipt(s.errors, "GR-0001", [lotLine(s.errors, 2)]);
      expectError(
        await postReceipt(app, t.receiver, again, "another-key"),
        409,
        "RECEIPT_EXISTS",
        "receipt GR-0001 was already recorded",
      );
    });

    it("refuses a second receipt for the shipment: 409 SHIPMENT_ALREADY_RECEIVED", async function () {
      await clean();
      const second = await receipt(p, "GR-0001-B", serialLines(p.serials, p.expiry));
      expectError(
        await postReceipt(app, t.receiver, second, "gr-0001-b"),
        409,
        "SHIPMENT_ALREADY_RECEIVED",
        `shipment ${p.shipmentId} was already received by receipt GR-0001`,
      );
    });

    it("shows the receipt with its lines, match and pending settlement to the hospital and the regulator", async function () {
      const { payload, first } = await clean();
      for (const token of [t.receiver, t.settler, t.hospital, t.regulator]) {
        const res = await app.inject({ method: "GET", url: "/v1/receipts/GR-0001", headers: bearer(token) });
        expect(res.statusCode, res.body).to.equal(200);
        const body = res.json();
        expect(body).to.include({
          receiptNo: "GR-0001",
          shipmentId: String(p.shipmentId),
          hospital: chain.cast.hospital.address.toLowerCase(),
          receivedAt: payload.receivedAt,
          receivedBy: chain.cast.receiver.address.toLowerCase(),
          received: "10",
          rejected: "0",
          receiptHash: first.receiptHash,
        });
        expect(body.lines).to.have.length(10);
        expect(body.lines[0]).to.deep.equal({
          line: 1,
          gtin: GTIN,
          lot: LOT,
          expiry: isoDate(p.expiry),
          serial: p.serials[0],
          quantity: "1",
          rejected: "0",
          rejectReason: null,
        });
        expect(body.match).to.deep.equal({ status: "matched", accepted: "10", rejected: "0", reasons: [] });
        expect(body.settlement).to.deep.equal({ status: "pending", txHash: null, error: null });
      }
    });

    it("pays it on-chain once drained, and the receipt shows the confirmed settlement", async function () {
      expect((await cleanPaid()).paid).to.equal(100_000n);
      const res = await app.inject({
        method: "GET",
        url: "/v1/receipts/GR-0001",
        headers: bearer(t.receiver),
      });
      const settlement = res.json().settlement;
      expect(settlement.status).to.equal("confirmed");
      expect(settlement.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect((await chain.ledger.trace.shipmentState(p.shipmentId)).confirmed).to.equal(true);
    });

    it("hides the receipt from another hospital (404), refuses a supplier (403), 404s an unknown number", async function () {
      await clean();
      expectError(
        await app.inject({ method: "GET", url: "/v1/receipts/GR-0001", headers: bearer(t.receiver2) }),
        404,
        "RECEIPT_NOT_FOUND",
        "no receipt GR-0001 visible to you",
      );
      expectError(
        await app.inject({ method: "GET", url: "/v1/receipts/GR-0001", headers: bearer(t.supplier) }),
        403,
        "FORBIDDEN",
      );
      expectError(
        await app.inject({ method: "GET", url: "/v1/receipts/GR-9999", headers: bearer(t.regulator) }),
        404,
        "RECEIPT_NOT_FOUND",
      );
      expectError(await app.inject({ method: "GET", url: "/v1/receipts/GR-0001" }), 401, "UNAUTHORIZED");
    });
  });

  /** The receipt of each mismatch reason (and of the clean variants among them). */
  const flows = {
    short: once(async () => recorded(await receipt(s.short, "GR-SHORT", [lotLine(s.short, 9)]))),
    /** Within the tolerance, and paid: what earlier receipts queued is paid first. */
    within: once(async () => {
      await app.settlementWorker!.drain();
      const body = await recorded(await receipt(s.within, "GR-WITHIN", [lotLine(s.within, 49)]));
      const value = (await chain.ledger.orderBook.order(s.within.orderId)).escrow;
      const before = await chain.ledger.token.balanceOf(chain.cast.supplier.address);
      await app.settlementWorker!.drain();
      const paid = (await chain.ledger.token.balanceOf(chain.cast.supplier.address)) - before;
      return { body, value, paid };
    }),
    over: once(async () => recorded(await receipt(s.over, "GR-OVER", [lotLine(s.over, 3)]))),
    lot: once(async () =>
      recorded(
        await receipt(s.lot, "GR-LOT", [
          { barcode: `(01)${GTIN}(17)${yymmdd(s.lot.expiry)}(10)LOT1999Z`, quantity: 2 },
        ]),
      ),
    ),
    gtin: once(async () =>
      recorded(await receipt(s.gtin, "GR-GTIN", [lotLine(s.gtin, 2, { gtin: OTHER_GTIN })])),
    ),
    expiry: once(async () => {
      const printed = yymmdd(s.expiry.expiry + 40 * DAY);
      return recorded(
        await receipt(s.expiry, "GR-EXPIRY", [
          { barcode: `(01)${GTIN}(17)${printed}(10)${LOT}`, quantity: 2 },
        ]),
      );
    }),
    notInManifest: once(async () =>
      recorded(
        await receipt(
          s.notInManifest,
          "GR-NOTLISTED",
          serialLines([s.notInManifest.serials[0], "NM999"], s.notInManifest.expiry),
        ),
      ),
    ),
    noManifest: once(async () =>
      recorded(
        await receipt(s.noManifest, "GR-NOMANIFEST", serialLines(s.noManifest.serials, s.noManifest.expiry)),
      ),
    ),
    /** Its first serial is GR-0001's. */
    alreadyReceived: once(async () => {
      await clean();
      return recorded(
        await receipt(
          s.alreadyReceived,
          "GR-AGAIN",
          serialLines(s.alreadyReceived.serials, s.alreadyReceived.expiry),
        ),
      );
    }),
    duplicated: once(async () => {
      const serial = s.duplicated.serials[0];
      return recorded(
        await receipt(s.duplicated, "GR-DUP", serialLines([serial, serial], s.duplicated.expiry)),
      );
    }),
    shelfLife: once(async () => recorded(await receipt(s.shelfLife, "GR-SHELF", [lotLine(s.shelfLife, 2)]))),
    recalled: once(async () => recorded(await receipt(s.recalled, "GR-RECALL", [lotLine(s.recalled, 2)]))),
    ownRecall: once(async () =>
      recorded(await receipt(s.ownRecall, "GR-OWN-RECALL", [lotLine(s.ownRecall, 2)])),
    ),
    othersRecall: once(async () =>
      recorded(await receipt(s.othersRecall, "GR-OTHERS-RECALL", [lotLine(s.othersRecall, 2)])),
    ),
    /** Received while the regulator has the supplier suspended. */
    unqualified: once(async () => {
      const registry = chain.ledger.registry.connect(chain.cast.regulator);
      await act.sent(registry.suspend(chain.cast.supplier.address, 9));
      try {
        return await recorded(await receipt(s.unqualified, "GR-SUSPENDED", [lotLine(s.unqualified, 2)]));
      } finally {
        await act.sent(registry.reinstate(chain.cast.supplier.address, 9));
      }
    }),
    excursion: once(async () => recorded(await receipt(s.excursion, "GR-COLD", [lotLine(s.excursion, 2)]))),
    warehouseRejected: once(async () => {
      const [a, b, c] = s.warehouseRejected.serials;
      const lines = [
        ...serialLines([a, b], s.warehouseRejected.expiry),
        { ...serialLines([c], s.warehouseRejected.expiry)[0], rejected: 1, rejectReason: "crushed box" },
      ];
      return recorded(await receipt(s.warehouseRejected, "GR-REJECTS", lines));
    }),
  };

  describe("each mismatch reason", function () {
    it("SHORT_DELIVERY: a shortfall beyond the tolerance is held", async function () {
      const body = await flows.short();
      expectException(body, ["SHORT_DELIVERY"], "9", "1");
      expect(body.received).to.equal("9");
      expect(body.match.reasons[0].details).to.deep.equal({ received: 9, shipped: 10, tolerancePct: 2 });
      expect(body.match.reasons[0].message).to.include("beyond the 2% tolerance");
    });

    it("a shortfall within the tolerance settles the accepted units; the rest return to the order", async function () {
      const { body, value, paid } = await flows.within();
      expect(body.match).to.deep.equal({ status: "matched", accepted: "49", rejected: "1", reasons: [] });
      expect(body).to.include({ exceptionId: null, settlement: "queued" });
      expect(paid).to.equal((value * 49n) / 50n);
      const order = await chain.ledger.orderBook.order(s.within.orderId);
      expect(order.shipped).to.equal(49n);
      expect(order.accepted).to.equal(49n);
      expect(order.status).to.equal(2n); // still funded: one unit may still come
      expect(await chain.ledger.orderBook.remainingToShip(s.within.orderId)).to.equal(1n);
      const [settled] = await chain.ledger.orderBook.queryFilter(
        chain.ledger.orderBook.filters.ShipmentSettled(s.within.shipmentId),
      );
      expect(settled.args.confirmation.accepted).to.equal(49n);
      expect(settled.args.confirmation.rejected).to.equal(1n);
    });

    it("OVER_DELIVERY: the excess is never paid", async function () {
      const body = await flows.over();
      expectException(body, ["OVER_DELIVERY"], "2", "0");
      expect(body.received).to.equal("3");
      expect(body.match.reasons[0].details).to.deep.equal({ received: 3, shipped: 2 });
    });

    it("LOT_MISMATCH: a scanned lot that is not the shipment's", async function () {
      const body = await flows.lot();
      expectException(body, ["LOT_MISMATCH"], "0", "2");
      expect(body.match.reasons[0]).to.include({ line: 1 });
      expect(body.match.reasons[0].message).to.equal(`line 1: lot LOT1999Z is not the shipment's ${LOT}`);
    });

    it("GTIN_MISMATCH: another product", async function () {
      const body = await flows.gtin();
      expectException(body, ["GTIN_MISMATCH"], "0", "2");
      expect(body.match.reasons[0].message).to.include(`GTIN ${OTHER_GTIN} is not the shipment's ${GTIN}`);
    });

    it("EXPIRY_MISMATCH: a printed expiry that is not the shipment's", async function () {
      const body = await flows.expiry();
      expectException(body, ["EXPIRY_MISMATCH"], "0", "2");
      expect(body.match.reasons[0].message).to.include(
        `is not the shipment's ${new Date(s.expiry.expiry * 1000).toISOString().slice(0, 10)}`,
      );
    });

    it("SERIAL_NOT_IN_MANIFEST: a serial the supplier did not list", async function () {
      const body = await flows.notInManifest();
      expectException(body, ["SERIAL_NOT_IN_MANIFEST"], "1", "1");
      expect(body.match.reasons[0]).to.include({ line: 2 });
    });

    it("MANIFEST_MISSING: serials cannot be checked without a manifest", async function () {
      expectException(await flows.noManifest(), ["MANIFEST_MISSING"], "0", "1");
    });

    it("SERIAL_ALREADY_RECEIVED: a serial another receipt took in first", async function () {
      const body = await flows.alreadyReceived();
      expectException(body, ["SERIAL_ALREADY_RECEIVED"], "1", "1");
      expect(body.match.reasons[0]).to.include({ line: 1 });
      expect(body.match.reasons[0].message).to.include(`serial ${p.serials[0]} was already received`);
    });

    it("SERIAL_DUPLICATED: one serial scanned twice", async function () {
      const body = await flows.duplicated();
      expectException(body, ["SERIAL_DUPLICATED"], "1", "1");
      expect(body.match.reasons[0]).to.include({ line: 2 });
    });

    it("SHELF_LIFE_SHORT: an expiry within the minimum shelf life", async function () {
      const body = await flows.shelfLife();
      expectException(body, ["SHELF_LIFE_SHORT"], "2", "0");
      expect(body.match.reasons[0].message).to.include("less than 90 days of shelf life");
    });

    it("LOT_RECALLED: the regulator recalled the lot on-chain before receipt", async function () {
      const body = await flows.recalled();
      expectException(body, ["LOT_RECALLED"], "2", "0");
      expect(body.match.reasons[0].message).to.equal(`lot ${RECALLED_LOT} is recalled`);
    });

    it("LOT_RECALLED: the supplier recalled its own stock of the lot", async function () {
      expectException(await flows.ownRecall(), ["LOT_RECALLED"], "2", "0");
    });

    it("another supplier's recall of the same lot does not hold this supplier's shipment", async function () {
      const body = await flows.othersRecall();
      expect(body.match).to.deep.equal({ status: "matched", accepted: "2", rejected: "0", reasons: [] });
      expect(
        await chain.ledger.trace.isRecalled(BigInt(GTIN), OTHERS_RECALL_LOT, chain.cast.supplier2.address),
      ).to.equal(true);
    });

    it("SUPPLIER_NOT_QUALIFIED: the regulator suspended the supplier", async function () {
      expectException(await flows.unqualified(), ["SUPPLIER_NOT_QUALIFIED"], "2", "0");
    });

    it("EXCURSION_HOLD: a temperature excursion on the way", async function () {
      expectException(await flows.excursion(), ["EXCURSION_HOLD"], "2", "0");
    });

    it("warehouse-rejected units are matched, and rejected units go back to the order", async function () {
      const body = await flows.warehouseRejected();
      expect(body.match).to.deep.equal({ status: "matched", accepted: "2", rejected: "1", reasons: [] });
      expect(body).to.include({ received: "3", exceptionId: null, settlement: "queued" });
      const stored = await app.inject({
        method: "GET",
        url: "/v1/receipts/GR-REJECTS",
        headers: bearer(t.receiver),
      });
      expect(stored.json()).to.include({ received: "3", rejected: "1" });
      const c = s.warehouseRejected.serials[2];
      expect(stored.json().lines[2]).to.include({ serial: c, rejected: "1", rejectReason: "crushed box" });
    });
  });

  /** The key every refusal below tries; nothing of theirs is kept, so this receipt may use it. */
  const key = "refused";
  /** GR-ERR, recorded after the refusals with the number and key they tried. */
  const afterRefusals = once(async () =>
    recorded(await receipt(s.errors, "GR-ERR", [lotLine(s.errors, 2)]), key),
  );

  describe("refusals", function () {
    it("refuses a barcode with a bad check digit: 400 BARCODE_INVALID naming the line", async function () {
      const payload = await receipt(s.errors, "GR-ERR", [
        { barcode: `(01)${GTIN}(17)${yymmdd(s.errors.expiry)}(10)${LOT}` },
        { barcode: `(01)09520123456787(10)${LOT}` },
      ]);
      const body = expectError(
        await postReceipt(app, t.receiver, payload, key),
        400,
        "BARCODE_INVALID",
        "line 2: AI (01) GTIN 09520123456787: check digit should be 8, got 7",
      );
      expect(body.details).to.deep.equal({ line: 2, gs1: "BAD_CHECK_DIGIT" });
    });

    it("refuses inconsistent lines: 400 RECEIPT_LINE_INVALID", async function () {
      const cases: [Record<string, unknown>, string][] = [
        [{ gtin: "09520123456787", lot: LOT }, "line 1: AI (01) GTIN 09520123456787"],
        [
          { barcode: `(01)${GTIN}(10)${LOT}(21)ER001`, quantity: 2 },
          "line 1: a serialised line has quantity 1",
        ],
        [lotLine(s.errors, 2, { rejected: 3 }), "line 1: rejected must be between 0 and quantity (2)"],
        // A pallet's SSCC label: valid GS1, but no product on it.
        [{ barcode: `(00)${SSCC}${gtinCheckDigit(SSCC)}` }, "line 1: no GTIN (AI 01)"],
      ];
      for (const [line, message] of cases) {
        const payload = await receipt(s.errors, "GR-ERR", [line]);
        expectError(await postReceipt(app, t.receiver, payload, key), 400, "RECEIPT_LINE_INVALID", message);
      }
    });

    it("refuses a receipt time before the shipment existed or in the future: 400 RECEIPT_TIME_INVALID", async function () {
      const shipment = await act.shipmentRecord(chain.ledger, s.errors.shipmentId);
      const early = {
        ...(await receipt(s.errors, "GR-ERR", [lotLine(s.errors, 2)])),
        receivedAt: new Date((Number(shipment.createdAt) - 60) * 1000).toISOString(),
      };
      expectError(
        await postReceipt(app, t.receiver, early, key),
        400,
        "RECEIPT_TIME_INVALID",
        "is before the shipment was created",
      );
      const late = {
        ...(await receipt(s.errors, "GR-ERR", [lotLine(s.errors, 2)])),
        receivedAt: await chainIso(chain, DAY),
      };
      expectError(
        await postReceipt(app, t.receiver, late, key),
        400,
        "RECEIPT_TIME_INVALID",
        "is in the future",
      );
    });

    it("needs an Idempotency-Key header: 400 naming it", async function () {
      const payload = await receipt(s.errors, "GR-ERR", [lotLine(s.errors, 2)]);
      expect(
        expectInvalidField(await postReceipt(app, t.receiver, payload, null), "headers.idempotency-key"),
      ).to.equal("is required");
      expectInvalidField(await postReceipt(app, t.receiver, payload, ""), "headers.idempotency-key");
    });

    it("answers 400 VALIDATION_FAILED naming a missing, mistyped or unknown field", async function () {
      const payload = await receipt(s.errors, "GR-ERR", [lotLine(s.errors, 2)]);
      const { receiptNo: _receiptNo, ...noNumber } = payload;
      expect(
        expectInvalidField(await postReceipt(app, t.receiver, noNumber, key), "body.receiptNo"),
      ).to.equal("is required");
      expect(
        expectInvalidField(
          await postReceipt(
            app,
            t.receiver,
            { ...payload, lines: [lotLine(s.errors, 2, { quantity: "many" })] },
            key,
          ),
          "body.lines[0].quantity",
        ),
      ).to.equal("must be integer");
      expect(
        expectInvalidField(
          await postReceipt(app, t.receiver, { ...payload, receivedAt: "yesterday" }, key),
          "body.receivedAt",
        ),
      ).to.include("date-time");
      expect(
        expectInvalidField(
          await postReceipt(app, t.receiver, { ...payload, warehouse: "W1" }, key),
          "body.warehouse",
        ),
      ).to.equal("is not allowed");
      expect(
        expectInvalidField(
          await postReceipt(
            app,
            t.receiver,
            { ...payload, lines: [lotLine(s.errors, 2, { colour: "blue" })] },
            key,
          ),
          "body.lines[0].colour",
        ),
      ).to.equal("is not allowed");
      // A line is either a scan or parsed fields, never both or neither.
      const both = { ...payload, lines: [{ barcode: `(01)${GTIN}`, gtin: GTIN }] };
      expect(expectInvalidField(await postReceipt(app, t.receiver, both, key), "body.lines[0]")).to.include(
        "oneOf",
      );
      const neither = { ...payload, lines: [{ lot: LOT, quantity: 2 }] };
      expectError(
        await postReceipt(app, t.receiver, neither, key),
        400,
        "VALIDATION_FAILED",
        "body.lines[0]",
      );
      expectInvalidField(await postReceipt(app, t.receiver, { ...payload, lines: [] }, key), "body.lines");
      expectInvalidField(
        await postReceipt(app, t.receiver, { ...payload, shipmentId: "0" }, key),
        "body.shipmentId",
      );
    });

    it("answers 401 without a token, 403 FORBIDDEN to anyone but a hospital receiver", async function () {
      const payload = await receipt(s.errors, "GR-ERR", [lotLine(s.errors, 2)]);
      const res = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        headers: { "idempotency-key": key },
        payload,
      });
      expectError(res, 401, "UNAUTHORIZED");
      for (const token of [t.supplier, t.stranger, t.hospital, t.regulator]) {
        expectError(
          await postReceipt(app, token, payload, key),
          403,
          "FORBIDDEN",
          "needs one of the roles hospital-receiver",
        );
      }
    });

    it("attack: another hospital's receiver probing a shipment gets 404 exactly like a missing one", async function () {
      // Before: 403 NOT_YOUR_HOSPITAL "…was ordered by another hospital" told B the shipment exists.
      const payload = await receipt(s.errors, "GR-ERR", [lotLine(s.errors, 2)]);
      const others = expectError(
        await postReceipt(app, t.receiver2, payload, key),
        404,
        "SHIPMENT_NOT_FOUND",
      );
      const missing = expectError(
        await postReceipt(app, t.receiver2, { ...payload, shipmentId: "999999" }, key),
        404,
        "SHIPMENT_NOT_FOUND",
      );
      expect(others.message.replace(String(s.errors.shipmentId), "ID")).to.equal(
        missing.message.replace("999999", "ID"),
      );
      expect(Object.keys(others)).to.deep.equal(Object.keys(missing));
    });

    it("answers 404 SHIPMENT_NOT_FOUND for a shipment that is not on the ledger", async function () {
      const payload = { ...(await receipt(s.errors, "GR-ERR", [lotLine(s.errors, 2)])), shipmentId: "999" };
      expectError(
        await postReceipt(app, t.receiver, payload, key),
        404,
        "SHIPMENT_NOT_FOUND",
        "shipment 999",
      );
    });

    it("kept nothing of the refused receipts: the key and number are still free", async function () {
      expect((await afterRefusals()).match.status).to.equal("matched");
    });
  });

  describe("operations after these flows", function () {
    it("GET /metrics counts receipts by match status, open exceptions by reason, and the outbox", async function () {
      for (const flow of [clean, cleanPaid, ...Object.values(flows), afterRefusals]) await flow();
      await app.indexer.catchUp();
      const res = await app.inject({ method: "GET", url: "/metrics" });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.headers["content-type"]).to.match(/^text\/plain/);
      const m = parseMetrics(res.body);
      expect(m.get('matching_receipts{status="matched"}')).to.equal(5);
      expect(m.get('matching_receipts{status="exception"}')).to.equal(14);
      for (const reason of [
        "SHORT_DELIVERY",
        "OVER_DELIVERY",
        "LOT_MISMATCH",
        "GTIN_MISMATCH",
        "EXPIRY_MISMATCH",
        "SERIAL_NOT_IN_MANIFEST",
        "MANIFEST_MISSING",
        "SERIAL_ALREADY_RECEIVED",
        "SERIAL_DUPLICATED",
        "SHELF_LIFE_SHORT",
        "LOT_RECALLED",
        "SUPPLIER_NOT_QUALIFIED",
        "EXCURSION_HOLD",
      ]) {
        // Two recalls held receipts: the regulator's and the supplier's own.
        expect(m.get(`exceptions_open{reason="${reason}"}`), reason).to.equal(
          reason === "LOT_RECALLED" ? 2 : 1,
        );
      }
      // The other supplier's recall, the warehouse-rejected and the last receipt are queued, not
      // yet paid. A held receipt disputes the units its match would not pay: 8 of the 14 do, not
      // the over-delivery's (the excess was never shipped) nor the five held for the whole
      // shipment's sake (short shelf life, two recalls, a supplier not qualified, an excursion),
      // which pay every unit they counted once decided. Those not yet sent are in the outbox.
      const disputes = (status: string) => m.get(`settlement_jobs{kind="dispute",status="${status}"}`) ?? 0;
      expect(m.get('settlement_jobs{kind="settlement",status="pending"}')).to.equal(3);
      expect(disputes("pending") + disputes("confirmed")).to.equal(8);
      expect(m.get("settlement_outbox_depth")).to.equal(3 + disputes("pending"));
      expect(m.get("indexer_lag_blocks")).to.equal(0);

      await app.settlementWorker!.drain();
      const after = parseMetrics((await app.inject({ method: "GET", url: "/metrics" })).body);
      expect(after.get("settlement_outbox_depth")).to.equal(0);
      expect([...after.entries()].filter(([k]) => k.startsWith("settlement_jobs"))).to.have.deep.members([
        ['settlement_jobs{kind="settlement",status="confirmed"}', 5],
        ['settlement_jobs{kind="dispute",status="confirmed"}', 8],
      ]);
    });

    it("GET /ready is 200 with the indexer's lag in blocks", async function () {
      await app.indexer.catchUp();
      const res = await app.inject({ method: "GET", url: "/ready" });
      expect(res.statusCode, res.body).to.equal(200);
      const body = res.json();
      expect(body.status).to.equal("ready");
      expect(body.checks.database.ok).to.equal(true);
      expect(body.checks.indexer.ok).to.equal(true);
      expect(body.checks.indexer.lagBlocks).to.be.a("number").and.equal(0);
    });
  });

  // A receipt is read in one statement and written in another, with no transaction between:
  // what a concurrent receipt commits in between must make the later one a replay or a refusal.
  // Last, so the counts the metrics test expects do not include these receipts.
  describe("receipts arriving together", function () {
    /** How many receipts, settlement jobs and exceptions the shipment has. */
    async function stored(
      shipment: Shipped,
    ): Promise<{ receipts: number; jobs: number; exceptions: number }> {
      const { rows } = await app.db.query<{ receipts: number; jobs: number; exceptions: number }>(
        `SELECT (SELECT count(*)::int FROM receipts WHERE shipment_id = $1) AS receipts,
           (SELECT count(*)::int FROM settlement_jobs WHERE shipment_id = $1) AS jobs,
           (SELECT count(*)::int FROM exceptions WHERE shipment_id = $1) AS exceptions`,
        [String(shipment.shipmentId)],
      );
      return rows[0];
    }

    it("the same receipt sent five times at once: recorded once, the other four replay it", async function () {
      const payload = await receipt(s.sameKey, "GR-RACE-1", [lotLine(s.sameKey, 2)]);
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => postReceipt(app, t.receiver, payload, "race-same-key")),
      );
      expect(answers.map((r) => r.statusCode)).to.deep.equal([201, 201, 201, 201, 201]);
      expect(answers.filter((r) => r.headers["idempotent-replayed"] === "true")).to.have.length(4);
      const bodies = answers.map((r) => r.json<ReceiptResult>());
      for (const body of bodies) expect(body).to.deep.equal(bodies[0]);
      expect(bodies[0].match).to.deep.equal({ status: "matched", accepted: "2", rejected: "0", reasons: [] });
      expect(await stored(s.sameKey)).to.deep.equal({ receipts: 1, jobs: 1, exceptions: 0 });
    });

    it("two receipts of one shipment at once: one recorded, the other 409 SHIPMENT_ALREADY_RECEIVED", async function () {
      const [a, b] = await Promise.all(
        ["GR-RACE-2A", "GR-RACE-2B"].map(async (no) =>
          postReceipt(app, t.receiver, await receipt(s.twoKeys, no, [lotLine(s.twoKeys, 2)]), `race-${no}`),
        ),
      );
      const [won, lost] = a.statusCode === 201 ? [a, b] : [b, a];
      expect(won.statusCode, won.body).to.equal(201);
      const winner = won.json<ReceiptResult>().receiptNo;
      expectError(
        lost,
        409,
        "SHIPMENT_ALREADY_RECEIVED",
        `shipment ${s.twoKeys.shipmentId} was already received by receipt ${winner}`,
      );
      expect(await stored(s.twoKeys)).to.deep.equal({ receipts: 1, jobs: 1, exceptions: 0 });
    });

    it("one receipt number on two shipments at once: one recorded, the other 409 RECEIPT_EXISTS", async function () {
      const [a, b] = await Promise.all(
        [s.numberA, s.numberB].map(async (shipment) =>
          postReceipt(
            app,
            t.receiver,
            await receipt(shipment, "GR-RACE-3", [lotLine(shipment, 2)]),
            `race-3-${shipment.shipmentId}`,
          ),
        ),
      );
      const [won, lost] = a.statusCode === 201 ? [a, b] : [b, a];
      expect(won.statusCode, won.body).to.equal(201);
      expectError(lost, 409, "RECEIPT_EXISTS", "receipt GR-RACE-3 was already recorded");
      const counts = [await stored(s.numberA), await stored(s.numberB)].sort(
        (x, y) => y.receipts - x.receipts,
      );
      expect(counts).to.deep.equal([
        { receipts: 1, jobs: 1, exceptions: 0 },
        { receipts: 0, jobs: 0, exceptions: 0 },
      ]);
    });

    it("one serial on two shipments' receipts at once: one takes it in, the other is held SERIAL_ALREADY_RECEIVED", async function () {
      const answers = await Promise.all(
        [s.serialA, s.serialB].map(async (shipment, i) => {
          const payload = await receipt(
            shipment,
            `GR-RACE-4${i}`,
            serialLines(shipment.serials, shipment.expiry),
          );
          return postReceipt(app, t.receiver, payload, `race-4-${i}`);
        }),
      );
      for (const res of answers) expect(res.statusCode, res.body).to.equal(201);
      const bodies = answers.map((res) => res.json<ReceiptResult>());
      const [matched, held] = bodies[0].match.status === "matched" ? bodies : [bodies[1], bodies[0]];
      expect(matched.match).to.deep.equal({ status: "matched", accepted: "2", rejected: "0", reasons: [] });
      expectException(held, ["SERIAL_ALREADY_RECEIVED"], "1", "1");
      const { rows } = await app.db.query(`SELECT receipt_no FROM received_serials WHERE serial = $1`, [
        SHARED_SERIAL,
      ]);
      expect(rows).to.deep.equal([{ receipt_no: matched.receiptNo }]);
    });
  });

  // Last: the recall it makes mines a block the metrics test above does not count on.
  describe("a receipt sent slowly", function () {
    it("attack: a receipt whose body arrives after its lot was recalled is held LOT_RECALLED, not queued for payment", async function () {
      const payload = await receipt(s.slowBody, "GR-SLOW-BODY", [lotLine(s.slowBody, 2)]);
      // The body is held back until the gateway asks for it, that is, once the request's on-request
      // hooks (the token's check) have run; the lot is recalled on chain before it is sent.
      let asked!: () => void;
      const bodyWanted = new Promise<void>((resolve) => (asked = resolve));
      const body = new Readable({ read: () => asked() });
      const answer = app.inject({
        method: "POST",
        url: "/v1/receipts",
        headers: {
          ...bearer(t.receiver),
          "idempotency-key": "slow-body",
          "content-type": "application/json",
        },
        payload: body,
      });
      await bodyWanted;
      await act.sent(chain.ledger.trace.connect(chain.cast.regulator).recall(BigInt(GTIN), SLOW_BODY_LOT, 2));
      body.push(JSON.stringify(payload));
      body.push(null);
      const res = await answer;
      expect(res.statusCode, res.body).to.equal(201);
      const held = res.json<ReceiptResult>();
      expectException(held, ["LOT_RECALLED"], "2", "0");
      expect(held.match.reasons[0].message).to.equal(`lot ${SLOW_BODY_LOT} is recalled`);
    });
  });
});
