import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import type { ConsoleConfig } from "../../api/console";
import type { Suggestion, SuggestionPage } from "../../api/replenishment";
import { ORDER_STATUS } from "../../ledger/enums";
import { OrderBook__factory } from "../../typechain-types";
import { checkPage, openPage, signInAs } from "./support/browser";
import { demoSuite } from "./support/stack";

/**
 * Replenishment on the demo year: City General's stent par level shows as enough (the demo placed
 * and funded its suggested order); the hospital account reads the forecast with its backtest,
 * raises the par level, and places the new suggestion from the page; the chain holds the order,
 * placed with the suggestion's quantity and reference, awaiting approval.
 */
describe("console: replenishment", function () {
  this.timeout(300_000);
  const GENERAL = "City General Hospital";
  const STENT = "09520123456788";
  const ITEM = `${STENT} (Whole hospital)`;
  const suite = demoSuite(GENERAL);

  const stent = async (): Promise<Suggestion> =>
    (await suite.client.get<SuggestionPage>("/v1/replenishment/suggestions")).items.find(
      (s) => s.item === `ALL/${STENT}`,
    )!;

  it("shows the forecast with its backtest, and places the suggested order from the page for approval", async function () {
    const before = await stent();
    expect(before).to.include({ status: "enough", forecastMethod: "holt-winters" });
    expect(before.onOrder).to.be.greaterThan(0);

    const p = await openPage(suite.browser, suite.stack.url);
    try {
      const { page } = p;
      await signInAs(p, GENERAL);
      await page.getByRole("link", { name: "Replenishment" }).click();
      await page.getByRole("heading", { name: "Replenishment and demand forecast", level: 1 }).waitFor();
      const table = page.getByRole("table", { name: "Par levels and suggested orders" });
      const row = table.getByRole("row").filter({ hasText: STENT });
      await row.getByText("Enough", { exact: true }).waitFor();
      await row.getByTestId("on-order").getByText(String(before.onOrder), { exact: true }).waitFor();

      await row.getByRole("button", { name: `Show the forecast of ${ITEM}` }).click();
      await page.getByRole("heading", { name: `Forecast of ${STENT}` }).waitFor();
      await page
        .getByTestId("forecast-method")
        .getByText("Holt–Winters: additive, weekly season, damped trend")
        .waitFor();
      expect(await page.getByTestId("backtest-model").textContent()).to.match(
        /^This forecast: MAE [0-9.]+ units a day, WAPE [0-9.]+ %$/,
      );
      expect(await page.getByTestId("backtest-naive").textContent()).to.match(
        /^Seasonal naive: MAE [0-9.]+ units a day, WAPE [0-9.]+ %$/,
      );
      await checkPage(p, "replenishment");

      // Raise the par level: the stock on hand and on order no longer covers it. The campus is
      // chosen by name among the hospital's campuses, the whole hospital first.
      await page.getByLabel("Campus").click();
      await page
        .locator(".ant-select-item-option", { hasText: "City General East campus (6901234000115)" })
        .waitFor();
      await page.locator(".ant-select-item-option", { hasText: /^Whole hospital$/ }).click();
      await page.getByRole("textbox", { name: "GTIN (or MA/AHM product key)" }).fill(STENT);
      await page.getByRole("spinbutton", { name: "Minimum units" }).fill("100");
      await page.getByRole("spinbutton", { name: "Maximum units" }).fill("150");
      await page.getByRole("button", { name: "Save par level" }).click();
      await row.getByText("Order", { exact: true }).waitFor();
      const suggested = await stent();
      expect(suggested).to.include({ status: "order", min: 100, max: 150 });
      expect(suggested.quantity).to.equal(
        150 - (suggested.onHand + suggested.onOrder) + suggested.demandOverLeadTime,
      );
      expect(await row.getByTestId("suggested-quantity").textContent()).to.equal(String(suggested.quantity));
      await checkPage(p, "replenishment-suggested");

      await row.getByRole("button", { name: `Place order for ${ITEM}` }).click();
      await page.getByText(`Order placed for ${ITEM}: it awaits approval`).waitFor();
      await row.getByText("Enough", { exact: true }).waitFor();
      await row
        .getByTestId("on-order")
        .getByText(String(suggested.onOrder + suggested.quantity), { exact: true })
        .waitFor();

      const { contracts } = await suite.client.get<ConsoleConfig>("/v1/console/config");
      const book = OrderBook__factory.connect(contracts.orderBook, new JsonRpcProvider(suite.stack.rpcUrl));
      const placed = await book.queryFilter(book.filters.OrderPlaced());
      const mine = placed.filter((e) => e.args.orderRef === suggested.place!.orderRef);
      // The demo's suggested order of the same day, then the page's.
      const last = mine.at(-1)!;
      expect([last.args.agreementId, last.args.quantity, last.args.requestedDelivery]).to.deep.equal([
        BigInt(suggested.place!.agreementId),
        BigInt(suggested.quantity),
        BigInt(suggested.place!.requestedDelivery),
      ]);
      expect(last.args.placedBy).to.equal(suite.stack.account(GENERAL).address);
      const order = await book.order(last.args.orderId);
      expect(ORDER_STATUS[Number(order.status)]).to.equal("placed");
      expect(await stent()).to.include({ status: "enough", onOrder: suggested.onOrder + suggested.quantity });
    } finally {
      await p.close();
    }
  });
});
