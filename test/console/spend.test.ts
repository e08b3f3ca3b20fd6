import { expect } from "chai";
import type { Browser } from "playwright-core";
import { GatewayClient } from "../../scripts/lib/gateway-client";
import type { SpendReport } from "../../api/payments";
import { Wallet } from "ethers";
import { bytes32Text, yuan } from "../../console/src/lib/format";
import { checkPage, launchBrowser, openPage, signInAs } from "./support/browser";
import { sharedDemoStack, type DemoStack } from "./support/stack";

/**
 * Spend by category and month on the demo year: the chart and the table show what
 * GET /v1/payments/spend says — everyone's for the regulator, its own for a hospital, and for a
 * supplier the same report as its sales, under words that say it was paid.
 */
describe("console: spend by category", function () {
  this.timeout(300_000);
  let stack: DemoStack;
  let browser: Browser;

  before(async function () {
    stack = await sharedDemoStack();
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
  });

  /** The API's report as `name` sees it. */
  async function report(name: string): Promise<SpendReport> {
    const client = new GatewayClient(stack.url);
    await client.login(new Wallet(stack.account(name).privateKey));
    return client.get<SpendReport>("/v1/payments/spend");
  }

  const SPEND = {
    link: "Spend by category",
    title: "Spend by category and month",
    chart: "Paid per month, stacked by category",
    intro: "by product category and month (China Standard Time).",
    headers: ["Month", "Category", "Paid", "Late penalties kept", "Settlements"],
  };
  const SALES = {
    link: "Sales by category",
    title: "Sales by category and month",
    chart: "Received per month, stacked by category",
    intro: "Money the ledger paid you for deliveries, by product category and month (China Standard Time).",
    headers: ["Month", "Category", "Received", "Late penalties deducted", "Settlements"],
  };

  for (const [name, shot, words] of [
    ["Provincial Medical Products Administration", "regulator-spend", SPEND],
    ["City General Hospital, approver 1", "hospital-spend", SPEND],
    ["Acme Medical Devices", "supplier-sales", SALES],
  ] as const) {
    it(`shows ${name} the API's figures, as a chart and a table in yuan`, async function () {
      const expected = await report(name);
      expect(expected.rows.length, "the demo year paid something").to.be.greaterThan(0);
      const p = await openPage(browser, stack.url);
      try {
        await signInAs(p, name);
        const menu = p.page.getByRole("navigation", { name: "menu" });
        await menu.getByRole("link", { name: words.link }).click();
        // A supplier's menu has no spend; the others' no sales.
        const other = words === SPEND ? SALES : SPEND;
        expect(await menu.getByRole("link", { name: other.link }).count()).to.equal(0);
        await p.page.getByRole("heading", { name: words.title }).waitFor();
        await p.page.getByRole("img", { name: words.chart }).waitFor();
        // The months' zone by the name a reader knows (the API gives Asia/Shanghai).
        expect(expected.timeZone).to.equal("Asia/Shanghai");
        await p.page.getByText(words.intro).waitFor();
        const table = p.page.getByRole("table", { name: words.title });
        expect(await table.locator("thead th").allInnerTexts()).to.deep.equal(words.headers);
        const rows = table.locator("tbody tr.ant-table-row");
        const cells: string[][] = [];
        for (let i = 0; i < (await rows.count()); i++)
          cells.push(await rows.nth(i).locator("td").allInnerTexts());
        expect(cells).to.deep.equal(
          expected.rows.map((r) => [
            r.month,
            bytes32Text(r.category),
            yuan(r.paid),
            yuan(r.penalties),
            String(r.settlements),
          ]),
        );
        await checkPage(p, shot);
      } finally {
        await p.close();
      }
    });
  }
});
