import { expect } from "chai";
import type { Browser } from "playwright-core";
import { demoCast } from "../../scripts/lib/stack/accounts";
import { checkPage, launchBrowser, openPage, signInAs } from "./support/browser";
import { sharedDemoStack, type DemoStack } from "./support/stack";

/**
 * Parties by name and reasons in words, on the demo year: the suppliers' names as they
 * registered them on chain, the hospitals' as the demo published them to the gateway (checked
 * against the enrolled hash), each with its short address beside it and the whole one in its
 * title; and a recall's reason code (41) in the reader's language.
 */
describe("console: names and reasons", function () {
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

  /** The short form the console shows beside a name: 0x1234…abcd. */
  const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`.toLowerCase();

  it("names the hospital on a supplier's orders and the supplier on a hospital's", async function () {
    // The hospital account itself signs nothing in the console, so the demo offers no key for it.
    const general = demoCast()
      .find((m) => m.name === "City General Hospital")!
      .address.toLowerCase();
    const acme = stack.account("Acme Medical Devices").address.toLowerCase();

    const supplier = await openPage(browser, stack.url);
    try {
      await signInAs(supplier, "Acme Medical Devices");
      await supplier.page.getByRole("link", { name: "Orders and shipments" }).click();
      // The cell shows the address until the names arrive, then the name beside it.
      const hospital = supplier.page
        .getByTitle(general, { exact: true })
        .filter({ hasText: "City General Hospital" })
        .first();
      await hospital.waitFor();
      expect((await hospital.textContent())?.toLowerCase()).to.equal(
        `city general hospital ${short(general)}`,
      );
      await checkPage(supplier, "names-supplier-orders");
    } finally {
      await supplier.close();
    }

    const approver = await openPage(browser, stack.url);
    try {
      await signInAs(approver, "City General Hospital, approver 1");
      await approver.page.getByRole("link", { name: "Orders", exact: true }).click();
      const seller = approver.page
        .getByTitle(acme, { exact: true })
        .filter({ hasText: "Acme Medical Devices" })
        .first();
      await seller.waitFor();
      expect((await seller.textContent())?.toLowerCase()).to.equal(`acme medical devices ${short(acme)}`);
      await checkPage(approver, "names-hospital-orders");
    } finally {
      await approver.close();
    }
  });

  it("says why a lot was recalled in Chinese to a Chinese browser, with the hospitals by name", async function () {
    const p = await openPage(browser, stack.url, "zh-CN");
    try {
      await p.page
        .getByRole("button", { name: "以 Provincial Medical Products Administration 身份登录" })
        .click();
      await p.page.getByRole("link", { name: "召回影响" }).click();
      await p.page.getByLabel("GTIN").fill("06940123000010");
      await p.page.getByLabel("批号").fill("CV2611");
      await p.page.getByRole("button", { name: "查看影响" }).click();
      // scripts/demo.ts recalls Cardia's lot CV2611 with reason 41 and lifts it with 42.
      const recalls = p.page.getByRole("table", { name: "该批次的召回" });
      await recalls.getByText("现场安全通告", { exact: true }).waitFor();
      expect(await recalls.getByText("现场安全通告", { exact: true }).getAttribute("title")).to.equal(
        "原因 41",
      );
      const hospitals = p.page.getByRole("table", { name: "持有或使用该批次的医院" });
      await hospitals.getByText("Children's Hospital").waitFor();
      await checkPage(p, "names-recall-zh");
    } finally {
      await p.close();
    }
  });
});
