import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import type { Browser } from "playwright-core";
import type { ConsoleConfig } from "../../api/console";
import { SettlementToken__factory, type SettlementToken } from "../../typechain-types";
import { yuan } from "../../console/src/lib/format";
import { checkPage, launchBrowser, openPage, signInAs, type ConsolePage } from "./support/browser";
import { sharedDemoStack, type DemoStack } from "./support/stack";

/**
 * Token allowances through the console's Allowances page, on the demo stack: the hospital
 * account (City General Hospital, a demo account of its own) sets the order book's allowance
 * its orders are funded from, and a supplier the tender house's for its bid bonds — each a
 * permit signed in the page and relayed by the gateway, without gas. The chain then holds
 * exactly the amount typed, in fen. The hospital account's other pages are visited too.
 */

const HOSPITAL = "City General Hospital";
const ACME = "Acme Medical Devices";
/** Not Delta: the browser-wallet test suspends it on the shared stack, and a suspended supplier acts no more. */
const BOREAL = "Boreal Orthopaedics";

describe("console: allowances", function () {
  this.timeout(300_000);
  let stack: DemoStack;
  let browser: Browser;
  let provider: JsonRpcProvider;
  let config: ConsoleConfig;
  let token: SettlementToken;

  before(async function () {
    stack = await sharedDemoStack();
    browser = await launchBrowser();
    provider = new JsonRpcProvider(stack.rpcUrl, undefined, { staticNetwork: true });
    config = (await (await fetch(`${stack.url}/v1/console/config`)).json()) as ConsoleConfig;
    token = SettlementToken__factory.connect(config.contracts.token, provider);
  });

  after(async function () {
    provider?.destroy();
    await browser?.close();
  });

  /** Opens a page from the menu and waits until it has loaded, with no error shown. */
  async function open(p: ConsolePage, menu: string, heading: string): Promise<void> {
    await p.page
      .getByRole("navigation", { name: "menu" })
      .getByRole("link", { name: menu, exact: true })
      .click();
    await p.page.getByRole("heading", { name: heading, level: 1 }).waitFor();
    await p.page.locator(".ant-spin-spinning").first().waitFor({ state: "detached" });
    expect(await p.page.locator(".ant-alert-error").count(), `an error on ${heading}`).to.equal(0);
  }

  /** Waits until the page shows `text` as the current allowance to `spender`; a refusal shown fails. */
  async function currentShows(p: ConsolePage, spender: "orderBook" | "tenders", text: string): Promise<void> {
    const refused = p.page.locator(".ant-alert-error");
    await Promise.race([
      p.page
        .getByTestId(`allowance-${spender}-current`)
        .getByText(text, { exact: true })
        .waitFor({ timeout: 120_000 }),
      refused.waitFor({ timeout: 120_000 }).then(async () => {
        throw new Error(`the page shows a refusal: ${await refused.textContent()}`);
      }),
    ]);
  }

  it("offers the hospital account as a demo sign-in; its menu's pages load for it", async function () {
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, HOSPITAL);
      expect(await p.page.getByTestId("who").textContent()).to.include("Hospital account");
      const menu = p.page.getByRole("navigation", { name: "menu" }).getByRole("link");
      // Each section's pages arrive with its chunk: the last one's link says the menu is whole.
      await menu.getByText("Replenishment", { exact: true }).waitFor();
      expect(await menu.allTextContents()).to.deep.equal([
        "Home",
        "Orders to approve",
        "Place an order",
        "Orders",
        "Exceptions",
        "Payments",
        "Commitments",
        "Fund accounts",
        "Fund statement",
        "Spend by category",
        "Department budgets",
        "Budgets on the ledger",
        "Allowances",
        "Members",
        "Consignment",
        "Stock across campuses",
        "Replenishment",
      ]);

      await open(p, "Orders to approve", "Orders to approve");
      await p.page.getByRole("table", { name: "Orders waiting for approval" }).waitFor();
      await checkPage(p, "hospital-admin-approvals");
      await open(p, "Place an order", "Place an order");
      await checkPage(p, "hospital-admin-place-order");
      await open(p, "Orders", "Orders");
      await p.page.getByRole("button", { name: "Shipments of order #2" }).waitFor();
      await checkPage(p, "hospital-admin-orders");
      await open(p, "Exceptions", "Exceptions");
      await checkPage(p, "hospital-admin-exceptions");
      await open(p, "Payments", "Payments");
      await p.page.getByRole("table", { name: "Payments" }).getByText("GR-0001").waitFor();
      await checkPage(p, "hospital-admin-payments");
      await open(p, "Commitments", "Our commitments");
      await p.page.getByRole("img", { name: /^Line chart of agreement #1/ }).waitFor();
      await checkPage(p, "hospital-admin-commitments");
      await open(p, "Spend by category", "Spend by category and month");
      await checkPage(p, "hospital-admin-spend");
    } finally {
      await p.close();
    }
  });

  it("the hospital account sets the order book's allowance by a relayed permit: the chain holds it in fen", async function () {
    const owner = stack.account(HOSPITAL).address;
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, HOSPITAL);
      await open(p, "Allowances", "Token allowances");
      const balance = await token.balanceOf(owner);
      await p.page.getByTestId("allowance-balance").getByText(yuan(balance), { exact: true }).waitFor();
      // The demo's enrolment gave the order book an unlimited allowance; a supplier's card is not offered.
      await currentShows(p, "orderBook", "Unlimited");
      expect(
        await p.page.getByRole("heading", { name: "Bid bond allowance (tender house)" }).count(),
      ).to.equal(0);
      await checkPage(p, "allowances-hospital");

      const field = p.page.getByLabel("New allowance (yuan)");
      const set = p.page.getByRole("button", { name: "Sign and set the allowance" });
      // More than two decimals is no amount: nothing is signed or sent.
      await field.fill("12.345");
      await set.click();
      await p.page
        .getByRole("alert")
        .getByText("Enter an amount in yuan with at most two decimals.")
        .waitFor();
      expect(await token.allowance(owner, config.contracts.orderBook)).to.equal(2n ** 256n - 1n);

      await field.fill("1,234,567.89");
      await set.click();
      await currentShows(p, "orderBook", "¥1,234,567.89");
      expect(await token.allowance(owner, config.contracts.orderBook)).to.equal(123_456_789n);
      // The hospital account paid no gas: the relayer sent the permit.
      expect(await provider.getTransactionCount(owner, "latest")).to.equal(
        await provider.getTransactionCount(owner, "pending"),
      );
      expect(p.errors).to.deep.equal([]);
    } finally {
      await p.close();
    }
  });

  it("a supplier sets its bid bond allowance to the tender house, in English and in Chinese", async function () {
    const acme = stack.account(ACME).address;
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, ACME);
      await open(p, "Allowances", "Token allowances");
      // The demo's bidders allowed exactly their bonds, which the tender house took.
      await currentShows(p, "tenders", "¥0.00");
      expect(
        await p.page.getByRole("heading", { name: "Order escrow allowance (order book)" }).count(),
      ).to.equal(0);
      await p.page.getByLabel("New allowance (yuan)").fill("5000");
      await p.page.getByRole("button", { name: "Sign and set the allowance" }).click();
      await currentShows(p, "tenders", "¥5,000.00");
      expect(await token.allowance(acme, config.contracts.tenders)).to.equal(500_000n);
      await checkPage(p, "allowances-supplier");
    } finally {
      await p.close();
    }

    const boreal = stack.account(BOREAL).address;
    const zh = await openPage(browser, stack.url, "zh-CN");
    try {
      await zh.page.getByRole("button", { name: `以 ${BOREAL} 身份登录`, exact: true }).click();
      await zh.page.getByTestId("who").waitFor();
      await open(zh, "授权额度", "代币授权额度");
      await zh.page.getByRole("heading", { name: "投标保证金授权额度（招标合约）" }).waitFor();
      await zh.page.getByLabel("新额度（元）").fill("250.50");
      await zh.page.getByRole("button", { name: "签署并设定额度" }).click();
      await currentShows(zh, "tenders", "¥250.50");
      expect(await token.allowance(boreal, config.contracts.tenders)).to.equal(25_050n);
      await checkPage(zh, "allowances-supplier-zh");
    } finally {
      await zh.close();
    }
  });
});
