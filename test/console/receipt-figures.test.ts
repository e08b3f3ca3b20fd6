import { expect } from "chai";
import { receiptFigures } from "../../console/src/pages/warehouse/receipt-figures";

/**
 * A receipt's outcome as the dock reads it: the units not paid for told apart into those that
 * never arrived and those counted but refused or held, so the figures add up on screen.
 */
describe("console: a receipt's figures", function () {
  const figures = (received: string, accepted: string, rejected: string) =>
    receiptFigures({ received, match: { status: "exception", accepted, rejected, reasons: [] } });

  it("tells 6 units that never arrived from 1 refused at the dock (10 shipped, 4 counted, 3 accepted)", function () {
    expect(figures("4", "3", "7")).to.deep.equal({
      shipped: 10n,
      counted: 4n,
      accepted: 3n,
      unpaid: 7n,
      missing: 6n,
      refused: 1n,
      surplus: 0n,
    });
  });

  it("counts an over-delivery's extra units as surplus, none of them missing or refused", function () {
    expect(figures("12", "10", "0")).to.deep.include({ shipped: 10n, missing: 0n, refused: 0n, surplus: 2n });
  });

  it("holds every counted unit when the match accepts none (a wrong lot)", function () {
    expect(figures("10", "0", "10")).to.deep.include({ shipped: 10n, missing: 0n, refused: 10n });
  });
});
