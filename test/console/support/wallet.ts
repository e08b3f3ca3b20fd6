import { getBytes, Wallet, type TypedDataField } from "ethers";
import type { BrowserContext } from "playwright-core";

/**
 * A browser wallet for the tests: an EIP-1193 provider injected as `window.ethereum` before the
 * console loads, whose requests are answered in Node by `wallet` — as an extension would, with
 * the same methods the console's ethers BrowserProvider calls (accounts, chain id, personal_sign
 * for Sign-In with Ethereum, eth_signTypedData_v4 for relayed acts). The test's own key signs;
 * nothing in the page ever sees it.
 */
export async function injectWallet(
  context: BrowserContext,
  wallet: Wallet,
  chainId: number,
): Promise<string[]> {
  const calls: string[] = [];
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
      default:
        throw new Error(`the test wallet does not answer ${method}`);
    }
  });
  await context.addInitScript(`window.ethereum = {
    request: ({ method, params }) => window.__walletRequest(method, params ?? []),
    on() {},
    removeListener() {},
  };`);
  return calls;
}
