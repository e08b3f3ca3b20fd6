import { expect } from "chai";
import { readFileSync } from "node:fs";
import { DictionaryError, generate, parseDictionary, TABLE_FILE } from "../../../../scripts/gen/gs1-ai-table";

/** The committed GS1 AI table is exactly what the generator makes of the vendored dictionary. */
describe("GS1 AI table generator", function () {
  it("wrote the committed gs1.ai-table.ts (run `npm run gen:gs1` if this fails)", function () {
    expect(readFileSync(TABLE_FILE, "utf8")).to.equal(generate());
  });

  it("reads flags split across the flag column, ranges, optional components and attributes", function () {
    const [first, , last] = parseDictionary(
      [
        "# a comment",
        "3100-3102  * ?  N6,nonzero [X..3],hyphen  req=01+21,02 req=10 ex=310n dlpkey=22,10|235  # NET WEIGHT (kg)",
      ].join("\n"),
    );
    expect(first.ai).to.equal("3100");
    expect(last).to.deep.equal({
      ai: "3102",
      title: "NET WEIGHT (kg)",
      label: "NET WEIGHT (kg)",
      predefinedLength: true,
      identificationKey: false,
      dlDataAttribute: true,
      components: [
        { cset: "N", min: 6, max: 6, optional: false, rules: ["nonzero"] },
        { cset: "X", min: 1, max: 3, optional: true, rules: ["hyphen"] },
      ],
      requires: [[["01", "21"], ["02"]], [["10"]]],
      excludes: ["310n"],
      dlQualifiers: [["22", "10"], ["235"]],
      impliedDecimalPoint: true,
    });
  });

  it("refuses a line it cannot read, naming it", function () {
    expect(() => parseDictionary("\n01  *!?  N14  frobnicate  # GTIN")).to.throw(
      DictionaryError,
      'line 2: unknown attribute "frobnicate"',
    );
    expect(() => parseDictionary("01  *  # GTIN")).to.throw(DictionaryError, "line 1: no specification");
    expect(() => parseDictionary("8115  ?  X..70")).to.throw(DictionaryError, "AI 8115 has no title");
  });
});
