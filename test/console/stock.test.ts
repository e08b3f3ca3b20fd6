import { expect } from "chai";
import type { HolderPage, SuggestionPage } from "../../api/stock";
import { EAST_CAMPUS, MAIN_CAMPUS } from "../../scripts/demo-steps/campuses";
import { checkPage, openPage, sidewaysOverflow, signInAs } from "./support/browser";
import { demoSuite } from "./support/stack";

/**
 * The stock-sharing view on the demo year: City General's receiving dock sees who holds its
 * stents per campus and lot (as GET /v1/stock/holders gives them), is kept from moving more than
 * a campus holds, and records a transfer to the east campus on the ledger; the page and the
 * gateway then show the units at the east campus. In Chinese, the suggested moves name the
 * campuses and state their figures in Chinese.
 */
describe("console: stock across campuses", function () {
  this.timeout(300_000);
  const DOCK = "City General Hospital, receiving dock";
  const STENTS = "09520123456788";
  /** A location that is none of City General's campuses (the stents' supplier's, say). */
  const SUPPLIER_GLN = "6954321000017";
  const suite = demoSuite(DOCK);

  const holders = async () =>
    (await suite.client.get<HolderPage>(`/v1/stock/holders?gtin=${STENTS}&limit=500`)).items;
  const onHand = (list: HolderPage["items"], campus: string, lot: string) =>
    Number(list.find((h) => h.campus === campus && h.lot === lot)?.onHand ?? 0);

  it("shows who holds the stents, refuses to move more than a campus holds, and records a transfer", async function () {
    const before = await holders();
    const mainA = onHand(before, MAIN_CAMPUS, "DES2611A");
    const eastA = onHand(before, EAST_CAMPUS, "DES2611A");
    expect(mainA).to.be.above(2);
    // The demo moved 8 there, used them, and covered the shortage that followed from the main campus.
    expect(eastA).to.be.above(0);

    const p = await openPage(suite.browser, suite.stack.url);
    try {
      await signInAs(p, DOCK);
      await p.page.getByRole("link", { name: "Stock across campuses" }).click();
      await p.page.getByRole("heading", { name: "Stock across campuses", level: 1 }).waitFor();
      const table = p.page.getByRole("table", { name: "Who holds it" });
      const eastRow = table.getByRole("row").filter({ hasText: "City General East campus" });
      await eastRow.getByText("DES2611A").waitFor();
      await eastRow.getByText(String(eastA), { exact: true }).waitFor();
      const mainRow = table.getByRole("row").filter({ hasText: "City General Main campus" }).filter({
        hasText: "DES2611A",
      });
      await mainRow.getByText(String(mainA), { exact: true }).waitFor();
      // Acme's recall of lot DES2611B is in force: its units are listed, marked not for use, and
      // the page says why the suggestions and replenishment leave them out.
      const recalledRow = table.getByRole("row").filter({ hasText: "DES2611B" });
      await recalledRow.getByText("recalled: not for use").waitFor();
      expect(await mainRow.getByText("recalled: not for use").count()).to.equal(0);
      await p.page.getByText("A recalled lot is not for use", { exact: false }).waitFor();
      await checkPage(p, "stock");

      const form = p.page.getByRole("region", { name: "Record a transfer" });
      await form.getByRole("combobox", { name: "From · Lot" }).click();
      await p.page
        .locator(".ant-select-item-option", { hasText: `City General Main campus · DES2611A` })
        .click();
      // The destination is picked by name among the other campuses; a typed GLN that is none of
      // them is said to leave the hospital's stock before anything is recorded.
      const to = form.getByRole("combobox", { name: "To (a campus, or a GLN)" });
      await to.fill(SUPPLIER_GLN);
      await form.getByText(`${SUPPLIER_GLN} is not one of your campuses`, { exact: false }).waitFor();
      await to.fill("campus");
      const options = p.page.locator(".ant-select-item-option:visible");
      await options.filter({ hasText: "City General East campus" }).waitFor();
      expect(await options.allInnerTexts()).to.deep.equal([`City General East campus (${EAST_CAMPUS})`]);
      await options.first().click();
      await form.getByText("To City General East campus", { exact: true }).waitFor();
      expect(await to.inputValue()).to.equal(EAST_CAMPUS);
      const quantity = form.getByRole("spinbutton", { name: "Units" });
      await quantity.fill(String(mainA + 1));
      await form.getByText(`City General Main campus holds ${mainA} unit(s) of this lot`).waitFor();
      const submit = form.getByRole("button", { name: "Record transfer on the ledger" });
      expect(await submit.isDisabled()).to.equal(true);
      // Asked for less motion (as every test page is), nothing slides or fades in: Ant Design's
      // motion classes (…-appear, …-enter, …-leave) never appear on the page.
      await p.page.evaluate(`
        window.motionSeen = [];
        new MutationObserver((changes) => {
          for (const c of changes)
            for (const el of c.type === "attributes" ? [c.target] : c.addedNodes)
              for (const name of el.classList ?? [])
                if (/-(appear|enter|leave)$/.test(name)) window.motionSeen.push(name);
        }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
      `);
      await quantity.fill("2");
      await submit.click();
      await p.page.locator(".ant-message-notice").first().waitFor();
      await eastRow.getByText(String(eastA + 2), { exact: true }).waitFor();
      expect(await p.page.evaluate("window.motionSeen")).to.deep.equal([]);
      await checkPage(p, "stock-transferred");
    } finally {
      await p.close();
    }

    const after = await holders();
    expect(onHand(after, EAST_CAMPUS, "DES2611A")).to.equal(eastA + 2);
    expect(onHand(after, MAIN_CAMPUS, "DES2611A")).to.equal(mainA - 2);
  });

  it("states the suggested moves' figures in Chinese, naming the campuses", async function () {
    const { items } = await suite.client.get<SuggestionPage>(
      `/v1/stock/suggestions?gtin=${STENTS}&limit=500`,
    );
    const s = items[0];
    expect(s, "the demo year leaves a suggested move of the stents").to.not.equal(undefined);
    expect([s.fromName, s.toName]).to.not.include(null);
    const reason =
      s.kind === "near-expiry"
        ? `${s.expiresInDays} 天后到期；${s.fromName} 日均用量 ${s.fromPerDay} 件，到期时将剩余 ${s.unused} 件未用；${s.toName} 日均用量 ${s.toPerDay} 件`
        : `${s.toName} 在库 ${s.toHolds} 件，不足其 ${s.coverDays} 天用量 ${s.toNeeds} 件（日均 ${s.toPerDay} 件）；${s.fromName} 库存超出自身所需`;

    const zh = await openPage(suite.browser, suite.stack.url, "zh-CN");
    try {
      await zh.page.getByRole("button", { name: `以 ${DOCK} 身份登录`, exact: true }).click();
      await zh.page.getByRole("link", { name: "院区库存共享" }).click();
      const row = zh.page
        .getByRole("table", { name: "调拨建议" })
        .getByRole("row")
        .filter({ hasText: s.lot });
      await row.getByText(reason, { exact: true }).first().waitFor();
      await row.getByText(String(s.fromName), { exact: true }).first().waitFor();
      // The campuses by name, not by GLN.
      const text = await row.first().innerText();
      expect(text).to.not.include(s.from);
      expect(text).to.not.include(s.to);
      // The move button stays in view on a 1366-pixel screen: the table does not scroll sideways.
      const overflow = await sidewaysOverflow(zh.page.getByRole("table", { name: "调拨建议" }));
      expect(overflow).to.equal(0);
      await row
        .getByRole("button", { name: `调拨批号 ${s.lot} 共 ${s.quantity} 件` })
        .first()
        .waitFor();
      await checkPage(zh, "stock-suggestions-zh");
    } finally {
      await zh.close();
    }
  });
});
