import { expect } from "chai";
import { Exception as ExceptionSchema, ExceptionList, type Exception } from "../../../api/exceptions";
import { FulfilmentReport } from "../../../api/fulfilment";
import { OverdueReport, PaymentPage } from "../../../api/payments";
import { RecallExposure } from "../../../api/recalls";
import { Receipt, ReceiptResult } from "../../../api/receipts";
import { ReconciliationReport } from "../../../api/reconciliation";
import { Usage } from "../../../api/usages";
import { migrate, type Db } from "../../../server/db";
import { raise } from "../../../server/modules/exceptions/exceptions.repository";
import { ExceptionsService } from "../../../server/modules/exceptions/exceptions.service";
import { listPayments } from "../../../server/modules/payments/payments.repository";
import { getReceipt } from "../../../server/modules/receipts/receipts.repository";
import { ReceiptsService } from "../../../server/modules/receipts/receipts.service";
import { ReconciliationService } from "../../../server/modules/reconciliation/reconciliation.service";
import { UsagesService } from "../../../server/modules/usages/usages.service";
import { forEachEngine } from "../helpers/engines";
import { G1, G2, H1, NOW, SALT, seedScenario, SUPPLIER } from "../modules/reconciliation/scenario";
import { hash, LedgerSeed } from "../modules/reconciliation/seed";
import { expectExactlyDescribed } from "../support/wire";

/**
 * Every back-office response schema (api/) against what its service really returns, in every
 * variant a schema distinguishes — each match reason shape, exception source, payment hold,
 * reconciliation flag, recall with and without a lift — so a field a schema forgets (which the
 * serialiser would drop without a word) or misdescribes fails here. The routes answer with
 * these services' results through these schemas.
 */

const LATER = "2028-01-01T00:00:00Z";
/** LATER, the seeded shipments' expiry, as receipt lines give it: a date, and AI (17)'s YYMMDD. */
const LATER_DATE = LATER.slice(0, 10);
const LATER_YYMMDD = LATER_DATE.slice(2).replace(/-/g, "");
const RECEIVED_AT = "2026-08-20T00:00:00Z";
const LOT_W = "LOT-W";
const RECALLED_LOT = "LOT-R";
const ACTOR = { address: H1, hospital: H1 };

describe("back-office responses carry exactly their schemas' fields", function () {
  forEachEngine((engine) => {
    let db: Db;
    const reports = () => new ReconciliationService(db, () => NOW);

    const written = {} as {
      matched: ReceiptResult;
      held: ReceiptResult;
      resolved: Exception;
      used: Usage;
      returned: Usage;
    };

    before(async function () {
      db = engine.db;
      await migrate(db);
      // Every reconciliation flag, fulfilment with and without commitments, a recall in force.
      await seedScenario(db);
      const seed = new LedgerSeed(db);
      // And a temperature excursion no approver waived on H1's delivery of G1 LOT-A, before its use.
      await seed.traceEvent({
        shipmentId: 1,
        eventTime: "2026-02-12T00:00:00Z",
        excursion: true,
        txHash: hash(0xe9),
      });
      await seed.order({
        id: 10,
        agreementId: 1,
        hospital: H1,
        quantity: 20,
        value: 20000,
        placedAt: NOW.toISOString(),
      });
      // 20 and 21 are received through the service below; 22–26 were accepted and are held unpaid.
      for (const [id, quantity, lot] of [
        [20, 2, LOT_W],
        [21, 4, LOT_W],
        [22, 2, LOT_W],
        [23, 2, RECALLED_LOT],
        [24, 2, LOT_W],
        [25, 2, LOT_W],
        [26, 2, LOT_W],
      ] as const) {
        await seed.shipment({
          id,
          orderId: 10,
          gtin: G1,
          lot,
          expiry: LATER,
          quantity,
          createdAt: "2026-08-01T00:00:00Z",
        });
      }
      for (const id of [22, 23, 24, 25, 26]) {
        await seed.receipt({
          receiptNo: `H-${id}`,
          shipmentId: id,
          hospital: H1,
          receivedAt: RECEIVED_AT,
          received: 2,
          match: { status: "matched", accepted: 2, matchedAt: RECEIVED_AT },
        });
      }
      await seed.settlementJob({
        shipmentId: 22,
        receiptNo: "H-22",
        accepted: 2,
        status: "failed",
        errorName: "TraceLotRecalled",
      });
      await raise(db, {
        receiptNo: "H-22",
        shipmentId: "22",
        source: "settlement",
        reasons: [{ code: "CHAIN_REVERT", error: "TraceLotRecalled", message: "the lot is recalled" }],
        proposedAccepted: 2n,
        ledgerTime: new Date(),
      });
      await seed.settlementJob({
        shipmentId: 23,
        receiptNo: "H-23",
        accepted: 2,
        status: "submitted",
        txHash: hash(0x23),
      });
      await seed.recall({ gtin: G1, lot: RECALLED_LOT, recalledAt: RECEIVED_AT, txHash: hash(0xe1) });
      await seed.settlementJob({
        shipmentId: 24,
        receiptNo: "H-24",
        accepted: 2,
        status: "confirmed",
        txHash: hash(0x24),
      });
      await seed.settlementJob({ shipmentId: 26, receiptNo: "H-26", accepted: 2, status: "pending" });
      // A supplier's own recall of LOT-E, lifted: the exposure lists it beside the regulator's.
      await seed.recall({
        gtin: G2,
        lot: "LOT-E",
        scope: SUPPLIER,
        recalledAt: "2026-04-01T00:00:00Z",
        txHash: hash(0xe2),
        lift: { liftedAt: "2026-04-15T00:00:00Z", txHash: hash(0xe3), reasonCode: 1 },
      });

      const receipts = new ReceiptsService(db, { shortfallPct: 2, minShelfLifeDays: 90 });
      const ledger = { now: NOW, isQualified: async () => true, isRecalled: async () => false };
      // Matched, and paid on-chain.
      const matched = {
        receiptNo: "W-1",
        shipmentId: "20",
        receivedAt: RECEIVED_AT,
        lines: [
          { gtin: G1, lot: LOT_W, expiry: LATER_DATE, quantity: 2, rejected: 1, rejectReason: "crushed" },
        ],
      };
      written.matched = (await receipts.submit(matched, ACTOR, "w-1", ledger)).body;
      await seed.settlement({
        shipmentId: 20,
        accepted: 1,
        rejected: 1,
        deliveredAt: RECEIVED_AT,
        txHash: hash(0x20),
      });
      // Held for reasons of its lines and of the whole, then accepted in part (its job pending).
      const held = {
        receiptNo: "W-2",
        shipmentId: "21",
        receivedAt: RECEIVED_AT,
        lines: [
          { gtin: G1, lot: "LOT-X", expiry: LATER_DATE, quantity: 1 },
          { barcode: `(01)${G1}(17)${LATER_YYMMDD}(10)${LOT_W}(21)S1` },
        ],
      };
      written.held = (await receipts.submit(held, ACTOR, "w-2", ledger)).body;
      const exceptions = new ExceptionsService(db);
      written.resolved = await exceptions.resolve(
        written.held.exceptionId!,
        { action: "accept_part", acceptedQuantity: 1, note: "one unit usable" },
        ACTOR,
        ledger.now,
      );

      const usages = new UsagesService(db, SALT);
      const usage = {
        department: "cardiology",
        patientRef: "P-1",
        billingCode: "C-001",
      };
      written.used = (
        await usages.record(
          {
            ...usage,
            usageId: "W-U1",
            barcode: `(01)${G1}(17)280101(10)${LOT_W}`,
            usedAt: "2026-08-25T10:00:00+08:00",
            billedAmount: 1000,
          },
          ACTOR,
          "w-u1",
          NOW,
        )
      ).body;
      written.returned = (
        await usages.record(
          {
            ...usage,
            usageId: "W-U1R",
            gtin: G1,
            lot: LOT_W,
            usedAt: "2026-08-26T00:00:00Z",
            billedAmount: "-1000",
            quantity: -1,
            correctsUsageId: "W-U1",
          },
          ACTOR,
          "w-u1r",
          NOW,
        )
      ).body;
    });

    describe("receipts", function () {
      it("POST /v1/receipts: a match, and an exception with line reasons and counted details", async function () {
        expect(written.matched.match.status).to.equal("matched");
        await expectExactlyDescribed(ReceiptResult, written.matched);
        expect(written.held.match.reasons.map((r) => r.code)).to.deep.equal([
          "LOT_MISMATCH",
          "MANIFEST_MISSING",
          "SHORT_DELIVERY",
        ]);
        await expectExactlyDescribed(ReceiptResult, written.held);
      });

      it("GET /v1/receipts/:receiptNo: lines, match and settlement, or none yet", async function () {
        const queued = await getReceipt(db, H1, "W-1");
        expect(queued?.settlement?.status).to.equal("pending");
        await expectExactlyDescribed(Receipt, queued);
        const held = await getReceipt(db, H1, "H-25");
        expect(held?.settlement).to.equal(null);
        await expectExactlyDescribed(Receipt, held);
      });
    });

    describe("exceptions", function () {
      it("POST /v1/exceptions/:id/resolve: the decided exception", async function () {
        expect(written.resolved).to.include({
          status: "resolved",
          resolution: "accept_part",
          resolvedAccepted: "1",
        });
        await expectExactlyDescribed(ExceptionSchema, written.resolved);
      });

      it("GET /v1/exceptions: match and settlement reasons, open and resolved", async function () {
        const page = await new ExceptionsService(db).list({ hospital: H1 });
        const { items } = page;
        expect(items.map((e) => e.source)).to.have.members(["match", "settlement"]);
        expect(items.map((e) => e.status)).to.have.members(["resolved", "open"]);
        await expectExactlyDescribed(ExceptionList, page);
      });
    });

    describe("payments", function () {
      it("GET /v1/payments: paid, pending, submitted and failed", async function () {
        const page = await listPayments(db, { limit: 50 });
        expect(page.items.map((p) => p.status)).to.include.members([
          "confirmed",
          "pending",
          "submitted",
          "failed",
        ]);
        await expectExactlyDescribed(PaymentPage, page);
      });

      it("GET /v1/payments/overdue: every kind of hold", async function () {
        const page = await reports().overduePayments(0, {}, { limit: 500 });
        const { items } = page;
        expect(new Set(items.flatMap((i) => i.holds.map((h) => h.code)))).to.deep.equal(
          new Set([
            "OPEN_EXCEPTION",
            "SETTLEMENT_FAILED",
            "LOT_RECALLED",
            "SETTLEMENT_PENDING",
            "SETTLEMENT_SUBMITTED",
            "SETTLEMENT_NOT_INDEXED",
            "NO_SETTLEMENT_JOB",
          ]),
        );
        await expectExactlyDescribed(OverdueReport, { days: 0, ...page });
      });
    });

    describe("usages", function () {
      it("POST /v1/usages: a usage from a scan, and its correction", async function () {
        await expectExactlyDescribed(Usage, written.used);
        expect(written.returned.correctsUsageId).to.equal("W-U1");
        await expectExactlyDescribed(Usage, written.returned);
      });
    });

    describe("reconciliation", function () {
      it("GET /v1/reconciliation: every flag with its evidence", async function () {
        const report = await reports().report();
        expect(new Set(report.rows.flatMap((r) => r.flags.map((f) => f.code)))).to.deep.equal(
          new Set([
            "PHANTOM_USE",
            "SERIAL_REUSED",
            "RESOLD",
            "USED_AFTER_EXPIRY",
            "USED_FROM_RECALLED_LOT",
            "USED_AFTER_EXCURSION",
            "PRICE_MARKUP",
            "WASTE",
          ]),
        );
        await expectExactlyDescribed(ReconciliationReport, report);
        await expectExactlyDescribed(
          ReconciliationReport,
          await reports().report({ from: "2026-03-01T00:00:00Z" }),
        );
      });
    });

    describe("agreements (fulfilment)", function () {
      it("GET /v1/agreements/:id/fulfilment: with and without commitments", async function () {
        await expectExactlyDescribed(FulfilmentReport, await reports().fulfilment("1"));
        const uncommitted = await reports().fulfilment("2");
        expect(uncommitted.hospitals.map((h) => h.orderedPercent)).to.include(null);
        await expectExactlyDescribed(FulfilmentReport, uncommitted);
      });
    });

    describe("recalls", function () {
      it("GET /v1/recalls/:gtin/:lot/exposure: a recall in force and a lifted one, per department", async function () {
        const exposure = await reports().recallExposure(G2, "LOT-E");
        expect(exposure.recalls.map((r) => r.active)).to.deep.equal([true, false]);
        await expectExactlyDescribed(RecallExposure, exposure);
      });
    });
  });
});
