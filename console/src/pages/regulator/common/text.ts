import { decodeBytes32String } from "ethers";

/**
 * A bytes32 the ledger holds as text where it can (names, registration ids and short category
 * codes are encodeBytes32String); a longer category is its hash (ledger/acts.ts categoryCode),
 * which has no text: it reads as the hex.
 */
export function bytes32Text(hex: string): string {
  try {
    return decodeBytes32String(hex) || hex;
  } catch {
    return hex;
  }
}
