import { expect } from "chai";
import { parseUdi, UdiError } from "../../../../server/modules/barcodes";
import { isProductNumber, productKeyOf } from "../../../../ledger/product-key";

/**
 * The front door for scanned device codes: recognition by form (GS1, MA (IDcode), CAICT's 88.
 * identifiers) and the MA (IDcode) rules — every malformed form with its exact message.
 */

const DI = "MA.156.M0.100761.21234561";
const FULL = `${DI}.Sx00008.M220117.L20220117.D20220118.E220130.V220117.C3`;

function refusal(data: string): UdiError {
  try {
    parseUdi(data);
  } catch (error) {
    expect(error).to.be.instanceOf(UdiError);
    return error as UdiError;
  }
  throw new Error(`expected ${data} to be refused`);
}

describe("parseUdi", function () {
  describe("MA (IDcode)", function () {
    it("splits a full code into the DI (five segments) and its production identifiers", function () {
      expect(parseUdi(FULL)).to.deep.equal({
        agency: "MA",
        form: "idcode",
        deviceIdentifier: DI,
        productKey: productKeyOf("MA", DI),
        lot: "20220117",
        serial: "x00008",
        expiry: { date: "2022-01-30", printed: "220130" },
        productionDate: { date: "2022-01-17", printed: "220117" },
        elements: [],
        qualifiers: [
          { qualifier: "S", title: "serial", value: "x00008" },
          { qualifier: "M", title: "production date", value: "220117", date: "2022-01-17" },
          { qualifier: "L", title: "lot", value: "20220117" },
          { qualifier: "D", title: "sterilisation lot", value: "20220118" },
          { qualifier: "E", title: "expiry (失效期)", value: "220130", date: "2022-01-30" },
          { qualifier: "V", title: "valid until (有效期)", value: "220117", date: "2022-01-17" },
          { qualifier: "C", title: "check character (not verified)", value: "3" },
        ],
        warnings: ["check character .C3 not verified: its algorithm is not published"],
      });
    });

    it("takes a 12-character product segment, lowercase letters, 8-digit dates and a scanner's QR prefix", function () {
      const parsed = parseUdi("]Q1MA.156.M0.100350.01004YA10017.Lay21062803.E20280628\r\n");
      expect(parsed).to.include({
        agency: "MA",
        deviceIdentifier: "MA.156.M0.100350.01004YA10017",
        lot: "ay21062803",
        symbology: "]Q1",
        symbologyName: "QR Code",
      });
      expect(parsed.expiry).to.deep.equal({ date: "2028-06-28", printed: "20280628" });
      expect(parsed.warnings).to.equal(undefined);
    });

    it("reads the expiry from .V when .E is absent, and the old .P production date when .M is", function () {
      const parsed = parseUdi(`${DI}.P190101.LABS2019.V271201`);
      expect(parsed.expiry).to.deep.equal({ date: "2027-12-01", printed: "271201" });
      expect(parsed.productionDate).to.deep.equal({ date: "2019-01-01", printed: "190101" });
    });

    it("keeps an unknown qualifier with a warning rather than refuse the code", function () {
      const parsed = parseUdi(`${DI}.L1.Y33010`);
      expect(parsed.qualifiers).to.deep.include({ qualifier: "Y", title: "unknown", value: "33010" });
      expect(parsed.warnings).to.deep.equal(["qualifier .Y is not in the published rules; kept as read"]);
    });

    it("answers a DI alone with the DI and no production identifiers", function () {
      const parsed = parseUdi("MA.156.M0.100204.13351764");
      expect(parsed).to.deep.equal({
        agency: "MA",
        form: "idcode",
        deviceIdentifier: "MA.156.M0.100204.13351764",
        productKey: productKeyOf("MA", "MA.156.M0.100204.13351764"),
        elements: [],
        qualifiers: [],
      });
    });

    const malformed: [string, string][] = [
      [
        "MA.156.M0.100761",
        "MA (IDcode): the device identifier needs five segments (MA.country.industry.registrant.product), found 4",
      ],
      ["MA.15.M0.100761.2123", 'MA (IDcode): country code "15" is not 3 digits'],
      ["MA.156.m0.100761.2123", 'MA (IDcode): industry code "m0" is not 2 capitals or digits'],
      ["MA.156.M0.10076.2123", 'MA (IDcode): registrant code "10076" is not 6 letters or digits'],
      ["MA.156.M0.100761.21-3", 'MA (IDcode): product code "21-3" is not letters or digits'],
      [
        `${DI}.E260230`,
        "MA (IDcode): expiry .E260230 is not a date (day 30 does not exist in February 2026)",
      ],
      [`${DI}.E2602`, "MA (IDcode): expiry .E2602 is not a date (6 or 8 digits expected)"],
      [`${DI}.M20261301`, "MA (IDcode): production date .M20261301 is not a date (month 13 does not exist)"],
      [
        `${DI}.V271232`,
        "MA (IDcode): valid-until date .V271232 is not a date (day 32 does not exist in December 2027)",
      ],
      [`${DI}.L1.L2`, "MA (IDcode): qualifier .L appears twice"],
      [`${DI}.L`, "MA (IDcode): qualifier .L has no value"],
      [`${DI}..L1`, "MA (IDcode): an element is empty (two dots in a row, or a dot at the end)"],
      [`${DI}.L1.`, "MA (IDcode): an element is empty (two dots in a row, or a dot at the end)"],
      [`${DI}.l1`, 'MA (IDcode): element "l1" does not start with a qualifier letter'],
      [`${DI}.L批次`, "MA (IDcode): .L批次 holds a character outside printable ASCII"],
      [`${DI}.L1 2`, "MA (IDcode): .L1 2 holds a character outside printable ASCII"],
    ];
    for (const [data, message] of malformed) {
      it(`refuses ${JSON.stringify(data)}`, function () {
        const error = refusal(data);
        expect(error.code).to.equal("MALFORMED");
        expect(error.message).to.equal(message);
      });
    }

    it("refuses an MA code of another industry or country as not a medical-device code", function () {
      const industry = refusal("MA.156.MX.100761.21234561.L1");
      expect([industry.code, industry.message]).to.deep.equal([
        "NOT_UDI",
        "MA (IDcode): not a medical-device code (industry MX, not M0)",
      ]);
      const country = refusal("MA.840.M0.100761.21234561");
      expect([country.code, country.message]).to.deep.equal([
        "NOT_UDI",
        "MA (IDcode): not a medical-device UDI of China (country 840, not 156)",
      ]);
    });
  });

  it("refuses a CAICT industrial-internet identifier as not a UDI", function () {
    const error = refusal("88.608.8899/META_zj02");
    expect([error.code, error.message]).to.deep.equal([
      "NOT_UDI",
      "industrial-internet identifier: 88.608.8899/… is a CAICT industrial-internet (88.) identifier, not a medical-device UDI",
    ]);
  });

  it("parses GS1 exactly as before, adding the agency and the GTIN as the device identifier", function () {
    const parsed = parseUdi("(01)09520123456788(10)LOT1");
    expect(parsed).to.deep.equal({
      agency: "GS1",
      form: "bracketed",
      gtin: "09520123456788",
      deviceIdentifier: "09520123456788",
      lot: "LOT1",
      elements: [
        { ai: "01", title: "GTIN", value: "09520123456788" },
        { ai: "10", title: "BATCH/LOT", value: "LOT1" },
      ],
    });
  });
});

describe("productKeyOf", function () {
  it("is at least 10^14 (never a GTIN) and below 2^64, and differs by agency", function () {
    const ma = BigInt(productKeyOf("MA", DI));
    const ahm = BigInt(productKeyOf("AHM", DI));
    expect(ma >= 10n ** 14n && ma < 2n ** 64n).to.equal(true);
    expect(ahm).to.not.equal(ma);
  });
});

describe("isProductNumber (what the console's product fields take)", function () {
  it("takes 14 digits and a product key, up to 2^64 − 1", function () {
    for (const text of ["09520123456788", productKeyOf("MA", DI), "100000000000000", String(2n ** 64n - 1n)])
      expect(isProductNumber(text), text).to.equal(true);
  });

  it("refuses a short code, a key with a leading zero or of 2^64, and anything not digits", function () {
    for (const text of [
      "9520123456788",
      "012345678901234",
      String(2n ** 64n),
      "0952012345678X",
      " 09520123456788",
      "",
    ])
      expect(isProductNumber(text), JSON.stringify(text)).to.equal(false);
  });
});
