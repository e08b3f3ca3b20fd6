import { gtinCheckDigit } from "../../../../server/modules/barcodes";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import type { Campus, CampusPage } from "../../../../api/campuses";
import type { Receipt, ReceiptResult } from "../../../../api/receipts";
import type { HolderPage, StockPage, Stocktake, StocktakePage, SuggestionPage } from "../../../../api/stock";
import type { Exception, ExceptionList, StocktakeReason } from "../../../../api/exceptions";
import type { Usage } from "../../../../api/usages";
import * as act from "../../../../ledger/acts";
import { ledgerNow } from "../../../../server/plugins/chain";
import { stockTotals } from "../../../../server/modules/stock/stock.service";
import { productKeyOf } from "../../../../ledger/product-key";
import { lotKeyOf } from "../../../../ledger/contracts";
import { forEachEngine } from "../../helpers/engines";
import { GTIN } from "../../support/chain";
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
  type ApiStack,
} from "../../support/api-fixtures";
import { gln, StockSeed } from "./stock-seed";

/**
 * Campuses (/v1/campuses), receipts and usages that name one, and stock per campus
 * (/v1/stock, /holders, /suggestions): GLNs checked by their GS1 check digit, the first campus
 * the main one, stock arithmetic with transfers and returns, who holds an item and until when,
 * and the suggested moves at their stated thresholds.
 */
const MAIN = gln(1);
const EAST = gln(2);
const WEST = gln(3);
const SUPPLIER_GLN = gln(900);
const DAY = 86_400_000;

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let t: Record<"hospital" | "approver" | "receiver" | "hospital2" | "regulator" | "supplier", string>;
  let H: string;

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    app = stack.app;
    const { cast } = stack.chain;
    await enrolSecondHospital(stack.chain, [{ wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }]);
    t = await loginAll(app, {
      hospital: cast.hospital,
      approver: cast.approver,
      receiver: cast.receiver,
      hospital2: cast.hospital2,
      regulator: cast.regulator,
      supplier: cast.supplier,
    });
    H = cast.hospital.address.toLowerCase();
  });
  after(() => stopApi(stack));

  const post = (url: string, token: string, payload: object, headers: Record<string, string> = {}) =>
    app.inject({ method: "POST", url, headers: { ...bearer(token), ...headers }, payload });
  const get = (url: string, token: string) => app.inject({ method: "GET", url, headers: bearer(token) });
  const register = (token: string, code: string, name: string) =>
    post("/v1/campuses", token, { gln: code, name });

  describe("campuses", () => {
    it("checks the GLN's GS1 check digit and makes the first campus the main one", async () => {
      const wrong = `${MAIN.slice(0, 12)}${(Number(MAIN[12]) + 1) % 10}`;
      expectError(
        await register(t.hospital, wrong, "Main"),
        400,
        "GLN_INVALID",
        `check digit should be ${MAIN[12]}`,
      );
      const main = await register(t.hospital, MAIN, "Main campus");
      expect(main.statusCode, main.body).to.equal(201);
      expect(main.json<Campus>()).to.deep.include({
        hospital: H,
        gln: MAIN,
        name: "Main campus",
        main: true,
      });
      const east = await register(t.hospital, EAST, "East campus");
      expect(east.json<Campus>()).to.deep.include({ gln: EAST, main: false });
      expect((await register(t.hospital, WEST, "West community health centre")).statusCode).to.equal(201);
      expectError(await register(t.hospital, EAST, "again"), 409, "CAMPUS_EXISTS", "your hospital");
      // A GLN names one location: another hospital cannot claim it.
      expectError(await register(t.hospital2, EAST, "mine"), 409, "CAMPUS_EXISTS", "another hospital");
    });

    it("is registered by the hospital account only, and read by its staff and regulators", async () => {
      expectError(await register(t.approver, gln(4), "Annex"), 403, "FORBIDDEN");
      expectError(await register(t.supplier, gln(4), "Annex"), 403, "FORBIDDEN");
      const own = (await get("/v1/campuses", t.receiver)).json<CampusPage>();
      expect(own.items.map((c) => [c.gln, c.main])).to.deep.equal([
        [MAIN, true],
        [EAST, false],
        [WEST, false],
      ]);
      expect((await get("/v1/campuses", t.hospital2)).json<CampusPage>().items).to.deep.equal([]);
      const page = (await get(`/v1/campuses?hospital=${H}&limit=2`, t.regulator)).json<CampusPage>();
      expect(page.items).to.have.length(2);
      expect(page.nextCursor).to.be.a("string");
      expectError(await get("/v1/campuses", t.supplier), 403, "FORBIDDEN");
    });
  });

  describe("receipts and usages name a campus", () => {
    it("counts a receipt at the campus it names, or at the main campus", async function () {
      this.timeout(60_000);
      const { chain, p } = stack;
      const east = await orderAndShip(chain, p, { quantity: 2, prefix: "E", lot: "LOT-EAST" });
      const main = await orderAndShip(chain, p, { quantity: 1, prefix: "M", lot: "LOT-MAIN" });
      await app.indexer.catchUp();
      const receive = async (shipped: typeof east, campus?: string) => {
        const res = await postReceipt(
          app,
          t.receiver,
          {
            receiptNo: `GR-${shipped.shipmentId}`,
            shipmentId: String(shipped.shipmentId),
            receivedAt: await chainIso(chain),
            ...(campus ? { campus } : {}),
            lines: serialLines(shipped.serials, shipped.expiry, shipped.lot),
          },
          `gr-${shipped.shipmentId}-${campus ?? "main"}`,
        );
        return res;
      };
      expectError(
        await receive(east, gln(5)),
        400,
        "CAMPUS_UNKNOWN",
        `${gln(5)} is not a campus of your hospital`,
      );
      const atEast = await receive(east, EAST);
      expect(atEast.statusCode, atEast.body).to.equal(201);
      expect(atEast.json<ReceiptResult>()).to.deep.include({ campus: EAST, received: "2" });
      const atMain = await receive(main);
      expect(atMain.json<ReceiptResult>().campus).to.equal(MAIN);
      const stored = (await get(`/v1/receipts/GR-${east.shipmentId}`, t.receiver)).json<Receipt>();
      expect(stored.campus).to.equal(EAST);

      const stock = (await get(`/v1/stock?gtin=${GTIN}`, t.receiver)).json<StockPage>();
      expect(
        stock.items.map((r) => [r.campus, r.campusName, r.lot, r.expiry, r.received, r.onHand]),
      ).to.deep.equal([
        [MAIN, "Main campus", "LOT-MAIN", isoDate(main.expiry), "1", "1"],
        [EAST, "East campus", "LOT-EAST", isoDate(east.expiry), "2", "2"],
      ]);
    });

    it("records a usage at the campus it names (only the hospital's own), else at the main campus", async () => {
      const usage = (id: string, extra: object) =>
        post(
          "/v1/usages",
          t.receiver,
          {
            usageId: id,
            gtin: GTIN,
            lot: "LOT-EAST",
            department: "Cardiology",
            patientRef: "MRN-1",
            usedAt: new Date(Date.now() - 60_000).toISOString(),
            billingCode: "C-1",
            billedAmount: "1000",
            ...extra,
          },
          { "idempotency-key": `u-${id}` },
        );
      expectError(
        await usage("U-bad", { campus: "1234567890123" }),
        400,
        "GLN_INVALID",
        "check digit should be 8",
      );
      expectError(await usage("U-short", { campus: "123" }), 400, "VALIDATION_FAILED");
      expectError(await usage("U-other", { campus: SUPPLIER_GLN }), 400, "CAMPUS_UNKNOWN");
      const east = await usage("U-east", { campus: EAST });
      expect(east.statusCode, east.body).to.equal(201);
      expect(east.json<Usage>()).to.deep.include({ campus: EAST, department: "Cardiology" });
      expect((await usage("U-main", { lot: "LOT-MAIN" })).json<Usage>().campus).to.equal(MAIN);
      // A unit a patient did not use goes back where it was used, though the return names no campus.
      expect((await usage("U-east-2", { campus: EAST })).statusCode).to.equal(201);
      const back = await usage("U-east-2-back", {
        quantity: -1,
        billedAmount: "-1000",
        correctsUsageId: "U-east-2",
      });
      expect(back.statusCode, back.body).to.equal(201);
      expect(back.json<Usage>().campus).to.equal(EAST);
      const rows = (await get(`/v1/stock?gtin=${GTIN}`, t.receiver)).json<StockPage>().items;
      expect(rows.map((r) => [r.campus, r.lot, r.used, r.onHand, r.shortfall])).to.deep.equal([
        [MAIN, "LOT-MAIN", "1", "0", "0"],
        [EAST, "LOT-EAST", "1", "1", "0"],
      ]);
    });
  });

  describe("transfers on the ledger", () => {
    it("are indexed and move stock from one campus to another", async () => {
      const { chain } = stack;
      const id = await act.recordCampusTransfer(chain.ledger, chain.cast.receiver, {
        gtin: GTIN,
        lot: "LOT-EAST",
        from: EAST,
        to: MAIN,
        quantity: 1,
        serials: ["E002"],
      });
      await app.indexer.catchUp();
      const { rows } = await engine.db.query(`SELECT * FROM campus_transfers WHERE id = $1`, [String(id)]);
      expect(rows[0]).to.deep.include({
        hospital: H,
        from_gln: EAST,
        to_gln: MAIN,
        gtin: GTIN,
        lot: "LOT-EAST",
        serials_root: act.serialTree(["E002"]).root,
        recorded_by: chain.cast.receiver.address.toLowerCase(),
      });
      const stock = (await get(`/v1/stock?gtin=${GTIN}&lot=LOT-EAST`, t.receiver)).json<StockPage>().items;
      expect(stock.map((r) => [r.campus, r.transferredIn, r.transferredOut, r.onHand])).to.deep.equal([
        [MAIN, "1", "0", "1"],
        [EAST, "0", "1", "0"],
      ]);
    });
  });

  describe("stock", () => {
    // Another GTIN, so these rows are apart from the receipts above.
    const G = "09520123456795";
    let now: Date;
    const inDays = (days: number) => new Date(now.getTime() + days * DAY).toISOString().slice(0, 10);

    before(async () => {
      now = await ledgerNow(app.chain);
      const seed = new StockSeed(engine.db, 10_000);
      const recent = new Date(now.getTime() - 10 * DAY).toISOString();
      const longAgo = new Date(now.getTime() - 100 * DAY).toISOString();
      // MAIN: lot NEAR expires in 40 days; its 9 units were used before the 90-day window (0/day).
      await seed.receipt({
        hospital: H,
        campus: MAIN,
        gtin: G,
        lot: "NEAR",
        expiry: inDays(40),
        quantity: 30,
      });
      await seed.usage({ hospital: H, campus: MAIN, gtin: G, lot: "NEAR", quantity: 9, at: longAgo });
      // EAST: 48 unrejected units of FAR, 90 used in the window net of a return from a patient (1/day),
      // 1 moved to WEST and 3 back to the supplier.
      await seed.receipt({
        hospital: H,
        campus: EAST,
        gtin: G,
        lot: "FAR",
        expiry: inDays(400),
        quantity: 50,
        rejected: 2,
      });
      const used = await seed.usage({
        hospital: H,
        campus: EAST,
        gtin: G,
        lot: "FAR",
        quantity: 91,
        at: recent,
      });
      await seed.usage({
        hospital: H,
        campus: EAST,
        gtin: G,
        lot: "FAR",
        quantity: -1,
        at: recent,
        corrects: used,
      });
      await seed.transfer({ hospital: H, from: EAST, to: WEST, gtin: G, lot: "FAR", quantity: 1 });
      await seed.transfer({ hospital: H, from: EAST, to: SUPPLIER_GLN, gtin: G, lot: "FAR", quantity: 3 });
      // WEST: uses 27 in the window (0.3/day), and holds 60 of lot MID.
      await seed.usage({ hospital: H, campus: WEST, gtin: G, lot: "FAR", quantity: 27, at: recent });
      await seed.receipt({
        hospital: H,
        campus: WEST,
        gtin: G,
        lot: "MID",
        expiry: inDays(200),
        quantity: 60,
      });
    });

    it("is received − used − returned ± transfers per campus × GTIN × lot, a usage beyond it flagged as shortfall", async () => {
      const rows = (await get(`/v1/stock?gtin=${G}`, t.approver)).json<StockPage>().items;
      expect(
        rows.map((r) => [
          r.campus,
          r.lot,
          r.received,
          r.used,
          r.returned,
          r.transferredIn,
          r.transferredOut,
          r.onHand,
          r.shortfall,
        ]),
      ).to.deep.equal([
        [MAIN, "NEAR", "30", "9", "0", "0", "0", "21", "0"],
        // 48 − 90 − 3 − 1: the billing system's usages are recorded, the 46 beyond stock flagged.
        [EAST, "FAR", "48", "90", "3", "0", "1", "0", "46"],
        [WEST, "FAR", "0", "27", "0", "1", "0", "0", "26"],
        [WEST, "MID", "60", "0", "0", "0", "0", "60", "0"],
      ]);
      const totals = (await stockTotals(engine.db, H, now)).filter((x) => x.gtin === G);
      expect(totals.map((x) => [x.campus, x.onHand, x.shortfall, x.soonestExpiry])).to.deep.equal([
        [MAIN, 21n, 0n, inDays(40)],
        [EAST, 0n, 46n, null],
        [WEST, 60n, 26n, inDays(200)],
      ]);
      // Once lot NEAR has expired its 21 units no longer count towards a par level.
      const later = (await stockTotals(engine.db, H, new Date(now.getTime() + 41 * DAY))).filter(
        (x) => x.gtin === G,
      );
      expect(later.map((x) => [x.campus, x.onHand])).to.deep.equal([
        [EAST, 0n],
        [WEST, 60n],
      ]);
    });

    it("counts consigned stock returned to its supplier or written off as expired as returned; a hospital's return leaves when sent and comes back if refused", async () => {
      // Another GTIN again, at WEST, so the other tests' rows and stocktakes stay as they are.
      const CONSIGNED = "09520123456801";
      const seed = new StockSeed(engine.db, 20_000);
      const shipmentId = await seed.receipt({
        hospital: H,
        campus: WEST,
        gtin: CONSIGNED,
        lot: "CONS",
        expiry: inDays(300),
        quantity: 10,
      });
      // The supplier's own return (2), an expiry (1); a hospital's return of 3, confirmed (its
      // units left when it was sent); one of 1, refused (back on the shelf).
      for (const [kind, units] of [
        ["return", 2],
        ["expiry", 1],
        ["return-requested", 3],
        ["return-confirmed", 3],
        ["return-requested", 1],
        ["return-refused", 1],
      ] as const)
        await seed.consignedOut({ shipmentId, hospital: H, gtin: CONSIGNED, lot: "CONS", kind, units });
      const rows = (await get(`/v1/stock?gtin=${CONSIGNED}`, t.approver)).json<StockPage>().items;
      expect(rows.map((r) => [r.campus, r.lot, r.received, r.used, r.returned, r.onHand])).to.deep.equal([
        [WEST, "CONS", "10", "0", "6", "4"],
      ]);
    });

    it("pages by campus, GTIN and lot, and is its own hospital's only", async () => {
      const first = (await get(`/v1/stock?gtin=${G}&limit=2`, t.approver)).json<StockPage>();
      expect(first.items.map((r) => r.campus)).to.deep.equal([MAIN, EAST]);
      const second = (
        await get(`/v1/stock?gtin=${G}&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`, t.approver)
      ).json<StockPage>();
      expect(second.items.map((r) => [r.campus, r.lot])).to.deep.equal([
        [WEST, "FAR"],
        [WEST, "MID"],
      ]);
      expect(second.nextCursor).to.equal(null);
      expect(
        (await get(`/v1/stock?campus=${MAIN}&gtin=${G}`, t.approver)).json<StockPage>().items,
      ).to.have.length(1);
      expectError(
        await get(`/v1/stock?hospital=${gln(1).padStart(40, "0").replace(/^/, "0x")}`, t.approver),
        403,
        "NOT_YOUR_HOSPITAL",
      );
      expect((await get(`/v1/stock?gtin=${G}`, t.hospital2)).json<StockPage>().items).to.deep.equal([]);
      expectError(await get("/v1/stock", t.regulator), 403, "FORBIDDEN");
      expectError(await get("/v1/stock", t.supplier), 403, "FORBIDDEN");
      expectError(await get("/v1/stock?cursor=nope", t.approver), 400, "CURSOR_INVALID");
    });

    it("shows who holds an item and until when, soonest expiry first", async () => {
      const page = (await get(`/v1/stock/holders?gtin=${GTIN}`, t.receiver)).json<HolderPage>();
      // GTIN: LOT-EAST's last unit, moved to MAIN; MAIN's LOT-MAIN was used up, so it holds none of it.
      expect(page.items.map((h) => [h.campus, h.campusName, h.lot, h.onHand])).to.deep.equal([
        [MAIN, "Main campus", "LOT-EAST", "1"],
      ]);
      const near = (await get(`/v1/stock/holders?gtin=${G}`, t.receiver)).json<HolderPage>();
      expect(near.items).to.deep.equal([
        {
          campus: MAIN,
          campusName: "Main campus",
          gtin: G,
          lot: "NEAR",
          expiry: inDays(40),
          onHand: "21",
          recalled: false,
        },
        {
          campus: WEST,
          campusName: "West community health centre",
          gtin: G,
          lot: "MID",
          expiry: inDays(200),
          onHand: "60",
          recalled: false,
        },
      ]);
      expectError(await get("/v1/stock/holders", t.receiver), 400, "VALIDATION_FAILED");
    });

    it("marks a lot under a recall in force as recalled among its holders, and no longer once lifted", async () => {
      const recalled = async () =>
        (await get(`/v1/stock/holders?gtin=${G}`, t.receiver))
          .json<HolderPage>()
          .items.map((h) => [h.lot, h.recalled]);
      const tx = `0x${"ab".repeat(32)}`;
      await engine.db.query(
        `INSERT INTO recalls (lot_key, gtin, lot, scope, recalled_by, reason_code, recalled_at, tx_hash, block_number, log_index)
         VALUES ($1, $2, 'MID', $3, $3, 1, now(), $4, 1, 0)`,
        [lotKeyOf(G, "MID"), G, `0x${"0".repeat(40)}`, tx],
      );
      try {
        expect(await recalled()).to.deep.equal([
          ["NEAR", false],
          ["MID", true],
        ]);
        await engine.db.query(`UPDATE recalls SET lifted_at = now() WHERE tx_hash = $1`, [tx]);
        expect(await recalled()).to.deep.equal([
          ["NEAR", false],
          ["MID", false],
        ]);
      } finally {
        await engine.db.query(`DELETE FROM recalls WHERE tx_hash = $1`, [tx]);
      }
    });

    it("marks a supplier's own recall only where that supplier shipped the lot to this hospital", async () => {
      const recalled = async () =>
        (await get(`/v1/stock/holders?gtin=${G}`, t.receiver))
          .json<HolderPage>()
          .items.map((h) => [h.lot, h.recalled]);
      const tx = `0x${"cd".repeat(32)}`;
      const [shipper, other] = [`0x${"5a".repeat(20)}`, `0x${"6b".repeat(20)}`];
      const recall = (scope: string, logIndex: number) =>
        engine.db.query(
          `INSERT INTO recalls (lot_key, gtin, lot, scope, recalled_by, reason_code, recalled_at, tx_hash, block_number, log_index)
           VALUES ($1, $2, 'MID', $3, $3, 1, now(), $4, 1, $5)`,
          [lotKeyOf(G, "MID"), G, scope, tx, logIndex],
        );
      // The supplier that shipped lot MID to this hospital (a shipment of the lot, on the ledger).
      await engine.db.query(
        `INSERT INTO shipments (id, order_id, supplier, hospital, gtin, lot, expiry, quantity, serial_root, notice_hash,
           created_at, last_tx, last_block)
         VALUES (990001, 990001, $1, $2, $3, 'MID', now(), 60, '0x', '0x', now(), $4, 1)`,
        [shipper, H, G, tx],
      );
      try {
        // Another supplier's own recall of the same GTIN and lot reaches only its own units.
        await recall(other, 0);
        expect(await recalled()).to.deep.equal([
          ["NEAR", false],
          ["MID", false],
        ]);
        await recall(shipper, 1);
        expect(await recalled()).to.deep.equal([
          ["NEAR", false],
          ["MID", true],
        ]);
      } finally {
        await engine.db.query(`DELETE FROM recalls WHERE tx_hash = $1`, [tx]);
        await engine.db.query(`DELETE FROM shipments WHERE id = 990001`);
      }
    });

    it("suggests moving near-expiry stock to the fastest user, and covering a shortage from another campus", async () => {
      const page = (await get(`/v1/stock/suggestions?gtin=${G}`, t.approver)).json<SuggestionPage>();
      expect(page.items.map((s) => [s.kind, s.lot, s.from, s.to, s.quantity])).to.deep.equal([
        // NEAR: MAIN uses none of it before it expires; EAST, at 1/day, would use more than all 21.
        ["near-expiry", "NEAR", MAIN, EAST, "21"],
        // 30-day needs: EAST 30, holding the 21 on their way; WEST can spare 60 − 9 of MID.
        ["shortage", "MID", WEST, EAST, "9"],
      ]);
      // The figures behind each, for a reader to state in its own language; the names of the campuses.
      const [nearExpiry, shortage] = page.items;
      expect(nearExpiry).to.deep.include({
        fromName: "Main campus",
        toName: "East campus",
        fromPerDay: "0.00",
        toPerDay: "1.00",
        unused: "21",
      });
      expect(nearExpiry.kind === "near-expiry" && nearExpiry.expiresInDays).to.be.oneOf([39, 40]);
      expect(nearExpiry.reason).to.equal(
        `expires in ${nearExpiry.kind === "near-expiry" && nearExpiry.expiresInDays} day(s); ` +
          `${MAIN} uses 0.00/day and would leave 21 unused, ${EAST} uses 1.00/day`,
      );
      expect(shortage).to.deep.include({
        fromName: "West community health centre",
        toName: "East campus",
        coverDays: 30,
        toHolds: "21",
        toNeeds: "30",
        toPerDay: "1.00",
        reason: `${EAST} holds 21, under its 30-day need of 30 (1.00/day); ${WEST} holds more than its own need`,
      });
      const one = (await get(`/v1/stock/suggestions?gtin=${G}&limit=1`, t.approver)).json<SuggestionPage>();
      const next = (
        await get(`/v1/stock/suggestions?gtin=${G}&limit=5&cursor=${one.nextCursor}`, t.approver)
      ).json<SuggestionPage>();
      expect(next.items.map((s) => s.kind)).to.deep.equal(["shortage"]);
      expect(next.nextCursor).to.equal(null);
    });
  });

  describe("stocktake", () => {
    let keys = 0;
    const take = (token: string, payload: object, key = `st-${++keys}`) =>
      post("/v1/stock/stocktakes", token, payload, { "idempotency-key": key });

    it("raises each lot's difference from the records as an exception with its evidence", async () => {
      // MAIN holds LOT-EAST's moved unit (E002) and none of LOT-MAIN (used); the shelf shows
      // LOT-MAIN's unit, scanned twice, and not E002. NEAR (21 of the other GTIN) was never shipped here.
      const res = await take(t.receiver, {
        campus: MAIN,
        lines: [
          { barcode: `(01)${GTIN}(10)LOT-MAIN(21)M001` },
          { barcode: `(01)${GTIN}(10)LOT-MAIN(21)M001` },
        ],
      });
      expect(res.statusCode, res.body).to.equal(201);
      const stocktake = res.json<Stocktake>();
      expect(stocktake).to.include({ hospital: H, campus: MAIN });
      expect(
        stocktake.differences.map((d) => [d.gtin, d.lot, d.expected, d.counted, d.exceptionId === null]),
      ).to.deep.equal([
        [GTIN, "LOT-EAST", 1, 0, false],
        [GTIN, "LOT-MAIN", 0, 1, false],
        ["09520123456795", "NEAR", 21, 0, true],
      ]);
      const exceptions = (await get("/v1/exceptions?status=open", t.approver))
        .json<ExceptionList>()
        .items.filter((e) => e.source === "stocktake");
      expect(exceptions.map((e) => e.reasons[0].code)).to.deep.equal(["STOCK_MISSING", "STOCK_EXTRA"]);
      // About the shelf, not a delivery: no settlement or hold of its lot's shipment is its own.
      expect(exceptions.map((e) => [e.settledOnLedger, e.ledgerHold])).to.deep.equal([
        [null, null],
        [null, null],
      ]);
      expect(exceptions[0].reasons[0]).to.deep.include({
        message: `1 unit(s) of lot LOT-EAST of GTIN ${GTIN} missing at ${MAIN}: 1 by the records, 0 on the shelf (used without a usage record, or lost)`,
      });
      expect((exceptions[1].reasons[0] as StocktakeReason).details).to.deep.include({
        stocktakeId: stocktake.id,
        expected: 0,
        counted: 1,
        received: "1",
        used: "1",
        serials: ["M001"],
      });
      // An approver acknowledges one: it pays nothing.
      const resolved = await post(`/v1/exceptions/${exceptions[0].id}/resolve`, t.approver, {
        action: "accept_all",
        note: "lost in the east move",
      });
      expect(resolved.statusCode, resolved.body).to.equal(200);
      expect(resolved.json<Exception>()).to.include({
        status: "resolved",
        resolution: "accept_all",
        resolvedAccepted: "0",
      });
      // Another says the count was wrong: a stocktake's rejection is no rejected receipt, so the
      // shipment it is anchored to still counts as received.
      const stockOfLot = async () =>
        (await get(`/v1/stock?campus=${MAIN}&gtin=${GTIN}`, t.approver))
          .json<StockPage>()
          .items.filter((r) => r.lot === "LOT-MAIN")
          .map((r) => [r.received, r.used]);
      const before = await stockOfLot();
      const rejected = await post(`/v1/exceptions/${exceptions[1].id}/resolve`, t.approver, {
        action: "reject",
        note: "miscounted",
      });
      expect(rejected.statusCode, rejected.body).to.equal(200);
      expect(await stockOfLot())
        .to.deep.equal(before)
        .and.deep.equal([["1", "1"]]);
      const listed = (await get(`/v1/stock/stocktakes?campus=${MAIN}`, t.approver)).json<StocktakePage>();
      expect(listed.items[0]).to.deep.equal(stocktake);
    });

    it("refuses a bad scan, another hospital's campus and the wrong roles", async () => {
      expectError(
        await take(t.receiver, { campus: MAIN, lines: [{ barcode: `(01)09520123456787(10)L1` }] }),
        400,
        "BARCODE_INVALID",
        "line 1",
      );
      expectError(await take(t.receiver, { campus: gln(77), lines: [] }), 400, "CAMPUS_UNKNOWN");
      expectError(
        await take(t.receiver, { campus: MAIN, lines: [{ barcode: `(01)${GTIN}(21)X1` }] }),
        400,
        "VALIDATION_FAILED",
        "lot (10)",
      );
      expectError(await take(t.approver, { campus: MAIN, lines: [] }), 403, "FORBIDDEN");
    });

    it("is idempotent by Idempotency-Key: a repeated count raises its exceptions once", async () => {
      const stocktakeExceptions = async () =>
        (await get("/v1/exceptions?status=open&reason=STOCK_EXTRA&limit=100", t.approver))
          .json<ExceptionList>()
          .items.filter((e) => e.source === "stocktake");
      const stocktakes = async () =>
        (await get(`/v1/stock/stocktakes?campus=${EAST}&limit=100`, t.approver)).json<StocktakePage>().items;
      const body = { campus: EAST, lines: [{ gtin: GTIN, lot: "LOT-MAIN", quantity: 3 }] };
      const [exceptionsBefore, stocktakesBefore] = [await stocktakeExceptions(), await stocktakes()];

      const first = await take(t.receiver, body, "count-east-1");
      expect(first.statusCode, first.body).to.equal(201);
      const stocktake = first.json<Stocktake>();
      const extra = stocktake.differences.find((d) => d.lot === "LOT-MAIN")!;
      expect(extra).to.include({ gtin: GTIN, expected: 0, counted: 3 });
      expect(await stocktakeExceptions()).to.have.length(exceptionsBefore.length + 1);

      // The same count again (a retry after a lost answer; another receiver of the hospital alike).
      const again = await take(t.hospital, body, "count-east-1");
      expect(again.statusCode, again.body).to.equal(201);
      expect(again.headers["idempotent-replayed"]).to.equal("true");
      expect(again.json<Stocktake>()).to.deep.equal(stocktake);
      const after = await stocktakeExceptions();
      expect(after).to.have.length(exceptionsBefore.length + 1);
      expect(after.at(-1)!.id).to.equal(extra.exceptionId);
      expect((await stocktakes()).map((s) => s.id)).to.deep.equal([
        stocktake.id,
        ...stocktakesBefore.map((s) => s.id),
      ]);

      // The same key with another count is refused, and records nothing.
      expectError(
        await take(
          t.receiver,
          { ...body, lines: [{ gtin: GTIN, lot: "LOT-MAIN", quantity: 4 }] },
          "count-east-1",
        ),
        409,
        "IDEMPOTENCY_KEY_REUSED",
        "count-east-1",
      );
      expect(await stocktakeExceptions()).to.have.length(exceptionsBefore.length + 1);
      expectInvalidField(await post("/v1/stock/stocktakes", t.receiver, body), "headers.idempotency-key");
    });
  });

  describe("near-expiry suggestions", () => {
    // Their own GTIN and seed ids, and last: a stocktake would count these lots too.
    const G3 = `0952012345682${gtinCheckDigit("0952012345682")}`;

    it("never send one campus more near-expiry units than it uses before they expire, its own soonest lots first", async () => {
      const now = await ledgerNow(app.chain);
      const inDays = (days: number) => new Date(now.getTime() + days * DAY).toISOString().slice(0, 10);
      const seed = new StockSeed(engine.db, 30_000);
      // EAST used 45 in the 90-day window (0.5/day) and holds 5 of lot SOON, expiring in 20 days.
      await seed.receipt({
        hospital: H,
        campus: EAST,
        gtin: G3,
        lot: "OLD",
        expiry: inDays(300),
        quantity: 45,
      });
      await seed.usage({
        hospital: H,
        campus: EAST,
        gtin: G3,
        lot: "OLD",
        quantity: 45,
        at: new Date(now.getTime() - 10 * DAY).toISOString(),
      });
      await seed.receipt({
        hospital: H,
        campus: EAST,
        gtin: G3,
        lot: "SOON",
        expiry: inDays(20),
        quantity: 5,
      });
      // MAIN and WEST use none and each hold 20 units expiring in 30 days.
      await seed.receipt({
        hospital: H,
        campus: MAIN,
        gtin: G3,
        lot: "A30",
        expiry: inDays(30),
        quantity: 20,
      });
      await seed.receipt({
        hospital: H,
        campus: WEST,
        gtin: G3,
        lot: "B30",
        expiry: inDays(30),
        quantity: 20,
      });

      const page = (await get(`/v1/stock/suggestions?gtin=${G3}`, t.approver)).json<SuggestionPage>();
      // In 30 days EAST uses 15 (29 or 30 whole days from the ledger's now: 14 or 15): 5 of them
      // its own SOON, the rest from A30; B30 would expire on EAST's shelf, so it stays put. (Its
      // 30-day need may then draw a unit more of A30 as a shortage: it is used in time too.)
      const nearExpiry = page.items.filter((s) => s.kind === "near-expiry");
      expect(nearExpiry.map((s) => [s.lot, s.from, s.to])).to.deep.equal([["A30", MAIN, EAST]]);
      const days = nearExpiry[0].kind === "near-expiry" ? nearExpiry[0].expiresInDays : NaN;
      expect(nearExpiry[0].quantity).to.equal(String(Math.floor(0.5 * days) - 5));
      expect(page.items.filter((s) => s.lot === "B30")).to.deep.equal([]);
    });
  });

  describe("stocktake of MA-coded items", () => {
    it("counts an MA (IDcode) scan under its product key, as its receipt was", async () => {
      const DI = "MA.156.M0.100761.21234561";
      const key = productKeyOf("MA", DI);
      // A campus of its own, so only this lot is on its records.
      const NORTH = gln(9);
      const seed = new StockSeed(engine.db, 40_000);
      await seed.campus(H, NORTH, "North", false);
      await seed.receipt({
        hospital: H,
        campus: NORTH,
        gtin: key,
        lot: "MA1",
        expiry: "2030-01-01",
        quantity: 3,
      });
      const res = await post(
        "/v1/stock/stocktakes",
        t.receiver,
        {
          campus: NORTH,
          lines: [
            { barcode: `${DI}.S0001.LMA1` },
            { barcode: `${DI}.S0002.LMA1.E300101` },
            { barcode: `${DI}.S0002.LMA1.E300101` },
          ],
        },
        { "idempotency-key": "st-ma-1" },
      );
      expect(res.statusCode, res.body).to.equal(201);
      expect(
        res.json<Stocktake>().differences.map((d) => [d.gtin, d.lot, d.expected, d.counted]),
      ).to.deep.equal([[key, "MA1", 3, 2]]);
      expectError(
        await post(
          "/v1/stock/stocktakes",
          t.receiver,
          { campus: NORTH, lines: [{ barcode: "88.608.8899/META_zj02" }] },
          { "idempotency-key": "st-ma-2" },
        ),
        400,
        "BARCODE_NOT_UDI",
        "line 1",
      );
    });
  });
});
