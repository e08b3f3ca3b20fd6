import { expect } from "chai";
import { ethers } from "ethers";
import type { Browser, Locator } from "playwright-core";
import type { ConsoleConfig } from "../../api/console";
import type { SupplierDocumentPage, SupplierSummary } from "../../api/suppliers";
import type { Trail, Verification } from "../../api/trail";
import { bytes32Text, short, yuan } from "../../console/src/lib/format";
import { DOCUMENT_STATUS, SUPPLIER_STATUS } from "../../ledger/enums";
import { SupplierRegistry__factory } from "../../typechain-types";
import {
  checkPage,
  expectOnScreen,
  launchBrowser,
  openPage,
  sidewaysOverflow,
  signInAs,
  type ConsolePage,
} from "./support/browser";
import { startDemoStack, type DemoStack } from "./support/stack";

/**
 * The regulator's console on the demo year: it verifies a lot's trail against the chain, reviews
 * a supplier's documents (attests one, rejects one with a reason picked by its label) and
 * reinstates the supplier the demo suspended — each through the page, with the ledger's state
 * checked after.
 */

const REGULATOR = "Provincial Medical Products Administration";
// scripts/demo.ts: Cardia ships lot CV2611 of its vascular stent; the regulator recalls it, then lifts the recall.
const CARDIA_GTIN = "06940123000010";
const CARDIA_LOT = "CV2611";

describe("console: regulator", function () {
  this.timeout(300_000);
  let stack: DemoStack;
  let browser: Browser;
  let config: ConsoleConfig;

  before(async function () {
    stack = await startDemoStack();
    browser = await launchBrowser();
    config = (await (await fetch(`${stack.url}/v1/console/config`)).json()) as ConsoleConfig;
  });

  after(async function () {
    await browser?.close();
    await stack?.stop();
  });

  /** The gateway's answer to `path` with the page's own session (to compare what the page shows). */
  async function apiGet<T>(p: ConsolePage, path: string): Promise<T> {
    const stored = (await p.page.evaluate(`sessionStorage.getItem("sunshine.session")`)) as string;
    const { session } = JSON.parse(stored) as { session: { token: string } };
    const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${session.token}` } });
    expect(res.status, path).to.equal(200);
    return (await res.json()) as T;
  }

  /** Opens the dialog's list of reasons and picks the one shown as `label`; the field then shows it. */
  async function pickReason(p: ConsolePage, dialog: Locator, label: string, field = "Reason"): Promise<void> {
    await dialog.getByRole("combobox", { name: field }).click();
    await p.page.locator(".ant-select-item-option", { hasText: label }).click();
    await dialog.getByTitle(label).waitFor();
    // The list closes with an animation; axe would judge it (a listbox without a name) while it shows.
    await p.page
      .locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)")
      .waitFor({ state: "hidden" });
  }

  const registry = () =>
    SupplierRegistry__factory.connect(config.contracts.registry, new ethers.JsonRpcProvider(stack.rpcUrl));

  it("verifies a lot's trail against the chain from its timeline", async function () {
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, REGULATOR);
      await p.page.getByRole("link", { name: "Trail explorer" }).click();
      await p.page.getByRole("heading", { name: "Trail explorer", level: 1 }).waitFor();
      await p.page.getByRole("radio", { name: "Lot" }).check();
      await p.page.getByRole("textbox", { name: "GTIN" }).fill(CARDIA_GTIN);
      await p.page.getByRole("textbox", { name: "Lot number" }).fill(CARDIA_LOT);
      await p.page.getByRole("button", { name: "Show the trail" }).click();

      const timeline = p.page.getByRole("region", { name: "Timeline of the trail" });
      await timeline.getByTestId("trail-step").first().waitFor();
      const steps = await timeline.getByTestId("trail-step").count();
      expect(await p.page.getByTestId("trail-steps").textContent()).to.equal(String(steps));
      // The recall and its lift are on the lot's timeline, each with its transaction and block.
      const recall = timeline.getByTestId("trail-step").filter({ hasText: "trace.LotRecalled" });
      expect(await recall.count()).to.be.greaterThan(0);
      expect(await recall.first().textContent()).to.match(/Transaction.*0x[0-9a-f]{4}….*Block\s*\d+/);
      // Each step's sentence is the console's, from the step's figures: accounts short, amounts in yuan.
      const trail = await apiGet<Trail>(p, `/v1/trail/lots/${CARDIA_GTIN}/${CARDIA_LOT}`);
      const recalled = trail.steps.find((s) => s.onChain?.event === "LotRecalled")!.data;
      // The demo's reason codes 41 and 42 (ledger/reasons.ts), in words.
      expect(recalled.reasonCode).to.equal(41);
      expect(await recall.first().locator("strong").first().textContent()).to.equal(
        `Lot ${CARDIA_LOT} of GTIN ${CARDIA_GTIN} recalled by ${short(String(recalled.by))} ` +
          `(reason: Field safety notice), covering every supplier's shipments`,
      );
      const settledStep = trail.steps.find((s) => s.onChain?.event === "ShipmentSettled")!;
      const settled = timeline
        .getByTestId("trail-step")
        .filter({ hasText: "orderBook.ShipmentSettled" })
        .first();
      expect(await settled.getByText("payment", { exact: true }).count()).to.equal(1);
      // The supplier by the name it registered on the ledger, its address short beside it.
      const payee = String(settledStep.data.supplier);
      const payeeName = bytes32Text((await apiGet<SupplierSummary>(p, `/v1/suppliers/${payee}`)).name);
      await settled.locator("strong").first().getByText(payeeName, { exact: false }).waitFor();
      expect(await settled.locator("strong").first().textContent()).to.include(
        `; ${yuan(String(settledStep.data.paid))} paid to ${payeeName} ${short(payee)} (gross `,
      );
      const lift = timeline.getByTestId("trail-step").filter({ hasText: "trace.RecallLifted" });
      expect(await lift.first().textContent()).to.include(
        "(reason: Field safety corrective action completed)",
      );
      await checkPage(p, "regulator-trail");

      await p.page.getByRole("button", { name: "Verify against the chain" }).click();
      await p.page.getByText("Verified: the chain confirms every step of this trail.").waitFor();
      const shown = {
        checked: await p.page.getByTestId("verify-checked").textContent(),
        figures: await p.page.getByTestId("verify-figures").textContent(),
        expected: await p.page.getByTestId("verify-expected").textContent(),
      };
      const verification = await apiGet<Verification>(
        p,
        `/v1/trail/lots/${CARDIA_GTIN}/${CARDIA_LOT}/verify`,
      );
      expect(verification.verified).to.equal(true);
      expect(verification.checked).to.be.greaterThan(0);
      expect(shown).to.deep.equal({
        checked: String(verification.checked),
        figures: String(verification.figures),
        expected: String(verification.expectedEvents),
      });
      await checkPage(p, "regulator-trail-verified");
    } finally {
      await p.close();
    }
  });

  it("words a mismatch in Chinese, naming the supplier it is about", async function () {
    const cardia = stack.account("Cardia Vascular").address;
    const zh = await openPage(browser, stack.url, "zh-CN");
    try {
      // A trail the chain contradicts is a tampered database; planted here as the gateway would answer it.
      await zh.page.route("**/verify", async (route) => {
        const real = (await (await route.fetch()).json()) as Verification;
        await route.fulfill({
          json: {
            ...real,
            verified: false,
            mismatches: [
              {
                step: "payment:1",
                field: "qualification",
                problem: `no qualification of ${cardia} stated here`,
                problemCode: "QUALIFICATION_NOT_STATED",
                supplier: cardia,
              },
            ],
          } satisfies Verification,
        });
      });
      await zh.page.getByRole("button", { name: `以 ${REGULATOR} 身份登录`, exact: true }).click();
      await zh.page.getByRole("link", { name: "追溯查询" }).click();
      const name = bytes32Text((await apiGet<SupplierSummary>(zh, `/v1/suppliers/${cardia}`)).name);
      await zh.page.getByRole("radio", { name: "批次" }).check();
      await zh.page.getByRole("textbox", { name: "GTIN" }).fill(CARDIA_GTIN);
      await zh.page.getByRole("textbox", { name: "批号" }).fill(CARDIA_LOT);
      await zh.page.getByRole("button", { name: "查看追溯链" }).click();
      await zh.page.getByRole("button", { name: "对照链上数据核验" }).click();
      await zh.page.getByText("核验未通过：与链上数据有 1 处不一致。").waitFor();
      const row = zh.page.getByTestId("verification").getByRole("row").filter({ hasText: "payment:1" });
      await row.getByText(name, { exact: false }).waitFor();
      expect(await row.innerText())
        .to.include(`追溯记录未载明 ${name}`)
        .and.include("在此处的资质");
      await checkPage(zh, "regulator-trail-mismatch-zh");
    } finally {
      await zh.close();
    }
  });

  it("attests one document and rejects another with a reason picked by its label", async function () {
    // The arrangement: Delta files two documents on chain (what the supplier's own page would do).
    const delta = stack.account("Delta Diagnostics");
    const provider = new ethers.JsonRpcProvider(stack.rpcUrl);
    const asDelta = registry().connect(
      new ethers.NonceManager(new ethers.Wallet(delta.privateKey, provider)),
    );
    const now = (await provider.getBlock("latest"))!.timestamp;
    const filed: string[] = [];
    for (const kind of [0, 1]) {
      const receipt = await (
        await asDelta.fileDocument(
          kind,
          ethers.id(`delta renewal ${kind}`),
          now - 86_400,
          now + 3 * 365 * 86_400,
          [ethers.encodeBytes32String("C0401-DES")],
        )
      ).wait();
      const log = receipt!.logs
        .map((l) => asDelta.interface.parseLog(l))
        .find((l) => l?.name === "DocumentFiled");
      filed.push(String(log!.args.documentId));
    }
    const [attested, rejected] = filed;

    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, REGULATOR);
      // The gateway's index catches up with the filings (a condition, polled).
      const deadline = Date.now() + 30_000;
      for (;;) {
        const page = await apiGet<SupplierDocumentPage>(p, `/v1/suppliers/${delta.address}/documents`);
        if (filed.every((id) => page.items.some((d) => d.id === id && d.status === "pending"))) break;
        expect(Date.now(), "the gateway indexed the filed documents").to.be.below(deadline);
        await new Promise((resolve) => setTimeout(resolve, 250)); // the poll's interval
      }
      await p.page.getByRole("link", { name: "Supplier registry" }).click();
      await p.page.getByRole("button", { name: "Documents of Delta Diagnostics" }).click();
      const drawer = p.page.getByRole("dialog", { name: "Qualification documents of Delta Diagnostics" });
      await drawer.getByTestId(`document-status-${rejected}`).waitFor();
      expect(await drawer.getByTestId(`document-status-${attested}`).textContent()).to.equal("pending");
      await checkPage(p, "regulator-documents");

      await drawer.getByRole("button", { name: `Attest document ${attested}` }).click();
      await drawer
        .getByTestId(`document-status-${attested}`)
        .getByText("attested", { exact: true })
        .waitFor();

      const rejectedRow = drawer.locator("tr", { has: p.page.getByTestId(`document-status-${rejected}`) });
      await drawer.getByRole("button", { name: `Reject document ${rejected}` }).click();
      const dialog = p.page.getByRole("dialog", { name: "Reject" });
      // No reason is chosen for the regulator: the act waits for one.
      const reject = dialog.getByRole("button", { name: "Reject", exact: true });
      expect(await reject.isDisabled()).to.equal(true);
      await pickReason(p, dialog, "Document expired or not yet in force (12)");
      await reject.click();
      await drawer
        .getByTestId(`document-status-${rejected}`)
        .getByText("rejected", { exact: true })
        .waitFor();
      expect(await rejectedRow.textContent()).to.include("Document expired or not yet in force");
      // Every column of a decided document, its record's copy buttons too, fits the drawer on a
      // 1366-pixel screen: nothing to scroll sideways for.
      expect(await sidewaysOverflow(drawer.getByRole("table"))).to.equal(0);
      const copies = rejectedRow.getByRole("button", { name: "Copy" });
      expect(await copies.count()).to.equal(3);
      await expectOnScreen(copies.last(), "the last copy button of a decided document");

      const onChainAttested = await registry().document(attested);
      const onChainRejected = await registry().document(rejected);
      expect(DOCUMENT_STATUS[Number(onChainAttested.status)]).to.equal("attested");
      expect(DOCUMENT_STATUS[Number(onChainRejected.status)]).to.equal("rejected");
      expect(onChainRejected.reasonCode).to.equal(12n);
    } finally {
      await p.close();
    }
  });

  it("tells a Chinese regulator an act whose transaction was dropped was not recorded; the supplier stays suspended", async function () {
    const cardia = stack.account("Cardia Vascular");
    const p = await openPage(browser, stack.url, "zh-CN");
    try {
      // The relay is answered with a transaction that no node or gateway holds, as when one was
      // lost and its deadline passed: the gateway's own GET /v1/relay/<tx> then says `dropped`.
      const lost = `0x${"ab".repeat(32)}`;
      await p.page.route("**/v1/relay", (route) =>
        route.request().method() === "POST"
          ? route.fulfill({ status: 202, json: { txHash: lost, signer: cardia.address, nonce: "0" } })
          : route.continue(),
      );
      const status = p.page.waitForResponse((r) => r.url().endsWith(`/v1/relay/${lost}`));
      await p.page.getByRole("button", { name: `以 ${REGULATOR} 身份登录`, exact: true }).click();
      await p.page.getByTestId("who").waitFor();
      await p.page.getByRole("link", { name: "供应商名录" }).click();
      await p.page.getByRole("button", { name: "恢复 Cardia Vascular" }).click();
      const dialog = p.page.getByRole("dialog", { name: "恢复" });
      await pickReason(p, dialog, "整改已完成并经核实 (25)", "原因");
      // Ant Design spaces out a button's two Chinese characters ("恢 复").
      await dialog.getByRole("button", { name: /^恢\s?复$/ }).click();
      expect(await (await status).json()).to.include({ txHash: lost, status: "dropped" });
      await p.page.getByText("未记录：交易在进入区块前被丢弃，账本没有任何变化，请重新操作。").waitFor();
      await checkPage(p, "regulator-act-dropped-zh");
      expect(SUPPLIER_STATUS[Number(await registry().supplierStatus(cardia.address))]).to.equal("suspended");
    } finally {
      await p.close();
    }
  });

  it("reinstates the supplier the demo suspended", async function () {
    const cardia = stack.account("Cardia Vascular");
    expect(SUPPLIER_STATUS[Number(await registry().supplierStatus(cardia.address))]).to.equal("suspended");
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, REGULATOR);
      await p.page.getByRole("link", { name: "Supplier registry" }).click();
      const status = p.page.getByTestId(`supplier-status-${cardia.address.toLowerCase()}`);
      expect(await status.textContent()).to.equal("Suspended");
      const row = p.page.locator("tr", { has: status });
      // The demo suspended Cardia with reason 7.
      expect(await row.textContent()).to.include("Product safety investigation under way");
      await checkPage(p, "regulator-suppliers");

      await p.page.getByRole("button", { name: "Reinstate Cardia Vascular" }).click();
      const dialog = p.page.getByRole("dialog", { name: "Reinstate" });
      await pickReason(p, dialog, "Corrective action completed and verified (25)");
      await checkPage(p, "regulator-reinstate-dialog");
      await dialog.getByRole("button", { name: "Reinstate", exact: true }).click();
      await status.getByText("Active", { exact: true }).waitFor();
      expect(await row.textContent()).to.include("Corrective action completed and verified");

      expect(SUPPLIER_STATUS[Number(await registry().supplierStatus(cardia.address))]).to.equal("active");
      const listed = await apiGet<SupplierSummary>(p, `/v1/suppliers/${cardia.address}`);
      expect({ status: listed.status, statusReason: listed.statusReason }).to.deep.equal({
        status: "active",
        statusReason: 25,
      });
    } finally {
      await p.close();
    }
  });

  it("shows a tender's terms, its revealed bids and its award", async function () {
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, REGULATOR);
      await p.page.getByRole("link", { name: "Tenders and awards" }).click();
      await p.page.getByRole("button", { name: "Details of tender 1" }).waitFor();
      await checkPage(p, "regulator-tenders");
      await p.page.getByRole("button", { name: "Details of tender 1" }).click();
      const drawer = p.page.getByRole("dialog", { name: "Tender 1" });
      const bids = drawer.getByRole("table", { name: "Bids" });
      await bids.getByText("won", { exact: true }).first().waitFor();
      const award = drawer.getByRole("table", { name: "Award: the agreements" });
      await award.locator("tbody tr.ant-table-row").first().waitFor();
      // The demo's stent tender awards two winners: Acme and Cardia (scripts/demo.ts); Delta loses.
      expect(await bids.getByText("won", { exact: true }).count()).to.equal(2);
      expect(await award.locator("tbody tr.ant-table-row").count()).to.equal(2);
      expect(await drawer.textContent()).to.include("¥");
      await checkPage(p, "regulator-tender");
    } finally {
      await p.close();
    }
  });
});
