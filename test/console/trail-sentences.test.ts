import { expect } from "chai";
import { ON_CHAIN } from "../../console/src/pages/regulator/trail/step-sentences";
import { EVENT_SPECS } from "../../ledger/trail/event-specs";

/** The console writes a sentence for every ledger event a trail can hold (ledger/trail/events/). */
describe("console: trail step sentences", function () {
  it("has a sentence for every event of the trail, and none for an event it cannot hold", function () {
    expect(Object.keys(ON_CHAIN).sort()).to.deep.equal([...EVENT_SPECS.keys()].sort());
  });
});
