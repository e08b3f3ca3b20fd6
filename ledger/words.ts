import { decodeBytes32String } from "ethers";

/**
 * A bytes32 that packs short text (names, category codes) as that text; otherwise the hex. Apart
 * from the trail's figures (ledger/trail/figures.ts), whose schemas the CLI need not load.
 */
export function label(word: unknown): string {
  const value = String(word);
  try {
    const text = decodeBytes32String(value);
    if (text.length > 0 && /^[\x20-\x7e]+$/.test(text)) return text;
  } catch {
    // not packed text: a hash
  }
  return value;
}
