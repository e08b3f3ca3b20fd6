import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import {
  checkPage,
  launchBrowser,
  openPage,
  sidewaysOverflow,
  signInAs,
  type ConsolePage,
} from "./support/browser";
import { sharedDemoStack, type DemoStack } from "./support/stack";
import { productKeyOf } from "../../ledger/product-key";
import { MA_DEVICE_IDENTIFIER } from "../../scripts/demo-steps/udi";
import { CARDIA_GTIN } from "../../scripts/demo";
import type { ReconciliationReport } from "../../api/reconciliation";

const REGULATOR_NAME = "Provincial Medical Products Administration";

/** The labels the excursion test reads, in each language. */
const EXCURSION_TEXT = {
  en: {
    nav: "Reconciliation",
    table: "Reconciliation rows",
    flag: "Used after excursion",
    signIn: `Sign in as ${REGULATOR_NAME}`,
    expand: "Expand row",
    delivery: "Delivery with the excursion",
    at: "Temperature excursion at",
    usages: "Usages",
    tx: "Transaction",
  },
  zh: {
    nav: "购销存核对",
    table: "核对结果",
    flag: "温度偏离后使用",
    signIn: `以 ${REGULATOR_NAME} 身份登录`,
    expand: "展开行",
    delivery: "发生温度偏离的发货",
    at: "温度偏离时间",
    usages: "使用记录",
    tx: "交易",
  },
};

/**
 * The regulator's reports on the demo year: the reconciliation with its flags, their evidence
 * and its CSV (the file the page downloads is the API's CSV of the same page), recall exposure,
 * overdue payments and commitment fulfilment (with its CSV, the figures the table shows).
 */
describe("console: regulator reports", function () {
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

  it("shows the reconciliation's flags with their evidence and downloads its CSV", async function () {
    const p = await openPage(browser, stack.url);
    const { page } = p;
    try {
      await signInAs(p, REGULATOR_NAME);
      await page.getByRole("link", { name: "Reconciliation" }).click();
      await page
        .getByRole("heading", { name: "Reconciliation: purchase vs receipt vs use", level: 1 })
        .waitFor();
      await page.getByText(/^\d+ flags over all \d+ rows under these filters\.$/).waitFor();
      await page.getByTestId("flags-chart").locator("canvas").waitFor();
      const table = page.getByRole("table", { name: "Reconciliation rows" });
      // The demo's phantom use: a unit of the never-received lot DES2611C billed (usage U-1006).
      const phantom = table.getByRole("row").filter({ hasText: "DES2611C" });
      await phantom.getByText("Phantom use").waitFor();
      await phantom.getByRole("button", { name: "Expand row" }).click();
      const evidence = table
        .locator(".ant-descriptions")
        .filter({ has: page.locator(".ant-descriptions-title", { hasText: "Phantom use" }) });
      await evidence.waitFor();
      // Its records under their names, the transactions as short hashes.
      const field = (label: string) =>
        evidence.locator("tr").filter({ has: page.locator("th", { hasText: new RegExp(`^${label}$`) }) });
      expect(await field("Usages").locator("td").textContent()).to.include("U-1006");
      expect(await field("Units accepted").locator("td").textContent()).to.equal("0");
      // Nothing of that lot left City General: no send-out to check against.
      expect(await field("Units sent out of the hospital").locator("td").textContent()).to.equal("0");
      expect(await field("Transactions that sent them out").locator("td").textContent()).to.equal("—");
      expect(await field("Transactions").locator("td").textContent()).to.not.match(/0x[0-9a-f]{64}/);
      // The demo's markup: one stent of lot DES2611A billed at ¥900.00 (usage U-1004). Its
      // deliveries were settled at ¥750.00 a stent, the stents billed at that are not named.
      const markup = table
        .getByRole("row")
        .filter({ hasText: "DES2611A" })
        .filter({ hasText: "Price markup" });
      await markup.getByRole("button", { name: "Expand row" }).click();
      const markupEvidence = table
        .locator(".ant-descriptions")
        .filter({ has: page.locator(".ant-descriptions-title", { hasText: "Price markup" }) });
      const markupField = (label: string) =>
        markupEvidence
          .locator("tr")
          .filter({ has: page.locator("th", { hasText: new RegExp(`^${label}$`) }) });
      expect(await markupField("Usages").locator("td").textContent()).to.equal("U-1004");
      expect(await markupField("What those usages billed").locator("td").textContent()).to.equal(
        "usage U-1004: ¥900.00 billed for 1, ¥900.00 a unit",
      );
      const prices = await markupField("Prices the hospital paid for the lot")
        .locator("td span span")
        .allTextContents();
      expect(prices.length).to.be.greaterThan(0);
      for (const price of prices)
        expect(price).to.match(
          /^delivery \d+ of order \d+: \d+ units settled at ¥[0-9,.]+, ¥750\.00 a unit$/,
        );
      // The demo's resale: Children's used a stent of lot DES2611A that City General received.
      // The regulator sees who received it by name, not as a bare address.
      const resold = table.getByRole("row").filter({ hasText: "DES2611A" }).filter({ hasText: "Resold" });
      await resold.getByRole("button", { name: "Expand row" }).click();
      const resoldEvidence = table
        .locator(".ant-descriptions")
        .filter({ has: page.locator(".ant-descriptions-title", { hasText: "Resold" }) });
      const receivedBy = resoldEvidence
        .locator("tr")
        .filter({ has: page.locator("th", { hasText: /^Received by$/ }) })
        .locator("td");
      expect(await receivedBy.textContent()).to.match(/^City General Hospital 0x[0-9a-f]{4}…[0-9a-f]{4}$/);
      // The demo's consigned stents (lot DES2612K): 2 of them returned to Acme are sent out, not
      // on hand.
      const consigned = table.getByRole("row").filter({ hasText: "DES2612K" });
      await consigned.getByRole("button", { name: "Expand row" }).click();
      // The opened row's figures, in the table row that follows it.
      const figures = consigned
        .locator("xpath=following-sibling::tr[1]")
        .locator(".ant-descriptions")
        .first();
      const figure = async (label: string) =>
        Number(
          await figures
            .locator("th", { hasText: new RegExp(`^${label}$`) })
            .locator("xpath=following-sibling::td[1]")
            .textContent(),
        );
      expect(await figure("Sent out")).to.equal(2);
      expect(await figure("On hand")).to.equal(
        (await figure("Accepted")) - (await figure("Used")) + (await figure("Returned from use")) - 2,
      );
      // Every column, the actions too, fits a 1366-pixel screen with a row opened: nothing scrolls sideways.
      const overflow = await sidewaysOverflow(table);
      expect(overflow).to.equal(0);
      await phantom.getByRole("link", { name: "Recall exposure" }).waitFor();
      await checkPage(p, "reports-reconciliation");

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download CSV" }).click(),
      ]);
      expect(download.suggestedFilename()).to.equal("reconciliation.csv");
      const file = readFileSync((await download.path())!, "utf8");
      const [header, ...rows] = file.trimEnd().split("\r\n");
      expect(header).to.equal(
        "hospital,gtin,lot,expiry,ordered,shipped,accepted,rejected,used,returned,sent_out,billed_quantity,billed_amount,on_hand,flags,evidence",
      );
      // The whole report: the API's CSV pages, each after the first without its header row.
      let expected = "";
      for (let path: string | null = "/v1/reconciliation?limit=500"; path !== null;) {
        const page = await apiCsv(p, stack, path);
        expected += expected === "" ? page.text : page.text.slice(page.text.indexOf("\r\n") + 2);
        path = page.next;
      }
      expect(file).to.equal(expected);
      const shown = await table.locator("tbody tr.ant-table-row").count();
      expect(rows.length).to.be.at.least(shown);
      expect(rows.some((r) => r.includes("DES2611C") && r.includes("PHANTOM_USE"))).to.equal(true);
      await page.getByText("The CSV holds the whole report under these filters, every page.").waitFor();

      // The demo's MA-coded stents are known by their product key (19 digits): the filter takes it.
      const key = productKeyOf("MA", MA_DEVICE_IDENTIFIER);
      await page.getByRole("textbox", { name: "GTIN" }).fill(key);
      await page.getByRole("button", { name: "Apply filters" }).click();
      // The other items' rows go once the filtered page has come.
      await table
        .locator("tbody tr.ant-table-row")
        .filter({ hasNotText: key })
        .first()
        .waitFor({ state: "detached" });
      const lots = await table.locator("tbody tr.ant-table-row").allTextContents();
      expect(lots.length).to.be.greaterThan(0);
      expect(lots.some((row) => row.includes("MA2612A"))).to.equal(true);
      for (const row of lots) expect(row).to.include(key);
    } finally {
      await p.close();
    }
  });

  it("shows a use after a temperature excursion nobody waived with the API's evidence, in English and Chinese", async function () {
    for (const [locale, t] of [
      ["en-GB", EXCURSION_TEXT.en],
      ["zh-CN", EXCURSION_TEXT.zh],
    ] as const) {
      const p = await openPage(browser, stack.url, locale);
      const { page } = p;
      try {
        await page.getByRole("button", { name: t.signIn, exact: true }).click();
        await page.getByTestId("who").waitFor();
        const [flag] = (
          await apiJson<ReconciliationReport>(p, stack, `/v1/reconciliation?gtin=${CARDIA_GTIN}&lot=CV2612`)
        ).rows.flatMap((r) => r.flags);
        if (flag?.code !== "USED_AFTER_EXCURSION")
          expect.fail(`the demo's CV2612 flag: ${JSON.stringify(flag)}`);
        await page.getByRole("link", { name: t.nav, exact: true }).click();
        const table = page.getByRole("table", { name: t.table });
        const row = table.getByRole("row").filter({ hasText: "CV2612" }).filter({ hasText: t.flag });
        await row.getByRole("button", { name: t.expand }).click();
        const evidence = table
          .locator(".ant-descriptions")
          .filter({ has: page.locator(".ant-descriptions-title", { hasText: t.flag }) });
        const field = (label: string) =>
          evidence
            .locator("tr")
            .filter({ has: page.locator("th", { hasText: new RegExp(`^${label}$`) }) })
            .locator("td");
        expect(await field(t.delivery).textContent()).to.equal(flag.evidence.shipmentId);
        expect(await field(t.usages).textContent()).to.equal(flag.evidence.usageIds.join(""));
        // The excursion's time in the reader's format, its transaction as a short hash.
        expect(await field(t.at).textContent()).to.match(/\d/);
        expect(await field(t.tx).textContent()).to.equal(
          `${flag.evidence.txHash.slice(0, 6)}…${flag.evidence.txHash.slice(-4)}`,
        );
        await checkPage(p, `reports-excursion-${locale}`);
      } finally {
        await p.close();
      }
    }
  });

  it("shows a lot's recall exposure, the overdue payments and the commitments' fulfilment", async function () {
    const p = await openPage(browser, stack.url);
    const { page } = p;
    try {
      await signInAs(p, REGULATOR_NAME);
      await page.getByRole("link", { name: "Recall exposure" }).click();
      await page.getByLabel("GTIN").fill("06940123000010");
      await page.getByLabel("Lot").fill("CV2611");
      await page.getByRole("button", { name: "Show exposure" }).click();
      // The regulator's recall of Cardia's lot, lifted after the field safety review.
      const recalls = page.getByRole("table", { name: "Recalls of the lot" });
      await recalls.getByText("every supplier (regulator)").waitFor();
      await recalls.getByText(/^Lifted /).waitFor();
      // Made by a regulator, which no registry names: said so beside the address.
      expect(await recalls.getByRole("row").nth(1).getByRole("cell").nth(2).textContent()).to.match(
        /^Regulator0x[0-9a-f]{4}…[0-9a-f]{4}$/,
      );
      await page.getByText("No recall of this lot is in force.").waitFor();
      const hospitals = page.getByRole("table", { name: "Hospitals holding or using the lot" });
      await hospitals.getByRole("row").nth(1).waitFor();
      // Children's confirmed the delivery on the ledger and lodged no goods receipt here: its 18
      // accepted units show, and nothing counted at this gateway's receipt reads "—", not 0.
      const childrens = hospitals.getByRole("row").filter({ hasText: "Children's Hospital" });
      const values = await childrens.getByRole("cell").allTextContents();
      const headers = await hospitals.locator("thead th").allTextContents();
      const cell = (header: string) => values[headers.indexOf(header)];
      expect([cell("Counted at receipt"), cell("Accepted"), cell("Goods receipts")]).to.deep.equal([
        "—",
        "18",
        "—",
      ]);
      // Every hospital's figures, departments and receipts fit a 1366-pixel screen.
      expect(await sidewaysOverflow(hospitals)).to.equal(0);
      expect(await sidewaysOverflow(recalls)).to.equal(0);
      await checkPage(p, "reports-recalls");

      const show = async (gtin: string, lot: string) => {
        await page.getByRole("textbox", { name: "GTIN" }).fill(gtin);
        await page.getByRole("textbox", { name: "Lot" }).fill(lot);
        await page.getByRole("button", { name: "Show exposure" }).click();
        await page.locator(".ant-descriptions td", { hasText: new RegExp(`^${lot}$`) }).waitFor();
      };
      // A lot that was recalled says how much each department used after the recall.
      await show("09520123456788", "DES2611B");
      const general = hospitals.getByRole("row").filter({ hasText: "City General Hospital" });
      expect(await general.textContent()).to.match(/patients: 1\), 1 after recall/);
      // The demo's most used lot, never recalled: City General's three departments and five
      // goods receipts (one a line) still fit the screen, and "after recall" is not said.
      await show("09520123456788", "DES2611A");
      await general.waitFor();
      expect(await general.getByText(/^GR-\d{4}$/).count()).to.be.greaterThan(1);
      expect(await hospitals.textContent()).to.not.include("after recall");
      expect(await sidewaysOverflow(hospitals)).to.equal(0);
      // In Chinese too (Ant Design spaces a two-character label: "中 文").
      await page.getByRole("button", { name: /^中\s?文$/ }).click();
      const hospitalsZh = page.getByRole("table", { name: "持有或使用该批次的医院" });
      await hospitalsZh.getByRole("columnheader", { name: "入库清点数" }).waitFor();
      expect(await sidewaysOverflow(hospitalsZh)).to.equal(0);
      await checkPage(p, "reports-recalls-zh");
      await page.getByRole("button", { name: "English" }).click();

      const overdue = page.waitForResponse((r) => r.url().includes("/v1/payments/overdue?"));
      await page.getByRole("link", { name: "Overdue payments" }).click();
      await page.getByRole("heading", { name: "Overdue payments", level: 1 }).waitFor();
      expect((await overdue).status()).to.equal(200);
      // The demo year pays every accepted shipment or holds it as an exception: the table says so.
      await page
        .getByRole("table", { name: "Overdue payments" })
        .getByText("No accepted shipment has been unpaid for 30 days or more.")
        .waitFor();
      await checkPage(p, "reports-overdue");

      await page.getByRole("link", { name: "Commitment fulfilment" }).click();
      await page.getByRole("button", { name: "Fulfilment of agreement 1" }).click();
      const fulfilment = page.getByRole("table", { name: "Fulfilment by hospital" });
      // The stent tender committed City General, Children's and Riverside. Their last row first:
      // a loading table holds one row of its own (Ant Design's empty placeholder).
      await fulfilment.getByRole("row").nth(3).waitFor();
      expect(await fulfilment.getByRole("row").count()).to.equal(4);
      await checkPage(p, "reports-fulfilment");

      // Its CSV: the API's columns, one row per hospital with the figures the table shows.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download CSV" }).click(),
      ]);
      expect(download.suggestedFilename()).to.equal("fulfilment-1.csv");
      const [header, ...rows] = readFileSync((await download.path())!, "utf8")
        .trimEnd()
        .split("\r\n");
      expect(header).to.equal(
        "agreement_id,hospital,committed,ordered,accepted,ordered_percent,accepted_percent,remaining,end_at,days_remaining,per_day,per_30_days",
      );
      expect(rows).to.have.length(3);
      const first = fulfilment.getByRole("row").nth(1);
      const hospital = await first.locator("[title^='0x']").first().getAttribute("title");
      const cells = await first.getByRole("cell").allTextContents();
      const row = rows.map((r) => r.split(",")).find((r) => r[1] === hospital);
      expect(row, `a CSV row of ${hospital}`).to.not.equal(undefined);
      // agreement, hospital, committed, funded (with its %), accepted (with its %), remaining
      expect([row![0], row![2], row![7]]).to.deep.equal(["1", cells[1], cells[4]]);
      expect(cells[2]).to.equal(row![5] === "" ? row![3] : `${row![3]} (${row![5]}%)`);
      expect(cells[3]).to.equal(row![6] === "" ? row![4] : `${row![4]} (${row![6]}%)`);
    } finally {
      await p.close();
    }
  });
});

/** The API's JSON of `path`, asked with the page's own session. */
async function apiJson<T>(p: ConsolePage, stack: DemoStack, path: string): Promise<T> {
  const res = await fetch(`${stack.url}${path}`, {
    headers: { authorization: `Bearer ${await tokenOf(p)}` },
  });
  expect(res.status).to.equal(200);
  return (await res.json()) as T;
}

async function tokenOf(p: ConsolePage): Promise<string> {
  return (await p.page.evaluate(
    `JSON.parse(sessionStorage.getItem("sunshine.session")).session.token`,
  )) as string;
}

/** The API's CSV of `path`, asked with the page's own session. */
async function apiCsv(
  p: ConsolePage,
  stack: DemoStack,
  path: string,
): Promise<{ text: string; next: string | null }> {
  const res = await fetch(`${stack.url}${path}`, {
    headers: { accept: "text/csv", authorization: `Bearer ${await tokenOf(p)}` },
  });
  expect(res.status).to.equal(200);
  const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1] ?? null;
  return { text: await res.text(), next };
}
