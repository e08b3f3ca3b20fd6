import { expect } from "chai";
import {
  matchReceipt,
  type MatchInput,
  type ReceiptLineInput,
} from "../../../../server/modules/matching/matching.service";

const GTIN = "09520123456788";
const RECEIVED_AT = new Date("2026-06-01T08:00:00Z");
const serials = (n: number) => Array.from({ length: n }, (_, i) => `SN${i + 1}`);

function input(overrides: Partial<MatchInput> = {}, lines?: ReceiptLineInput[]): MatchInput {
  const manifest = new Set(serials(10));
  return {
    shipment: {
      gtin: GTIN,
      lot: "LOT1",
      expiry: new Date("2028-01-31T00:00:00Z"),
      quantity: 10n,
      excursion: false,
      excursionWaived: false,
    },
    receivedAt: RECEIVED_AT,
    lines:
      lines ??
      serials(10).map((serial, i) => ({
        line: i + 1,
        gtin: GTIN,
        lot: "LOT1",
        expiry: "2028-01-31",
        serial,
        quantity: 1n,
        rejected: 0n,
      })),
    manifest,
    alreadyReceived: new Set(),
    supplierQualified: true,
    lotRecalled: false,
    tolerances: { shortfallPct: 10, minShelfLifeDays: 90 },
    ...overrides,
  };
}

const codes = (r: ReturnType<typeof matchReceipt>) => r.reasons.map((x) => x.code);

describe("matchReceipt", function () {
  describe("when everything agrees", function () {
    it("matches and accepts every shipped unit", function () {
      const r = matchReceipt(input());
      expect(r).to.deep.include({ status: "matched", received: 10n, accepted: 10n, rejected: 0n });
      expect(r.reasons).to.deep.equal([]);
    });
  });

  describe("when the warehouse rejects units", function () {
    it("settles the rest and returns the rejected units to the order", function () {
      const base = input();
      base.lines[0].rejected = 1n;
      const r = matchReceipt(base);
      expect(r).to.deep.include({ status: "matched", accepted: 9n, rejected: 1n });
    });
  });

  describe("when the delivery is short", function () {
    it("settles a shortfall within the tolerance", function () {
      const base = input();
      base.lines.pop(); // 9 of 10: 10% shortfall, tolerance 10%
      expect(matchReceipt(base)).to.deep.include({ status: "matched", accepted: 9n, rejected: 1n });
    });

    it("holds a shortfall beyond the tolerance as SHORT_DELIVERY", function () {
      const base = input();
      base.lines.splice(0, 2);
      const r = matchReceipt(base);
      expect(r.status).to.equal("exception");
      expect(codes(r)).to.deep.equal(["SHORT_DELIVERY"]);
      expect(r.reasons[0].details).to.deep.equal({ received: 8, shipped: 10, tolerancePct: 10 });
      expect(r.accepted).to.equal(8n);
    });
  });

  describe("when more arrives than was shipped", function () {
    it("raises OVER_DELIVERY and never accepts more than shipped", function () {
      const r = matchReceipt(
        input({ manifest: new Set(serials(10)) }, [
          { line: 1, gtin: GTIN, lot: "LOT1", quantity: 12n, rejected: 0n },
        ]),
      );
      expect(codes(r)).to.deep.equal(["OVER_DELIVERY"]);
      expect(r).to.deep.include({ accepted: 10n, rejected: 0n, received: 12n });
    });
  });

  describe("when a line does not conform", function () {
    it("flags a wrong lot and does not accept its units", function () {
      const base = input();
      base.lines[3].lot = "LOT2";
      const r = matchReceipt(base);
      expect(codes(r)).to.deep.equal(["LOT_MISMATCH"]);
      // The figures behind the message, for a reader to state in its own language.
      expect(r.reasons[0]).to.deep.include({
        line: 4,
        message: "line 4: lot LOT2 is not the shipment's LOT1",
        details: { found: "LOT2", expected: "LOT1" },
      });
      expect(r.accepted).to.equal(9n);
    });

    it("flags a wrong GTIN and a wrong printed expiry", function () {
      const base = input();
      base.lines[0].gtin = "12345678901231";
      base.lines[1].expiry = "2027-12-31";
      const r = matchReceipt(base);
      expect(codes(r)).to.deep.equal(["GTIN_MISMATCH", "EXPIRY_MISMATCH"]);
      expect(r.reasons.map((x) => [x.line, x.details])).to.deep.equal([
        [1, { found: "12345678901231", expected: GTIN }],
        [2, { found: "2027-12-31", expected: "2028-01-31" }],
      ]);
    });
  });

  describe("serial checks", function () {
    it("flags a serial that is not in the manifest", function () {
      const base = input();
      base.lines[9].serial = "FOREIGN1";
      const r = matchReceipt(base);
      expect(codes(r)).to.deep.equal(["SERIAL_NOT_IN_MANIFEST"]);
      expect(r.reasons[0]).to.deep.include({ line: 10, details: { serial: "FOREIGN1" } });
      expect(r.accepted).to.equal(9n);
    });

    it("flags a serial scanned twice in one receipt", function () {
      const base = input();
      base.lines[9].serial = "SN1";
      expect(codes(matchReceipt(base))).to.deep.equal(["SERIAL_DUPLICATED"]);
    });

    it("flags a serial already received by another receipt", function () {
      expect(codes(matchReceipt(input({ alreadyReceived: new Set(["SN5"]) })))).to.deep.equal([
        "SERIAL_ALREADY_RECEIVED",
      ]);
    });

    it("flags serials when no manifest was uploaded", function () {
      const r = matchReceipt(input({ manifest: null }));
      expect(new Set(codes(r))).to.deep.equal(new Set(["MANIFEST_MISSING"]));
      expect(r.accepted).to.equal(0n);
    });
  });

  describe("shipment-level holds", function () {
    it("holds an expiry inside the minimum shelf life", function () {
      const r = matchReceipt(input({ tolerances: { shortfallPct: 10, minShelfLifeDays: 700 } }));
      expect(codes(r)).to.deep.equal(["SHELF_LIFE_SHORT"]);
      expect(r.reasons[0].details).to.deep.equal({ expiry: "2028-01-31", minShelfLifeDays: 700 });
    });

    it("holds a recalled lot, an unqualified supplier and an unwaived excursion", function () {
      const base = input({ lotRecalled: true, supplierQualified: false });
      base.shipment.excursion = true;
      expect(codes(matchReceipt(base))).to.deep.equal([
        "SUPPLIER_NOT_QUALIFIED",
        "LOT_RECALLED",
        "EXCURSION_HOLD",
      ]);
    });

    it("does not hold a waived excursion", function () {
      const base = input();
      base.shipment.excursion = true;
      base.shipment.excursionWaived = true;
      expect(matchReceipt(base).status).to.equal("matched");
    });
  });
});
