import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Generates server/modules/barcodes/gs1.ai-table.ts from GS1's Barcode Syntax Dictionary
 * (vendor/gs1/gs1-syntax-dictionary.txt; vendor/gs1/source.json says which release). Run
 * `npm run gen:gs1` after replacing the dictionary; a test fails while the committed table
 * differs from what this script writes.
 *
 * Everything about an AI comes from the dictionary except what GS1 keeps elsewhere or leaves
 * out, which is stated below: the error-message labels, the implied decimal point, and titles
 * for the two AIs the dictionary leaves untitled.
 */

const ROOT = path.resolve(__dirname, "..", "..");
export const DICTIONARY_FILE = path.join(ROOT, "vendor/gs1/gs1-syntax-dictionary.txt");
export const SOURCE_FILE = path.join(ROOT, "vendor/gs1/source.json");
export const TABLE_FILE = path.join(ROOT, "server/modules/barcodes/gs1.ai-table.ts");

/** Shorter or plainer names for error messages than GS1's data titles (ours, not GS1's). */
const LABELS: Readonly<Record<string, string>> = {
  "02": "GTIN of contained trade items",
  "03": "made-to-order GTIN",
  "10": "batch/lot",
  "11": "production date",
  "12": "due date",
  "13": "packaging date",
  "15": "best before date",
  "16": "sell by date",
  "17": "expiry date",
  "20": "variant",
  "21": "serial",
  "22": "consumer product variant",
  "235": "third party controlled serialised extension",
  "30": "variable count",
  "37": "count of trade items",
  "414": "GLN",
  "8020": "payment slip reference",
};

/** The dictionary gives no data title for the two North American coupon AIs. */
const UNTITLED: Readonly<Record<string, string>> = {
  "8110": "COUPON CODE",
  "8112": "PAPERLESS COUPON CODE",
};

/**
 * The measure, amount and price AIs (31nn–36nn, 39nn) carry the position of the implied
 * decimal point in their last digit (GS1 General Specifications §3.6); the dictionary does not
 * say so.
 */
const IMPLIED_DECIMAL_POINT = /^(3[1-6]|39)\d\d$/;

export interface Component {
  cset: "N" | "X" | "Y" | "Z";
  min: number;
  max: number;
  optional: boolean;
  rules: string[];
}

export interface Definition {
  ai: string;
  title: string;
  label: string;
  predefinedLength: boolean;
  identificationKey: boolean;
  dlDataAttribute: boolean;
  components: Component[];
  requires: string[][][];
  excludes: string[];
  dlQualifiers?: string[][];
  impliedDecimalPoint: boolean;
}

export interface Source {
  /** Where the vendored file was taken from. */
  url: string;
  /** The commit of github.com/gs1/gs1-syntax-engine it was taken at. */
  commit: string;
  /** The day it was copied (YYYY-MM-DD). */
  retrieved: string;
}

export class DictionaryError extends Error {}

const AI_RANGE = /^(\d{2,4})(?:-(\d{2,4}))?$/;
const FLAGS = /^[*!?]+$/;
const COMPONENT = /^(\[)?([NXYZ])(\.\.)?(\d+)(\])?((?:,[a-z0-9]+)*)$/;

/** Every AI the dictionary defines, ranges expanded, in the dictionary's order. */
export function parseDictionary(text: string): Definition[] {
  const definitions: Definition[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const where = `line ${index + 1}`;
    const hash = line.indexOf("#");
    const title = hash === -1 ? undefined : line.slice(hash + 1).trim();
    const tokens = (hash === -1 ? line : line.slice(0, hash)).trim().split(/\s+/);

    const range = AI_RANGE.exec(tokens.shift() ?? "");
    if (!range) throw new DictionaryError(`${where}: "${raw}" does not start with an AI or AI range`);
    // Flags sit in a fixed-width column, so one AI's may be split by spaces ("* ?").
    let flags = "";
    while (tokens[0] !== undefined && FLAGS.test(tokens[0])) flags += tokens.shift();

    const components: Component[] = [];
    while (tokens.length > 0 && COMPONENT.test(tokens[0])) {
      const [, open, cset, variable, length, close, linters] = COMPONENT.exec(tokens.shift()!)!;
      if (Boolean(open) !== Boolean(close)) throw new DictionaryError(`${where}: unbalanced [ ]`);
      components.push({
        cset: cset as Component["cset"],
        min: variable ? 1 : Number(length),
        max: Number(length),
        optional: Boolean(open),
        rules: linters.split(",").filter((r) => r !== ""),
      });
    }
    if (components.length === 0) throw new DictionaryError(`${where}: no specification`);

    const requires: string[][][] = [];
    const excludes: string[] = [];
    let dlQualifiers: string[][] | undefined;
    for (const attribute of tokens) {
      const [key, value] = attribute.split("=", 2);
      if (key === "req" && value) {
        requires.push(value.split(",").map((alternative) => alternative.split("+")));
      } else if (key === "ex" && value) {
        excludes.push(...value.split(","));
      } else if (key === "dlpkey") {
        dlQualifiers = value ? value.split("|").map((sequence) => sequence.split(",")) : [[]];
      } else {
        throw new DictionaryError(`${where}: unknown attribute "${attribute}"`);
      }
    }

    const [first, last = first] = [range[1], range[2]];
    if (last.length !== first.length || Number(last) < Number(first)) {
      throw new DictionaryError(`${where}: bad AI range ${range[0]}`);
    }
    for (let code = Number(first); code <= Number(last); code++) {
      const ai = String(code).padStart(first.length, "0");
      const aiTitle = title ?? UNTITLED[ai];
      if (aiTitle === undefined) throw new DictionaryError(`${where}: AI ${ai} has no title`);
      definitions.push({
        ai,
        title: aiTitle,
        label: LABELS[ai] ?? aiTitle,
        predefinedLength: flags.includes("*"),
        identificationKey: flags.includes("!"),
        dlDataAttribute: flags.includes("?"),
        components,
        requires,
        excludes,
        ...(dlQualifiers ? { dlQualifiers } : {}),
        impliedDecimalPoint: IMPLIED_DECIMAL_POINT.test(ai),
      });
    }
  });
  return definitions;
}

/** The text of gs1.ai-table.ts: a header naming the source, then one line per AI. */
export function renderTable(definitions: readonly Definition[], source: Source): string {
  return [
    "/**",
    " * GENERATED FILE — do not edit. Run `npm run gen:gs1` (scripts/gen/gs1-ai-table.ts).",
    " *",
    " * The GS1 Application Identifier table, from the GS1 Barcode Syntax Dictionary (Apache-2.0,",
    " * © GS1 AISBL, the BWIPP and Zint projects), vendored as vendor/gs1/gs1-syntax-dictionary.txt:",
    ` *   ${source.url}`,
    ` *   commit ${source.commit}, retrieved ${source.retrieved}`,
    " * Labels, implied decimal points and the coupon AIs' titles are the generator's additions.",
    " */",
    'import type { AiDefinition } from "./gs1.ai-types";',
    "",
    "// prettier-ignore",
    "export const AI_DEFINITIONS: readonly AiDefinition[] = [",
    ...definitions.map((definition) => `  ${literal(definition)},`),
    "];",
    "",
  ].join("\n");
}

/** A value as a one-line TypeScript literal, keys unquoted. */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    return `{ ${Object.entries(value)
      .map(([key, v]) => `${key}: ${literal(v)}`)
      .join(", ")} }`;
  }
  return JSON.stringify(value);
}

export function generate(): string {
  const source = JSON.parse(readFileSync(SOURCE_FILE, "utf8")) as Source;
  return renderTable(parseDictionary(readFileSync(DICTIONARY_FILE, "utf8")), source);
}

if (require.main === module) {
  writeFileSync(TABLE_FILE, generate());
  console.log(`wrote ${path.relative(process.cwd(), TABLE_FILE)}`);
}
