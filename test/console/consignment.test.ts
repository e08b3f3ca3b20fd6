import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import type { Browser } from "playwright-core";
import type { ConsignedStockPage } from "../../api/consignment";
import type { ConsoleConfig } from "../../api/console";
import { GatewayClient } from "../../scripts/lib/gateway-client";
import { ConsignmentBook__factory } from "../../typechain-types";
import { checkPage, launchBrowser, openPage, signInAs } from "./support/browser";
import { startDemoStack, type DemoStack } from "./support/stack";

/**
 * The consignment payments page on the demo year: City General's 10 consigned stents read as
 * received 10, used 4 (paid ¥3,000.00 in one batch, with its transaction), returned 2, on hand 4;
 * approver 1 returns one more from the page (relayed) and the page and the chain show 3 on hand;
 * Acme sees the same stock and batch, with no return to make.
 */
describe("console: consignment payments", function () {
  this.timeout(300_000);
  const APPROVER_1 = "City General Hospital, approver 1";
  const ACME = "Acme Medical Devices";
  let stack: DemoStack;
  let browser: Browser;
  let client: GatewayClient;

  before(async function () {
    stack = await startDemoStack();
    browser = await launchBrowser();
    client = new GatewayClient(stack.url);
    await client.login(new Wallet(stack.account(APPROVER_1).privateKey));
  });

  after(async function () {
    await browser?.close();
    await stack?.stop();
  });

  const stock = async () => (await client.get<ConsignedStockPage>("/v1/consignment/stock")).items;

  async function open(name: string) {
    const p = await openPage(browser, stack.url);
    await signInAs(p, name);
    await p.page.getByRole("link", { name: "Consignment" }).click();
    await p.page.getByRole("heading", { name: "Consignment: paid on use", level: 1 }).waitFor();
    return p;
  }

  it("shows the hospital its consigned units and batches; an approver returns a unit from the page", async function () {
    const [before] = await stock();
    expect(before).to.include({ received: 10, used: 4, returned: 2, onHand: 4 });
    const p = await open(APPROVER_1);
    try {
      const figure = (key: string) => p.page.getByTestId(`consignment-${key}`);
      for (const [key, text] of [
        ["received", "10"],
        ["used", "4"],
        ["paid", "¥3,000.00"],
        ["returned", "2"],
        ["onHand", "4"],
        ["held", "¥3,000.00"],
      ])
        await figure(key).getByText(text, { exact: true }).waitFor();
      const batch = p.page.getByRole("table", { name: "Consumption batches" }).getByRole("row").nth(1);
      await batch.getByText("Paid", { exact: true }).waitFor();
      await batch.getByText("¥3,000.00", { exact: true }).waitFor();
      await checkPage(p, "consignment");

      const row = p.page.getByRole("table", { name: "Consigned stock" }).getByRole("row").nth(1);
      await row
        .getByRole("spinbutton", { name: `Units to return from shipment ${before.shipmentId}` })
        .fill("1");
      await row.getByRole("button", { name: "Return to supplier" }).click();
      await figure("onHand").getByText("3", { exact: true }).waitFor();
      await figure("returned").getByText("3", { exact: true }).waitFor();
      await checkPage(p, "consignment-returned");
    } finally {
      await p.close();
    }
    const config = await client.get<ConsoleConfig>("/v1/console/config");
    const book = ConsignmentBook__factory.connect(
      config.contracts.consignment,
      new JsonRpcProvider(stack.rpcUrl),
    );
    const onChain = await book.stock(before.shipmentId);
    expect([onChain.returned, onChain.held]).to.deep.equal([3n, 3n * 75_000n]);
  });

  it("shows the supplier the same stock and batch, with no return to make", async function () {
    const p = await open(ACME);
    try {
      await p.page.getByTestId("consignment-used").getByText("4", { exact: true }).waitFor();
      const batch = p.page.getByRole("table", { name: "Consumption batches" }).getByRole("row").nth(1);
      await batch.getByText("¥3,000.00", { exact: true }).waitFor();
      expect(await p.page.getByRole("button", { name: "Return to supplier" }).count()).to.equal(0);
      await checkPage(p, "consignment-supplier");
    } finally {
      await p.close();
    }
  });
});
