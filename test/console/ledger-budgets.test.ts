import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import type { Locator } from "playwright-core";
import type { Budget, BudgetPage } from "../../api/budgets";
import type { ConsoleConfig } from "../../api/console";
import { bytes32Text, yuan } from "../../console/src/lib/format";
import { BudgetBook__factory } from "../../typechain-types";
import { checkPage, openPage, signInAs, type ConsolePage } from "./support/browser";
import { demoSuite } from "./support/stack";

/**
 * The hospital's budgets on the ledger, on the demo year: City General's knee budget reads as
 * GET /v1/budgets gives it, with the demo's +¥20,000.00 adjustment; approver 1 proposes another,
 * approver 2 confirms it, and the page and the chain show the new amount. A stack of its own: the
 * knee budget shows in the knee order's trail, which other files read.
 */
describe("console: budgets on the ledger", function () {
  this.timeout(300_000);
  const APPROVER_1 = "City General Hospital, approver 1";
  const APPROVER_2 = "City General Hospital, approver 2";
  const REASON = "Price change under a new agreement (303)";
  const suite = demoSuite(APPROVER_1);

  const knee = async (): Promise<Budget> =>
    (await suite.client.get<BudgetPage>("/v1/budgets")).items.find(
      (b) => bytes32Text(b.category) === "C1402-KNEE",
    )!;

  const budgetBook = async () =>
    BudgetBook__factory.connect(
      (await suite.client.get<ConsoleConfig>("/v1/console/config")).contracts.budgets,
      new JsonRpcProvider(suite.stack.rpcUrl),
    );

  async function openBudgets(name: string): Promise<{ p: ConsolePage; card: Locator }> {
    const p = await openPage(suite.browser, suite.stack.url);
    await signInAs(p, name);
    await p.page.getByRole("link", { name: "Budgets on the ledger" }).click();
    await p.page.getByRole("heading", { name: "Budgets on the ledger", level: 1 }).waitFor();
    const budget = await knee();
    return { p, card: p.page.getByTestId(`budget-C1402-KNEE-${budget.period}`) };
  }

  it("shows the knee budget as the API gives it; two approvers raise it, on the page and on chain", async function () {
    const before = await knee();
    expect(before.adjustments.map((a) => [a.status, a.delta, a.reasonCode])).to.deep.equal([
      ["applied", "2000000", 301],
    ]);
    const adjustments = `Adjustments of C1402-KNEE, ${before.period}`;

    const first = await openBudgets(APPROVER_1);
    try {
      const { card, p } = first;
      await card.getByRole("heading", { name: `C1402-KNEE, fiscal year ${before.period}` }).waitFor();
      expect(await card.getByTestId("budget-amount").textContent()).to.equal(yuan(before.amount));
      expect(await card.getByTestId("budget-spent").textContent()).to.equal(yuan(before.spent));
      expect(await card.getByTestId("budget-remaining").textContent()).to.equal(yuan(before.remaining));
      const demoRow = card.getByRole("table", { name: adjustments }).getByRole("row").nth(1);
      for (const text of [
        "Applied",
        "+¥20,000.00",
        yuan(before.adjustments[0].newAmount!),
        "Demand above plan",
      ])
        await demoRow.getByText(text, { exact: true }).waitFor();
      await checkPage(p, "ledger-budgets");

      await card.getByRole("textbox", { name: "Change (¥, negative to cut)" }).fill("5,000.50");
      await card.getByRole("combobox", { name: "Reason for the adjustment" }).click();
      await p.page.locator(".ant-select-item-option", { hasText: REASON }).click();
      await card.getByTitle(REASON).waitFor();
      await card.getByRole("button", { name: "Propose adjustment" }).click();
      const proposed = card.getByRole("table", { name: adjustments }).getByRole("row").nth(2);
      await proposed.getByText("Awaiting a second approver").waitFor();
      await proposed.getByText("+¥5,000.50", { exact: true }).waitFor();
      // The proposer may withdraw it, never confirm it.
      const id = (await knee()).adjustments[1].id;
      await proposed.getByRole("button", { name: `Withdraw adjustment ${id}` }).waitFor();
      expect(await proposed.getByRole("button", { name: `Confirm adjustment ${id}` }).count()).to.equal(0);
    } finally {
      await first.p.close();
    }

    const pending = await knee();
    expect(pending.adjustments[1]).to.include({ status: "proposed", delta: "500050", reasonCode: 303 });
    const raised = BigInt(before.amount) + 500050n;

    const second = await openBudgets(APPROVER_2);
    try {
      const { card, p } = second;
      await card.getByRole("button", { name: `Confirm adjustment ${pending.adjustments[1].id}` }).click();
      const row = card.getByRole("table", { name: adjustments }).getByRole("row").nth(2);
      await row.getByText("Applied", { exact: true }).waitFor();
      await row.getByText(yuan(raised), { exact: true }).waitFor();
      await card.getByTestId("budget-amount").getByText(yuan(raised), { exact: true }).waitFor();
      await checkPage(p, "ledger-budgets-confirmed");
    } finally {
      await second.p.close();
    }

    const onChain = await (await budgetBook()).budget(before.hospital, before.category, before.period);
    expect(onChain.amount).to.equal(raised);
    const after = await knee();
    expect(after.amount).to.equal(raised.toString());
    expect(after.adjustments[1]).to.include({ status: "applied", newAmount: raised.toString() });
    expect(after.adjustments[1].decidedBy!.toLowerCase()).to.equal(
      suite.stack.account(APPROVER_2).address.toLowerCase(),
    );
  });

  it("the hospital account sets next year's budget for a category of its agreements", async function () {
    const book = await budgetBook();
    const period = Number(await book.currentPeriod()) + 1;
    const hospital = suite.stack.account("City General Hospital");
    const p = await openPage(suite.browser, suite.stack.url);
    try {
      await signInAs(p, "City General Hospital");
      await p.page.getByRole("link", { name: "Budgets on the ledger" }).click();
      const form = p.page.getByRole("region", { name: "Set a budget" });
      await form.getByRole("combobox", { name: "Category" }).click();
      await p.page.locator(".ant-select-item-option", { hasText: /^C0401-DES$/ }).click();
      // The form's first guess is the ledger's year. The demo's chain runs months ahead of the
      // browser's clock, so late in a year (when this was written) the two years differ.
      await form.locator(`#ledger-budget-period[value="${period - 1}"]`).waitFor();
      await form.getByRole("spinbutton", { name: "Fiscal year" }).fill(String(period));
      await form.getByRole("textbox", { name: "Budget (¥)" }).fill("250,000");
      await form.getByRole("button", { name: "Set budget on the ledger" }).click();
      const card = p.page.getByTestId(`budget-C0401-DES-${period}`);
      await card.getByTestId("budget-amount").getByText("¥250,000.00", { exact: true }).waitFor();
      await card.getByTestId("budget-remaining").getByText("¥250,000.00", { exact: true }).waitFor();
      // Set once: the form says so rather than offer an act the ledger refuses.
      await form.getByText(`This category already has its budget for ${period}`, { exact: false }).waitFor();
      expect(await form.getByRole("button", { name: "Set budget on the ledger" }).isDisabled()).to.equal(
        true,
      );
      await checkPage(p, "ledger-budgets-set");
    } finally {
      await p.close();
    }
    const des = (await suite.client.get<BudgetPage>(`/v1/budgets?period=${period}`)).items;
    expect(des.map((b) => [bytes32Text(b.category), b.amount, b.spent])).to.deep.equal([
      ["C0401-DES", "25000000", "0"],
    ]);
    const onChain = await book.budget(hospital.address, des[0].category, period);
    expect([onChain.amount, onChain.set]).to.deep.equal([25_000_000n, true]);
  });
});
