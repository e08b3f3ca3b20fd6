import { expect } from "chai";
import type { Browser } from "playwright-core";
import { short } from "../../console/src/lib/format";
import { checkPage, launchBrowser, openPage, signInAs } from "./support/browser";
import { sharedDemoStack, type DemoStack } from "./support/stack";

/**
 * Signing in to the console on the demo stack (`npm start`): the demo account picker of the
 * local chain, who is signed in with which roles, signing out, and the two languages.
 */
describe("console: sign-in", function () {
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

  it("offers the demo accounts, signs in as the regulator and shows who is signed in", async function () {
    const p = await openPage(browser, stack.url);
    try {
      await p.page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
      // The accounts come with the console's config, after the heading: wait for the list.
      await p.page
        .getByRole("button", { name: `Sign in as ${stack.accounts[0].name}`, exact: true })
        .waitFor();
      for (const a of stack.accounts) {
        expect(
          await p.page.getByRole("button", { name: `Sign in as ${a.name}`, exact: true }).count(),
          a.name,
        ).to.equal(1);
      }
      await checkPage(p, "sign-in");
      const regulator = stack.account("Provincial Medical Products Administration");
      await signInAs(p, regulator.name);
      const who = p.page.getByTestId("who");
      expect(await who.textContent()).to.include("Regulator");
      expect(await who.getAttribute("aria-label")).to.equal("Roles");
      // The address short in the welcome line, whole in its title and its copy button.
      const address = regulator.address.toLowerCase();
      const welcome = p.page.getByRole("heading", { level: 1, name: `Welcome, ${short(address)}` });
      await welcome.waitFor();
      expect(await welcome.locator(`[title="${address}"]`).textContent()).to.equal(short(address));
      await welcome.getByRole("button", { name: "Copy" }).waitFor();
      // The page fills the window from its very corner: no white frame of the browser's margin.
      const header = await p.page.getByRole("banner").boundingBox();
      expect([header?.x, header?.y]).to.deep.equal([0, 0]);
      await checkPage(p, "regulator-home");
    } finally {
      await p.close();
    }
  });

  it("keeps the session across a reload and ends it on sign-out", async function () {
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, "Acme Medical Devices");
      expect(await p.page.getByTestId("who").textContent()).to.include("Supplier");
      await p.page.reload();
      await p.page.getByTestId("who").waitFor();
      await p.page.getByRole("button", { name: "Sign out" }).click();
      await p.page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
      expect(await p.page.getByTestId("who").count()).to.equal(0);
      expect(p.errors).to.deep.equal([]);
    } finally {
      await p.close();
    }
  });

  it("speaks Chinese to a Chinese browser and switches to English", async function () {
    const p = await openPage(browser, stack.url, "zh-CN");
    try {
      await p.page.getByRole("heading", { name: "登录", level: 1 }).waitFor();
      expect(await p.page.locator("html").getAttribute("lang")).to.equal("zh-CN");
      await p.page
        .getByRole("button", { name: "以 Provincial Medical Products Administration 身份登录" })
        .click();
      expect(await p.page.getByTestId("who").textContent()).to.include("监管机构");
      // The home page itself, not its loading state, is what the screenshot and the checks see.
      await p.page.getByRole("heading", { name: /^欢迎，0x/, level: 1 }).waitFor();
      await checkPage(p, "regulator-home-zh");
      await p.page.getByRole("button", { name: "English" }).click();
      expect(await p.page.getByTestId("who").textContent()).to.include("Regulator");
      expect(await p.page.locator("html").getAttribute("lang")).to.equal("en");
    } finally {
      await p.close();
    }
  });
});
