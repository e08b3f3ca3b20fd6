import { expect } from "chai";
import fc from "fast-check";
import {
  AI_DEFINITIONS,
  Gs1Error,
  Gs1ErrorCode,
  gtinCheckDigit,
  isValidGtin,
  lookupAi,
  parseGs1,
  toDigitalLink,
} from "../../../../server/modules/barcodes";

const NOW = new Date("2024-06-15T12:00:00Z");
const GS = "\x1d";
const GTIN = "09520123456788";
const SSCC = "952012345678912345";
const GLN = "9520123456788";

const parse = (input: string, now: Date = NOW) => parseGs1(input, { now });

function expectGs1Error(fn: () => unknown, code: Gs1ErrorCode, messagePart: string): Gs1Error {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a Gs1Error to be thrown").to.be.instanceOf(Gs1Error);
  const error = caught as Gs1Error;
  expect(error.code, error.message).to.equal(code);
  expect(error.message).to.include(messagePart);
  return error;
}

const expectParseError = (input: string, code: Gs1ErrorCode, messagePart: string) =>
  expectGs1Error(() => parse(input), code, messagePart);

describe("GS1 barcodes", () => {
  describe("check digits", () => {
    it("computes the mod-10 check digit of GTIN, GLN and SSCC bodies", () => {
      expect(gtinCheckDigit("0952012345678")).to.equal(8);
      expect(gtinCheckDigit("1234567890123")).to.equal(1);
      expect(gtinCheckDigit("9501234567890")).to.equal(3);
      expect(gtinCheckDigit("952012345678")).to.equal(8);
      expect(gtinCheckDigit("95201234567891234")).to.equal(5);
    });

    it("accepts GTIN-8/12/13/14 with a correct check digit only", () => {
      for (const gtin of [
        "96385074",
        "036000291452",
        "4006381333931",
        GTIN,
        "12345678901231",
        "95012345678903",
      ]) {
        expect(isValidGtin(gtin), gtin).to.equal(true);
      }
      for (const gtin of [
        "95012345678902",
        "96385075",
        "0952012345678",
        "095201234567880",
        "0952012345678A",
        "",
      ]) {
        expect(isValidGtin(gtin), gtin).to.equal(false);
      }
    });

    it("rejects non-numeric check digit input", () => {
      expectGs1Error(() => gtinCheckDigit("12A4"), "INVALID_CHARACTER", '"12A4"');
      expectGs1Error(() => gtinCheckDigit(""), "INVALID_CHARACTER", "one or more digits");
    });

    it("agrees with isValidGtin for arbitrary GTIN-14 bodies", () => {
      fc.assert(
        fc.property(fc.stringMatching(/^\d{13}$/), (body) => {
          const digit = gtinCheckDigit(body);
          expect(isValidGtin(body + digit)).to.equal(true);
          expect(isValidGtin(body + ((digit + 1) % 10))).to.equal(false);
        }),
      );
    });
  });

  describe("bracketed form", () => {
    it("parses GTIN, expiry, lot and serial", () => {
      const parsed = parse("(01)09520123456788(17)180426(10)ABC1(21)12345");
      expect(parsed).to.deep.equal({
        form: "bracketed",
        gtin: GTIN,
        lot: "ABC1",
        serial: "12345",
        expiry: { date: "2018-04-26", printed: "180426" },
        elements: [
          { ai: "01", title: "GTIN", value: GTIN },
          { ai: "17", title: "USE BY or EXPIRY", value: "180426", date: "2018-04-26" },
          { ai: "10", title: "BATCH/LOT", value: "ABC1" },
          { ai: "21", title: "SERIAL", value: "12345" },
        ],
      });
    });

    it("keeps a literal bracket that does not enclose an AI, and honours \\( escapes", () => {
      expect(parse("(01)09520123456788(10)A(B)C(21)1").lot).to.equal("A(B)C");
      expect(parse("(01)09520123456788(10)LOT\\(12)(21)1").lot).to.equal("LOT(12)");
    });

    it("ignores surrounding whitespace such as a scanner's CR/LF", () => {
      expect(parse("  (01)09520123456788(10)X1\r\n").lot).to.equal("X1");
    });

    it("reports where the bracketed syntax breaks", () => {
      expectParseError(
        "(01)09520123456788(1)X",
        "FIELD_TOO_LONG",
        "AI (01) GTIN: 18 characters, exactly 14 required",
      );
      expectParseError("(0109520123456788", "MALFORMED_BARCODE", "at position 1");
      expectParseError("(04)123", "UNKNOWN_AI", "AI (04) at position 1 is not a GS1 Application Identifier");
      expectParseError(
        "(01)09520123456788(10)",
        "FIELD_TOO_SHORT",
        "AI (10) batch/lot: 0 characters, at least 1",
      );
    });
  });

  describe("scanned form", () => {
    const raw = `0109520123456788171804261` + `0ABC1${GS}2112345`;

    it("parses element strings without a symbology identifier", () => {
      const parsed = parse(raw);
      expect(parsed.form).to.equal("scanned");
      expect(parsed).to.not.have.property("symbology");
      expect(parsed).to.include({ gtin: GTIN, lot: "ABC1", serial: "12345" });
      expect(parsed.expiry).to.deep.equal({ date: "2018-04-26", printed: "180426" });
    });

    for (const [prefix, name] of [
      ["]C1", "GS1-128"],
      ["]d2", "GS1 DataMatrix"],
      ["]Q3", "GS1 QR Code"],
      ["]e0", "GS1 DataBar"],
      ["]J1", "GS1 DotCode"],
    ]) {
      it(`reports the symbology for the ${prefix} prefix`, () => {
        const parsed = parse(prefix + raw);
        expect(parsed).to.include({ form: "scanned", symbology: prefix, symbologyName: name });
        expect(parsed).to.include({ gtin: GTIN, lot: "ABC1", serial: "12345" });
      });
    }

    it("tolerates a trailing GS, a leading GS and a GS after a predefined-length field", () => {
      expect(parse(`01${GTIN}${GS}10ABC1${GS}`).lot).to.equal("ABC1");
      expect(parse(`${GS}01${GTIN}10ABC1`).lot).to.equal("ABC1");
      expect(parse(`]d201${GTIN}${GS}17180426${GS}10ABC1`).expiry?.printed).to.equal("180426");
    });

    it("reads a variable-length field up to the next GS, so a missing separator merges fields", () => {
      const parsed = parse(`01${GTIN}10ABC12112345`);
      expect(parsed.lot).to.equal("ABC12112345");
      expect(parsed.serial).to.equal(undefined);
    });

    it("splits AIs of every length without separators after predefined-length fields", () => {
      const parsed = parse(`]C100${SSCC}02${GTIN}3725${GS}3103000195`);
      expect(parsed.elements.map((element) => element.ai)).to.deep.equal(["00", "02", "37", "3103"]);
    });

    it("reports truncated and malformed data with its position", () => {
      expectParseError(
        `0109520123456${GS}10A`,
        "FIELD_TOO_SHORT",
        "AI (01) GTIN: 11 characters, exactly 14 required",
      );
      expectParseError(
        `01${GTIN}17180`,
        "FIELD_TOO_SHORT",
        "AI (17) expiry date: 3 characters, exactly 6 required",
      );
      expectParseError(
        `01${GTIN}10A${GS}${GS}21B`,
        "MALFORMED_BARCODE",
        "unexpected GS separator at position 21",
      );
      const error = expectParseError(`]d201${GTIN}8912`, "UNKNOWN_AI", "AI (89) at position 20");
      expect(error.details).to.include({ ai: "89", position: 19 });
      expectParseError(`01${GTIN}7050AB`, "UNKNOWN_AI", "AI (7050) at position 17");
    });

    it("rejects symbology identifiers that do not carry GS1 element strings", () => {
      expectParseError(`]E0${GTIN}`, "MALFORMED_BARCODE", '"]E0"');
      expectParseError(
        `]d1${raw}`,
        "MALFORMED_BARCODE",
        "Data Matrix symbol (]d1) carries GS1 data only as a Digital Link",
      );
    });
  });

  describe("GS1 Digital Link form", () => {
    it("parses the canonical example with key qualifiers and a data attribute", () => {
      const parsed = parse("https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426");
      expect(parsed).to.deep.equal({
        form: "digital-link",
        gtin: GTIN,
        lot: "ABC1",
        serial: "12345",
        expiry: { date: "2018-04-26", printed: "180426" },
        elements: [
          { ai: "01", title: "GTIN", value: GTIN },
          { ai: "10", title: "BATCH/LOT", value: "ABC1" },
          { ai: "21", title: "SERIAL", value: "12345" },
          { ai: "17", title: "USE BY or EXPIRY", value: "180426", date: "2018-04-26" },
        ],
      });
    });

    it("accepts any host and path prefix, http and a fragment", () => {
      for (const uri of [
        "https://brand.example.com/01/09520123456788/21/12345",
        "http://example.org:8080/some/extra/path/01/09520123456788/21/12345",
        "HTTPS://[2001:db8::1]/01/09520123456788/21/12345#details",
        "https://a/00/faux/01/09520123456788/21/12345",
      ]) {
        expect(parse(uri), uri).to.include({ form: "digital-link", gtin: GTIN, serial: "12345" });
      }
    });

    it("normalises GTIN-8, -12 and -13 in the URI to GTIN-14", () => {
      expect(parse("https://id.gs1.org/01/9520123456788").gtin).to.equal(GTIN);
      expect(parse("https://id.gs1.org/01/036000291452").gtin).to.equal("00036000291452");
      expect(parse("https://id.gs1.org/01/96385074").gtin).to.equal("00000096385074");
      expectParseError("https://id.gs1.org/01/95201234567", "FIELD_TOO_SHORT", "AI (01) GTIN: 11 characters");
      expectParseError(
        "https://id.gs1.org/01/9520123456789",
        "BAD_CHECK_DIGIT",
        "check digit should be 8, got 9",
      );
    });

    it("percent-decodes path segments and query values", () => {
      const parsed = parse("https://id.gs1.org/01/09520123456788/10/AB%2F1%25/21/x%3Fy?99=%26Z&17=180426");
      expect(parsed).to.include({ lot: "AB/1%", serial: "x?y" });
      expect(parsed.elements.find((element) => element.ai === "99")?.value).to.equal("&Z");
    });

    it('treats "+" as literal in the path but as a space in the query', () => {
      expect(parse("https://id.gs1.org/01/09520123456788/10/A+B").lot).to.equal("A+B");
      expectParseError(
        "https://id.gs1.org/01/09520123456788?99=A+B",
        "INVALID_CHARACTER",
        'AI (99) INTERNAL "A B": character " " at position 2 is outside the GS1 character set 82',
      );
    });

    it("ignores non-numeric query parameters but rejects unknown numeric keys", () => {
      const parsed = parse(
        "https://id.gs1.org/01/09520123456788?linkType=gs1:pip&singleton&&17=180426&context=x",
      );
      expect(parsed.elements.map((element) => element.ai)).to.deep.equal(["01", "17"]);
      expectParseError(
        "https://id.gs1.org/01/09520123456788?999=x",
        "UNKNOWN_AI",
        "query parameter 999 is not a GS1 Application Identifier",
      );
    });

    it("parses other primary keys with their attributes", () => {
      const sscc = parse(`https://id.gs1.org/00/${SSCC}?02=${GTIN}&37=25&10=ABC123`);
      expect(sscc.elements.map((element) => element.ai)).to.deep.equal(["00", "02", "37", "10"]);
      expect(sscc.gtin).to.equal(undefined);
      expect(sscc.lot).to.equal("ABC123");
      const gln = parse(`https://id.gs1.org/414/${GLN}/254/32a%2Fb`);
      expect(gln.elements[1]).to.deep.equal({ ai: "254", title: "GLN EXTENSION COMPONENT", value: "32a/b" });
      const tpx = parse(`https://id.gs1.org/01/${GTIN}/235/XYZ?10=ABC123`);
      expect(tpx.lot).to.equal("ABC123");
    });

    it("accepts a URI read from a plain QR Code or Data Matrix symbol", () => {
      const parsed = parse(`]Q1https://id.gs1.org/01/${GTIN}/21/7`);
      expect(parsed).to.include({
        form: "digital-link",
        symbology: "]Q1",
        symbologyName: "QR Code",
        serial: "7",
      });
    });

    it("rejects key qualifiers out of order, in the query, or data attributes in the path", () => {
      expectParseError(
        `https://id.gs1.org/01/${GTIN}/21/12345/10/ABC1`,
        "MALFORMED_DIGITAL_LINK",
        "key qualifiers (21), (10) after (01) are not in an allowed order",
      );
      expectParseError(
        `https://id.gs1.org/01/${GTIN}?10=ABC1`,
        "MALFORMED_DIGITAL_LINK",
        "AI (10) batch/lot is a key qualifier of (01) and must be in the URI path, not the query string",
      );
      expectParseError(
        `https://id.gs1.org/01/${GTIN}/10/ABC1?21=12345`,
        "MALFORMED_DIGITAL_LINK",
        "AI (21) serial is a key qualifier of (01) and must be in the URI path",
      );
      expectParseError(
        `https://id.gs1.org/01/${GTIN}/17/180426`,
        "MALFORMED_DIGITAL_LINK",
        "AI (17) expiry date is not a key qualifier of (01) and cannot be in the URI path; give it in the query",
      );
      expectParseError(
        `https://id.gs1.org/01/${GTIN}/235/X/10/ABC1`,
        "MALFORMED_DIGITAL_LINK",
        "not in an allowed order",
      );
      expectParseError(
        `https://id.gs1.org/00/${SSCC}/10/ABC1`,
        "MALFORMED_DIGITAL_LINK",
        "AI (00) takes no key qualifiers",
      );
      expectParseError(
        `https://id.gs1.org/01/${GTIN}/235/X?8200=abc`,
        "MALFORMED_DIGITAL_LINK",
        "AI (8200) PRODUCT URL is not permitted as a Digital Link data attribute",
      );
    });

    it("rejects structurally malformed URIs", () => {
      expectParseError(`https://id.gs1.org/01/${GTIN}/`, "MALFORMED_DIGITAL_LINK", 'must not end with "/"');
      expectParseError(
        "https://id.gs1.org/gtin/09520123456788",
        "MALFORMED_DIGITAL_LINK",
        "no GS1 primary key",
      );
      expectParseError("https://id.gs1.org", "MALFORMED_DIGITAL_LINK", "no path");
      expectParseError("https:///01/09520123456788", "MALFORMED_DIGITAL_LINK", "no valid host name");
      expectParseError(
        `https://id.gs1.org/01/${GTIN}/10/A%2`,
        "MALFORMED_DIGITAL_LINK",
        "invalid percent-encoding",
      );
      expectParseError(
        `https://id.gs1.org/01/${GTIN}/10/A B`,
        "MALFORMED_DIGITAL_LINK",
        'character " " at position',
      );
      expectParseError(`https://id.gs1.org/01/${GTIN}//10/A`, "MALFORMED_DIGITAL_LINK", "no GS1 primary key");
      expectParseError(
        `https://id.gs1.org/01/${GTIN}?17=`,
        "MALFORMED_DIGITAL_LINK",
        "AI (17) has an empty value",
      );
      expectParseError(
        `https://id.gs1.org/01/${GTIN}?17=180426&17=180426`,
        "DUPLICATE_AI",
        "AI (17) expiry date appears more than once",
      );
    });

    it("validates the values it decodes", () => {
      expectParseError(
        `https://id.gs1.org/01/${GTIN}/21/AB%231`,
        "INVALID_CHARACTER",
        'AI (21) serial "AB#1"',
      );
      expectParseError(`https://id.gs1.org/01/${GTIN}?17=200230`, "INVALID_DATE", "day 30 does not exist");
      expectParseError(
        `https://id.gs1.org/00/${SSCC}?10=A`,
        "MISSING_REQUIRED_AI",
        "AI (10) batch/lot requires",
      );
    });
  });

  describe("dates", () => {
    it("reads day 00 as the last day of the month", () => {
      expect(parse(`(01)${GTIN}(11)160200`).productionDate).to.deep.equal({
        date: "2016-02-29",
        printed: "160200",
      });
      expect(parse(`(01)${GTIN}(17)230400`).expiry).to.deep.equal({ date: "2023-04-30", printed: "230400" });
      expect(parse(`(01)${GTIN}(17)231200`).expiry?.date).to.equal("2023-12-31");
    });

    it("rejects impossible months and days", () => {
      expectParseError(
        `(01)${GTIN}(17)200230`,
        "INVALID_DATE",
        "AI (17) expiry date 200230: day 30 does not exist in February 2020",
      );
      expectParseError(`(01)${GTIN}(17)210229`, "INVALID_DATE", "day 29 does not exist in February 2021");
      expectParseError(`(01)${GTIN}(17)201300`, "INVALID_DATE", "month 13 does not exist");
      expectParseError(
        `(01)${GTIN}(11)200015`,
        "INVALID_DATE",
        "AI (11) production date 200015: month 00 does not exist",
      );
      expectParseError(`(01)${GTIN}(7006)180400`, "INVALID_DATE", "day 00 is not allowed");
      expect(parse(`(01)${GTIN}(17)200229`).expiry?.date).to.equal("2020-02-29");
    });

    it("resolves the century with the GS1 sliding window", () => {
      const expiry = (yymmdd: string, now: Date) => parse(`(01)${GTIN}(17)${yymmdd}`, now).expiry?.date;
      expect(expiry("741231", NOW)).to.equal("2074-12-31");
      expect(expiry("751231", NOW)).to.equal("1975-12-31");
      const in2060 = new Date("2060-01-01T00:00:00Z");
      expect(expiry("111231", in2060)).to.equal("2011-12-31");
      expect(expiry("101231", in2060)).to.equal("2110-12-31");
      expect(expiry("091231", in2060)).to.equal("2109-12-31");
    });

    it("applies the leap-year rule to the resolved century", () => {
      expect(parse(`(01)${GTIN}(17)000200`).expiry?.date).to.equal("2000-02-29");
      expect(parse(`(01)${GTIN}(17)000200`, new Date("2080-01-01T00:00:00Z")).expiry?.date).to.equal(
        "2100-02-28",
      );
      expectGs1Error(
        () => parse(`(01)${GTIN}(17)000229`, new Date("2080-01-01T00:00:00Z")),
        "INVALID_DATE",
        "day 29 does not exist in February 2100",
      );
    });

    it("validates dates and times inside multi-part AIs", () => {
      const parsed = parse(`(01)${GTIN}(7003)1804261230`);
      expect(parsed.elements[1]).to.deep.equal({ ai: "7003", title: "EXPIRY TIME", value: "1804261230" });
      expectParseError(`(01)${GTIN}(7003)1804262430`, "INVALID_DATE", "hour 24 does not exist");
      expectParseError(`(01)${GTIN}(8008)1804261261`, "INVALID_DATE", "minute 61 does not exist");
      expectParseError(
        `(01)${GTIN}(8008)180426123`,
        "FIELD_TOO_SHORT",
        "AI (8008) PROD TIME: 9 characters, allowed lengths are 8, 10 or 12",
      );
    });
  });

  describe("every error code", () => {
    const cases: [string, Gs1ErrorCode, string][] = [
      ["", "EMPTY_BARCODE", "empty"],
      [` \r\n${GS}`, "EMPTY_BARCODE", "empty"],
      ["]d2", "EMPTY_BARCODE", "only the symbology identifier ]d2"],
      ["GTIN 09520123456788", "MALFORMED_BARCODE", "unrecognised barcode data"],
      ["https://id.gs1.org/01/", "MALFORMED_DIGITAL_LINK", 'must not end with "/"'],
      [
        "(01)95012345678902",
        "BAD_CHECK_DIGIT",
        "AI (01) GTIN 95012345678902: check digit should be 3, got 2",
      ],
      [
        `(01)${GTIN}(17)200230`,
        "INVALID_DATE",
        "AI (17) expiry date 200230: day 30 does not exist in February 2020",
      ],
      [
        `(01)${GTIN}(10)ABCDEFGHIJKLMNOPQRSTU`,
        "FIELD_TOO_LONG",
        "AI (10) batch/lot: 21 characters, at most 20 allowed",
      ],
      [`(01)0952012345678`, "FIELD_TOO_SHORT", "AI (01) GTIN: 13 characters, exactly 14 required"],
      [
        `(01)${GTIN}(21)AB#1`,
        "INVALID_CHARACTER",
        'AI (21) serial "AB#1": character "#" at position 3 is outside the GS1 character set 82',
      ],
      [`(01)0952012345678A`, "INVALID_CHARACTER", 'character "A" at position 14 is not a digit'],
      [`(01)${GTIN}(8006)095201234567880302`, "INVALID_VALUE", "piece 3 exceeds the total of 2"],
      ["(23)123", "UNKNOWN_AI", "AI (23) at position 1"],
      [
        "(21)12345",
        "MISSING_REQUIRED_AI",
        "AI (21) serial requires (01), (03) or (8006) in the same barcode",
      ],
      [
        `(01)${GTIN}(37)10`,
        "CONFLICTING_AI",
        "AI (01) GTIN cannot be combined with AI (37) count of trade items",
      ],
      [
        `(01)${GTIN}(10)A(10)B`,
        "DUPLICATE_AI",
        'AI (10) batch/lot appears twice with different values: "A" and "B"',
      ],
    ];
    for (const [input, code, message] of cases) {
      it(`${code} for ${JSON.stringify(input)}`, () => {
        expectParseError(input, code, message);
      });
    }

    it("carries machine-readable details", () => {
      const error = expectParseError(`(01)${GTIN}(21)AB#1`, "INVALID_CHARACTER", "serial");
      expect(error.details).to.include({ ai: "21", value: "AB#1", character: "#", index: 2 });
      expect(error).to.be.instanceOf(Error);
      expect(error.name).to.equal("Gs1Error");
    });
  });

  describe("AIs beyond the medical device set", () => {
    it("SSCC (00) with check digit", () => {
      expect(parse(`(00)${SSCC}`).elements).to.deep.equal([{ ai: "00", title: "SSCC", value: SSCC }]);
      expectParseError(
        "(00)952012345678912346",
        "BAD_CHECK_DIGIT",
        "AI (00) SSCC 952012345678912346: check digit should be 5",
      );
    });

    it("variable count (30) and count (37)", () => {
      const parsed = parse(`01${GTIN}3012${GS}10L1`);
      expect(parsed.elements[1]).to.deep.equal({ ai: "30", title: "VAR. COUNT", value: "12" });
      expectParseError(
        `(01)${GTIN}(30)123456789`,
        "FIELD_TOO_LONG",
        "AI (30) variable count: 9 characters, at most 8",
      );
      expect(parse(`(00)${SSCC}(02)${GTIN}(37)25`).elements[2]).to.include({ ai: "37", value: "25" });
    });

    it("net weight (3103) with its decimal indicator", () => {
      const [, weight] = parse(`01${GTIN}3103000195`).elements;
      expect(weight).to.deep.equal({
        ai: "3103",
        title: "NET WEIGHT (kg)",
        value: "000195",
        decimal: "0.195",
      });
      expect(parse(`(01)${GTIN}(3100)000195`).elements[1].decimal).to.equal("195");
      expect(parse(`(01)${GTIN}(3205)123456`).elements[1].decimal).to.equal("1.23456");
      expectParseError(
        `(01)${GTIN}(3103)00019`,
        "FIELD_TOO_SHORT",
        "AI (3103) NET WEIGHT (kg): 5 characters, exactly 6",
      );
    });

    it("prices and amounts with an ISO 4217 currency keep the decimal on the amount", () => {
      const parsed = parse(`(415)${GLN}(8020)INV-1(3912)97812345`);
      expect(parsed.elements[2]).to.include({ ai: "3912", value: "97812345", decimal: "123.45" });
      expect(parse(`(01)${GTIN}(30)2(3922)5`).elements[2].decimal).to.equal("0.05");
    });

    it("internal codes (90-99)", () => {
      const parsed = parse(`]C101${GTIN}91ABC-123${GS}92x`);
      expect(parsed.elements.slice(1)).to.deep.equal([
        { ai: "91", title: "INTERNAL", value: "ABC-123" },
        { ai: "92", title: "INTERNAL", value: "x" },
      ]);
      expectParseError(
        `(90)${"A".repeat(31)}`,
        "FIELD_TOO_LONG",
        "AI (90) INTERNAL: 31 characters, at most 30",
      );
    });

    it("GLNs (414, 410-417) with check digit", () => {
      expect(parse(`414${GLN}`).elements[0]).to.deep.equal({ ai: "414", title: "LOC No.", value: GLN });
      expectParseError(
        "(414)9520123456789",
        "BAD_CHECK_DIGIT",
        "AI (414) GLN 9520123456789: check digit should be 8, got 9",
      );
      expect(parse(`410${GLN}411${GLN}`).elements.map((element) => element.ai)).to.deep.equal(["410", "411"]);
    });

    it("payment slip reference (8020) requires pay-to GLN (415)", () => {
      expect(parse(`(415)${GLN}(8020)ABC123`).elements[1]).to.deep.equal({
        ai: "8020",
        title: "REF No.",
        value: "ABC123",
      });
      expectParseError(
        "(8020)ABC123",
        "MISSING_REQUIRED_AI",
        "AI (8020) payment slip reference requires (415)",
      );
    });

    it("multi-component AIs with optional parts", () => {
      expect(parse("(253)1231231231232").elements[0].value).to.equal("1231231231232");
      expect(parse("(253)1231231231232ABC").elements[0].value).to.equal("1231231231232ABC");
      expectParseError("(253)1231231231233", "BAD_CHECK_DIGIT", "check digit should be 2, got 3");
      expect(parse(`(00)${SSCC}(4330)000440-`).elements[1].value).to.equal("000440-");
      expectParseError(`(00)${SSCC}(4330)000440+`, "INVALID_VALUE", 'sign must be "-"');
      expect(parse(`(01)${GTIN}(7230)EMabc`).elements[1].title).to.equal("CERT # 1");
      expect(parse("(8006)095201234567880203").elements[0].value).to.equal("095201234567880203");
    });

    it("alphanumeric check pairs (8013 GMN)", () => {
      expect(parse("(8013)1987654Ad4X4bL5ttr2310c2K").elements[0].value).to.equal(
        "1987654Ad4X4bL5ttr2310c2K",
      );
      expect(parse("(8013)12345678901234567890123NT").elements).to.have.length(1);
      expectParseError(
        "(8013)1987654Ad4X4bL5ttr2310c2X",
        "BAD_CHECK_DIGIT",
        "check character pair should be 2K, got 2X",
      );
      expectParseError(
        "(8013)1987654Ad4X4bL5ttr2310c21",
        "BAD_CHECK_DIGIT",
        'check character "1" is not one of',
      );
    });

    it("character sets 39 (8010) and 64 (8030)", () => {
      expect(parse("(8010)ABC#-/123").elements[0].value).to.equal("ABC#-/123");
      expectParseError(
        "(8010)ABc",
        "INVALID_CHARACTER",
        'character "c" at position 3 is outside the GS1 character set 39',
      );
      expect(parse(`(00)${SSCC}(8030)AbC-_12=`).elements[1].value).to.equal("AbC-_12=");
      expectParseError(`(00)${SSCC}(8030)ab=c`, "INVALID_CHARACTER", "outside the GS1 character set 64");
    });
  });

  describe("AI associations", () => {
    it("requires (01) for serial and lot", () => {
      expectParseError("(21)12345", "MISSING_REQUIRED_AI", "AI (21) serial requires");
      expectParseError(
        "(10)ABC",
        "MISSING_REQUIRED_AI",
        "AI (10) batch/lot requires (01), (02), (03), (8006) or (8026)",
      );
      expectParseError(`]d2${GS}2112345`, "MISSING_REQUIRED_AI", "AI (21) serial requires");
    });

    it("applies every req attribute and combined alternatives", () => {
      expectParseError(`(01)${GTIN}(250)X`, "MISSING_REQUIRED_AI", "AI (250) SECONDARY SERIAL requires (21)");
      expect(parse(`(01)${GTIN}(21)1(250)X`).elements).to.have.length(3);
      expectParseError(
        `(02)${GTIN}(37)5`,
        "MISSING_REQUIRED_AI",
        "AI (37) count of trade items requires (00)",
      );
      expectParseError(`(01)${GTIN}(8030)abc`, "MISSING_REQUIRED_AI", "(00), (01) with (21), (253)");
      expect(parse(`(01)${GTIN}(21)7(8030)abc`).elements).to.have.length(3);
    });

    it("honours mutually exclusive AIs and patterns, but not between an AI and itself", () => {
      expectParseError(
        `(01)${GTIN}(3103)000195(3102)001950`,
        "CONFLICTING_AI",
        "AI (3103) NET WEIGHT (kg) cannot be combined with AI (3102)",
      );
      expect(parse(`(01)${GTIN}(3103)000195(3203)000430`).elements).to.have.length(3);
      expectParseError(
        `(01)${GTIN}(255)1231231231232`,
        "CONFLICTING_AI",
        "AI (01) GTIN cannot be combined with AI (255) GCN",
      );
      expectParseError(
        `(01)${GTIN}(21)1(235)X`,
        "CONFLICTING_AI",
        "AI (21) serial cannot be combined with AI (235)",
      );
    });

    it("tolerates the same AI twice with the same value and lists it once", () => {
      const parsed = parse(`(01)${GTIN}(10)A1(01)${GTIN}(10)A1`);
      expect(parsed.elements.map((element) => element.ai)).to.deep.equal(["01", "10"]);
      expectParseError(
        `(01)${GTIN}(01)12345678901231`,
        "DUPLICATE_AI",
        `AI (01) GTIN appears twice with different values`,
      );
    });
  });

  describe("AI table", () => {
    it("covers the dictionary's AIs and ranges", () => {
      for (const ai of [
        "00",
        "01",
        "02",
        "03",
        "10",
        "17",
        "21",
        "235",
        "255",
        "3100",
        "3695",
        "37",
        "3909",
        "3955",
      ]) {
        expect(lookupAi(ai), ai).to.not.equal(undefined);
      }
      for (const ai of ["7030", "7039", "7230", "7239", "7259", "8030", "8112", "8200", "90", "91", "99"]) {
        expect(lookupAi(ai), ai).to.not.equal(undefined);
      }
      for (const ai of ["04", "14", "3106", "3956", "3944", "23", "7050", "8000"]) {
        expect(lookupAi(ai), ai).to.equal(undefined);
      }
    });

    it("is prefix-free with one AI length per two-digit prefix, as scanned data requires", () => {
      const ais = AI_DEFINITIONS.map((def) => def.ai);
      expect(new Set(ais).size).to.equal(ais.length);
      const prefixed = ais.filter((ai) => ais.some((other) => other !== ai && other.startsWith(ai)));
      expect(prefixed).to.deep.equal([]);
      const lengths = new Map<string, Set<number>>();
      for (const ai of ais)
        lengths.set(ai.slice(0, 2), (lengths.get(ai.slice(0, 2)) ?? new Set()).add(ai.length));
      const ambiguous = [...lengths].filter(([, sizes]) => sizes.size > 1).map(([prefix]) => prefix);
      expect(ambiguous).to.deep.equal([]);
    });

    it("gives predefined-length AIs a fixed length and only trailing optional or variable components", () => {
      for (const def of AI_DEFINITIONS) {
        const variable = def.components.filter((component) => component.min !== component.max);
        if (def.predefinedLength) expect(variable, def.ai).to.have.length(0);
        def.components.forEach((component, index) => {
          if (component.min !== component.max) expect(index, def.ai).to.equal(def.components.length - 1);
          if (index > 0 && def.components[index - 1].optional)
            expect(component.optional, def.ai).to.equal(true);
        });
      }
    });

    it("only refers to AIs that exist in req, ex and Digital Link qualifiers", () => {
      const matchesSome = (pattern: string) =>
        AI_DEFINITIONS.some(
          ({ ai }) => ai.length === pattern.length && [...pattern].every((c, i) => c === "n" || c === ai[i]),
        );
      for (const def of AI_DEFINITIONS) {
        const referenced = [...def.requires.flat(2), ...def.excludes, ...(def.dlQualifiers ?? []).flat()];
        for (const pattern of referenced)
          expect(matchesSome(pattern), `${def.ai} -> ${pattern}`).to.equal(true);
      }
    });

    it("marks exactly the GS1 predefined-length prefixes as needing no separator", () => {
      const predefinedPrefixes = new Set(
        AI_DEFINITIONS.filter((def) => def.predefinedLength).map((def) => def.ai.slice(0, 2)),
      );
      expect([...predefinedPrefixes].sort()).to.deep.equal(
        [
          "00",
          "01",
          "02",
          "03",
          "11",
          "12",
          "13",
          "15",
          "16",
          "17",
          "20",
          "31",
          "32",
          "33",
          "34",
          "35",
          "36",
          "41",
        ].sort(),
      );
    });
  });

  describe("toDigitalLink", () => {
    it("builds the canonical URI", () => {
      expect(toDigitalLink({ gtin: GTIN, lot: "ABC1", serial: "12345", expiry: "180426" })).to.equal(
        "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
      );
      expect(toDigitalLink({ gtin: GTIN })).to.equal("https://id.gs1.org/01/09520123456788");
    });

    it("percent-encodes everything outside the URI unreserved characters", () => {
      const uri = toDigitalLink({ gtin: GTIN, lot: "A/B?C&D%E", serial: "x+y(1)" });
      expect(uri).to.equal("https://id.gs1.org/01/09520123456788/10/A%2FB%3FC%26D%25E/21/x%2By%281%29");
      expect(parse(uri)).to.include({ lot: "A/B?C&D%E", serial: "x+y(1)" });
    });

    it("normalises the GTIN, accepts ISO or parsed expiry dates, and honours a custom base", () => {
      const parsed = parse("(01)09520123456788(17)280200(10)L1");
      expect(toDigitalLink({ ...parsed, gtin: "9520123456788" }, "https://brand.example.com/dl/")).to.equal(
        "https://brand.example.com/dl/01/09520123456788/10/L1?17=280200",
      );
      expect(toDigitalLink({ gtin: GTIN, expiry: "2028-02-29" })).to.equal(
        "https://id.gs1.org/01/09520123456788?17=280229",
      );
    });

    it("rejects data the parser would reject", () => {
      expectGs1Error(
        () => toDigitalLink({ gtin: "09520123456789" }),
        "BAD_CHECK_DIGIT",
        "check digit should be 8",
      );
      expectGs1Error(
        () => toDigitalLink({ gtin: GTIN, lot: "A B" }),
        "INVALID_CHARACTER",
        "AI (10) batch/lot",
      );
      expectGs1Error(
        () => toDigitalLink({ gtin: GTIN, serial: "S".repeat(21) }),
        "FIELD_TOO_LONG",
        "AI (21) serial",
      );
      expectGs1Error(() => toDigitalLink({ gtin: GTIN, expiry: "200230" }), "INVALID_DATE", "day 30");
      expectGs1Error(() => toDigitalLink({ gtin: GTIN }, "ftp://x"), "MALFORMED_DIGITAL_LINK", "http(s) URI");
      expectGs1Error(
        () => toDigitalLink({ gtin: GTIN }, "https://x/?a=1"),
        "MALFORMED_DIGITAL_LINK",
        "http(s) URI",
      );
    });

    it("round-trips any lot and serial in character set 82 through the parser", () => {
      const cset82 = [
        ..."!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
      ];
      const value = fc.string({ unit: fc.constantFrom(...cset82), minLength: 1, maxLength: 20 });
      fc.assert(
        fc.property(value, value, (lot, serial) => {
          const parsed = parse(toDigitalLink({ gtin: GTIN, lot, serial, expiry: "300100" }));
          expect(parsed).to.include({ gtin: GTIN, lot, serial });
          expect(parsed.expiry).to.deep.equal({ date: "2030-01-31", printed: "300100" });
        }),
      );
    });
  });
});
