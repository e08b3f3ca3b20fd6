import { expect } from "chai";
import type { Browser } from "playwright-core";
import { ERROR_CATALOGUE } from "../../api/errors";
import { GATEWAY_SENTENCES_ZH } from "../../console/src/i18n/gateway-errors";
import { launchBrowser, openPage } from "./support/browser";
import { sharedDemoStack, type DemoStack } from "./support/stack";

/**
 * A gateway error that is not a refused ledger act, as a Chinese-speaking user reads it: a
 * sentence in Chinese for its code, with the code and the gateway's English message in small
 * print for support staff.
 */
describe("console: gateway errors in Chinese", function () {
  this.timeout(300_000);
  let stack: DemoStack;
  let browser: Browser;

  before(async function () {
    stack = await sharedDemoStack();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it("has a sentence for every code of the gateway's catalogue, and for no other", function () {
    const codes = Object.keys(GATEWAY_SENTENCES_ZH).filter((code) => code !== "NETWORK");
    expect(codes.sort()).to.deep.equal(Object.keys(ERROR_CATALOGUE).sort());
  });

  it("says in Chinese that the chain cannot be reached when sign-in meets CHAIN_UNAVAILABLE", async function () {
    const p = await openPage(browser, stack.url, "zh-CN");
    try {
      const message = "the chain RPC endpoint cannot be reached";
      await p.page.route("**/v1/auth/nonce", (route) =>
        route.fulfill({
          status: 503,
          contentType: "application/json",
          body: JSON.stringify({ error: "CHAIN_UNAVAILABLE", message }),
        }),
      );
      await p.page.getByRole("button", { name: "以 Acme Medical Devices 身份登录", exact: true }).click();
      const alert = p.page.getByRole("alert");
      await alert.getByText("暂时无法连接区块链节点，请稍后重试。", { exact: true }).waitFor();
      expect(await alert.getByTestId("error-detail").textContent()).to.equal(
        `CHAIN_UNAVAILABLE — ${message}`,
      );
      // The browser logged the planted 503; nothing else.
      expect(p.errors.filter((e) => !/503/.test(e))).to.deep.equal([]);
    } finally {
      await p.close();
    }
  });

  it("says in Chinese why a ledger act's button could not send it, with the code for support, and in English once switched", async function () {
    const p = await openPage(browser, stack.url, "zh-CN");
    try {
      const message = "the relayer's gas budget for today is spent";
      await p.page.route("**/v1/relay/prepare", (route) =>
        route.fulfill({
          status: 503,
          contentType: "application/json",
          body: JSON.stringify({ error: "RELAY_BUDGET_EXHAUSTED", message }),
        }),
      );
      await p.page
        .getByRole("button", { name: "以 City General Hospital, receiving dock 身份登录", exact: true })
        .click();
      await p.page.getByRole("link", { name: "院区库存共享" }).click();
      // The first suggested move's button: a relayed transfer on the ledger.
      await p.page.getByRole("table", { name: "调拨建议" }).getByRole("button").first().click();
      // The sentence, and the code below it in small print for support.
      const notice = p.page
        .locator(".ant-message-notice")
        .filter({ hasText: /^网关今日代付的手续费额度已用完，请明日再试。/ });
      await notice.waitFor();
      expect(await notice.getByTestId("act-error-code").textContent()).to.equal(
        "供技术支持参考：RELAY_BUDGET_EXHAUSTED",
      );
      // A colleague who reads English switches while the notice is open: it follows.
      await p.page.getByRole("button", { name: "English" }).click();
      const inEnglish = p.page.locator(".ant-message-notice").filter({ hasText: new RegExp(`^${message}`) });
      await inEnglish.waitFor();
      expect(await inEnglish.getByTestId("act-error-code").textContent()).to.equal(
        "For support: RELAY_BUDGET_EXHAUSTED",
      );
      expect(await p.page.locator(".ant-message-notice").filter({ hasText: "网关" }).count()).to.equal(0);
      expect(p.errors.filter((e) => !/503/.test(e))).to.deep.equal([]);
    } finally {
      await p.close();
    }
  });
});
