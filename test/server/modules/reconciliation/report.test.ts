import { expect } from "chai";
import { migrate } from "../../../../server/db";
import { RECONCILIATION_COLUMNS, toCsv } from "../../../../server/modules/reconciliation/reconciliation.csv";
import {
  ReconciliationService,
  type ReconciliationRow,
} from "../../../../server/modules/reconciliation/reconciliation.service";
import { forEachEngine } from "../../helpers/engines";
import { rejectionOf } from "../../helpers/rejection";
import { G1, G2, G3, H1, H2, NOW, RECALL_TX, seedScenario, settleTx } from "./scenario";
import { GLOBAL } from "./seed";

const LATER = "2028-01-01T00:00:00.000Z";

function row(
  key: { hospital: string; gtin: string; lot: string; expiry: string },
  figures: Partial<Omit<ReconciliationRow, "hospital" | "gtin" | "lot" | "expiry">>,
): ReconciliationRow {
  return {
    ...key,
    ordered: "0",
    shipped: "0",
    accepted: "0",
    rejected: "0",
    used: "0",
    returned: "0",
    sentOut: "0",
    billedQuantity: "0",
    billedAmount: "0",
    onHand: "0",
    flags: [],
    ...figures,
  };
}

/** The whole report as of NOW: every flag planted in the scenario once, and nothing else. */
const EXPECTED: ReconciliationRow[] = [
  row(
    { hospital: H1, gtin: G1, lot: "LOT-A", expiry: LATER },
    {
      ordered: "5",
      shipped: "5",
      accepted: "5",
      used: "3",
      returned: "1",
      billedQuantity: "2",
      billedAmount: "2000",
      onHand: "3",
    },
  ),
  row(
    { hospital: H1, gtin: G1, lot: "LOT-B", expiry: LATER },
    {
      ordered: "5",
      shipped: "5",
      accepted: "5",
      used: "2",
      billedQuantity: "2",
      billedAmount: "2000",
      onHand: "3",
      flags: [
        {
          code: "SERIAL_REUSED",
          evidence: {
            serial: "B1",
            usageIds: ["U-B1", "U-B1x"],
            uses: [
              { hospital: H1, usageId: "U-B1" },
              { hospital: H1, usageId: "U-B1x" },
            ],
          },
        },
      ],
    },
  ),
  row(
    { hospital: H1, gtin: G1, lot: "LOT-C", expiry: LATER },
    { ordered: "2", shipped: "2", accepted: "2", onHand: "2" },
  ),
  row(
    { hospital: H1, gtin: G2, lot: "LOT-D", expiry: "2026-06-30T00:00:00.000Z" },
    {
      ordered: "1",
      shipped: "1",
      accepted: "1",
      used: "1",
      billedQuantity: "1",
      billedAmount: "1000",
      flags: [
        { code: "USED_AFTER_EXPIRY", evidence: { expiry: "2026-06-30T00:00:00.000Z", usageIds: ["U-D1"] } },
      ],
    },
  ),
  row(
    { hospital: H1, gtin: G2, lot: "LOT-E", expiry: LATER },
    {
      ordered: "3",
      shipped: "3",
      accepted: "3",
      used: "2",
      billedQuantity: "2",
      billedAmount: "2000",
      onHand: "1",
      flags: [
        {
          code: "USED_FROM_RECALLED_LOT",
          evidence: {
            recalledAt: "2026-05-01T00:00:00.000Z",
            txHash: RECALL_TX,
            scope: GLOBAL,
            liftedAt: null,
            usageIds: ["U-E2"],
          },
        },
      ],
    },
  ),
  row(
    { hospital: H1, gtin: G3, lot: "LOT-F", expiry: LATER },
    {
      ordered: "4",
      shipped: "4",
      accepted: "4",
      used: "2",
      billedQuantity: "2",
      billedAmount: "1501",
      onHand: "2",
      flags: [
        {
          code: "PRICE_MARKUP",
          evidence: {
            usageIds: ["U-F2"],
            billed: [{ usageId: "U-F2", quantity: "1", amount: "751" }],
            prices: [{ orderId: "3", shipmentId: "7", quantity: "4", value: "3000" }],
          },
        },
      ],
    },
  ),
  row(
    { hospital: H2, gtin: G1, lot: "LOT-C", expiry: LATER },
    {
      ordered: "2",
      shipped: "2",
      accepted: "2",
      used: "1",
      billedQuantity: "1",
      billedAmount: "1000",
      onHand: "1",
      flags: [
        { code: "RESOLD", evidence: { serial: "C1", usageIds: ["U-C1"], receivedBy: H1, receiptNo: "R-3" } },
      ],
    },
  ),
  row(
    { hospital: H2, gtin: G2, lot: "LOT-H", expiry: "2026-08-01T00:00:00.000Z" },
    {
      ordered: "6",
      shipped: "6",
      accepted: "6",
      used: "2",
      billedQuantity: "2",
      billedAmount: "2000",
      onHand: "4",
      flags: [
        {
          code: "WASTE",
          evidence: {
            expiry: "2026-08-01T00:00:00.000Z",
            units: "4",
            receiptNos: ["R-8"],
            txHashes: [settleTx(8)],
          },
        },
      ],
    },
  ),
  row(
    { hospital: H2, gtin: G3, lot: "LOT-G", expiry: LATER },
    {
      ordered: "2",
      shipped: "2",
      accepted: "1",
      rejected: "1",
      used: "2",
      billedQuantity: "2",
      billedAmount: "2000",
      onHand: "-1",
      flags: [
        {
          code: "PHANTOM_USE",
          evidence: {
            accepted: "1",
            sentOut: "0",
            usedNet: "2",
            billedQuantity: "2",
            usageIds: ["U-G2"],
            receiptNos: ["R-9"],
            txHashes: [settleTx(9)],
            sentOutTxHashes: [],
          },
        },
      ],
    },
  ),
];

const rowOf = (hospital: string, gtin: string, lot: string) =>
  EXPECTED.find((r) => r.hospital === hospital && r.gtin === gtin && r.lot === lot)!;

describe("ReconciliationService.report", function () {
  forEachEngine((engine) => {
    let service: ReconciliationService;
    before(async function () {
      await migrate(engine.db);
      await seedScenario(engine.db);
      service = new ReconciliationService(engine.db, () => NOW);
    });

    it("finds each planted discrepancy with its evidence, and flags nothing else", async function () {
      const report = await service.report();
      expect(report.asOf).to.equal(NOW.toISOString());
      expect(report.from).to.equal(null);
      expect(report.rows).to.deep.equal(EXPECTED);
      expect(report.nextCursor).to.equal(null);
    });

    // Flags whose evidence lies in other rows (a serial reused or resold at another hospital)
    // must come out the same on a page that does not hold those rows.
    for (const limit of [1, 2, 3]) {
      it(`pages of ${limit} row(s) add up to the whole report, flags and evidence included`, async function () {
        const rows: ReconciliationRow[] = [];
        let cursor: string | undefined;
        do {
          const page = await service.report({ limit, cursor });
          expect(page.rows.length).to.be.within(1, limit);
          rows.push(...page.rows);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        expect(rows).to.deep.equal(EXPECTED);
      });
    }

    it("refuses a cursor it did not issue, one with a NUL (which SQL would fail on) included", async function () {
      for (const key of [
        '["0x' + "0".repeat(40) + '","00000000000000"]',
        '["0x' + "0".repeat(40) + '","00000000000000",1]',
        '["0x' + "0".repeat(40) + '","00000000000000","a\\x"]',
        JSON.stringify(["0x" + "0".repeat(40), "0".repeat(14), "\u0000"]),
      ]) {
        const error = await rejectionOf(service.report({ cursor: Buffer.from(key).toString("base64url") }));
        expect(error).to.include({ code: "CURSOR_INVALID" });
      }
    });

    it("answers for one hospital and GTIN", async function () {
      const report = await service.report({ hospital: H1, gtin: G1 });
      expect(report.rows).to.deep.equal([
        rowOf(H1, G1, "LOT-A"),
        rowOf(H1, G1, "LOT-B"),
        rowOf(H1, G1, "LOT-C"),
      ]);
    });

    it("answers for one lot across hospitals", async function () {
      const report = await service.report({ lot: "LOT-C" });
      expect(report.rows).to.deep.equal([rowOf(H1, G1, "LOT-C"), rowOf(H2, G1, "LOT-C")]);
    });

    it("widens a GTIN-13 filter to the GTIN-14 the ledger stores", async function () {
      const report = await service.report({ gtin: G1.slice(1), hospital: H2 });
      expect(report.rows.map((r) => r.lot)).to.deep.equal(["LOT-C"]);
    });

    describe("with `to`", function () {
      it("takes every figure and flag as of that instant", async function () {
        const report = await service.report({
          hospital: H1,
          gtin: G1,
          lot: "LOT-B",
          to: "2026-03-05T12:00:00Z",
        });
        expect(report.asOf).to.equal("2026-03-05T12:00:00.000Z");
        // The second use of B1 had not happened yet.
        expect(report.rows).to.deep.equal([
          {
            ...rowOf(H1, G1, "LOT-B"),
            used: "1",
            billedQuantity: "1",
            billedAmount: "1000",
            onHand: "4",
            flags: [],
          },
        ]);
      });

      it("counts no waste before the lot expired", async function () {
        const report = await service.report({ hospital: H2, gtin: G2, to: "2026-07-31T00:00:00Z" });
        expect(report.rows).to.deep.equal([{ ...rowOf(H2, G2, "LOT-H"), flags: [] }]);
      });
    });

    describe("with `from`", function () {
      it("lists only lots with activity since, with their figures still balances", async function () {
        const report = await service.report({ from: "2026-06-01T00:00:00Z" });
        expect(report.from).to.equal("2026-06-01T00:00:00.000Z");
        expect(report.rows).to.deep.equal([rowOf(H1, G2, "LOT-D"), rowOf(H2, G2, "LOT-H")]);
      });
    });

    describe("with a bad filter", function () {
      const cases: [string, Parameters<ReconciliationService["report"]>[0], string][] = [
        ["hospital", { hospital: "hospital-1" }, "hospital must be a 0x-prefixed 20-byte hex address"],
        [
          "gtin",
          { gtin: "09520123456787" },
          "gtin must be a GTIN-8, -12, -13 or -14 with a correct check digit",
        ],
        ["lot", { lot: "" }, "lot must be 1 to 20 characters (GS1 AI 10)"],
        ["to", { to: "2026-02-30T00:00:00Z" }, "to must be an ISO 8601 date-time with a time zone"],
        ["from", { from: "2026-06-01T00:00:00Z", to: "2026-05-01T00:00:00Z" }, "from must be before to"],
      ];
      for (const [field, query, message] of cases) {
        it(`rejects a bad ${field}: ${message}`, async function () {
          const error = await rejectionOf(service.report(query));
          expect(error).to.include({ code: "VALIDATION_FAILED", message });
        });
      }
    });

    it("exports as CSV with the flags and their evidence", async function () {
      const report = await service.report({ hospital: H2, gtin: G3 });
      const evidence = JSON.stringify(report.rows[0].flags).replace(/"/g, '""');
      expect(toCsv(report.rows, RECONCILIATION_COLUMNS)).to.equal(
        "hospital,gtin,lot,expiry,ordered,shipped,accepted,rejected,used,returned,sent_out,billed_quantity,billed_amount,on_hand," +
          "flags,evidence\r\n" +
          `${H2},${G3},LOT-G,2028-01-01T00:00:00.000Z,2,2,1,1,2,0,0,2,2000,-1,PHANTOM_USE,"${evidence}"\r\n`,
      );
      expect(evidence).to.equal(
        `[{""code"":""PHANTOM_USE"",""evidence"":{""accepted"":""1"",""sentOut"":""0"",""usedNet"":""2"",""billedQuantity"":""2"",` +
          `""usageIds"":[""U-G2""],""receiptNos"":[""R-9""],""txHashes"":[""${settleTx(9)}""],""sentOutTxHashes"":[]}}]`,
      );
    });
  });
});
