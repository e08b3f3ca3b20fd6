import type { Gs1Element } from "../../../api/barcodes";
import { AiComponent, AiDefinition, CharacterSet, ContentRule, aiMatches, lookupAi } from "./gs1.ai";
import { CSET_32, CSET_82, alphanumericCheckPair, gtinCheckDigit } from "./gs1.check-digit";
import { DateCheck, checkHour, checkMinuteOrSecond, checkYymmdd, checkYyyymmdd } from "./gs1.dates";
import { Gs1Error, Gs1ErrorCode } from "./gs1.errors";

/** An element string as found in the input, before validation. */
export interface RawElement {
  ai: string;
  value: string;
  /** Zero-based offset of the AI in the input, reported in error details. */
  offset: number;
}

const CSET_39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const CSET_64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const CSET_NAMES: Record<CharacterSet, string> = {
  N: "is not a digit",
  X: "is outside the GS1 character set 82",
  Y: "is outside the GS1 character set 39",
  Z: "is outside the GS1 character set 64",
};

function isInCharacterSet(cset: CharacterSet, text: string, index: number): boolean {
  const ch = text[index];
  switch (cset) {
    case "N":
      return ch >= "0" && ch <= "9";
    case "X":
      return CSET_82.includes(ch);
    case "Y":
      return CSET_39.includes(ch);
    case "Z":
      // Base64url may end with up to two "=" padding characters.
      return (
        CSET_64.includes(ch) || (ch === "=" && text.length - index <= 2 && /^=+$/.test(text.slice(index)))
      );
  }
}

interface Problem {
  code: Gs1ErrorCode;
  problem: string;
}

type RuleCheck = (text: string, now: Date) => Problem | undefined;

const invalid = (problem: string): Problem => ({ code: "INVALID_VALUE", problem });
const badDate = (problem: string | undefined): Problem | undefined =>
  problem === undefined ? undefined : { code: "INVALID_DATE", problem };

function checkPieceOfTotal(text: string): Problem | undefined {
  const half = text.length / 2;
  const piece = Number(text.slice(0, half));
  const total = Number(text.slice(half));
  if (piece === 0) return invalid("piece number must not be zero");
  if (total === 0) return invalid("total number of pieces must not be zero");
  if (piece > total) return invalid(`piece ${piece} exceeds the total of ${total}`);
  return undefined;
}

function checkPositionInSequence(text: string): Problem | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) return invalid(`"${text}" is not a position in the form <position>/<count>`);
  const [, position, count] = match;
  if (position.startsWith("0") || count.startsWith("0")) {
    return invalid("position and count must be non-zero and have no leading zeros");
  }
  if (Number(position) > Number(count)) return invalid(`position ${position} exceeds the count ${count}`);
  return undefined;
}

function checkIban(text: string): Problem | undefined {
  if (!/^[A-Z]{2}\d{2}[A-Za-z0-9]{1,30}$/.test(text)) {
    return invalid("an IBAN is a two-letter country code, two check digits and up to 30 letters or digits");
  }
  const rearranged = (text.slice(4) + text.slice(0, 4)).toUpperCase();
  let remainder = 0;
  for (const ch of rearranged) {
    const value = parseInt(ch, 36);
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1 ? undefined : invalid("IBAN check digits are wrong");
}

/**
 * Content rules that need no external registry. Rules naming ISO 3166/4217 code lists, UN/ECE package
 * types, GS1 Company Prefix allocations and North American coupon structures are deliberately not
 * enforced: they depend on reference data that changes outside this code base.
 */
const RULES: Partial<Record<ContentRule, RuleCheck>> = {
  csum: (text) => {
    const expected = gtinCheckDigit(text.slice(0, -1));
    const actual = Number(text[text.length - 1]);
    return expected === actual
      ? undefined
      : { code: "BAD_CHECK_DIGIT", problem: `check digit should be ${expected}, got ${actual}` };
  },
  csumalpha: (text) => {
    if (text.length < 2) {
      return { code: "BAD_CHECK_DIGIT", problem: "too short to carry a check character pair" };
    }
    const actual = text.slice(-2);
    const badIndex = [...actual].findIndex((ch) => !CSET_32.includes(ch));
    if (badIndex >= 0) {
      return {
        code: "BAD_CHECK_DIGIT",
        problem: `check character ${JSON.stringify(actual[badIndex])} is not one of ${CSET_32}`,
      };
    }
    const expected = alphanumericCheckPair(text.slice(0, -2));
    return expected === actual
      ? undefined
      : { code: "BAD_CHECK_DIGIT", problem: `check character pair should be ${expected}, got ${actual}` };
  },
  yymmd0: (text, now) => {
    const result = checkYymmdd(text, true, now);
    return result.ok ? undefined : badDate(result.problem);
  },
  yymmdd: (text, now) => {
    const result = checkYymmdd(text, false, now);
    return result.ok ? undefined : badDate(result.problem);
  },
  yyyymmdd: (text) => {
    const result = checkYyyymmdd(text);
    return result.ok ? undefined : badDate(result.problem);
  },
  hh: (text) => badDate(checkHour(text)),
  mi: (text) => badDate(checkMinuteOrSecond(text, "minute")),
  ss: (text) => badDate(checkMinuteOrSecond(text, "second")),
  hhmi: (text) => badDate(checkHour(text.slice(0, 2)) ?? checkMinuteOrSecond(text.slice(2, 4), "minute")),
  zero: (text) => (text === "0" ? undefined : invalid(`must be 0, got ${text}`)),
  nonzero: (text) => (/^0+$/.test(text) ? invalid(`${text} must not be zero`) : undefined),
  yesno: (text) =>
    text === "0" || text === "1" ? undefined : invalid(`must be 0 (no) or 1 (yes), got ${text}`),
  winding: (text) =>
    ["0", "1", "9"].includes(text) ? undefined : invalid(`winding direction must be 0, 1 or 9, got ${text}`),
  pieceoftotal: checkPieceOfTotal,
  hyphen: (text) => (text === "-" ? undefined : invalid(`sign must be "-", got ${JSON.stringify(text)}`)),
  nozeroprefix: (text) => (text.startsWith("0") ? invalid("must not start with 0") : undefined),
  hasnondigit: (text) => (/^\d+$/.test(text) ? invalid("must contain at least one non-digit") : undefined),
  latitude: (text) => (Number(text) > 1800000000 ? invalid(`latitude ${text} is out of range`) : undefined),
  longitude: (text) => (Number(text) > 3600000000 ? invalid(`longitude ${text} is out of range`) : undefined),
  pcenc: (text) => {
    const bad = /%(?![0-9A-Fa-f]{2})/.exec(text);
    return bad ? invalid(`"%" at position ${bad.index + 1} does not start a %XX escape`) : undefined;
  },
  posinseqslash: checkPositionInSequence,
  iso5218: (text) =>
    ["0", "1", "2", "9"].includes(text) ? undefined : invalid(`biological sex code must be 0, 1, 2 or 9`),
  mediatype: (text) => {
    const code = Number(text);
    return (code >= 1 && code <= 10) || code >= 80
      ? undefined
      : invalid(`AIDC media type ${text} is not assigned`);
  },
  importeridx: (text) =>
    /^[-0-9A-Za-z_]$/.test(text) ? undefined : invalid(`importer index ${JSON.stringify(text)} is not valid`),
  iban: checkIban,
};

/** Allowed total lengths, as merged ranges, for each number of optional components present. */
function allowedLengths(def: AiDefinition): { min: number; max: number }[] {
  const ranges: { min: number; max: number }[] = [];
  let min = 0;
  let max = 0;
  def.components.forEach((component, index) => {
    min += component.min;
    max += component.max;
    const next = def.components[index + 1];
    if (next && !next.optional) return;
    const last = ranges[ranges.length - 1];
    if (last && min <= last.max + 1) last.max = max;
    else ranges.push({ min, max });
  });
  return ranges;
}

function describeRequirement(ranges: { min: number; max: number }[], tooLong: boolean): string {
  if (ranges.length === 1) {
    const [{ min, max }] = ranges;
    if (min === max) return `exactly ${min} required`;
    return tooLong ? `at most ${max} allowed` : `at least ${min} required`;
  }
  const parts = ranges.map(({ min, max }) => (min === max ? `${min}` : `${min} to ${max}`));
  return `allowed lengths are ${parts.slice(0, -1).join(", ")} or ${parts[parts.length - 1]}`;
}

function checkLength(def: AiDefinition, value: string, where: string): void {
  const ranges = allowedLengths(def);
  const length = value.length;
  if (ranges.some(({ min, max }) => length >= min && length <= max)) return;
  const tooLong = length > ranges[ranges.length - 1].max;
  throw new Gs1Error(
    tooLong ? "FIELD_TOO_LONG" : "FIELD_TOO_SHORT",
    `${where}: ${length} character${length === 1 ? "" : "s"}, ${describeRequirement(ranges, tooLong)}`,
    { ai: def.ai, value, length },
  );
}

/** Splits a value whose length has been checked into its components. */
function splitComponents(
  def: AiDefinition,
  value: string,
): { component: AiComponent; text: string; at: number }[] {
  const parts: { component: AiComponent; text: string; at: number }[] = [];
  let at = 0;
  for (const component of def.components) {
    if (at === value.length && component.optional) break;
    const length = component.min === component.max ? component.min : value.length - at;
    parts.push({ component, text: value.slice(at, at + length), at });
    at += length;
  }
  return parts;
}

function formatDecimal(ai: string, digits: string): string {
  const places = Number(ai[ai.length - 1]);
  const padded = digits.padStart(places + 1, "0");
  const integer = padded.slice(0, padded.length - places).replace(/^0+(?=\d)/, "");
  return places === 0 ? integer : `${integer}.${padded.slice(padded.length - places)}`;
}

function isoDate(def: AiDefinition, value: string, now: Date): string | undefined {
  if (def.components.length !== 1) return undefined;
  const { rules } = def.components[0];
  let result: DateCheck | undefined;
  if (rules.includes("yymmd0")) result = checkYymmdd(value, true, now);
  else if (rules.includes("yymmdd")) result = checkYymmdd(value, false, now);
  else if (rules.includes("yyyymmdd")) result = checkYyyymmdd(value);
  return result?.ok ? result.iso : undefined;
}

export function describeAi(def: AiDefinition): string {
  return `AI (${def.ai}) ${def.label}`;
}

function quote(value: string): string {
  return /^\d+$/.test(value) ? value : JSON.stringify(value);
}

export function unknownAi(ai: string, offset: number): Gs1Error {
  const message = `AI (${ai}) at position ${offset + 1} is not a GS1 Application Identifier`;
  return new Gs1Error("UNKNOWN_AI", message, { ai, position: offset });
}

/** Validates one element string against the AI table; throws Gs1Error naming the AI and the fault. */
export function validateElement(raw: RawElement, now: Date): Gs1Element {
  const def = lookupAi(raw.ai);
  if (!def) throw unknownAi(raw.ai, raw.offset);
  const { value } = raw;
  const details = { ai: def.ai, value, position: raw.offset };
  checkLength(def, value, describeAi(def));

  const parts = splitComponents(def, value);
  for (const { component, text, at } of parts) {
    for (let i = 0; i < text.length; i++) {
      if (isInCharacterSet(component.cset, text, i)) continue;
      throw new Gs1Error(
        "INVALID_CHARACTER",
        `${describeAi(def)} ${JSON.stringify(value)}: character ${JSON.stringify(text[i])} at position ${at + i + 1} ${CSET_NAMES[component.cset]}`,
        { ...details, character: text[i], index: at + i },
      );
    }
    for (const rule of component.rules) {
      const failure = RULES[rule]?.(text, now);
      if (failure) {
        throw new Gs1Error(failure.code, `${describeAi(def)} ${quote(value)}: ${failure.problem}`, {
          ...details,
          rule,
        });
      }
    }
  }

  const element: Gs1Element = { ai: def.ai, title: def.title, value };
  if (def.impliedDecimalPoint) element.decimal = formatDecimal(def.ai, parts[parts.length - 1].text);
  const date = isoDate(def, value, now);
  if (date !== undefined) element.date = date;
  return element;
}

function listAlternatives(alternatives: readonly (readonly string[])[]): string {
  const names = alternatives.map((group) => group.map((ai) => `(${ai})`).join(" with "));
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/**
 * Applies the rules that span elements: repeated AIs (tolerated only with identical values, and then
 * reported once), mutually exclusive AIs and mandatory associations. Returns the de-duplicated list.
 */
export function checkCombination(elements: readonly Gs1Element[]): Gs1Element[] {
  const unique: Gs1Element[] = [];
  for (const element of elements) {
    const earlier = unique.find((other) => other.ai === element.ai);
    if (!earlier) {
      unique.push(element);
    } else if (earlier.value !== element.value) {
      const def = lookupAi(element.ai) as AiDefinition;
      throw new Gs1Error(
        "DUPLICATE_AI",
        `${describeAi(def)} appears twice with different values: ${quote(earlier.value)} and ${quote(element.value)}`,
        { ai: element.ai, values: [earlier.value, element.value] },
      );
    }
  }

  const defs = unique.map((element) => lookupAi(element.ai) as AiDefinition);
  for (const def of defs) {
    for (const pattern of def.excludes) {
      const other = defs.find((candidate) => candidate.ai !== def.ai && aiMatches(candidate.ai, pattern));
      if (other) {
        const message = `${describeAi(def)} cannot be combined with ${describeAi(other)}`;
        throw new Gs1Error("CONFLICTING_AI", message, { ai: def.ai, conflictsWith: other.ai });
      }
    }
  }
  for (const def of defs) {
    for (const alternatives of def.requires) {
      const satisfied = alternatives.some((group) =>
        group.every((pattern) => defs.some((candidate) => aiMatches(candidate.ai, pattern))),
      );
      if (!satisfied) {
        throw new Gs1Error(
          "MISSING_REQUIRED_AI",
          `${describeAi(def)} requires ${listAlternatives(alternatives)} in the same barcode`,
          { ai: def.ai, requires: alternatives.map((group) => group.join("+")) },
        );
      }
    }
  }
  return unique;
}
