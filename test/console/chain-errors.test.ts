import { expect } from "chai";
import { SENTENCES } from "../../console/src/i18n/chain-errors";
import * as factories from "../../typechain-types";

/** The console's plain sentences name errors the ledger's contracts really raise. */
describe("console: chain error sentences", function () {
  it("names only custom errors of the compiled contracts", function () {
    const known = new Set<string>();
    for (const factory of Object.values(factories)) {
      if (typeof factory !== "function" || !("abi" in factory)) continue;
      for (const item of (factory as unknown as { abi: readonly { type: string; name?: string }[] }).abi)
        if (item.type === "error" && item.name) known.add(item.name);
    }
    expect(known.size).to.be.greaterThan(50);
    expect(Object.keys(SENTENCES).filter((name) => !known.has(name))).to.deep.equal([]);
  });
});
