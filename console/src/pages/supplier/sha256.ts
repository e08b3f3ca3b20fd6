import { hexlify, sha256 } from "ethers";

/**
 * The SHA-256 of a file, in this browser: the document itself never leaves the supplier's
 * machine, only its digest goes to the ledger. Web Crypto where the page is a secure context,
 * else ethers' own implementation (same digest).
 */
export async function fileSha256(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (globalThis.crypto?.subtle) return hexlify(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
  return sha256(bytes);
}
