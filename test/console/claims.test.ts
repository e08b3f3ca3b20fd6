import { expect } from "chai";
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import type { Locator, Page } from "playwright-core";
import type { ClaimsReport, ClaimsRisk } from "../../api/claims";
import type { ConsoleConfig, LedgerClock } from "../../api/console";
import { monthOf, yuan } from "../../console/src/lib/format";
import { en as reportText } from "../../console/src/pages/regulator/reports/messages";
import { GatewayClient } from "../../scripts/lib/gateway-client";
import { checkPage, openPage, signInAs, type ConsolePage } from "./support/browser";
import { demoSuite } from "./support/stack";

/**
 * The claim audit and the risk view on the demo year: the twelve months up to the ledger's now,
 * the cath lab's one two-stent case above DRG group FM19's 95th percentile, the cases by group
 * and month, no high-value item on a group that rarely uses it; and per hospital the money at
 * risk with its findings — each figure as the API gives it, to the regulator and to the
 * insurance fund's payer.
 */
describe("console: claim audit and risk view", function () {
  this.timeout(300_000);
  const REGULATOR = "Provincial Medical Products Administration";
  const PAYER = "Provincial Medical Insurance Fund";
  const suite = demoSuite(REGULATOR);

  /** The twelve months up to the ledger's now, as the pages choose them. */
  async function defaultMonths(client: GatewayClient): Promise<[string, string]> {
    const { timeZone } = await client.get<ConsoleConfig>("/v1/console/config");
    const { ledgerTime } = await client.get<LedgerClock>("/v1/console/clock");
    const now = Date.parse(ledgerTime);
    return [monthOf(now - 330 * 86_400_000, timeZone), monthOf(now, timeZone)];
  }

  /**
   * Waits until the page's month fields read the months it chose from the ledger's clock (React
   * mirrors a controlled input's value in its value attribute).
   */
  async function monthsChosen(page: Page, id: string, from: string, to: string): Promise<void> {
    await page.locator(`#${id}-from[value="${from}"]`).waitFor();
    await page.locator(`#${id}-to[value="${to}"]`).waitFor();
  }

  /** The CSV the page downloads is the API's, byte for byte, under the session's own token. */
  async function downloadMatches(page: Page, filename: string, path: string): Promise<string> {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).to.equal(filename);
    const file = readFileSync((await download.path())!, "utf8");
    const token = (await page.evaluate(
      `JSON.parse(sessionStorage.getItem("sunshine.session")).session.token`,
    )) as string;
    const api = await fetch(`${suite.stack.url}${path}`, {
      headers: { accept: "text/csv", authorization: `Bearer ${token}` },
    });
    expect(api.status).to.equal(200);
    expect(file).to.equal(await api.text());
    return file;
  }

  const cellsOf = async (row: Locator) => (await row.getByRole("cell").allInnerTexts()).map((c) => c.trim());

  /** The demo hospital's name by its address (the hospital's admin account carries it). */
  function hospitalName(address: string): string {
    const account = suite.stack.accounts.find((a) => a.address.toLowerCase() === address.toLowerCase());
    if (!account) throw new Error(`no demo account for hospital ${address}`);
    return account.name;
  }

  it("shows the outlier case, no rare high-value use and the cases by group as the API reports them", async function () {
    const [from, to] = await defaultMonths(suite.client);
    const report = await suite.client.get<ClaimsReport>(`/v1/claims?from=${from}&to=${to}`);
    expect(report.outliers, "the demo's one outlier").to.have.length(1);
    expect(report.rareHighValue, "the demo bills stents on FM19 cases only").to.deep.equal([]);
    expect([report.highValueFrom, report.rareUsePercent]).to.deep.equal([50_000, 5]);
    const [outlier] = report.outliers;

    const p = await openPage(suite.browser, suite.stack.url);
    try {
      await signInAs(p, REGULATOR);
      await p.page.getByRole("link", { name: "Claim audit" }).click();
      await monthsChosen(p.page, "claims", from, to);
      const rows = p.page
        .getByRole("table", { name: "Cases above their group's 95th percentile" })
        .getByRole("row");
      await rows.nth(1).getByText(outlier.caseId, { exact: true }).waitFor();
      expect(await rows.count()).to.equal(2);
      expect((await cellsOf(rows.nth(1))).slice(1)).to.deep.equal([
        outlier.caseId,
        "FM19",
        outlier.month,
        String(outlier.units),
        yuan(outlier.cost),
        yuan(outlier.groupP95),
      ]);

      const rare = p.page.getByRole("table", { name: "High-value items on groups that rarely use them" });
      await rare.getByText("No high-value item was billed on a group that rarely uses it.").waitFor();
      expect(
        await rare.getByRole("columnheader").allInnerTexts(),
        "hospital, case, group, month, item, units, billed, group's cases, cases with the item",
      ).to.deep.equal([
        "Hospital",
        "Case",
        "DRG/DIP group",
        "Month",
        "Item (GTIN or product key)",
        "Units",
        "Billed",
        "Group's cases",
        "Cases with the item",
      ]);
      await p.page
        .getByText(
          "Items billed at ¥500.00 a unit or more on a case of a group that has the item, at any price, on fewer than 5 % of its cases across every hospital. Only groups of 10 cases or more are judged.",
        )
        .waitFor();

      const groups = p.page.getByRole("table", { name: "Cases by group and month" }).getByRole("row");
      expect(await groups.count()).to.equal(report.groups.length + 1);
      await checkPage(p, "claims");

      const csv = await downloadMatches(
        p.page,
        `claims-${from}-${to}.csv`,
        `/v1/claims?from=${from}&to=${to}`,
      );
      const lines = csv.trimEnd().split("\r\n");
      // The header, each group row and the one outlier; no rare high-value row.
      expect(lines).to.have.length(1 + report.groups.length + 1);
      expect(lines.filter((l) => l.startsWith("rare-high-value,"))).to.deep.equal([]);
    } finally {
      await p.close();
    }
  });

  /**
   * The risk view the page shows, against the API's for the same months: each hospital's row in
   * order, and opened, each of its lines with the code in words.
   */
  async function riskViewMatches(p: ConsolePage, client: GatewayClient, shot: string): Promise<void> {
    const { page } = p;
    const [from, to] = await defaultMonths(client);
    const risk = await client.get<ClaimsRisk>(`/v1/claims/risk?from=${from}&to=${to}`);
    expect(risk.hospitals.length, "the demo year's flags and outlier").to.be.greaterThan(0);
    expect(
      risk.hospitals.flatMap((h) => h.lines.map((l) => l.code)),
      "the demo's one outlier case",
    ).to.include("CASE_COST_OUTLIER");

    await page
      .getByRole("navigation", { name: "menu" })
      .getByRole("link", { name: "Risk view", exact: true })
      .click();
    await page.getByRole("heading", { name: "Risk view: money at risk by hospital", level: 1 }).waitFor();
    await monthsChosen(page, "risk", from, to);
    const table = page.getByRole("table", { name: "Money at risk by hospital" });
    await table.getByText(yuan(risk.hospitals[0].total), { exact: true }).first().waitFor();
    // No row open yet: the header and one row per hospital.
    expect(await table.getByRole("row").count()).to.equal(risk.hospitals.length + 1);
    // Opened from the last up, so an opened row's lines never move the rows still to check.
    for (let i = risk.hospitals.length - 1; i >= 0; i--) {
      const h = risk.hospitals[i];
      const name = hospitalName(h.hospital);
      const row = table.getByRole("row").nth(i + 1);
      const [, hospital, ...figures] = await cellsOf(row);
      expect(hospital, `row ${i + 1}`).to.include(name);
      expect(figures, name).to.deep.equal([
        yuan(h.total),
        yuan(h.flaggedBilled),
        yuan(h.outlierExcess),
        yuan(h.rareHighValueBilled),
      ]);
      await row.getByRole("button", { name: "Expand row" }).click();
      const lines = page.getByRole("table", { name: `Findings at ${name}` }).getByRole("row");
      await lines.nth(h.lines.length).waitFor();
      expect(await lines.count(), name).to.equal(h.lines.length + 1);
      for (const [j, l] of h.lines.entries())
        expect(await cellsOf(lines.nth(j + 1)), `${name}: ${l.code}`).to.deep.equal([
          reportText[`reports.flag.${l.code}`],
          String(l.count),
          // The claim findings count cases, not usage records.
          l.code === "CASE_COST_OUTLIER" || l.code === "RARE_HIGH_VALUE" ? "—" : String(l.usages),
          String(l.units),
          yuan(l.amount),
        ]);
      // A usage under two flags (the demo's resold stent was never received by Children's, so is
      // phantom use too) is in both lines and once in the total: the table says so.
      const linesSum = h.lines.reduce((sum, l) => sum + BigInt(l.amount), 0n);
      const note = page
        .getByRole("table", { name: `Findings at ${name}` })
        .locator("xpath=ancestor::div[contains(@class,'ant-table-wrapper')][1]")
        .getByText("A usage under more than one flag is in each of their lines", { exact: false });
      expect(await note.count(), name).to.equal(linesSum > BigInt(h.total) ? 1 : 0);
    }
    expect(
      risk.hospitals.some((h) => h.lines.reduce((sum, l) => sum + BigInt(l.amount), 0n) > BigInt(h.total)),
      "a hospital with a usage under two flags",
    ).to.equal(true);
    await checkPage(p, shot);

    const csv = await downloadMatches(
      page,
      `claims-risk-${from}-${to}.csv`,
      `/v1/claims/risk?from=${from}&to=${to}`,
    );
    expect(csv.trimEnd().split("\r\n")).to.have.length(1 + risk.hospitals.flatMap((h) => h.lines).length);

    // The page's address answers on a reload.
    expect(new URL(page.url()).pathname).to.equal("/regulator/risk");
    await page.reload();
    await table.getByText(yuan(risk.hospitals[0].total), { exact: true }).first().waitFor();
  }

  it("shows the regulator the risk view as the API reports it", async function () {
    const p = await openPage(suite.browser, suite.stack.url);
    try {
      await signInAs(p, REGULATOR);
      await riskViewMatches(p, suite.client, "risk");
      // A month that is none: the page says so, asks nothing, and shows no endless loading.
      await p.page.locator("#risk-from").fill("2027-13");
      await p.page.getByText("Give two months as YYYY-MM, the first not after the second.").waitFor();
      expect(await p.page.getByRole("table", { name: "Money at risk by hospital" }).count()).to.equal(0);
      expect(await p.page.locator(".ant-spin").count()).to.equal(0);
    } finally {
      await p.close();
    }
  });

  it("gives the insurance fund's payer the risk view beside the claim audit, in Chinese too", async function () {
    const payer = new GatewayClient(suite.stack.url);
    expect((await payer.login(new Wallet(suite.stack.account(PAYER).privateKey))).roles).to.deep.equal([
      "payer",
    ]);
    const p = await openPage(suite.browser, suite.stack.url);
    const { page } = p;
    try {
      await signInAs(p, PAYER);
      const menu = page.getByRole("navigation", { name: "menu" }).getByRole("link");
      await menu.getByText("Risk view", { exact: true }).waitFor();
      const entries = await menu.allTextContents();
      expect(entries[entries.indexOf("Claim audit") + 1]).to.equal("Risk view");
      await riskViewMatches(p, payer, "risk-payer");

      // Ant Design spaces a two-character Chinese label: "中 文".
      await page.getByRole("button", { name: /^中\s?文$/ }).click();
      await page.getByRole("heading", { name: "风险视图：各医院涉及金额", level: 1 }).waitFor();
      await page.getByRole("columnheader", { name: "涉及金额合计" }).waitFor();
      await page.getByRole("table", { name: "各医院涉及金额" }).waitFor();
      await page
        .getByRole("navigation", { name: "menu" })
        .getByRole("link", { name: "医保病例审核", exact: true })
        .click();
      await page.getByText("没有低使用率病组使用高值耗材的情况。").waitFor();
      await checkPage(p, "claims-payer-zh");
    } finally {
      await p.close();
    }
  });
});
