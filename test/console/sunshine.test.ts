import { expect } from "chai";
import type { SunshineAwardPage, SunshinePrices, SunshineScorecards } from "../../api/sunshine";
import { GatewayClient } from "../../scripts/lib/gateway-client";
import { checkPage, openPage } from "./support/browser";
import { demoSuite } from "./support/stack";

/** 0.75 → "¥0.75", 75000 → "¥750.00": the page's yuan, from fen. */
const yuan = (fen: string) =>
  `¥${(Number(fen) / 100).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/**
 * The public sunshine page on the demo year, with nobody signed in: every award the API lists,
 * with its winner, tier prices and transaction; every item's prices per hospital with the flag
 * the API gives; and no department or patient anywhere on it.
 */
describe("console: sunshine prices (public)", function () {
  this.timeout(300_000);
  const suite = demoSuite("Provincial Medical Products Administration");
  const anonymous = () => new GatewayClient(suite.stack.url);

  it("shows every award and each hospital's paid and billed prices without a sign-in", async function () {
    const awards = (await anonymous().get<SunshineAwardPage>("/v1/sunshine/awards?limit=100")).items;
    const prices = await anonymous().get<SunshinePrices>("/v1/sunshine/prices");
    expect(awards.length, "the demo year's awards").to.be.greaterThan(0);
    expect(prices.items.length, "the demo year's settled items").to.be.greaterThan(0);

    const p = await openPage(suite.browser, suite.stack.url);
    try {
      // From the sign-in page, by its link: nobody signs in.
      await p.page.getByRole("link", { name: "Sunshine prices (public)" }).click();
      await p.page.getByRole("heading", { name: "Sunshine prices", level: 1 }).waitFor();
      const table = p.page.getByRole("table", { name: "Awards" });
      // The last award's row first: a run under load once counted one row before the rest were
      // drawn (a loading table holds Ant Design's empty placeholder row).
      await table
        .getByRole("row")
        .nth(awards.length)
        .getByText(awards[awards.length - 1].supplierName, { exact: true })
        .waitFor();
      expect(await table.getByRole("row").count()).to.equal(awards.length + 1);
      for (const [i, award] of awards.entries()) {
        const row = table.getByRole("row").nth(i + 1);
        await row.getByText(award.supplierName, { exact: true }).waitFor();
        const [first] = award.tiers;
        await row
          .getByText(`from ${first.threshold} units: ${yuan(first.unitPrice)}`, { exact: true })
          .waitFor();
        expect(
          await row.getByTitle(award.awardTx).count(),
          `award ${award.agreementId}'s transaction`,
        ).to.equal(1);
      }
      for (const item of prices.items) {
        const rows = p.page
          .getByRole("table", { name: `${item.gtin} · ${item.categoryName}` })
          .getByRole("row");
        expect(await rows.count()).to.equal(item.hospitals.length + 1);
        for (const [i, h] of item.hospitals.entries()) {
          const cells = (
            await rows
              .nth(i + 1)
              .getByRole("cell")
              .allInnerTexts()
          ).map((c) => c.trim());
          expect(cells.slice(1, 4)).to.deep.equal([
            h.acceptedUnits,
            yuan(h.paidPerUnit),
            h.billedPerUnit === null ? "—" : yuan(h.billedPerUnit),
          ]);
        }
      }
      const { items: scores } = await anonymous().get<SunshineScorecards>("/v1/sunshine/scorecards");
      const scoreRows = p.page.getByRole("table", { name: "Supplier scorecards" }).getByRole("row");
      expect(await scoreRows.count()).to.equal(scores.length + 1);
      for (const [i, c] of scores.entries()) {
        const cells = (
          await scoreRows
            .nth(i + 1)
            .getByRole("cell")
            .allInnerTexts()
        ).map((x) => x.trim());
        expect(cells).to.deep.equal([
          c.supplierName,
          { active: "Active", suspended: "Suspended", none: "Not registered" }[c.supplierStatus],
          String(c.deliveries),
          c.onTimePercent === null ? "—" : `${c.onTimePercent} %`,
          String(c.shortDeliveries),
          String(c.overDeliveries),
          String(c.excursions),
          String(c.recalls),
          String(c.suspensions),
          String(c.documentLapses),
          c.medianDaysToPayment === null ? "—" : String(c.medianDaysToPayment),
        ]);
      }
      // The demo year's planted problems show on their supplier's card.
      const cardia = scores.find((c) => c.supplierName === "Cardia Vascular")!;
      expect([cardia.supplierStatus, cardia.suspensions, cardia.recalls]).to.deep.equal(["suspended", 1, 1]);
      const flags = await p.page.getByText("Price differs across hospitals", { exact: true }).count();
      expect(flags).to.equal(prices.items.filter((i) => i.flagged).length);
      // Public: no department of the demo year's usages, no patient reference.
      expect(await p.page.locator("body").innerText()).to.not.match(/Catheter lab|Cardiology|MRN-/);
      await checkPage(p, "sunshine");
    } finally {
      await p.close();
    }
  });

  it("speaks Chinese to a Chinese browser, opened by its address", async function () {
    const zh = await openPage(suite.browser, suite.stack.url, "zh-CN");
    try {
      await zh.page.goto(`${suite.stack.url}/sunshine`);
      await zh.page.getByRole("heading", { name: "阳光价格", level: 1 }).waitFor();
      await zh.page.getByRole("table", { name: "中选结果" }).getByRole("row").nth(1).waitFor();
      await checkPage(zh, "sunshine-zh");
    } finally {
      await zh.close();
    }
  });
});
