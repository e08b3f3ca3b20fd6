import { expect } from "chai";
import { parseLine } from "../../../../server/modules/receipts/receipts.service";

/** Receipt lines given as fields are held to the same GS1 rules as scans, field by field. */
describe("parseLine", function () {
  const now = new Date("2026-06-01T00:00:00Z");

  it("keeps a lot that contains parentheses whole (GS1 character set 82 allows them)", function () {
    expect(parseLine({ gtin: "09520123456788", lot: "A(21)B" }, 1, now)).to.deep.equal({
      line: 1,
      gtin: "09520123456788",
      lot: "A(21)B",
      quantity: 1n,
      rejected: 0n,
    });
  });

  it("names a lot character outside the GS1 set, with the line", function () {
    expect(() => parseLine({ gtin: "09520123456788", lot: "A#B" }, 2, now)).to.throw(
      'line 2: AI (10) batch/lot "A#B": character "#" at position 2 is outside the GS1 character set 82',
    );
  });

  it("names a GTIN with a wrong check digit", function () {
    expect(() => parseLine({ gtin: "09520123456787", serial: "S1" }, 3, now)).to.throw(
      "line 3: AI (01) GTIN 09520123456787: check digit should be 8, got 7",
    );
  });

  it("reads a scanned barcode the same way", function () {
    expect(parseLine({ barcode: "]d2010952012345678810LOT1\x1d21SN1" }, 4, now)).to.deep.include({
      gtin: "09520123456788",
      lot: "LOT1",
      serial: "SN1",
    });
  });
});
