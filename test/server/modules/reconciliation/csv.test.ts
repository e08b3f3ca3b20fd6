import { expect } from "chai";
import { inert, toCsv, type CsvColumn } from "../../../../server/modules/reconciliation/reconciliation.csv";

interface Row {
  name: string;
  amount: bigint | null;
  note?: string;
}

const COLUMNS: CsvColumn<Row>[] = [
  { header: "name", value: (r) => r.name },
  { header: "amount", value: (r) => r.amount },
  { header: "note, free text", value: (r) => r.note },
];

describe("toCsv", function () {
  it("writes a header row and one CRLF-terminated record per row", function () {
    expect(toCsv([{ name: "a", amount: 1n, note: "x" }], COLUMNS)).to.equal(
      'name,amount,"note, free text"\r\na,1,x\r\n',
    );
  });

  it("quotes fields holding a comma, a quote, CR or LF, and doubles the quotes", function () {
    const rows: Row[] = [
      { name: "Smith, J.", amount: 10n, note: 'said "hi"' },
      { name: "two\nlines", amount: -5n, note: "cr\rhere" },
    ];
    expect(toCsv(rows, COLUMNS)).to.equal(
      'name,amount,"note, free text"\r\n' +
        '"Smith, J.",10,"said ""hi"""\r\n' +
        '"two\nlines",-5,"cr\rhere"\r\n',
    );
  });

  it("leaves null and missing values empty and other fields as they are", function () {
    expect(toCsv([{ name: " padded ", amount: null }], COLUMNS)).to.equal(
      'name,amount,"note, free text"\r\n padded ,,\r\n',
    );
  });

  it("writes only the header when there are no rows", function () {
    expect(toCsv([], COLUMNS)).to.equal('name,amount,"note, free text"\r\n');
  });

  it("makes a cell that a spreadsheet would run as a formula inert with a leading quote", function () {
    const rows: Row[] = [
      { name: '=HYPERLINK("http://x.example","open")', amount: -5n, note: "@SUM(A1:A9)" },
      { name: "+1+1", amount: 0n, note: "-2+3+cmd|' /C calc'!A0" },
      { name: "\t=1", amount: null, note: "\r=1" },
    ];
    expect(toCsv(rows, COLUMNS)).to.equal(
      'name,amount,"note, free text"\r\n' +
        '"\'=HYPERLINK(""http://x.example"",""open"")",-5,\'@SUM(A1:A9)\r\n' +
        "'+1+1,0,'-2+3+cmd|' /C calc'!A0\r\n" +
        "'\t=1,,\"'\r=1\"\r\n",
    );
  });

  it("leaves plain numbers, signed or not, as numbers and escapes anything else after a sign", function () {
    expect(["-5", "+5", "-0.25", "12", "-", "-1e5", "-5 ", "=5", "a=1", "lot-1"].map(inert)).to.deep.equal([
      "-5",
      "+5",
      "-0.25",
      "12",
      "'-",
      "'-1e5",
      "'-5 ",
      "'=5",
      "a=1",
      "lot-1",
    ]);
  });
});
