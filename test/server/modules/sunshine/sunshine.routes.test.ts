import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import type { SunshineAwardPage, SunshinePrices, SunshineScorecards } from "../../../../api/sunshine";
import * as act from "../../../../ledger/acts";
import { insertUsage } from "../../../../server/modules/usages/usages.repository";
import { forEachEngine } from "../../helpers/engines";
import { DOCUMENT_KINDS } from "../../../../ledger/enums";
import { GTIN, LOT } from "../../support/chain";
import { expectError, startApi, stopApi, type ApiStack } from "../../support/api-fixtures";

/**
 * /v1/sunshine, public: the procured award with its winner, tiers, commitment and transaction;
 * the stents' paid price (10 settled at the first tier, ¥100.00) and billed price (¥120.00 each,
 * published once 5 patients were billed) at General Hospital, beside a second hospital's planted settlement at ¥115.00: a
 * 15 % spread, flagged above the default 10 % threshold and not above 20 %; and the supplier's
 * scorecard over both deliveries (the planted one late, short, with an excursion), its recall,
 * suspension and a lapsed licence.
 */
forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let H: string;
  const H2 = "0x00000000000000000000000000000000000000b2";
  const PLANTED_TX = `0x${"b2".repeat(32)}`;

  const get = (url: string) => app.inject({ method: "GET", url });
  const use = (usageId: string, billed: bigint, patient: string) =>
    insertUsage(engine.db, {
      hospital: H,
      usageId,
      gtin: GTIN,
      lot: "L1",
      serial: null,
      expiry: null,
      barcode: null,
      campus: null,
      department: "Cardiology",
      patientHash: ethers.id(patient).slice(2),
      patientSaltId: "0123456789abcdef",
      usedAt: new Date(),
      billingCode: "C0401",
      billedAmount: billed,
      quantity: 1,
      correctsUsageId: null,
      recordedBy: "test",
    });

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    app = stack.app;
    const { chain, p } = stack;
    H = chain.cast.hospital.address.toLowerCase();
    await act.confirmShipment(chain.ledger, chain.cast.settler, p.shipmentId, {
      accepted: 10,
      rejected: 0,
      receiptHash: ethers.id("GR-1"),
    });
    await app.indexer.catchUp();
    // Four patients billed ¥120.00 a stent, and one use not billed: too few to publish yet.
    for (let i = 1; i <= 5; i++) await use(`U-${i}`, i === 5 ? 0n : 12_000n, `P${i}`);
    // A second hospital's delivery of the same stents, 4 settled at ¥115.00 (as indexed).
    const [agreement] = (
      await engine.db.query<{ id: string; supplier: string; category: string }>(
        `SELECT id::text, supplier, category FROM agreements`,
      )
    ).rows;
    await engine.db.query(
      `INSERT INTO orders (id, agreement_id, hospital, supplier, placed_by, quantity, value, requested_delivery,
         delivery_deadline, order_ref, status, placed_at, last_tx, last_block)
       VALUES (9001, $1, $2, $3, $2, 4, 46000, now(), now(), 'PO-H2', 'closed', now(), $4, 1)`,
      [agreement.id, H2, agreement.supplier, PLANTED_TX],
    );
    // Delivered 3 days late, with a temperature excursion and found short at the receipt, and
    // received 3 days before it was paid.
    await engine.db.query(
      `INSERT INTO shipments (id, order_id, supplier, gtin, lot, expiry, quantity, serial_root, notice_hash, created_at,
         last_tx, last_block, hospital, excursion, chain_received_at)
       VALUES (9001, 9001, $1, $2, 'L2', now(), 4, $3, $3, now(), $3, 1, $4, TRUE, now() - interval '3 days')`,
      [agreement.supplier, GTIN, PLANTED_TX, H2],
    );
    await engine.db.query(
      `INSERT INTO settlements (shipment_id, order_id, supplier, accepted, rejected, delivered_at, receipt_hash, gross,
         penalty, paid, days_late, paid_at, tx_hash, block_number, log_index)
       VALUES (9001, 9001, $1, 4, 0, now(), $2, 46000, 0, 46000, 3, now(), $2, 1, 0)`,
      [agreement.supplier, PLANTED_TX],
    );
    await engine.db.query(
      `INSERT INTO exceptions (receipt_no, shipment_id, source, reasons, proposed_accepted)
       VALUES ('GR-H2', 9001, 'match', '[{"code": "SHORT_DELIVERY", "message": "1 unit short"}]', 4)`,
    );
    // A licence that lapsed with a successor in force, and the successor, which lapsed with none.
    for (const [id, from, until] of [
      [9001, "2020-01-01", "2021-01-01"],
      [9002, "2020-12-01", "2022-01-01"],
    ] as const)
      await engine.db.query(
        `INSERT INTO supplier_documents (id, supplier, kind, sha256, valid_from, valid_until, categories, status,
           last_tx, last_block)
         VALUES ($1, $2, 'business_licence', $3, $4, $5, '[]', 'attested', $3, 1)`,
        [id, agreement.supplier, PLANTED_TX, from, until],
      );
    // On the ledger: the supplier recalls its lot; a regulator suspends and reinstates it.
    const { ledger, cast } = chain;
    await act.sent(ledger.trace.connect(cast.supplier).recall(BigInt(GTIN), LOT, 2));
    await act.sent(ledger.registry.connect(cast.regulator).suspend(cast.supplier.address, 7));
    await act.sent(ledger.registry.connect(cast.regulator).reinstate(cast.supplier.address, 27));
    await app.indexer.catchUp();
  });
  after(() => stopApi(stack));

  it("lists the award without a sign-in: winner and standing, tiers, commitment, term, and its transaction", async function () {
    const res = await get("/v1/sunshine/awards");
    expect(res.statusCode, res.body).to.equal(200);
    const { items, nextCursor } = res.json<SunshineAwardPage>();
    expect(nextCursor).to.equal(null);
    expect(items).to.have.lengthOf(1);
    const [award] = items;
    const { ledger, cast } = stack.chain;
    const [created] = await ledger.agreements.queryFilter(ledger.agreements.filters.AgreementCreated());
    expect(award).to.deep.include({
      agreementId: stack.p.agreementId.toString(),
      supplier: cast.supplier.address.toLowerCase(),
      supplierName: "Acme Medical",
      supplierStatus: "active",
      tiers: [
        { threshold: "0", unitPrice: "10000" },
        { threshold: "100", unitPrice: "9000" },
      ],
      commitments: [{ hospital: H, hospitalName: award.commitments[0].hospitalName, committed: "1000" }],
      awardTx: created.transactionHash,
      startAt: new Date(Number(created.args.start) * 1000).toISOString(),
      endAt: new Date(Number(created.args.end) * 1000).toISOString(),
    });
    expect(award.categoryName).to.equal(ethers.decodeBytes32String(award.category));
    expect(award.qualifiedUntil, "the supplier's attested documents cover the category").to.be.a("string");
  });

  it("states the supplier qualified until the first of its required documents lapses, as the ledger checks it", async function () {
    const award = async () => (await get("/v1/sunshine/awards")).json<SunshineAwardPage>().items[0];
    const before = (await award()).qualifiedUntil;
    // The ledger qualifies a supplier for a category while every required kind of document has
    // an attested one covering it: the licence, the operating permit and the registration.
    const { rows } = await engine.db.query<{ kind: string; until: Date }>(
      `SELECT kind, max(valid_until) AS until FROM supplier_documents
       WHERE supplier = $1 AND status = 'attested' AND categories @> jsonb_build_array($2::text) GROUP BY kind`,
      [(await award()).supplier, (await award()).category],
    );
    expect(rows.map((r) => r.kind).sort()).to.deep.equal([...DOCUMENT_KINDS].sort());
    const first = Math.min(...rows.map((r) => r.until.getTime()));
    expect(before).to.equal(new Date(first).toISOString());
    // A licence renewed far ahead does not carry the permit and the registration with it.
    await engine.db.query(
      `INSERT INTO supplier_documents (id, supplier, kind, sha256, valid_from, valid_until, categories, status,
         last_tx, last_block)
       VALUES (9100, $1, 'business_licence', $2, '2020-01-01', '2099-01-01', jsonb_build_array($3::text), 'attested', $2, 1)`,
      [(await award()).supplier, PLANTED_TX, (await award()).category],
    );
    try {
      expect((await award()).qualifiedUntil).to.equal(before);
    } finally {
      await engine.db.query(`DELETE FROM supplier_documents WHERE id = 9100`);
    }
  });

  it("publishes a hospital's billed price only once 5 patients were billed for the item", async function () {
    const hidden = (await get("/v1/sunshine/prices")).json<SunshinePrices>().items[0];
    expect(hidden.hospitals.map((h) => [h.hospital, h.billedUnits, h.billedPerUnit])).to.deep.equal([
      [H2, null, null],
      [H, null, null],
    ]);
    expect(hidden.billed).to.equal(null);
    await use("U-6", 12_000n, "P5");
  });

  it("gives each hospital's paid and billed unit price, with the spread flagged above the threshold", async function () {
    const res = await get("/v1/sunshine/prices");
    expect(res.statusCode, res.body).to.equal(200);
    const prices = res.json<SunshinePrices>();
    expect(prices.spreadPercent).to.equal(10);
    expect(prices.items).to.have.lengthOf(1);
    const [stents] = prices.items;
    expect(stents.gtin).to.equal(GTIN);
    expect(
      stents.hospitals.map((h) => [
        h.hospital,
        h.acceptedUnits,
        h.paidPerUnit,
        h.billedUnits,
        h.billedPerUnit,
      ]),
    ).to.deep.equal([
      [H2, "4", "11500", null, null],
      [H, "10", "10000", "5", "12000"],
    ]);
    expect(stents.hospitals[0].settlementTxs).to.deep.equal([PLANTED_TX]);
    expect(stents.hospitals[1].settlementTxs).to.have.lengthOf(1);
    expect(stents.paid).to.deep.equal({ min: "10000", max: "11500", median: "10750", spreadPercent: 15 });
    expect(stents.billed).to.deep.equal({ min: "12000", max: "12000", median: "12000", spreadPercent: 0 });
    expect(stents.flagged).to.equal(true);
    // Nothing names a department or a patient.
    expect(res.body).to.not.match(/Cardiology|patient|department/i);
  });

  it("takes the threshold from the query: 20 % flags nothing, and flaggedOnly then lists nothing", async function () {
    const res = await get("/v1/sunshine/prices?spreadPercent=20");
    expect(res.json<SunshinePrices>().items.map((i) => i.flagged)).to.deep.equal([false]);
    const only = await get("/v1/sunshine/prices?spreadPercent=20&flaggedOnly=true");
    expect(only.json<SunshinePrices>()).to.deep.equal({ spreadPercent: 20, items: [] });
  });

  it("keeps each supplier's scorecard: on time, short, excursions, recalls, suspensions, lapses and days to payment", async function () {
    const res = await get("/v1/sunshine/scorecards");
    expect(res.statusCode, res.body).to.equal(200);
    const { items } = res.json<SunshineScorecards>();
    const acme = items.find((c) => c.supplier === stack.chain.cast.supplier.address.toLowerCase());
    expect(acme).to.deep.equal({
      supplier: stack.chain.cast.supplier.address.toLowerCase(),
      supplierName: "Acme Medical",
      supplierStatus: "active",
      deliveries: 2,
      onTime: 1,
      onTimePercent: 50,
      shortDeliveries: 1,
      overDeliveries: 0,
      excursions: 1,
      recalls: 1,
      suspensions: 1,
      documentLapses: 1,
      // The real delivery was received and paid in one transaction (0 days); the planted one 3 days after.
      medianDaysToPayment: 1.5,
    });
  });

  it("answers a bad threshold or an unknown filter with a 400 naming it", async function () {
    expectError(await get("/v1/sunshine/prices?spreadPercent=-1"), 400, "VALIDATION_FAILED", "spreadPercent");
    expectError(await get("/v1/sunshine/awards?hospital=0x01"), 400, "VALIDATION_FAILED", "hospital");
  });
});
