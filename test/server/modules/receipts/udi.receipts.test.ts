import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import type { ReceiptResult } from "../../../../api/receipts";
import * as act from "../../../../ledger/acts";
import { productKeyOf } from "../../../../ledger/product-key";
import { forEachEngine } from "../../helpers/engines";
import { DAY, STENTS, type ChainStack, type Procurement } from "../../support/chain";
import {
  bearer,
  chainIso,
  expectError,
  isoDate,
  loginAll,
  orderAndShip,
  postReceipt,
  startApi,
  stopApi,
  uploadManifest,
  type ApiStack,
  type Shipped,
} from "../../support/api-fixtures";

/**
 * Codes beyond GS1 on the receipt and usage paths: an MA (IDcode) scan or an AHM identifier typed
 * as fields is mapped to the product key its supplier declared on the ledger, then matched,
 * settled, used and reconciled exactly as a GTIN; an identifier nobody declared is refused naming
 * it, and every malformed form with its agency and problem.
 */

const MA_DI = "MA.156.M0.100761.21234561";
const MA_KEY = productKeyOf("MA", MA_DI);
const AHM_DI = "AHM-8835601-X1";
const AHM_KEY = productKeyOf("AHM", AHM_DI);
const UNDECLARED_DI = "MA.156.M0.100761.99999999";
const LOT = "MA2026A";

/** An MA code as a scanner reads it: DI, then lot, expiry, serial and the unverified check. */
const maCode = (lot: string, expiry: number, serial: string) =>
  `]Q1${MA_DI}.L${lot}.E${isoDate(expiry).replace(/-/g, "")}.S${serial}.C3`;

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<"receiver" | "regulator" | "supplier", string>;
  let ma: Shipped;
  let ahm: Shipped;
  let receivedAt: string;

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast, ledger } = chain;
    expect(await act.declareDeviceIdentifier(ledger, cast.supplier, "MA", MA_DI)).to.equal(MA_KEY);
    expect(await act.declareDeviceIdentifier(ledger, cast.supplier, "AHM", AHM_DI)).to.equal(AHM_KEY);
    const now = await chain.now();
    await act.registerProducts(ledger, cast.regulator, cast.supplier, {
      gtins: [MA_KEY, AHM_KEY],
      categories: [STENTS],
      validFrom: now - DAY,
      validUntil: now + 3 * 365 * DAY,
    });
    ma = await orderAndShip(chain, p, { gtin: MA_KEY, lot: LOT, serials: ["x00001", "x00002"] });
    ahm = await orderAndShip(chain, p, { gtin: AHM_KEY, lot: LOT, quantity: 3, prefix: "AH" });
    await app.indexer.catchUp();
    receivedAt = await chainIso(chain);
    t = await loginAll(app, { receiver: cast.receiver, regulator: cast.regulator, supplier: cast.supplier });
    await uploadManifest(app, t.supplier, ma.shipmentId, ma.serials);
  });

  after(async () => {
    await stopApi(stack);
  });

  const receipt = (receiptNo: string, shipped: Shipped, lines: Record<string, unknown>[]) => ({
    receiptNo,
    shipmentId: String(shipped.shipmentId),
    receivedAt,
    lines,
  });
  const usage = (usageId: string, item: Record<string, unknown>) => ({
    usageId,
    ...item,
    department: "Cardiology",
    patientRef: `MRN-${usageId}`,
    usedAt: receivedAt,
    billingCode: "C0401-DES-PCI",
    billedAmount: "12000",
  });
  const postUsage = (body: unknown, key: string) =>
    app.inject({
      method: "POST",
      url: "/v1/usages",
      headers: { ...bearer(t.receiver), "idempotency-key": key },
      payload: body as object,
    });

  describe("receipts", function () {
    it("matches scanned MA codes against the shipment of the declared product key and queues payment", async function () {
      const res = await postReceipt(
        app,
        t.receiver,
        receipt(
          "GR-MA-1",
          ma,
          ma.serials.map((serial) => ({ barcode: maCode(LOT, ma.expiry, serial) })),
        ),
        "gr-ma-1",
      );
      expect(res.statusCode, res.body).to.equal(201);
      const body = res.json<ReceiptResult>();
      expect(body.match, res.body).to.deep.equal({
        status: "matched",
        accepted: "2",
        rejected: "0",
        reasons: [],
      });
      expect(body.settlement).to.equal("queued");
      const stored = await app.inject({
        method: "GET",
        url: "/v1/receipts/GR-MA-1",
        headers: bearer(t.receiver),
      });
      expect(stored.statusCode, stored.body).to.equal(200);
      const lines = stored.json<{ lines: { gtin: string; lot: string; serial: string }[] }>().lines;
      expect(lines.map((l) => [l.gtin, l.lot, l.serial])).to.deep.equal([
        [MA_KEY, LOT, "x00001"],
        [MA_KEY, LOT, "x00002"],
      ]);
    });

    it("matches an AHM item typed as agency, device identifier, lot and expiry", async function () {
      const res = await postReceipt(
        app,
        t.receiver,
        receipt("GR-AHM-1", ahm, [
          { agency: "AHM", deviceIdentifier: AHM_DI, lot: LOT, expiry: isoDate(ahm.expiry), quantity: 3 },
        ]),
        "gr-ahm-1",
      );
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.json<ReceiptResult>().match).to.deep.equal({
        status: "matched",
        accepted: "3",
        rejected: "0",
        reasons: [],
      });
    });

    it("refuses an identifier no supplier declared: 422 naming it", async function () {
      const res = await postReceipt(
        app,
        t.receiver,
        receipt("GR-MA-X", ma, [{ barcode: `${UNDECLARED_DI}.L${LOT}.E300101` }]),
        "gr-ma-x",
      );
      const body = expectError(res, 422, "DEVICE_IDENTIFIER_NOT_DECLARED");
      expect(body.message).to.equal(
        `line 1: MA device identifier ${UNDECLARED_DI} is not declared on the ledger (no supplier declared it, so no shipment carries it)`,
      );
      expect(body.details).to.deep.equal({
        agency: "MA",
        deviceIdentifier: UNDECLARED_DI,
        productKey: productKeyOf("MA", UNDECLARED_DI),
      });
    });

    it("answers every malformed form with a 400 naming the line, the agency and the problem", async function () {
      const cases: [Record<string, unknown>, number, string, string][] = [
        [
          { barcode: `${MA_DI}.L${LOT}.E260230` },
          400,
          "BARCODE_INVALID",
          "line 1: MA (IDcode): expiry .E260230 is not a date (day 30 does not exist in February 2026)",
        ],
        [
          { barcode: "MA.156.M0.100761" },
          400,
          "BARCODE_INVALID",
          "line 1: MA (IDcode): the device identifier needs five segments (MA.country.industry.registrant.product), found 4",
        ],
        [
          { barcode: "MA.156.MX.100761.21234561.L1" },
          400,
          "BARCODE_NOT_UDI",
          "line 1: MA (IDcode): not a medical-device code (industry MX, not M0)",
        ],
        [
          { barcode: "88.608.8889/87654321" },
          400,
          "BARCODE_NOT_UDI",
          "line 1: industrial-internet identifier: 88.608.8889/… is a CAICT industrial-internet (88.) identifier, not a medical-device UDI",
        ],
        [
          { agency: "MA", deviceIdentifier: `${MA_DI}.L${LOT}`, lot: LOT },
          400,
          "BARCODE_INVALID",
          `line 1: MA (IDcode): device identifier ${MA_DI} is followed by production identifiers: give lot, serial and expiry as their own fields`,
        ],
        [
          { agency: "AHM", deviceIdentifier: "AHM 88", lot: LOT },
          400,
          "BARCODE_INVALID",
          'line 1: AHM (阿里健康): device identifier "AHM 88" must be 1 to 64 printable ASCII characters without spaces, not beginning with = + - or @',
        ],
      ];
      for (const [i, [line, status, code, message]] of cases.entries()) {
        const body = expectError(
          await postReceipt(app, t.receiver, receipt(`GR-BAD-${i}`, ma, [line]), `gr-bad-${i}`),
          status,
          code,
        );
        expect(body.message, JSON.stringify(line)).to.equal(message);
      }
    });

    it("refuses a line naming a device identifier without its agency, or with a GTIN too", async function () {
      for (const line of [
        { deviceIdentifier: MA_DI, lot: LOT },
        { agency: "MA", deviceIdentifier: MA_DI, gtin: "09520123456788", lot: LOT },
      ]) {
        expectError(
          await postReceipt(app, t.receiver, receipt("GR-BAD-F", ma, [line]), "gr-bad-f"),
          400,
          "VALIDATION_FAILED",
        );
      }
      // A GTIN line the schema accepts, carrying a device identifier without its agency: a 400, not a 500.
      expectError(
        await postReceipt(
          app,
          t.receiver,
          receipt("GR-BAD-G", ma, [
            {
              gtin: "09520123456788",
              deviceIdentifier: "MA.156.M0.ABCDEF.X",
              lot: LOT,
              expiry: "2030-01-01",
            },
          ]),
          "gr-bad-g",
        ),
        400,
        "RECEIPT_LINE_INVALID",
        "line 1: a deviceIdentifier needs its agency (MA or AHM); give it instead of a gtin",
      );
    });
  });

  describe("usages and reconciliation", function () {
    it("records a scanned MA usage and a typed AHM usage under their product keys", async function () {
      const scanned = await postUsage(
        usage("U-MA-1", { barcode: maCode(LOT, ma.expiry, "x00001") }),
        "u-ma-1",
      );
      expect(scanned.statusCode, scanned.body).to.equal(201);
      expect(scanned.json()).to.include({ gtin: MA_KEY, lot: LOT, serial: "x00001", quantity: 1 });
      const typed = await postUsage(
        usage("U-AHM-1", { agency: "AHM", deviceIdentifier: AHM_DI, lot: LOT, quantity: 2 }),
        "u-ahm-1",
      );
      expect(typed.statusCode, typed.body).to.equal(201);
      expect(typed.json()).to.include({ gtin: AHM_KEY, lot: LOT, serial: null, quantity: 2 });
    });

    it("refuses an undeclared identifier (422) and a malformed code (400) naming the field", async function () {
      const undeclared = expectError(
        await postUsage(usage("U-X-1", { barcode: `${UNDECLARED_DI}.L${LOT}` }), "u-x-1"),
        422,
        "DEVICE_IDENTIFIER_NOT_DECLARED",
      );
      expect(undeclared.message).to.equal(
        `barcode: MA device identifier ${UNDECLARED_DI} is not declared on the ledger (no supplier declared it, so no shipment carries it)`,
      );
      const typed = expectError(
        await postUsage(usage("U-X-2", { agency: "AHM", deviceIdentifier: "AHM-NOBODY", lot: LOT }), "u-x-2"),
        422,
        "DEVICE_IDENTIFIER_NOT_DECLARED",
      );
      expect(typed.message).to.equal(
        "deviceIdentifier: AHM device identifier AHM-NOBODY is not declared on the ledger (no supplier declared it, so no shipment carries it)",
      );
      const malformed = expectError(
        await postUsage(usage("U-X-3", { barcode: `${MA_DI}.L${LOT}.M20261301` }), "u-x-3"),
        400,
        "BARCODE_INVALID",
      );
      expect(malformed.message).to.equal(
        "barcode: MA (IDcode): production date .M20261301 is not a date (month 13 does not exist)",
      );
      const noLot = expectError(
        await postUsage(usage("U-X-4", { barcode: MA_DI }), "u-x-4"),
        400,
        "VALIDATION_FAILED",
      );
      expect(noLot.message).to.equal("barcode has no lot (MA .L); usage is reconciled per lot");
    });

    it("pays the matched MA and AHM receipts on-chain and reconciles their lots as GTIN lots", async function () {
      const before = await chain.ledger.token.balanceOf(chain.cast.supplier.address);
      await app.settlementWorker!.drain();
      await app.indexer.catchUp();
      const paid = (await chain.ledger.token.balanceOf(chain.cast.supplier.address)) - before;
      const settled = await engine.db.query<{ accepted: string; paid: string }>(
        `SELECT accepted::text, paid::text FROM settlements WHERE shipment_id = ANY($1::bigint[]) ORDER BY shipment_id`,
        [[String(ma.shipmentId), String(ahm.shipmentId)]],
      );
      expect(settled.rows.map((r) => r.accepted)).to.deep.equal(["2", "3"]);
      expect(paid).to.equal(settled.rows.reduce((sum, r) => sum + BigInt(r.paid), 0n));
      expect(paid > 0n).to.equal(true);
      for (const [key, shipped, accepted, used] of [
        [MA_KEY, "2", "2", "1"],
        [AHM_KEY, "3", "3", "2"],
      ]) {
        const res = await app.inject({
          method: "GET",
          url: `/v1/reconciliation?gtin=${key}`,
          headers: bearer(t.regulator),
        });
        expect(res.statusCode, res.body).to.equal(200);
        const rows = res.json<{ rows: Record<string, unknown>[] }>().rows;
        expect(rows).to.have.length(1);
        expect(rows[0]).to.include({ gtin: key, lot: LOT, shipped, accepted, used });
      }
    });
  });

  describe("trail and EPCIS", function () {
    it("shows the MA lot's trail and exports it under the private identifier urn:sunshine-ledger:udi:ma:<DI>", async function () {
      const trail = await app.inject({
        method: "GET",
        url: `/v1/trail/lots/${MA_KEY}/${LOT}`,
        headers: bearer(t.regulator),
      });
      expect(trail.statusCode, trail.body).to.equal(200);
      const body = trail.json<{ shipments: string[]; steps: { event?: string; summary: string }[] }>();
      expect(body.shipments).to.deep.equal([String(ma.shipmentId)]);
      // The supplier's declarations are in the trail with its qualification, verified on chain.
      expect(body.steps.map((s) => s.summary)).to.include.members([
        `Supplier ${chain.cast.supplier.address.toLowerCase()} declared MA device identifier ${MA_DI} as product key ${MA_KEY}`,
        `Supplier ${chain.cast.supplier.address.toLowerCase()} declared AHM device identifier ${AHM_DI} as product key ${AHM_KEY}`,
      ]);
      const verified = await app.inject({
        method: "GET",
        url: `/v1/trail/lots/${MA_KEY}/${LOT}/verify`,
        headers: bearer(t.regulator),
      });
      expect(verified.statusCode, verified.body).to.equal(200);
      expect(verified.json<{ verified: boolean }>().verified, verified.body).to.equal(true);
      const epcis = await app.inject({
        method: "GET",
        url: `/v1/trail/lots/${MA_KEY}/${LOT}/epcis`,
        headers: bearer(t.regulator),
      });
      expect(epcis.statusCode, epcis.body).to.equal(200);
      const events = epcis.json<{ epcisBody: { eventList: { epcList?: string[] }[] } }>().epcisBody.eventList;
      const items = events.find((e) => e.epcList !== undefined)?.epcList;
      expect(items).to.deep.equal(
        ma.serials.map((serial) => `urn:sunshine-ledger:udi:ma:${MA_DI}:ser:${serial}`),
      );
      expect(epcis.body).to.not.include("id.gs1.org/01/");
    });
  });
});
