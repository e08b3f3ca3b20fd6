import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { agreementFixture } from "./helpers/fixtures";

describe("fixtures", function () {
  it("awards a stents agreement priced by tier", async function () {
    const { ledger, agreementId } = await loadFixture(agreementFixture);
    expect(await ledger.agreements.priceAt(agreementId, 0)).to.equal(10_000n);
    expect(await ledger.agreements.priceAt(agreementId, 100)).to.equal(9_000n);
    expect(await ledger.agreements.quote(agreementId, 150)).to.equal(100n * 10_000n + 50n * 9_000n);
  });
});
