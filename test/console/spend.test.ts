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
 * GET /v1/payments/spend says — everyone's for the regulator, its own for a hospital.
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

  for (const [name, shot] of [
    ["Provincial Medical Products Administration", "regulator-spend"],
    ["City General Hospital, approver 1", "hospital-spend"],
  ] as const) {
    it(`shows ${name} the API's figures, as a chart and a table in yuan`, async function () {
      const expected = await report(name);
      expect(expected.rows.length, "the demo year paid something").to.be.greaterThan(0);
      const p = await openPage(browser, stack.url);
      try {
        await signInAs(p, name);
        await p.page.getByRole("link", { name: "Spend by category" }).click();
        await p.page.getByRole("heading", { name: "Spend by category and month" }).waitFor();
        await p.page.getByRole("img", { name: "Paid per month, stacked by category" }).waitFor();
        // The months' zone by the name a reader knows (the API gives Asia/Shanghai).
        expect(expected.timeZone).to.equal("Asia/Shanghai");
        await p.page.getByText("by product category and month (China Standard Time).").waitFor();
        const table = p.page.getByRole("table", { name: "Spend by category and month" });
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
