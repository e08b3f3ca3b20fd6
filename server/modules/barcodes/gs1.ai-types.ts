/**
 * The shape of the GS1 Application Identifier table (gs1.ai-table.ts, generated from GS1's Barcode
 * Syntax Dictionary by scripts/gen/gs1-ai-table.ts). A linter GS1 adds to the dictionary shows up
 * as a type error in the generated table until it is named in ContentRule here.
 */

/** N: digits; X: GS1 character set 82; Y: GS1 character set 39; Z: GS1 character set 64 (base64url). */
export type CharacterSet = "N" | "X" | "Y" | "Z";

/** Content rules attached to a component, named as in the GS1 Barcode Syntax Tests. */
export type ContentRule =
  | "csum"
  | "csumalpha"
  | "yymmd0"
  | "yymmdd"
  | "yyyymmdd"
  | "hh"
  | "mi"
  | "ss"
  | "hhmi"
  | "zero"
  | "nonzero"
  | "yesno"
  | "winding"
  | "pieceoftotal"
  | "hyphen"
  | "nozeroprefix"
  | "hasnondigit"
  | "latitude"
  | "longitude"
  | "pcenc"
  | "posinseqslash"
  | "iso5218"
  | "mediatype"
  | "importeridx"
  | "iban"
  | "iso3166"
  | "iso3166999"
  | "iso3166alpha2"
  | "iso4217"
  | "packagetype"
  | "couponcode"
  | "couponposoffer"
  | "gcppos1"
  | "gcppos2";

export interface AiComponent {
  readonly cset: CharacterSet;
  readonly min: number;
  readonly max: number;
  /** Optional components only ever trail the mandatory ones. */
  readonly optional: boolean;
  readonly rules: readonly ContentRule[];
}

export interface AiDefinition {
  readonly ai: string;
  /** GS1 data title, as printed in human readable text. */
  readonly title: string;
  /** Short description used in error messages. */
  readonly label: string;
  /** Predefined-length AI: no GS/FNC1 separator is needed after it, even when it is not last. */
  readonly predefinedLength: boolean;
  /** The AI is a GS1 identification key. */
  readonly identificationKey: boolean;
  /** The AI may appear as a data attribute in the query string of a GS1 Digital Link URI. */
  readonly dlDataAttribute: boolean;
  readonly components: readonly AiComponent[];
  /**
   * Mandatory associations. Every entry must be satisfied; an entry is satisfied when any one of its
   * alternatives is fully present. An alternative is a list of AIs or patterns ("31nn": n is any digit).
   */
  readonly requires: readonly (readonly (readonly string[])[])[];
  /** AIs or patterns that must not appear together with this AI (the AI itself never conflicts). */
  readonly excludes: readonly string[];
  /**
   * Present when the AI is a Digital Link primary key: each entry is an allowed sequence of key
   * qualifiers, any subset of which may follow the key in the URI path, in that order.
   */
  readonly dlQualifiers?: readonly (readonly string[])[];
  /** The last AI digit gives the number of decimal places of the (last) numeric component. */
  readonly impliedDecimalPoint: boolean;
}
