import { AbiCoder, keccak256 } from "ethers";
import { ISSUING_AGENCIES, type IssuingAgency } from "./enums";

/**
 * A device identifier that is not a GTIN is known on the ledger by a product key: a uint64 of at
 * least 10^14, so it can never be a GTIN-14 (those are below 10^14), derived from the agency and
 * the identifier exactly as SupplierRegistry.productKeyOf derives it. Anyone can compute it; it
 * names a product only once a supplier declared the identifier on the ledger.
 */
export const PRODUCT_KEY_MIN = 10n ** 14n;
/** A ledger product number as text: a GTIN-14, or a product key (15 to 20 digits). */
export const PRODUCT_NUMBER_PATTERN = "^([0-9]{14}|[1-9][0-9]{14,19})$";
const KEY_SPAN = 2n ** 64n - PRODUCT_KEY_MIN;

export function productKeyOf(agency: IssuingAgency, deviceIdentifier: string): string {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["uint8", "string"],
    [ISSUING_AGENCIES.indexOf(agency), deviceIdentifier],
  );
  return String((BigInt(keccak256(encoded)) % KEY_SPAN) + PRODUCT_KEY_MIN);
}

/** Whether text is a product key: a decimal number from 10^14 to 2^64 − 1, no leading zero. */
export function isProductKey(text: string): boolean {
  return /^[1-9][0-9]{14,19}$/.test(text) && BigInt(text) < 2n ** 64n;
}

/** The longest product number, a product key's 20 digits: what a form's product field takes. */
export const PRODUCT_NUMBER_MAX_LENGTH = 20;

/**
 * Whether text has the form of a ledger product number: 14 digits (a GTIN-14, whose check digit
 * the gateway or the chain checks and names), or a product key.
 */
export function isProductNumber(text: string): boolean {
  return /^[0-9]{14}$/.test(text) || isProductKey(text);
}
