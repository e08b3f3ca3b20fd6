import { expect } from "chai";
import { migrate } from "../../../../server/db";
import { OVERDUE_COLUMNS, toCsv } from "../../../../server/modules/reconciliation/reconciliation.csv";
import { ReconciliationService } from "../../../../server/modules/reconciliation/reconciliation.service";
import { forEachEngine } from "../../helpers/engines";
import { rejectionOf } from "../../helpers/rejection";
import { address, hash, LedgerSeed } from "./seed";

const NOW = new Date("2026-09-01T00:00:00Z");
const H1 = address("11");
const H2 = address("22");
const SUPPLIER = address("aa");
const OTHER_SUPPLIER = address("bb");
const GTIN = "09520123456788";
const JOB_TX = hash(0x5b);
const RECALL_TX = hash(0xe0);

/**
 * Shipments accepted at various times and held for various reasons; none settled on-chain but
 * shipment 5. Days are counted to NOW, 1 September.
 */
async function seedPayments(db: Parameters<typeof migrate>[0]): Promise<Record<string, string>> {
  const seed = new LedgerSeed(db);
  await seed.stentYear(SUPPLIER);
  await seed.order({
    id: 1,
    agreementId: 1,
    hospital: H1,
    quantity: 100,
    value: 100000,
    placedAt: "2026-05-01T00:00:00Z",
  });
  await seed.order({
    id: 2,
    agreementId: 1,
    hospital: H2,
    quantity: 100,
    value: 100000,
    placedAt: "2026-05-01T00:00:00Z",
  });

  const shipment = async (id: number, orderId: number, lot: string) => {
    await seed.shipment({
      id,
      orderId,
      gtin: GTIN,
      lot,
      expiry: "2028-01-01T00:00:00Z",
      quantity: 10,
      createdAt: "2026-05-20T00:00:00Z",
    });
  };
  const matched = async (
    id: number,
    orderId: number,
    matchedAt: string,
    lot = "LOT-1",
    ledgerTime?: string,
  ) => {
    await shipment(id, orderId, lot);
    await seed.receipt({
      receiptNo: `R-${id}`,
      shipmentId: id,
      hospital: orderId === 1 ? H1 : H2,
      receivedAt: matchedAt,
      received: 10,
      match: { status: "matched", accepted: 10, matchedAt, ledgerTime },
    });
  };
  const held = async (id: number, matchedAt: string) => {
    await shipment(id, 1, "LOT-1");
    await seed.receipt({
      receiptNo: `R-${id}`,
      shipmentId: id,
      hospital: H1,
      receivedAt: matchedAt,
      received: 10,
      match: { status: "exception", accepted: 8, matchedAt, reasons: [{ code: "SHORT_DELIVERY" }] },
    });
  };
  const job = (id: number, status: "pending" | "submitted" | "confirmed" | "failed", extra = {}) =>
    seed.settlementJob({
      shipmentId: id,
      receiptNo: `R-${id}`,
      accepted: 10,
      status,
      ...extra,
    });

  // 1: matched 62 days ago, its job still pending.
  await matched(1, 1, "2026-07-01T00:00:00Z");
  await job(1, "pending");
  // 2: matched 48 days ago; the chain refused the settlement (the lot was recalled since), and
  // the refusal is an open exception.
  await matched(2, 1, "2026-07-15T00:00:00Z", "LOT-R");
  await job(2, "failed", { errorName: "SettlementLotRecalled" });
  const refused = await seed.exception({
    shipmentId: 2,
    receiptNo: "R-2",
    source: "settlement",
    reasons: [{ code: "CHAIN_REVERT" }],
    proposedAccepted: 10,
  });
  // The supplier recalled its own shipments of LOT-R.
  await seed.recall({
    gtin: GTIN,
    lot: "LOT-R",
    recalledAt: "2026-07-20T00:00:00Z",
    txHash: RECALL_TX,
    scope: SUPPLIER,
  });
  // Recalls of LOT-1 that hold none of its shipments: another supplier's recall of its own
  // shipments of the lot, and a regulator's recall lifted since.
  await seed.recall({
    gtin: GTIN,
    lot: "LOT-1",
    recalledAt: "2026-07-05T00:00:00Z",
    txHash: hash(0xe1),
    scope: OTHER_SUPPLIER,
  });
  await seed.recall({
    gtin: GTIN,
    lot: "LOT-1",
    recalledAt: "2026-07-06T00:00:00Z",
    txHash: hash(0xe2),
    lift: { liftedAt: "2026-07-08T00:00:00Z", txHash: hash(0xe3), reasonCode: 9 },
  });
  // 3: short delivery resolved 43 days ago accepting 8; the settlement was sent, not yet mined.
  await held(3, "2026-07-10T00:00:00Z");
  await seed.exception({
    shipmentId: 3,
    receiptNo: "R-3",
    source: "match",
    reasons: [{ code: "SHORT_DELIVERY" }],
    proposedAccepted: 8,
    resolvedAccepted: 8,
    // Resolved on a chain whose clock differs from the gateway's (a test chain moved ahead): its
    // days count on the ledger's clock, as NOW is.
    resolvedAt: "2026-06-05T00:00:00Z",
    resolvedLedgerTime: "2026-07-20T00:00:00Z",
  });
  await job(3, "submitted", { txHash: JOB_TX });
  // 4: matched exactly 30 days ago on the ledger's clock (months ago on the gateway's): not yet
  // overdue at 30 days.
  await matched(4, 1, "2026-05-25T00:00:00Z", "LOT-1", "2026-08-02T00:00:00Z");
  await job(4, "pending");
  // 5: matched long ago and paid on-chain.
  await matched(5, 1, "2026-06-01T00:00:00Z");
  await job(5, "confirmed", { txHash: hash(5) });
  await seed.settlement({
    shipmentId: 5,
    accepted: 10,
    deliveredAt: "2026-06-01T00:00:00Z",
    txHash: hash(5),
  });
  // 6: short delivery never resolved: not accepted, so nothing is due.
  await held(6, "2026-06-01T00:00:00Z");
  await seed.exception({
    shipmentId: 6,
    receiptNo: "R-6",
    source: "match",
    reasons: [{ code: "SHORT_DELIVERY" }],
    proposedAccepted: 8,
  });
  // 7: short delivery resolved by rejecting everything: nothing is due.
  await held(7, "2026-06-01T00:00:00Z");
  await seed.exception({
    shipmentId: 7,
    receiptNo: "R-7",
    source: "match",
    reasons: [{ code: "SHORT_DELIVERY" }],
    proposedAccepted: 8,
    resolvedAccepted: 0,
    resolvedAt: "2026-06-02T00:00:00Z",
  });
  // 8: another hospital's, 62 days, the indexer has not seen its confirmed settlement.
  await matched(8, 2, "2026-07-01T00:00:00Z");
  await job(8, "confirmed", { txHash: hash(8) });
  return { refused };
}

describe("ReconciliationService.overduePayments", function () {
  forEachEngine((engine) => {
    let service: ReconciliationService;
    let ids: Record<string, string>;
    before(async function () {
      await migrate(engine.db);
      ids = await seedPayments(engine.db);
      service = new ReconciliationService(engine.db, () => NOW);
    });

    const base = { orderId: "1", hospital: H1, supplier: SUPPLIER, gtin: GTIN, lot: "LOT-1", accepted: "10" };

    it("lists accepted shipments unpaid after 30 days, oldest first, with why each is held", async function () {
      // Only a recall in force that covers the shipment's supplier holds it: LOT-1's lifted recall
      // and another supplier's recall of LOT-1 hold nothing.
      expect((await service.overduePayments()).items).to.deep.equal([
        {
          ...base,
          shipmentId: "1",
          receiptNo: "R-1",
          acceptedAt: "2026-07-01T00:00:00.000Z",
          daysOutstanding: 62,
          fundShare: "0",
          holds: [{ code: "SETTLEMENT_PENDING" }],
        },
        {
          ...base,
          shipmentId: "8",
          orderId: "2",
          hospital: H2,
          receiptNo: "R-8",
          acceptedAt: "2026-07-01T00:00:00.000Z",
          daysOutstanding: 62,
          fundShare: "0",
          holds: [{ code: "SETTLEMENT_NOT_INDEXED", txHash: hash(8) }],
        },
        {
          ...base,
          shipmentId: "2",
          receiptNo: "R-2",
          lot: "LOT-R",
          acceptedAt: "2026-07-15T00:00:00.000Z",
          daysOutstanding: 48,
          fundShare: "0",
          holds: [
            { code: "OPEN_EXCEPTION", exceptionIds: [ids.refused], reasonCodes: ["CHAIN_REVERT"] },
            {
              code: "LOT_RECALLED",
              recalledAt: "2026-07-20T00:00:00.000Z",
              txHash: RECALL_TX,
              scope: SUPPLIER,
            },
            { code: "SETTLEMENT_FAILED", errorName: "SettlementLotRecalled" },
          ],
        },
        {
          ...base,
          shipmentId: "3",
          receiptNo: "R-3",
          accepted: "8",
          acceptedAt: "2026-07-20T00:00:00.000Z",
          daysOutstanding: 43,
          fundShare: "0",
          holds: [{ code: "SETTLEMENT_SUBMITTED", txHash: JOB_TX }],
        },
      ]);
    });

    it("counts a shipment overdue only after the full number of days", async function () {
      const shipments = async (days: number) =>
        (await service.overduePayments(days)).items.map((p) => p.shipmentId);
      expect(await shipments(30)).to.not.include("4");
      expect(await shipments(29)).to.include("4");
    });

    it("filters by hospital", async function () {
      const { items: rows } = await service.overduePayments(30, { hospital: H2 });
      expect(rows.map((p) => p.shipmentId)).to.deep.equal(["8"]);
    });

    it("keeps a supplier to its own shipments", async function () {
      const whole = (await service.overduePayments(30)).items.map((p) => p.shipmentId);
      const own = await service.overduePayments(30, { supplier: SUPPLIER });
      expect(own.items.map((p) => p.shipmentId)).to.deep.equal(whole);
      expect((await service.overduePayments(30, { supplier: OTHER_SUPPLIER })).items).to.deep.equal([]);
      const ownAtH2 = await service.overduePayments(30, { supplier: SUPPLIER, hospital: H2 });
      expect(ownAtH2.items.map((p) => p.shipmentId)).to.deep.equal(["8"]);
    });

    it("pages in order of acceptance: one at a time gives the same list, each once", async function () {
      const whole = (await service.overduePayments(30)).items.map((p) => p.shipmentId);
      expect(whole.length).to.be.greaterThan(2);
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await service.overduePayments(30, {}, { limit: 1, cursor });
        expect(page.items).to.have.length(1);
        paged.push(page.items[0].shipmentId);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(paged).to.deep.equal(whole);
    });

    it("refuses a cursor it did not issue: a shipment id or a time SQL would fail on", async function () {
      for (const key of [
        JSON.stringify(["2026-07-01T00:00:00.000Z", "x"]),
        JSON.stringify(["not a time", "1"]),
        JSON.stringify(["2026-07-01T00:00:00.000Z"]),
      ]) {
        const cursor = Buffer.from(key).toString("base64url");
        const error = await rejectionOf(service.overduePayments(30, {}, { cursor }));
        expect(error, key).to.include({ code: "CURSOR_INVALID" });
      }
    });

    it("rejects a negative or fractional number of days", async function () {
      for (const days of [-1, 1.5]) {
        const error = await rejectionOf(service.overduePayments(days));
        expect(error).to.include({
          code: "VALIDATION_FAILED",
          message: "days must be a whole number of days from 0 to 36500",
        });
      }
    });

    it("exports as CSV", async function () {
      const { items: rows } = await service.overduePayments(45, { hospital: H1 });
      expect(toCsv(rows, OVERDUE_COLUMNS)).to.equal(
        "shipment_id,order_id,hospital,supplier,receipt_no,gtin,lot,accepted,accepted_at,days_outstanding,fund_share_fen,holds," +
          "hold_details\r\n" +
          `1,1,${H1},${SUPPLIER},R-1,${GTIN},LOT-1,10,2026-07-01T00:00:00.000Z,62,0,SETTLEMENT_PENDING,` +
          `"[{""code"":""SETTLEMENT_PENDING""}]"\r\n` +
          `2,1,${H1},${SUPPLIER},R-2,${GTIN},LOT-R,10,2026-07-15T00:00:00.000Z,48,0,` +
          `OPEN_EXCEPTION;LOT_RECALLED;SETTLEMENT_FAILED,` +
          `"[{""code"":""OPEN_EXCEPTION"",""exceptionIds"":[""${ids.refused}""],""reasonCodes"":[""CHAIN_REVERT""]},` +
          `{""code"":""LOT_RECALLED"",""recalledAt"":""2026-07-20T00:00:00.000Z"",""txHash"":""${RECALL_TX}"",` +
          `""scope"":""${SUPPLIER}""},` +
          `{""code"":""SETTLEMENT_FAILED"",""errorName"":""SettlementLotRecalled""}]"\r\n`,
      );
    });
  });
});
