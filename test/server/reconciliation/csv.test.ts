import { expect } from "chai";
import { toCsv, type CsvColumn } from "../../../server/modules/reconciliation/reconciliation.csv";

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
});
