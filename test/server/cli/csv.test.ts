import { expect } from "chai";
import { parseCsv } from "../../../scripts/cli/csv";
import { UsageError } from "../../../scripts/cli/command";

/** The CLI's CSV input: header, trimmed values, absent empties and line numbers for messages. */
describe("parseCsv", function () {
  it("reads a header and rows, trimming names and values and leaving empty values out", function () {
    expect(parseCsv("\uFEFF barcode , quantity,lot\n(01)1, 2 ,\n", "scans.csv")).to.deep.equal({
      header: ["barcode", "quantity", "lot"],
      rows: [{ barcode: "(01)1", quantity: "2" }],
      lines: [2],
    });
  });

  it("reads quoted fields with commas, doubled quotes and line breaks, and keeps each row's first line", function () {
    const csv = parseCsv('a,b\r\n\r\n"x,\r\ny",3\r\n  \r\n4, "q""u" \r\n5\r\n', "f.csv");
    expect(csv.rows).to.deep.equal([{ a: "x,\ny", b: "3" }, { a: "4", b: 'q"u' }, { a: "5" }]);
    expect(csv.lines).to.deep.equal([3, 6, 7]);
  });

  it("refuses an empty file, a row longer than the header and an unclosed quote, naming the file", function () {
    expect(() => parseCsv("\n \n", "empty.csv")).to.throw(
      UsageError,
      "empty.csv: empty, expected a header line",
    );
    expect(() => parseCsv("a,b\n1,2\n1,2,3\n", "long.csv")).to.throw(
      UsageError,
      "long.csv: line 3 has 3 fields, the header 2",
    );
    expect(() => parseCsv('a,b\n"open,2\n', "quote.csv")).to.throw(
      UsageError,
      /^quote\.csv: Quote Not Closed/,
    );
  });
});
