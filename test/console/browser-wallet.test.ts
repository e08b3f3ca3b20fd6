import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import type { ConsoleConfig } from "../../api/console";
import type { Browser } from "playwright-core";
import { SUPPLIER_STATUS } from "../../ledger/enums";
import { SupplierRegistry__factory } from "../../typechain-types";
import { checkPage, launchBrowser } from "./support/browser";
import { sharedDemoStack, type DemoStack } from "./support/stack";
import { openWalletPage } from "./support/wallet";

/**
 * Signing in and acting with a browser wallet (EIP-1193), as a user off the demo chain would:
 * the console asks the wallet for the account, has it sign the SIWE message and then the
 * relayed act's EIP-712 forward request. The wallet holds the regulator's key.
 */
describe("console: a browser wallet", function () {
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

  it("signs in and suspends a supplier, each signature the wallet's", async function () {
    const regulator = new Wallet(stack.account("Provincial Medical Products Administration").privateKey);
    const delta = stack.account("Delta Diagnostics");
    const p = await openWalletPage(browser, stack.url, regulator.privateKey, stack.rpcUrl);
    const { page, walletCalls: calls } = p;
    try {
      await page.getByRole("button", { name: "Sign in with a browser wallet" }).click();
      const who = page.getByTestId("who");
      await who.waitFor();
      expect(await who.textContent()).to.include("Regulator");
      expect(calls).to.include("personal_sign");

      await page.getByRole("link", { name: "Supplier registry" }).click();
      const status = page.getByTestId(`supplier-status-${delta.address.toLowerCase()}`);
      await status.getByText("Active", { exact: true }).waitFor();
      await page.getByRole("button", { name: "Suspend Delta Diagnostics" }).click();
      const dialog = page.getByRole("dialog", { name: "Suspend" });
      await dialog.getByRole("combobox", { name: "Reason" }).click();
      await page.locator(".ant-select-item-option", { hasText: "Licence revoked or lapsed (21)" }).click();
      await dialog.getByRole("button", { name: "Suspend", exact: true }).click();
      await status.getByText("Suspended", { exact: true }).waitFor();
      expect(calls).to.include("eth_signTypedData_v4");

      const config = (await (await fetch(`${stack.url}/v1/console/config`)).json()) as ConsoleConfig;
      const registry = SupplierRegistry__factory.connect(
        config.contracts.registry,
        new JsonRpcProvider(stack.rpcUrl),
      );
      expect(SUPPLIER_STATUS[Number(await registry.supplierStatus(delta.address))]).to.equal("suspended");
      const [suspension] = await registry.queryFilter(registry.filters.SupplierSuspended(delta.address));
      expect(suspension.args.reasonCode).to.equal(21n);
      await checkPage(p, "wallet-regulator-suppliers");
    } finally {
      await p.close();
    }
  });
});
