import { expect } from "chai";
import type { TrailStep } from "../../../../api/trail";
import { byTime } from "../../../../server/modules/trail/trail.load";

/**
 * A trail's order within one instant. The gateway dates its own steps at the end of the latest
 * block's second, so a block stamped with that second came after them; and a delivery's own
 * steps keep the order it made them in, whatever their ids.
 */

const AT = "2027-04-16T05:18:01.000Z";

function step(id: string, kind: TrailStep["kind"], block: number | null, at = AT): TrailStep {
  return {
    id,
    at,
    kind,
    summary: id,
    source: block === null ? "gateway.test" : "chain",
    data: {} as TrailStep["data"],
    onChain:
      block === null
        ? null
        : {
            chainId: 31337,
            contract: "0x0000000000000000000000000000000000000001",
            contractName: "orderBook",
            event: "ShipmentSettled",
            txHash: `0x${"0".repeat(63)}${block}`,
            blockNumber: block,
            logIndex: 0,
          },
  };
}

describe("trail order (byTime)", function () {
  it("puts the gateway's steps of an instant before the blocks stamped with it, in the order a delivery makes them", function () {
    const steps = [
      step("payment:7", "payment", 12),
      step("payment-job:7", "payment", null),
      step("resolution:3", "resolution", null),
      step("exception:3", "exception", null),
      step("match:GR-1", "match", null),
      step("trace:7:3", "trace", 11),
      step("manifest:7", "manifest", null, "2027-04-16T05:18:00.000Z"),
    ];
    expect(steps.sort(byTime).map((s) => s.id)).to.deep.equal([
      "manifest:7",
      "match:GR-1",
      "exception:3",
      "resolution:3",
      "payment-job:7",
      "trace:7:3",
      "payment:7",
    ]);
  });

  it("counts an on-chain step whose log is not stored as the chain's", function () {
    const unstored = { ...step("funding:1", "funding", 5), onChain: null };
    expect([unstored, step("receipt:GR-1", "receipt", null)].sort(byTime).map((s) => s.id)).to.deep.equal([
      "receipt:GR-1",
      "funding:1",
    ]);
  });
});
