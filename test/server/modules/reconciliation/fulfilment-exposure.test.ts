import { expect } from "chai";
import { migrate } from "../../../../server/db";
import {
  EXPOSURE_COLUMNS,
  exposureCsvRows,
  FULFILMENT_COLUMNS,
  fulfilmentCsvRows,
  toCsv,
} from "../../../../server/modules/reconciliation/reconciliation.csv";
import { ReconciliationService } from "../../../../server/modules/reconciliation/reconciliation.service";
import { forEachEngine } from "../../helpers/engines";
import { rejectionOf } from "../../helpers/rejection";
import { G1, G2, H1, H2, NOW, RECALL_TX, seedScenario, settleTx, SUPPLIER } from "./scenario";
import { address, GLOBAL } from "./seed";

const REGULATOR = address("99");

describe("ReconciliationService fulfilment and recall exposure", function () {
  forEachEngine((engine) => {
    let service: ReconciliationService;
    before(async function () {
      await migrate(engine.db);
      await seedScenario(engine.db);
      service = new ReconciliationService(engine.db, () => NOW);
    });

    describe("fulfilment", function () {
      // 1 September to 1 January: 30 + 31 + 30 + 31 = 122 days.
      it("compares each hospital's commitment with what it funded and accepted, and the pace still needed", async function () {
        expect(await service.fulfilment("1")).to.deep.equal({
          agreementId: "1",
          supplier: SUPPLIER,
          category: "stent",
          startAt: "2026-01-01T00:00:00.000Z",
          endAt: "2027-01-01T00:00:00.000Z",
          asOf: NOW.toISOString(),
          daysRemaining: 122,
          hospitals: [
            // Accepted: shipments 1–5 = 5 + 5 + 2 + 1 + 3. 84 / 122 = 0.688…, 84 × 30 / 122 = 20.655…
            {
              hospital: H1,
              committed: "100",
              ordered: "20",
              accepted: "16",
              orderedPercent: "20.00",
              acceptedPercent: "16.00",
              remaining: "84",
              perDay: "0.69",
              per30Days: "20.66",
            },
            // Accepted: shipments 6 and 8 = 2 + 6. 42 / 122 = 0.344…, 42 × 30 / 122 = 10.327…
            {
              hospital: H2,
              committed: "50",
              ordered: "10",
              accepted: "8",
              orderedPercent: "20.00",
              acceptedPercent: "16.00",
              remaining: "42",
              perDay: "0.35",
              per30Days: "10.33",
            },
          ],
          nextCursor: null,
        });
      });

      it("pages the hospitals: a page of one names the next, which ends the list", async function () {
        const first = await service.fulfilment("1", {}, { limit: 1 });
        expect(first.hospitals.map((h) => h.hospital)).to.deep.equal([H1]);
        expect(first.nextCursor).to.be.a("string");
        const second = await service.fulfilment("1", {}, { limit: 1, cursor: first.nextCursor! });
        expect(second.hospitals.map((h) => h.hospital)).to.deep.equal([H2]);
        expect(second.nextCursor).to.equal(null);
      });

      it("gives no percentage without a commitment, and counts rejected units as not accepted", async function () {
        const report = await service.fulfilment("2");
        expect(report.hospitals).to.deep.equal([
          {
            hospital: H1,
            committed: "40",
            ordered: "4",
            accepted: "4",
            orderedPercent: "10.00",
            acceptedPercent: "10.00",
            remaining: "36",
            perDay: "0.30",
            per30Days: "8.86",
          },
          {
            hospital: H2,
            committed: "0",
            ordered: "2",
            accepted: "1",
            orderedPercent: null,
            acceptedPercent: null,
            remaining: "0",
            perDay: "0.00",
            per30Days: "0.00",
          },
        ]);
      });

      it("has no pace once the term has ended", async function () {
        const late = new ReconciliationService(engine.db, () => new Date("2027-01-01T00:00:00Z"));
        const report = await late.fulfilment("1");
        expect(report.daysRemaining).to.equal(0);
        expect(report.hospitals.map((h) => [h.remaining, h.perDay, h.per30Days])).to.deep.equal([
          ["84", null, null],
          ["42", null, null],
        ]);
      });

      it("answers AGREEMENT_NOT_FOUND for an agreement not on the ledger", async function () {
        const error = await rejectionOf(service.fulfilment("99"));
        expect(error).to.include({
          code: "AGREEMENT_NOT_FOUND",
          message: "agreement 99 is not on the ledger",
        });
      });

      it("rejects an id that cannot be an agreement's", async function () {
        const error = await rejectionOf(service.fulfilment("1; DROP TABLE agreements"));
        expect(error).to.include({
          code: "VALIDATION_FAILED",
          message: "agreementId must be a positive whole number within BIGINT",
        });
      });

      it("exports as CSV", async function () {
        expect(toCsv(fulfilmentCsvRows(await service.fulfilment("1")), FULFILMENT_COLUMNS)).to.equal(
          "agreement_id,hospital,committed,ordered,accepted,ordered_percent,accepted_percent,remaining,end_at," +
            "days_remaining,per_day,per_30_days\r\n" +
            `1,${H1},100,20,16,20.00,16.00,84,2027-01-01T00:00:00.000Z,122,0.69,20.66\r\n` +
            `1,${H2},50,10,8,20.00,16.00,42,2027-01-01T00:00:00.000Z,122,0.35,10.33\r\n`,
        );
      });
    });

    describe("recallExposure", function () {
      it("lists the hospitals that received the lot, use per department, and stock on hand", async function () {
        expect(await service.recallExposure(G2, "LOT-E")).to.deep.equal({
          gtin: G2,
          lot: "LOT-E",
          expiry: "2028-01-01T00:00:00.000Z",
          recall: { recalledAt: "2026-05-01T00:00:00.000Z", txHash: RECALL_TX, reasonCode: 2, scope: GLOBAL },
          recalls: [
            {
              scope: GLOBAL,
              recalledBy: REGULATOR,
              recalledAt: "2026-05-01T00:00:00.000Z",
              txHash: RECALL_TX,
              reasonCode: 2,
              active: true,
              lift: null,
            },
          ],
          hospitals: [
            {
              hospital: H1,
              received: "3",
              accepted: "3",
              used: "2",
              returned: "0",
              sentOut: "0",
              onHand: "1",
              receiptNos: ["R-5"],
              txHashes: [settleTx(5)],
              suppliers: [SUPPLIER],
              recalled: true,
              departments: [
                {
                  department: "cardiology",
                  usages: 1,
                  patients: 1,
                  used: "1",
                  returned: "0",
                  usedAfterRecall: "0",
                },
                { department: "icu", usages: 1, patients: 1, used: "1", returned: "0", usedAfterRecall: "1" },
              ],
            },
          ],
        });
      });

      it("covers every hospital the lot went to, used or not", async function () {
        const exposure = await service.recallExposure(G1, "LOT-C");
        expect(exposure.recall).to.equal(null);
        expect(exposure.recalls).to.deep.equal([]);
        expect(exposure.hospitals.map((h) => h.recalled)).to.deep.equal([false, false]);
        expect(
          exposure.hospitals.map((h) => [h.hospital, h.received, h.used, h.onHand, h.departments.length]),
        ).to.deep.equal([
          [H1, "2", "0", "2", 0],
          [H2, "2", "1", "1", 1],
        ]);
      });

      it("counts a returned unit against the department that used it", async function () {
        const exposure = await service.recallExposure(G1, "LOT-A");
        expect(exposure.hospitals[0].departments).to.deep.equal([
          {
            department: "cardiology",
            usages: 2,
            patients: 2,
            used: "3",
            returned: "1",
            usedAfterRecall: "0",
          },
        ]);
        expect(exposure.hospitals[0].onHand).to.equal("3");
      });

      it("answers LOT_NOT_FOUND for a lot never shipped", async function () {
        const error = await rejectionOf(service.recallExposure(G1, "LOT-Z"));
        expect(error).to.include({
          code: "LOT_NOT_FOUND",
          message: `lot LOT-Z of GTIN ${G1} was never shipped`,
        });
      });

      it("exports as CSV, one row per hospital and department", async function () {
        expect(toCsv(exposureCsvRows(await service.recallExposure(G1, "LOT-C")), EXPOSURE_COLUMNS)).to.equal(
          "gtin,lot,recalled_at,hospital,received,accepted,sent_out,on_hand,department,usages,patients,used,returned," +
            "used_after_recall\r\n" +
            `${G1},LOT-C,,${H1},2,2,0,2,,,,,,\r\n` +
            `${G1},LOT-C,,${H2},2,2,0,1,cardiology,1,1,1,0,0\r\n`,
        );
      });
    });
  });
});
