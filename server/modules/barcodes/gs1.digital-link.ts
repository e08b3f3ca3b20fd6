import { AiDefinition, lookupAi } from "./gs1.ai";
import { Gs1Error } from "./gs1.errors";
import { RawElement, describeAi, validateElement } from "./gs1.validate";

const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]$/;
const HOST_FORBIDDEN = /[_~?#@!$&'()*+,;=%]/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

export const CANONICAL_DIGITAL_LINK_BASE = "https://id.gs1.org";

export function isDigitalLinkUri(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

function malformed(message: string, details?: Record<string, unknown>): Gs1Error {
  return new Gs1Error("MALFORMED_DIGITAL_LINK", message, details);
}

/** Reverses percent-encoding; in the query string "+" also stands for a space. */
function decode(raw: string, offset: number, inQuery: boolean): string {
  const bad = /%(?![0-9A-Fa-f]{2})/.exec(raw);
  if (bad) {
    const position = offset + bad.index;
    const message = `invalid percent-encoding at position ${position + 1}: "%" must be followed by two hex digits`;
    throw malformed(message, { position });
  }
  const text = inQuery ? raw.replace(/\+/g, " ") : raw;
  try {
    return decodeURIComponent(text);
  } catch {
    // Not UTF-8: keep the bytes as code points so character-set validation names the offending byte.
    return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/**
 * GS1 Digital Link 1.2+ lets the GTIN in a URI be written as GTIN-8, GTIN-12 or GTIN-13; it is always
 * reported as the GTIN-14 it denotes (left-padded with zeros, which leaves the check digit unchanged).
 */
function normaliseGtin(ai: string, value: string): string {
  return ai === "01" && /^(\d{8}|\d{12}|\d{13})$/.test(value) ? value.padStart(14, "0") : value;
}

/** True when `qualifiers` is an ordered subset of one of the key's allowed qualifier sequences. */
function isValidQualifierSequence(key: AiDefinition, qualifiers: readonly string[]): boolean {
  return (key.dlQualifiers ?? []).some((sequence) => {
    let next = 0;
    for (const ai of qualifiers) {
      const index = sequence.indexOf(ai, next);
      if (index < 0) return false;
      next = index + 1;
    }
    return true;
  });
}

function describeSequences(key: AiDefinition): string {
  const sequences = (key.dlQualifiers ?? []).map((sequence) => sequence.map((ai) => `(${ai})`).join(", "));
  return sequences.join(" or ");
}

function checkPathQualifiers(key: AiDefinition, qualifiers: readonly string[]): void {
  if (isValidQualifierSequence(key, qualifiers)) return;
  const allowed = new Set((key.dlQualifiers ?? []).flat());
  const stray = qualifiers.find((ai) => !allowed.has(ai));
  if (stray !== undefined) {
    const def = lookupAi(stray) as AiDefinition;
    const hint = def.dlDataAttribute ? `; give it in the query string instead (?${stray}=…)` : "";
    throw malformed(
      allowed.size === 0
        ? `AI (${key.ai}) takes no key qualifiers, so ${describeAi(def)} cannot follow it in the URI path${hint}`
        : `${describeAi(def)} is not a key qualifier of (${key.ai}) and cannot be in the URI path${hint}`,
      { ai: stray, key: key.ai },
    );
  }
  throw malformed(
    `key qualifiers ${qualifiers.map((ai) => `(${ai})`).join(", ")} after (${key.ai}) are not in an allowed order; ` +
      `allowed, each optional and in this order: ${describeSequences(key)}`,
    { key: key.ai, qualifiers },
  );
}

/**
 * Splits a GS1 Digital Link URI into element strings: the primary key and its qualifiers from the path
 * (after any host and path prefix), then the data attributes from the query string.
 */
export function splitDigitalLink(uri: string): RawElement[] {
  for (let i = 0; i < uri.length; i++) {
    if (!URI_CHARACTERS.test(uri[i])) {
      throw malformed(`character ${JSON.stringify(uri[i])} at position ${i + 1} is not allowed in a URI`, {
        position: i,
      });
    }
  }
  const hostStart = uri.indexOf("//") + 2;
  const afterHost = uri.slice(hostStart).search(/[/?#]/);
  const host = afterHost < 0 ? uri.slice(hostStart) : uri.slice(hostStart, hostStart + afterHost);
  if (host === "" || HOST_FORBIDDEN.test(host)) {
    throw malformed(`the URI has no valid host name: ${JSON.stringify(host)}`);
  }
  const pathStart = hostStart + afterHost;
  if (afterHost < 0 || uri[pathStart] !== "/") {
    throw malformed("the URI has no path, so it carries no GS1 primary key");
  }

  const fragmentAt = uri.indexOf("#");
  const beforeFragment = fragmentAt < 0 ? uri : uri.slice(0, fragmentAt);
  const queryAt = beforeFragment.indexOf("?");
  const path = queryAt < 0 ? beforeFragment.slice(pathStart) : beforeFragment.slice(pathStart, queryAt);
  if (path.endsWith("/")) throw malformed('the URI path must not end with "/"');

  const segments = path.slice(1).split("/");
  const segmentOffsets: number[] = [];
  for (let i = 0, offset = pathStart + 1; i < segments.length; offset += segments[i++].length + 1) {
    segmentOffsets.push(offset);
  }

  // Walk back over "/AI/value" pairs until the primary key; anything before it is the path prefix.
  let keyIndex = -1;
  for (let i = segments.length - 2; i >= 0; i -= 2) {
    const def = /^\d{2,4}$/.test(segments[i]) ? lookupAi(segments[i]) : undefined;
    if (!def) break;
    if (def.dlQualifiers) {
      keyIndex = i;
      break;
    }
  }
  if (keyIndex < 0) {
    throw malformed("no GS1 primary key (such as /01/<GTIN>) found at the end of the URI path", { path });
  }

  const elements: RawElement[] = [];
  for (let i = keyIndex; i < segments.length; i += 2) {
    const ai = segments[i];
    const offset = segmentOffsets[i];
    if (segments[i + 1] === "") {
      throw malformed(`AI (${ai}) has an empty value in the URI path`, { ai, position: offset });
    }
    const value = decode(segments[i + 1], segmentOffsets[i + 1], false);
    elements.push({ ai, value: normaliseGtin(ai, value), offset });
  }
  const key = lookupAi(segments[keyIndex]) as AiDefinition;
  const pathQualifiers = elements.slice(1).map((element) => element.ai);
  checkPathQualifiers(key, pathQualifiers);

  if (queryAt < 0) return elements;
  let paramOffset = queryAt + 1;
  for (const param of beforeFragment.slice(queryAt + 1).split("&")) {
    const offset = paramOffset;
    paramOffset += param.length + 1;
    const equals = param.indexOf("=");
    // Parameters that are not numeric keys (linkType, context, ...) belong to the resolver, not to GS1 data.
    if (equals < 0 || !/^\d+$/.test(param.slice(0, equals))) continue;
    const ai = param.slice(0, equals);
    const def = lookupAi(ai);
    if (!def) {
      const message = `query parameter ${ai} is not a GS1 Application Identifier`;
      throw new Gs1Error("UNKNOWN_AI", message, { ai, position: offset });
    }
    for (let at = 0; at <= pathQualifiers.length; at++) {
      const trial = [...pathQualifiers.slice(0, at), ai, ...pathQualifiers.slice(at)];
      if (isValidQualifierSequence(key, trial)) {
        const message = `${describeAi(def)} is a key qualifier of (${key.ai}) and must be in the URI path, not the query string`;
        throw malformed(message, { ai, position: offset });
      }
    }
    if (!def.dlDataAttribute) {
      const message = `${describeAi(def)} is not permitted as a Digital Link data attribute`;
      throw malformed(message, { ai, position: offset });
    }
    if (elements.some((element) => element.ai === ai)) {
      const message = `${describeAi(def)} appears more than once in the Digital Link URI`;
      throw new Gs1Error("DUPLICATE_AI", message, { ai, position: offset });
    }
    const raw = param.slice(equals + 1);
    if (raw === "") {
      throw malformed(`AI (${ai}) has an empty value in the query string`, { ai, position: offset });
    }
    elements.push({ ai, value: normaliseGtin(ai, decode(raw, offset + equals + 1, true)), offset });
  }
  return elements;
}

/** Values reaching here passed character-set validation, so they are ASCII and one byte per character. */
function encodeSegment(value: string): string {
  let out = "";
  for (const ch of value) {
    out += UNRESERVED.test(ch) ? ch : `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export interface DigitalLinkInput {
  /** GTIN-8, -12, -13 or -14; written to the URI as GTIN-14. */
  gtin: string;
  lot?: string;
  serial?: string;
  /** Printed YYMMDD, an ISO date "YYYY-MM-DD", or a parsed expiry ({ printed }). */
  expiry?: string | { printed: string };
}

function printedExpiry(expiry: string | { printed: string }): string {
  const text = typeof expiry === "string" ? expiry : expiry.printed;
  const iso = /^\d{2}(\d{2})-(\d{2})-(\d{2})$/.exec(text);
  return iso ? iso.slice(1).join("") : text;
}

/**
 * Builds a GS1 Digital Link URI for a trade item instance. Every value is validated exactly as the parser
 * would validate it, and everything outside the URI "unreserved" characters is percent-encoded, so the
 * result parses back to the same data.
 */
export function toDigitalLink(input: DigitalLinkInput, base: string = CANONICAL_DIGITAL_LINK_BASE): string {
  const stem = base.replace(/\/+$/, "");
  if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/i.test(stem)) {
    throw malformed(
      `Digital Link base ${JSON.stringify(base)} must be an http(s) URI without query or fragment`,
    );
  }
  const now = new Date();
  const fields: [string, string | undefined][] = [
    ["01", normaliseGtin("01", input.gtin)],
    ["10", input.lot],
    ["21", input.serial],
    ["17", input.expiry === undefined ? undefined : printedExpiry(input.expiry)],
  ];
  const elements = fields
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([ai, value]) => validateElement({ ai, value, offset: 0 }, now));

  let uri = stem;
  let query = "";
  for (const { ai, value } of elements) {
    if (ai === "17") query = `?17=${encodeSegment(value)}`;
    else uri += `/${ai}/${encodeSegment(value)}`;
  }
  return uri + query;
}
