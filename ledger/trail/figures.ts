import { ZeroAddress } from "ethers";
import { PRODUCT_NUMBER_PATTERN } from "../product-key";
import { Type } from "typebox";
import { DOCUMENT_KINDS } from "../enums";
import { HOSPITAL_ROLES } from "../roles";
import type { JsonValue } from "../events";

/**
 * The canonical form in which a trail states an event's figures, so that the gateway (from its
 * database) and a verifier (from the chain's logs) write every figure the same way and can compare
 * them as text: amounts, units and ids as decimal strings; addresses and hashes lower-case hex;
 * times ISO-8601 UTC; GTINs 14 digits; enums by name; small counts, windows (seconds), role bits
 * and reason codes as JSON numbers; struct arguments flattened into their fields.
 *
 * Each conversion below turns a decoded log argument (ledger/events.ts: uints as decimal strings,
 * hex lower-case) into that form; each schema describes a figure written in it.
 */

/** An event's figures, or an off-chain step's data: field name → canonical value. */
export type Figures = Record<string, JsonValue>;

// ---------------------------------------------------------------------------------------------------
// Schemas of the canonical values
// ---------------------------------------------------------------------------------------------------

export const DecimalFigure = Type.String({ pattern: "^[0-9]+$", description: "a uint as a decimal string" });
export const SignedDecimalFigure = Type.String({
  pattern: "^-?[0-9]+$",
  description: "an int as a decimal string",
});
export const AccountFigure = Type.String({
  pattern: "^0x[0-9a-fA-F]{40}$",
  description: "an account, lower-case hex",
});
export const WordFigure = Type.String({
  pattern: "^0x[0-9a-fA-F]{64}$",
  description: "a bytes32, lower-case hex",
});
export const TimeFigure = Type.String({ format: "date-time", description: "ISO-8601, UTC" });
export const GtinFigure = Type.String({
  pattern: PRODUCT_NUMBER_PATTERN,
  description: "GTIN-14, or the product key (15 to 20 digits, ≥ 10^14) of another agency's device identifier",
});
export const LotFigure = Type.String({ description: "the lot number as the supplier declared it" });
/** Small counts, windows in seconds, role bits and reason codes. */
export const SmallFigure = Type.Integer({ minimum: 0 });

/** A tier of a bid or an agreement: the unit price from `threshold` accepted units on. */
export const TierFigure = Type.Object(
  { threshold: DecimalFigure, unitPrice: DecimalFigure },
  { additionalProperties: false },
);

/** A hospital's committed volume in a tender or an agreement. */
export const HospitalVolumeFigure = Type.Object(
  { hospital: AccountFigure, volume: DecimalFigure },
  { additionalProperties: false },
);

// ---------------------------------------------------------------------------------------------------
// Conversions of decoded log arguments
// ---------------------------------------------------------------------------------------------------

export const dec = (v: JsonValue | undefined): string => String(v);
export const hex = (v: JsonValue | undefined): string => String(v).toLowerCase();
export const int = (v: JsonValue | undefined): number => Number(v);
export const time = (v: JsonValue | undefined): string => new Date(Number(v) * 1000).toISOString();
export const gtin14 = (v: JsonValue | undefined): string => String(v).padStart(14, "0");
export const obj = (v: JsonValue | undefined): Record<string, JsonValue> =>
  (v ?? {}) as Record<string, JsonValue>;
export const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
export const tiers = (v: JsonValue | undefined): { threshold: string; unitPrice: string }[] =>
  list(v).map((t) => ({ threshold: dec(obj(t).threshold), unitPrice: dec(obj(t).unitPrice) }));
/** Parallel `hospitals[]` and `volumes[]` arguments as one list. */
export const volumes = (
  hospitals: JsonValue | undefined,
  units: JsonValue | undefined,
): { hospital: string; volume: string }[] =>
  list(hospitals).map((h, i) => ({ hospital: hex(h), volume: dec(list(units)[i]) }));

// ---------------------------------------------------------------------------------------------------
// Words for the steps' sentences
// ---------------------------------------------------------------------------------------------------

/** The scope of a regulator's recall, which covers every supplier's shipments of the lot. */
export const GLOBAL_SCOPE = ZeroAddress.toLowerCase();

export const scopeLabel = (scope: JsonValue | undefined): string =>
  scope === GLOBAL_SCOPE ? "every supplier's shipments" : `the shipments of ${scope}`;

/** Document kinds by name, out of a bitmap of kind indexes. */
export function kindsOf(bitmap: number): string[] {
  return DOCUMENT_KINDS.filter((_, i) => (bitmap & (1 << i)) !== 0);
}

/** Hospital role bits by name (approver, settler, receiver). */
export function rolesOf(bits: number): string[] {
  return Object.entries(HOSPITAL_ROLES)
    .filter(([, bit]) => (bits & bit) !== 0)
    .map(([name]) => name);
}
