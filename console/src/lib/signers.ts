import { BrowserProvider, Wallet, type Signer } from "ethers";

/**
 * Who signs: a browser wallet (EIP-1193: window.ethereum) for real users, or on a local
 * development chain one of the demo accounts, whose public development key signs in the page.
 * Either is an ethers Signer: sign-in signs a SIWE message, acts sign EIP-712 forward requests.
 */

interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

declare global {
  interface Window {
    ethereum?: Eip1193;
  }
}

export function hasBrowserWallet(): boolean {
  return window.ethereum !== undefined;
}

/** No wallet extension in this browser, and the session has no key of its own. */
export class NoBrowserWallet extends Error {
  constructor() {
    super("no browser wallet");
  }
}

/** The wallet's selected account, after it asked the user to connect. */
export async function browserWalletSigner(): Promise<Signer> {
  if (!window.ethereum) throw new NoBrowserWallet();
  return new BrowserProvider(window.ethereum).getSigner();
}

export function demoSigner(privateKey: string): Signer {
  return new Wallet(privateKey);
}
