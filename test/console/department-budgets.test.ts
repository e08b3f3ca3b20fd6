import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { Wallet } from "ethers";
import { GatewayClient } from "../../scripts/lib/gateway-client";
import type { DepartmentBudgetsReport, OverspendReport } from "../../api/department-budgets";
import { bytes32Text, yuan } from "../../console/src/lib/format";
import { checkPage, launchBrowser, openPage, signInAs } from "./support/browser";
import { sharedDemoStack, type DemoStack } from "./support/stack";

/**
 * Department budgets on the demo year: City General's approver sees Interventional radiology
 * over its stent budget and Cardiology in warning, with the API's figures; opens the overspend
 * report of the cases behind it and downloads it as the API's CSV; sets a budget with the form.
 * Setting one changes nothing the other files on the shared stack read.
 */
describe("console: department budgets", function () {
  this.timeout(300_000);
  const APPROVER = "City General Hospital, approver 1";
  let stack: DemoStack;
  let browser: Browser;
  let client: GatewayClient;

  before(async function () {
    stack = await sharedDemoStack();
    browser = await launchBrowser();
    client = new GatewayClient(stack.url);
    await client.login(new Wallet(stack.account(APPROVER).privateKey));
  });

  after(async function () {
    await browser?.close();
  });

  it("shows the department over budget with the API's numbers, its overspend report and its CSV", async function () {
    const report = await client.get<DepartmentBudgetsReport>("/v1/department-budgets");
    const over = report.rows.find((r) => r.status === "over")!;
    const warning = report.rows.find((r) => r.status === "warning")!;
    expect([over.department, warning.department]).to.deep.equal(["Interventional radiology", "Cardiology"]);
    const cases = await client.get<OverspendReport>(
      `/v1/department-budgets/overspend?month=${over.month}&department=${encodeURIComponent(over.department)}&category=${over.category}`,
    );
    expect(cases.items.map((c) => c.usageId)).to.have.members(["U-1005", "U-1006"]);

    const p = await openPage(browser, stack.url);
    const { page } = p;
    try {
      await signInAs(p, APPROVER);
      await page.getByRole("link", { name: "Department budgets" }).click();
      await page.getByRole("heading", { name: "Department budgets", level: 1 }).waitFor();
      const table = page.getByRole("table", { name: "Department budgets" });
      const row = (department: string) =>
        table.locator("tbody tr.ant-table-row").filter({ hasText: department });
      for (const r of [over, warning]) {
        await row(r.department).waitFor();
        expect((await row(r.department).locator("td").allInnerTexts()).slice(0, 7)).to.deep.equal([
          r.department,
          bytes32Text(r.category),
          yuan(r.budget!),
          yuan(r.consumed),
          yuan(r.remaining!),
          `${r.percent!.toFixed(1)} %`,
          r.status === "over" ? "Over budget" : "Warning",
        ]);
      }
      await checkPage(p, "department-budgets");

      await page.getByRole("button", { name: `Cases of ${over.department}` }).click();
      const title = `Overspend report: ${over.department}, ${bytes32Text(over.category)}, ${over.month}`;
      await page.getByRole("heading", { name: title }).waitFor();
      await page
        .getByText(`Consumed ${yuan(over.consumed)} of a budget of ${yuan(over.budget!)}`, { exact: false })
        .waitFor();
      const caseRows = page.getByRole("table", { name: title }).locator("tbody tr.ant-table-row");
      await caseRows.first().waitFor();
      const shown: string[][] = [];
      for (let i = 0; i < (await caseRows.count()); i++) {
        const cells = await caseRows.nth(i).locator("td").allInnerTexts();
        shown.push([cells[0], cells[2], cells[3], cells[4], cells[6], cells[8]]);
      }
      expect(shown).to.deep.equal(
        cases.items.map((c) => [
          c.usageId,
          c.patientRefHashPrefix,
          c.gtin,
          c.lot,
          String(c.units),
          yuan(c.value),
        ]),
      );
      await checkPage(p, "department-budgets-overspend");

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download CSV" }).click(),
      ]);
      const file = readFileSync((await download.path())!, "utf8");
      const token = (await page.evaluate(
        `JSON.parse(sessionStorage.getItem("sunshine.session")).session.token`,
      )) as string;
      const csv = await fetch(
        `${stack.url}/v1/department-budgets/overspend?month=${over.month}&department=${encodeURIComponent(over.department)}&category=${over.category}&limit=500`,
        { headers: { accept: "text/csv", authorization: `Bearer ${token}` } },
      );
      expect(file).to.equal(await csv.text());
      expect(file.split("\r\n")[0]).to.equal(
        "usage_id,used_at,patient_hash_prefix,gtin,lot,serial,units,order_id,value_fen",
      );
    } finally {
      await p.close();
    }
  });

  it("sets a budget with the form; the table shows it with its status", async function () {
    const p = await openPage(browser, stack.url);
    const { page } = p;
    try {
      await signInAs(p, APPROVER);
      await page.getByRole("link", { name: "Department budgets" }).click();
      await page
        .getByRole("table", { name: "Department budgets" })
        .locator("tbody tr.ant-table-row")
        .first()
        .waitFor();
      await page.getByLabel("Department", { exact: true }).fill("Orthopaedics");
      await page.getByLabel("Category", { exact: true }).click();
      await page.locator(".ant-select-item-option", { hasText: /^C1402-KNEE$/ }).click();
      await page.getByLabel("Budget (¥)").fill("12,345.67");
      await page.getByRole("button", { name: "Set budget" }).click();
      await page.getByRole("status").filter({ hasText: "Orthopaedics: budget ¥12,345.67" }).waitFor();
      const row = page
        .getByRole("table", { name: "Department budgets" })
        .locator("tbody tr.ant-table-row")
        .filter({ hasText: "Orthopaedics" });
      await row.waitFor();
      expect((await row.locator("td").allInnerTexts()).slice(0, 7)).to.deep.equal([
        "Orthopaedics",
        "C1402-KNEE",
        "¥12,345.67",
        "¥0.00",
        "¥12,345.67",
        "0.0 %",
        "Within budget",
      ]);
      const api = await client.get<DepartmentBudgetsReport>("/v1/department-budgets?department=Orthopaedics");
      expect(api.rows.map((r) => [r.budget, r.status, r.setBy])).to.deep.equal([
        ["1234567", "ok", stack.account(APPROVER).address.toLowerCase()],
      ]);
      await checkPage(p, "department-budgets-set");
    } finally {
      await p.close();
    }
  });
});
