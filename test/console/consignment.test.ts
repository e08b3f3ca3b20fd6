import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import type {
  ConsignedStockPage,
  ConsignmentMovementPage,
  ConsumptionBatch,
  ConsumptionBatchPage,
} from "../../api/consignment";
import type { ConsoleConfig } from "../../api/console";
import { devWallet } from "../../scripts/lib/anvil";
import { GatewayClient } from "../../scripts/lib/gateway-client";
import { ConsignmentBook__factory } from "../../typechain-types";
import { checkPage, chooseOption, openPage, signInAs } from "./support/browser";
import { demoSuite } from "./support/stack";

/**
 * The consignment payments page on the demo year: City General's 10 consigned stents read as
 * received 10, used 4 (paid ¥3,000.00 in one batch, with its transaction), returned 2, on hand 4;
 * approver 1 returns one more from the page (relayed): it leaves the shelf (3 on hand) and waits
 * for Acme, who sees the same stock and batch, confirms that return from the page and refuses
 * the next; a third, unanswered for 14 days, the approver confirms itself.
 */
describe("console: consignment payments", function () {
  this.timeout(300_000);
  const APPROVER_1 = "City General Hospital, approver 1";
  const ACME = "Acme Medical Devices";
  const suite = demoSuite(APPROVER_1);

  const stock = async () => (await suite.client.get<ConsignedStockPage>("/v1/consignment/stock")).items;

  async function consignmentBook() {
    const config = await suite.client.get<ConsoleConfig>("/v1/console/config");
    return ConsignmentBook__factory.connect(
      config.contracts.consignment,
      new JsonRpcProvider(suite.stack.rpcUrl),
    );
  }
  const approver = () =>
    new Wallet(suite.stack.account(APPROVER_1).privateKey, new JsonRpcProvider(suite.stack.rpcUrl));
  /** Every return movement's kind, units and reason, in chain order. */
  const returnMovements = async () =>
    (await suite.client.get<ConsignmentMovementPage>("/v1/consignment/movements?limit=500")).items
      .filter((m) => m.kind.startsWith("return"))
      .map((m) => [m.kind, m.units, m.reasonCode]);

  async function open(name: string) {
    const p = await openPage(suite.browser, suite.stack.url);
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
      const units = row.getByRole("spinbutton", {
        name: `Units to return from shipment ${before.shipmentId}`,
      });
      const give = row.getByRole("button", { name: "Return to supplier" });
      // More than is on hand is said wrong, not cut down to what is there.
      await units.fill("99");
      await units.blur();
      await row.getByText("Between 1 and 4 units", { exact: true }).waitFor();
      expect(await units.inputValue()).to.equal("99");
      expect(await give.isDisabled()).to.equal(true);
      await units.fill("1");
      // A return names its reason from the catalogue: nothing is chosen at first.
      expect(await give.isDisabled()).to.equal(true);
      await chooseOption(
        p.page,
        row.getByRole("combobox", { name: "Reason" }),
        "More on hand than the hospital uses (403)",
      );
      await give.click();
      // Asked first, naming the lot and the units: the units leave the shelf at once.
      await p.page
        .getByText(`Return 1 unit(s) of lot ${before.lot} (shipment ${before.shipmentId}) to the supplier?`, {
          exact: false,
        })
        .waitFor();
      await p.page.getByRole("button", { name: "Yes, do it" }).click();
      // Off the shelf at once; returned only once Acme confirms it has the unit. The figures still
      // add up to the 10 received: 4 used, 2 returned, 1 awaiting Acme, 3 on hand.
      await figure("onHand").getByText("3", { exact: true }).waitFor();
      await figure("pendingReturn").getByText("1", { exact: true }).waitFor();
      await row.getByText(/^1 unit\(s\) sent back, answer by \d{2}\/\d{2}\/\d{4}$/).waitFor();
      await figure("returned").getByText("2", { exact: true }).waitFor();
      // One return at a time: none can be made while this one waits; its own confirmation waits.
      expect(await row.getByRole("button", { name: "Return to supplier" }).count()).to.equal(0);
      expect(await row.getByRole("button", { name: "Confirm as returned" }).isDisabled()).to.equal(true);
      await checkPage(p, "consignment-returned");
    } finally {
      await p.close();
    }
    const book = await consignmentBook();
    const onChain = await book.stock(before.shipmentId);
    expect([onChain.returned, onChain.held]).to.deep.equal([2n, 3n * 75_000n]);
    expect((await book.pendingReturn(before.shipmentId)).units).to.equal(1n);
    // The demo year's return (overstocked, 403) and Acme's confirmation, then the page's.
    expect(await returnMovements()).to.deep.equal([
      ["return-requested", 2, 403],
      ["return-confirmed", 2, 403],
      ["return-requested", 1, 403],
    ]);
  });

  it("shows the supplier the same stock and batch; it confirms the hospital's return and refuses the next with a reason", async function () {
    const [consigned] = await stock();
    const book = await consignmentBook();
    const p = await open(ACME);
    try {
      await p.page.getByTestId("consignment-used").getByText("4", { exact: true }).waitFor();
      const batch = p.page.getByRole("table", { name: "Consumption batches" }).getByRole("row").nth(1);
      await batch.getByText("¥3,000.00", { exact: true }).waitFor();
      expect(await p.page.getByRole("button", { name: "Return to supplier" }).count()).to.equal(0);
      await checkPage(p, "consignment-supplier");

      const row = p.page.getByRole("table", { name: "Consigned stock" }).getByRole("row").nth(1);
      await row.getByRole("button", { name: "Confirm received" }).click();
      await p.page.getByTestId("consignment-returned").getByText("3", { exact: true }).waitFor();
      await row.getByText("—", { exact: true }).waitFor();

      // The hospital sends another back; Acme never got it.
      await (await book.connect(approver()).returnStock(consigned.shipmentId, 1, 403)).wait();
      await p.page.reload();
      const refuse = row.getByRole("button", { name: "Refuse the return" });
      await refuse.waitFor();
      expect(await refuse.isDisabled(), "a refusal names its reason").to.equal(true);
      await chooseOption(
        p.page,
        row.getByRole("combobox", { name: "Reason" }),
        "The returned units never arrived (411)",
      );
      await refuse.click();
      // Back on the shelf: on hand 3 again, payable on use.
      await row.getByText("—", { exact: true }).waitFor();
      await p.page.getByTestId("consignment-onHand").getByText("3", { exact: true }).waitFor();
    } finally {
      await p.close();
    }
    const onChain = await book.stock(consigned.shipmentId);
    expect([onChain.returned, onChain.held]).to.deep.equal([3n, 3n * 75_000n]);
    expect((await returnMovements()).slice(3)).to.deep.equal([
      ["return-confirmed", 1, 403],
      ["return-requested", 1, 403],
      ["return-refused", 1, 411],
    ]);
  });

  it("lets the approver confirm its own return once Acme's 14 days pass unanswered", async function () {
    const [consigned] = await stock();
    const book = await consignmentBook();
    await (await book.connect(approver()).returnStock(consigned.shipmentId, 1, 401)).wait();
    const provider = new JsonRpcProvider(suite.stack.rpcUrl);
    const p = await open(APPROVER_1);
    try {
      const row = p.page.getByRole("table", { name: "Consigned stock" }).getByRole("row").nth(1);
      const confirm = row.getByRole("button", { name: "Confirm as returned" });
      await confirm.waitFor();
      expect(await confirm.isDisabled(), "while Acme may still answer").to.equal(true);
      await provider.send("evm_increaseTime", [14 * 86_400]);
      await provider.send("evm_mine", []);
      await p.page.reload();
      await confirm.click();
      await p.page.getByTestId("consignment-returned").getByText("4", { exact: true }).waitFor();
    } finally {
      await p.close();
    }
    expect((await book.stock(consigned.shipmentId)).returned).to.equal(4n);
    expect((await returnMovements()).slice(-1)).to.deep.equal([["return-confirmed", 1, 401]]);
  });

  it("says in words, in English and Chinese, why the ledger refused a consumption batch", async function () {
    const config = await suite.client.get<ConsoleConfig>("/v1/console/config");
    const provider = new JsonRpcProvider(suite.stack.rpcUrl);
    // The ledger admin (dev wallet 0, the pauser) is not among the demo cast's sign-in accounts.
    const admin = devWallet(0, provider);
    const book = ConsignmentBook__factory.connect(config.contracts.consignment, admin);
    const [consigned] = await stock();
    const dock = new GatewayClient(suite.stack.url);
    await dock.login(new Wallet(suite.stack.account("City General Hospital, receiving dock").privateKey));
    await (await book.pause()).wait();
    try {
      // One more consigned stent used while the book is paused: its batch is refused (EnforcedPause).
      const usedAt = new Date((await provider.getBlock("latest"))!.timestamp * 1000).toISOString();
      await dock.post(
        "/v1/usages",
        {
          usageId: "U-K-PAUSED",
          gtin: consigned.gtin,
          lot: consigned.lot,
          serial: "K1-0010", // the demo's last consigned stent: it used K1-0001…K1-0004
          department: "Catheter lab",
          patientRef: "MRN-U-K-PAUSED",
          usedAt,
          billingCode: "C0401-DES-PCI",
          billedAmount: "75000",
        },
        { "idempotency-key": "U-K-PAUSED" },
      );
      let refused: ConsumptionBatch | undefined;
      for (const deadline = Date.now() + 60_000; !refused && Date.now() < deadline;) {
        const { items } = await suite.client.get<ConsumptionBatchPage>("/v1/consignment/batches?limit=500");
        refused = items.find((b) => b.status === "failed");
        if (!refused) await new Promise((r) => setTimeout(r, 250)); // the poll's interval
      }
      expect(refused).to.include({ errorName: "EnforcedPause", units: 1 });

      const p = await open(APPROVER_1);
      try {
        const row = p.page.getByRole("table", { name: "Consumption batches" }).getByRole("row").filter({
          hasText: "Refused",
        });
        // While the book stays paused the gateway cuts the usage again once per interval: a row each.
        await row
          .first()
          .getByText("Refused by the ledger: The contract is paused: this act waits until it is resumed.")
          .waitFor();
        await checkPage(p, "consignment-refused");
      } finally {
        await p.close();
      }
      const zh = await openPage(suite.browser, suite.stack.url, "zh-CN");
      try {
        await zh.page.getByRole("button", { name: `以 ${APPROVER_1} 身份登录`, exact: true }).click();
        await zh.page.getByRole("link", { name: "寄售" }).click();
        const row = zh.page
          .getByRole("table", { name: "消耗批次" })
          .getByRole("row")
          .filter({ hasText: "被拒绝" });
        await row.first().getByText("账本拒绝：该合约已暂停，此操作须待恢复后进行。").waitFor();
        await checkPage(zh, "consignment-refused-zh");
      } finally {
        await zh.close();
      }
    } finally {
      await (await book.unpause()).wait();
    }
  });
});
