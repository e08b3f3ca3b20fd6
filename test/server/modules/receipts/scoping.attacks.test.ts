import { expect } from "chai";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import * as act from "../../../../ledger/acts";
import { forEachEngine } from "../../helpers/engines";
import { GTIN, LOT, type ChainStack, type Procurement } from "../../support/chain";
import {
  bearer,
  chainIso,
  enrolSecondHospital,
  expectError,
  extraWallet,
  isoDate,
  loginAll,
  orderAndShip,
  postReceipt,
  serialLines,
  startApi,
  stopApi,
  uploadManifest,
  type ApiStack,
  type ErrorBody,
  type Shipped,
} from "../../support/api-fixtures";
import { LedgerSeed } from "../reconciliation/seed";

/**
 * Attacks on the back office's scoping (issue 11, items 5 and 6), each first shown working
 * against the gateway as it was, now refused:
 * - hospital B reading hospital A's receipt, shipment, exception or fulfilment rows learns
 *   nothing: 404 exactly like a missing id;
 * - hospital B may use a receipt number hospital A already used (numbers are per hospital);
 * - a hospital's reconciliation flags a serial received or used elsewhere without naming the
 *   other hospital or its receipt; the regulator sees both sides;
 * - a hostile scan of someone else's serial on a receipt that does not match cannot block the
 *   real receipt of that serial, and rejecting an exception releases the serials it held.
 */

/** Seeded (not on chain) shipments of hospital B: far above any id the test chain reaches. */
const B_SHIPMENT = 900_001;
const B_HOSTILE_SHIPMENT = 900_002;
/** Their expiry (a date: the seed sets it, not the chain). */
const B_EXPIRY = "2099-01-01";

/** The same error body, the id aside: nothing in it tells "someone else's" from "missing". */
function expectSameAsMissing(
  others: LightMyRequestResponse,
  missing: LightMyRequestResponse,
  code: string,
  ids: [string, string],
): void {
  const a = expectError(others, 404, code);
  const b = expectError(missing, 404, code);
  const strip = (body: ErrorBody, id: string) => JSON.stringify(body).split(id).join("<id>");
  expect(strip(a, ids[0])).to.equal(strip(b, ids[1]));
}

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<
    "receiver" | "approver" | "receiver2" | "approver2" | "regulator" | "supplier" | "supplier2",
    string
  >;
  let hospitalA: string;
  let hospitalB: string;
  let short: Shipped;
  let victim: Shipped;
  let decoy: Shipped;
  let rejected: Shipped;
  let unscanned: Shipped;

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast } = chain;
    const otherApprover = extraWallet(chain, 12);
    await enrolSecondHospital(chain, [
      { wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver },
      { wallet: otherApprover, roles: act.HOSPITAL_ROLES.approver },
    ]);
    await act.registerSupplier(chain.ledger, cast.supplier2, "Beta Devices", "91320000Y");
    hospitalA = cast.hospital.address.toLowerCase();
    hospitalB = cast.hospital2.address.toLowerCase();
    short = await orderAndShip(chain, p, { quantity: 2, prefix: "SC" });
    victim = await orderAndShip(chain, p, { quantity: 1, prefix: "VI" });
    decoy = await orderAndShip(chain, p, { quantity: 1, prefix: "DE" });
    rejected = await orderAndShip(chain, p, { quantity: 2, prefix: "RJ" });
    unscanned = await orderAndShip(chain, p, { quantity: 1, prefix: "US" });
    await app.indexer.catchUp();
    t = await loginAll(app, {
      receiver: cast.receiver,
      approver: cast.approver,
      receiver2: cast.receiver2,
      approver2: otherApprover,
      regulator: cast.regulator,
      supplier: cast.supplier,
      supplier2: cast.supplier2,
    });
    for (const s of [
      { shipmentId: p.shipmentId, serials: p.serials },
      short,
      victim,
      decoy,
      rejected,
      unscanned,
    ]) {
      await uploadManifest(app, t.supplier, s.shipmentId, s.serials);
    }
    // Hospital B is no party to the procured agreement on chain; its own orders and shipments of
    // the same item are seeded into the projections (one of them with a commitment row).
    const seed = new LedgerSeed(app.db);
    const createdAt = await chainIso(chain, -3600);
    for (const id of [B_SHIPMENT, B_HOSTILE_SHIPMENT]) {
      await seed.order({
        id,
        agreementId: Number(p.agreementId),
        hospital: hospitalB,
        quantity: 1,
        value: 100,
        placedAt: createdAt,
      });
      await seed.shipment({
        id,
        orderId: id,
        gtin: GTIN,
        lot: LOT,
        expiry: `${B_EXPIRY}T00:00:00Z`,
        quantity: 1,
        createdAt,
      });
    }
    await app.db.query(
      `INSERT INTO agreement_hospitals (agreement_id, hospital, committed, ordered, accepted) VALUES ($1, $2, 5, 1, 0)`,
      [String(p.agreementId), hospitalB],
    );

    const res = await postReceipt(
      app,
      t.receiver,
      {
        receiptNo: "GR-0001",
        shipmentId: String(p.shipmentId),
        receivedAt: await chainIso(chain),
        lines: serialLines(p.serials, p.expiry),
      },
      "a-gr-0001",
    );
    expect(res.statusCode, res.body).to.equal(201);
    expect(res.json().match.status).to.equal("matched");
  });

  after(() => stopApi(stack));

  const get = (url: string, token: string) => app.inject({ method: "GET", url, headers: bearer(token) });

  describe("item 5: another hospital's records answer 404 like missing ones", function () {
    it("hospital B reading A's receipt gets 404 exactly like an unknown number", async function () {
      expectSameAsMissing(
        await get("/v1/receipts/GR-0001", t.receiver2),
        await get("/v1/receipts/GR-NONE", t.receiver2),
        "RECEIPT_NOT_FOUND",
        ["GR-0001", "GR-NONE"],
      );
      // Naming A's hospital explicitly does not help either.
      expectSameAsMissing(
        await get(`/v1/receipts/GR-0001?hospital=${hospitalA}`, t.receiver2),
        await get(`/v1/receipts/GR-NONE?hospital=${hospitalA}`, t.receiver2),
        "RECEIPT_NOT_FOUND",
        ["GR-0001", "GR-NONE"],
      );
    });

    it("hospital B receiving against A's shipment gets 404 exactly like an unknown shipment", async function () {
      const payload = {
        receiptNo: "B-PROBE",
        shipmentId: String(short.shipmentId),
        receivedAt: await chainIso(chain),
        lines: serialLines(short.serials, short.expiry),
      };
      expectSameAsMissing(
        await postReceipt(app, t.receiver2, payload, "b-probe"),
        await postReceipt(app, t.receiver2, { ...payload, shipmentId: "999999" }, "b-probe-2"),
        "SHIPMENT_NOT_FOUND",
        [String(short.shipmentId), "999999"],
      );
    });

    it("hospital B reading A's shipment gets 404 exactly like an unknown shipment", async function () {
      expectSameAsMissing(
        await get(`/v1/shipments/${short.shipmentId}`, t.receiver2),
        await get("/v1/shipments/999999", t.receiver2),
        "SHIPMENT_NOT_FOUND",
        [String(short.shipmentId), "999999"],
      );
    });

    it("hospital B's approver deciding A's exception gets 404 exactly like an unknown id, and never lists it", async function () {
      const res = await postReceipt(
        app,
        t.receiver,
        {
          receiptNo: "GR-SHORT",
          shipmentId: String(short.shipmentId),
          receivedAt: await chainIso(chain),
          lines: serialLines(short.serials.slice(0, 1), short.expiry),
        },
        "a-gr-short",
      );
      expect(res.statusCode, res.body).to.equal(201);
      const id = res.json().exceptionId as string;
      expect(id).to.be.a("string");
      const resolve = (exceptionId: string) =>
        app.inject({
          method: "POST",
          url: `/v1/exceptions/${exceptionId}/resolve`,
          headers: bearer(t.approver2),
          payload: { action: "reject", note: "probe" },
        });
      expectSameAsMissing(await resolve(id), await resolve("999999"), "EXCEPTION_NOT_FOUND", [id, "999999"]);
      const listed = await get("/v1/exceptions", t.receiver2);
      expect(listed.statusCode, listed.body).to.equal(200);
      expect(listed.json().items.map((e: { id: string }) => e.id)).to.not.include(id);
    });

    it("the fulfilment report: each hospital its own row, the supplier and the regulator all, anyone else 404", async function () {
      const url = `/v1/agreements/${p.agreementId}/fulfilment`;
      const rowsOf = async (token: string) => {
        const res = await get(url, token);
        expect(res.statusCode, res.body).to.equal(200);
        return res.json<{ hospitals: { hospital: string }[] }>().hospitals.map((h) => h.hospital);
      };
      expect(await rowsOf(t.receiver)).to.deep.equal([hospitalA]);
      expect(await rowsOf(t.receiver2)).to.deep.equal([hospitalB]);
      expect(await rowsOf(t.supplier)).to.have.members([hospitalA, hospitalB]);
      expect(await rowsOf(t.regulator)).to.have.members([hospitalA, hospitalB]);
      // Before: any supplier read every hospital's commitments on any agreement.
      expectSameAsMissing(
        await get(url, t.supplier2),
        await get("/v1/agreements/999999/fulfilment", t.supplier2),
        "AGREEMENT_NOT_FOUND",
        [String(p.agreementId), "999999"],
      );
    });

    it("hospital B may use a receipt number hospital A already used; each reads its own", async function () {
      const res = await postReceipt(
        app,
        t.receiver2,
        {
          receiptNo: "GR-0001",
          shipmentId: String(B_SHIPMENT),
          receivedAt: await chainIso(chain),
          lines: [{ gtin: GTIN, lot: LOT, expiry: B_EXPIRY, quantity: 1 }],
        },
        "b-gr-0001",
      );
      // Before: 409 RECEIPT_EXISTS — A's number blocked B's receipt (and told B it exists).
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.json()).to.include({ receiptNo: "GR-0001", hospital: hospitalB });

      const a = await get("/v1/receipts/GR-0001", t.receiver);
      expect(a.json()).to.include({ hospital: hospitalA, shipmentId: String(p.shipmentId) });
      const b = await get("/v1/receipts/GR-0001", t.receiver2);
      expect(b.json()).to.include({ hospital: hospitalB, shipmentId: String(B_SHIPMENT) });
      expect(b.json().lines).to.have.length(1);

      // A regulator names the hospital once the number is shared.
      expectError(
        await get("/v1/receipts/GR-0001", t.regulator),
        409,
        "RECEIPT_NUMBER_AMBIGUOUS",
        "name one with ?hospital=",
      );
      for (const h of [hospitalA, hospitalB]) {
        expect((await get(`/v1/receipts/GR-0001?hospital=${h}`, t.regulator)).json().hospital).to.equal(h);
      }
      // Still one receipt per number within a hospital.
      expectError(
        await postReceipt(
          app,
          t.receiver,
          {
            receiptNo: "GR-0001",
            shipmentId: String(decoy.shipmentId),
            receivedAt: await chainIso(chain),
            lines: serialLines(decoy.serials, decoy.expiry),
          },
          "a-gr-0001-again",
        ),
        409,
        "RECEIPT_EXISTS",
      );
    });

    it("a hospital's reconciliation flags the resale without naming the other side; the regulator sees both", async function () {
      // Used after A received it (RESOLD counts use after the other hospital's receipt).
      const usedAt = await chainIso(chain);
      const usage = (usageId: string) => ({
        usageId,
        barcode: `(01)${GTIN}(10)${LOT}(21)${p.serials[0]}`,
        department: "Cardiology",
        patientRef: `MRN-${usageId}`,
        usedAt,
        billingCode: "C0401-DES-PCI",
        billedAmount: "10000",
      });
      for (const [token, id] of [
        [t.receiver, "U-A1"],
        [t.receiver2, "U-B1"],
      ]) {
        const res = await app.inject({
          method: "POST",
          url: "/v1/usages",
          headers: { ...bearer(token), "idempotency-key": id },
          payload: usage(id),
        });
        expect(res.statusCode, res.body).to.equal(201);
      }
      type Flag = { code: string; evidence: Record<string, unknown> };
      const flagsOf = async (token: string, hospital: string) => {
        const res = await get(`/v1/reconciliation?gtin=${GTIN}&hospital=${hospital}`, token);
        expect(res.statusCode, res.body).to.equal(200);
        const rows = res.json<{ rows: { hospital: string; lot: string; flags: Flag[] }[] }>().rows;
        return rows.find((r) => r.lot === LOT)!.flags;
      };
      const flag = (flags: Flag[], code: string) => flags.find((f) => f.code === code)!.evidence;

      // B's own report: the serial was received elsewhere and used elsewhere — but not where.
      const own = await flagsOf(t.receiver2, hospitalB);
      expect(flag(own, "RESOLD")).to.include({ receivedBy: null, receiptNo: null });
      expect(flag(own, "SERIAL_REUSED").uses).to.have.deep.members([
        { hospital: hospitalB, usageId: "U-B1" },
        { hospital: null, usageId: null },
      ]);
      // (B's own evidence may name its own receipts — B used the number GR-0001 too — never A's.)
      expect(JSON.stringify(own)).to.not.include(hospitalA).and.not.include("U-A1");
      const ownCsv = await app.inject({
        method: "GET",
        url: `/v1/reconciliation?gtin=${GTIN}`,
        headers: { ...bearer(t.receiver2), accept: "text/csv" },
      });
      expect(ownCsv.body).to.include("RESOLD").and.not.include(hospitalA);
      // A's own report names A's use only.
      const aFlags = await flagsOf(t.receiver, hospitalA);
      expect(JSON.stringify(aFlags)).to.not.include(hospitalB).and.not.include("U-B1");

      // The regulator sees both sides.
      const both = await flagsOf(t.regulator, hospitalB);
      expect(flag(both, "RESOLD")).to.include({ receivedBy: hospitalA, receiptNo: "GR-0001" });
      expect(flag(both, "SERIAL_REUSED").uses).to.have.deep.members([
        { hospital: hospitalA, usageId: "U-A1" },
        { hospital: hospitalB, usageId: "U-B1" },
      ]);
    });
  });

  describe("item 6: only a matched (or accepted) receipt marks serials received", function () {
    it("a hostile scan of A's serial on B's non-matching receipt does not block A's real receipt", async function () {
      const [serial] = victim.serials;
      // Every scan below reads the same unit's label, which prints the victim shipment's expiry.
      const label = serialLines([serial], victim.expiry);
      const hostile = await postReceipt(
        app,
        t.receiver2,
        {
          receiptNo: "B-HOSTILE",
          shipmentId: String(B_HOSTILE_SHIPMENT),
          receivedAt: await chainIso(chain),
          lines: label,
        },
        "b-hostile",
      );
      expect(hostile.statusCode, hostile.body).to.equal(201);
      expect(hostile.json().match.status).to.equal("exception");
      // And a stray scan of it on A's own wrong shipment.
      const stray = await postReceipt(
        app,
        t.receiver,
        {
          receiptNo: "GR-STRAY",
          shipmentId: String(decoy.shipmentId),
          receivedAt: await chainIso(chain),
          lines: label,
        },
        "a-stray",
      );
      expect(stray.json().match.reasons.map((r: { code: string }) => r.code)).to.include(
        "SERIAL_NOT_IN_MANIFEST",
      );

      const real = await postReceipt(
        app,
        t.receiver,
        {
          receiptNo: "GR-VICTIM",
          shipmentId: String(victim.shipmentId),
          receivedAt: await chainIso(chain),
          lines: label,
        },
        "a-victim",
      );
      // Before: the hostile receipt had recorded the serial, so this was SERIAL_ALREADY_RECEIVED.
      expect(real.statusCode, real.body).to.equal(201);
      expect(real.json().match).to.include({ status: "matched", accepted: "1" });
    });

    it("rejecting an exception releases the serials its receipt held; accepting takes in its faultless ones", async function () {
      const post = async (receiptNo: string, serials: string[]) => {
        const res = await postReceipt(
          app,
          t.receiver,
          {
            receiptNo,
            shipmentId: String(rejected.shipmentId),
            receivedAt: await chainIso(chain),
            lines: serialLines(serials, rejected.expiry),
          },
          receiptNo,
        );
        expect(res.statusCode, res.body).to.equal(201);
        return res.json();
      };
      const held = await post("GR-REJECT", rejected.serials.slice(0, 1));
      expect(held.match.reasons.map((r: { code: string }) => r.code)).to.deep.equal(["SHORT_DELIVERY"]);
      const receivedRows = () =>
        app.db
          .query<{ serial: string }>(
            `SELECT serial FROM received_serials WHERE hospital = $1 AND receipt_no = 'GR-REJECT'`,
            [hospitalA],
          )
          .then((r) => r.rows.map((x) => x.serial));
      // A receipt held as an exception takes nothing in by itself.
      expect(await receivedRows()).to.deep.equal([]);
      // As the old rule (or a matched receipt whose settlement the chain then refused) left it.
      await app.db.query(
        `INSERT INTO received_serials (gtin, serial, receipt_no, hospital, received_at) VALUES ($1, $2, 'GR-REJECT', $3, now())`,
        [GTIN, rejected.serials[0], hospitalA],
      );
      const res = await app.inject({
        method: "POST",
        url: `/v1/exceptions/${held.exceptionId}/resolve`,
        headers: bearer(t.approver),
        payload: { action: "reject", note: "wrong pallet" },
      });
      expect(res.statusCode, res.body).to.equal(200);
      expect(await receivedRows()).to.deep.equal([]);
    });

    it("an approver accepting an exception marks its faultless serials received", async function () {
      const id = (
        await app.db.query<{ id: string }>(
          `SELECT id FROM exceptions WHERE receipt_no = 'GR-SHORT' AND status = 'open'`,
        )
      ).rows[0].id;
      const res = await app.inject({
        method: "POST",
        url: `/v1/exceptions/${id}/resolve`,
        headers: bearer(t.approver),
        payload: { action: "accept_all", note: "one unit short, the rest fine" },
      });
      expect(res.statusCode, res.body).to.equal(200);
      const { rows } = await app.db.query<{ serial: string }>(
        `SELECT serial FROM received_serials WHERE hospital = $1 AND receipt_no = 'GR-SHORT'`,
        [hospitalA],
      );
      expect(rows.map((r) => r.serial)).to.deep.equal([short.serials[0]]);
    });
  });

  describe("item 6: receipt lines carry what traces the item", function () {
    it("refuses a line without a lot, or without a serial once the shipment has a manifest: 400 RECEIPT_LINE_INVALID", async function () {
      const receivedAt = await chainIso(chain);
      const expiry = isoDate(unscanned.expiry);
      const payload = (lines: Record<string, unknown>[]) => ({
        receiptNo: "GR-LINES",
        shipmentId: String(unscanned.shipmentId),
        receivedAt,
        lines,
      });
      expectError(
        await postReceipt(
          app,
          t.receiver,
          payload([{ gtin: GTIN, expiry, serial: unscanned.serials[0] }]),
          "lines-1",
        ),
        400,
        "RECEIPT_LINE_INVALID",
        "line 1: the item is lot-controlled: give its lot",
      );
      expectError(
        await postReceipt(
          app,
          t.receiver,
          payload([{ gtin: GTIN, lot: LOT, expiry, quantity: 1 }]),
          "lines-2",
        ),
        400,
        "RECEIPT_LINE_INVALID",
        `line 1: shipment ${unscanned.shipmentId} has a serial manifest: scan each unit's serial`,
      );
    });

    it("refuses a line without an expiry, scanned or in fields: 400 RECEIPT_LINE_INVALID naming the line", async function () {
      const receivedAt = await chainIso(chain);
      const [serial] = unscanned.serials;
      const expiry = isoDate(unscanned.expiry);
      const refusal = (lines: Record<string, unknown>[], key: string) =>
        postReceipt(
          app,
          t.receiver,
          { receiptNo: "GR-NOEXPIRY", shipmentId: String(unscanned.shipmentId), receivedAt, lines },
          key,
        );
      const scanned = expectError(
        await refusal([{ barcode: `(01)${GTIN}(10)${LOT}(21)${serial}` }], "no-expiry-1"),
        400,
        "RECEIPT_LINE_INVALID",
        "line 1: the item is lot-controlled: give its expiry (AI 17, or the expiry field)",
      );
      expect(scanned.details).to.deep.equal({ line: 1 });
      // The second line is the one at fault: the first gives everything.
      const fields = expectError(
        await refusal(
          [
            { gtin: GTIN, lot: LOT, expiry, serial },
            { gtin: GTIN, lot: LOT, serial: "US999" },
          ],
          "no-expiry-2",
        ),
        400,
        "RECEIPT_LINE_INVALID",
        "line 2: the item is lot-controlled: give its expiry (AI 17, or the expiry field)",
      );
      expect(fields.details).to.deep.equal({ line: 2 });
    });
  });
});
