import { decodeBytes32String } from "ethers";
import { short } from "../../lib/format";

/**
 * A bytes32 the ledger stores for a short text (a category code such as C0401-DES, a name) as
 * that text; one that is a hash (a code longer than 31 characters: ledger/acts.ts categoryCode)
 * as its short hex.
 */
export function bytes32Text(value: string): string {
  try {
    const text = decodeBytes32String(value);
    return text === "" ? short(value) : text;
  } catch {
    return short(value);
  }
}
