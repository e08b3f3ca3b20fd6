import { getBytes, Wallet, type TypedDataField } from "ethers";
import { HeadroomProvider } from "../../../ledger/gas";
import type { Browser, BrowserContext } from "playwright-core";
import { CONTEXT, type ConsolePage } from "./browser";

/**
 * A browser wallet for the tests: an EIP-1193 provider injected as `window.ethereum` before the
 * console loads, whose requests are answered in Node by `wallet` — as an extension would, with
 * the same methods the console's ethers BrowserProvider calls (accounts, chain id, personal_sign
 * for Sign-In with Ethereum, eth_signTypedData_v4 for relayed acts, eth_sendTransaction for the
 * wallet's own transactions) and every read passed on to the chain at `rpcUrl`. The test's own
 * key signs; nothing in the page ever sees it.
 */
export async function injectWallet(
  context: BrowserContext,
  wallet: Wallet,
  chainId: number,
  rpcUrl: string,
): Promise<string[]> {
  const calls: string[] = [];
  // A wallet adds a margin to the node's gas estimate, as this one does (ledger/gas.ts).
  const provider = new HeadroomProvider(rpcUrl, chainId, { staticNetwork: true, pollingInterval: 100 });
  const sender = wallet.connect(provider);
  await context.exposeFunction("__walletRequest", async (method: string, params: unknown[]) => {
    calls.push(method);
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [wallet.address];
      case "eth_chainId":
        return `0x${chainId.toString(16)}`;
      case "personal_sign":
        return wallet.signMessage(getBytes(params[0] as string));
      case "eth_signTypedData_v4": {
        const typed = JSON.parse(params[1] as string) as {
          domain: Record<string, unknown>;
          types: Record<string, TypedDataField[]>;
          message: Record<string, unknown>;
        };
        // ethers derives the domain's type itself.
        const { EIP712Domain: _domain, ...types } = typed.types;
        return wallet.signTypedData(typed.domain, types, typed.message);
      }
      case "eth_sendTransaction": {
        const tx = params[0] as { to: string; data?: string; value?: string; gas?: string };
        const sent = await sender.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value,
          gasLimit: tx.gas,
        });
        return sent.hash;
      }
      default:
        return provider.send(method, params);
    }
  });
  await context.addInitScript(`window.ethereum = {
    request: ({ method, params }) => window.__walletRequest(method, params ?? []),
    on() {},
    removeListener() {},
  };`);
  return calls;
}

/** A page of its own whose browser holds a wallet with `privateKey`, recording console errors. */
export async function openWalletPage(
  browser: Browser,
  url: string,
  privateKey: string,
  rpcUrl: string,
): Promise<ConsolePage & { walletCalls: string[] }> {
  const context = await browser.newContext({ ...CONTEXT, locale: "en-GB" });
  const walletCalls = await injectWallet(context, new Wallet(privateKey), 31337, rpcUrl);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`${e.name}: ${e.message}`));
  await page.goto(url);
  return { page, errors, walletCalls, close: () => context.close() };
}
