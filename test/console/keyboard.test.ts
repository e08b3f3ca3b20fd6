import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { Browser, Locator, Page } from "playwright-core";
import { checkPage, launchBrowser, openPage } from "./support/browser";
import { sharedDemoStack, type DemoStack } from "./support/stack";

/**
 * The console with the keyboard alone — Tab, Shift+Tab, Enter, Space and typing, never a click:
 * the regulator signs in, opens the reconciliation from the menu, filters it by a GTIN, downloads
 * its CSV and opens a flagged row's evidence.
 */
describe("console: keyboard only", function () {
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

  /**
   * Presses `key` (Tab, or Shift+Tab to go back) until `target` has the focus, as a person tabs
   * through the page; fails if it never comes, i.e. the element cannot be reached by keyboard.
   */
  async function focus(page: Page, target: Locator, key: "Tab" | "Shift+Tab" = "Tab"): Promise<void> {
    await target.waitFor();
    for (let presses = 0; presses < 150; presses++) {
      if ((await target.and(page.locator(":focus")).count()) === 1) return;
      await page.keyboard.press(key);
    }
    expect.fail(`${String(target)} is never focused by ${key}`);
  }

  it("filters the reconciliation, downloads its CSV and opens a row's evidence", async function () {
    const p = await openPage(browser, stack.url);
    const { page } = p;
    try {
      await focus(
        page,
        page.getByRole("button", { name: "Sign in as Provincial Medical Products Administration" }),
      );
      await page.keyboard.press("Enter");
      await page.getByTestId("who").waitFor();

      await focus(page, page.getByRole("link", { name: "Reconciliation", exact: true }));
      await page.keyboard.press("Enter");
      await page
        .getByRole("heading", { name: "Reconciliation: purchase vs receipt vs use", level: 1 })
        .waitFor();

      // A filter typed and applied with Enter. The unfiltered report is awaited first: while it
      // still loads there is no row of another GTIN, and the wait for that row to go would pass
      // before the filter applied.
      const table = page.getByRole("table", { name: "Reconciliation rows" });
      // Cardia's stents at Children's Hospital, lot CV2611 (its lot CV2612 has a row too).
      const otherGtin = table
        .getByRole("row")
        .filter({ hasText: "06940123000010" })
        .filter({ hasText: "CV2611" });
      await otherGtin.waitFor();
      await focus(page, page.getByRole("textbox", { name: "GTIN" }));
      await page.keyboard.type("09520123456788");
      await page.keyboard.press("Enter");
      await otherGtin.waitFor({ state: "detached" });
      const lots = await table.locator("tbody tr.ant-table-row td:nth-child(4)").allTextContents();
      // DES2612K: City General's consigned stents; DES2611N: its short-dated ones.
      expect(lots.sort()).to.deep.equal([
        "DES2611A",
        "DES2611A",
        "DES2611B",
        "DES2611C",
        "DES2611N",
        "DES2612K",
      ]);

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        focus(page, page.getByRole("button", { name: "Download CSV" })).then(() =>
          page.keyboard.press("Enter"),
        ),
      ]);
      const [header, ...rows] = readFileSync((await download.path())!, "utf8")
        .trimEnd()
        .split("\r\n");
      expect(header.split(",").slice(0, 3)).to.deep.equal(["hospital", "gtin", "lot"]);
      expect(rows.map((r) => r.split(",")[2]).sort()).to.deep.equal(lots.sort());

      // Back up the page to the phantom-use row and open it with Space.
      const phantom = table.getByRole("row").filter({ hasText: "DES2611C" });
      await focus(page, phantom.getByRole("button", { name: "Expand row" }), "Shift+Tab");
      await page.keyboard.press("Space");
      const evidence = table
        .locator(".ant-descriptions")
        .filter({ has: page.locator(".ant-descriptions-title", { hasText: "Phantom use" }) });
      await evidence.getByText("U-1006").waitFor();
      await checkPage(p, "keyboard-reconciliation");
    } finally {
      await p.close();
    }
  });
});
