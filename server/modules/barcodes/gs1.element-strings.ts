import { aiLengthForPrefix, lookupAi } from "./gs1.ai";
import { Gs1Error } from "./gs1.errors";
import { RawElement, unknownAi } from "./gs1.validate";

/** ASCII 29, which scanners transmit for the FNC1 that ends a variable-length field. */
export const GS = "\x1d";

/** Length of the value of an AI whose length is predefined (sum of its fixed components). */
function predefinedValueLength(ai: string): number | undefined {
  const def = lookupAi(ai);
  if (!def?.predefinedLength) return undefined;
  return def.components.reduce((sum, component) => sum + component.max, 0);
}

/**
 * Splits unbracketed element strings as transmitted by a scanner. Predefined-length AIs take exactly
 * their length; every other AI runs to the next GS or the end. A GS after a predefined-length field,
 * a leading GS (FNC1 in first position) and a trailing GS are tolerated.
 */
export function* splitScanned(data: string, baseOffset: number): Generator<RawElement> {
  let pos = data.startsWith(GS) ? 1 : 0;
  while (pos < data.length) {
    const offset = baseOffset + pos;
    if (data[pos] === GS) {
      const message = `empty element string: unexpected GS separator at position ${offset + 1}`;
      throw new Gs1Error("MALFORMED_BARCODE", message, { position: offset });
    }
    const prefix = data.slice(pos, pos + 2);
    if (!/^\d\d$/.test(prefix)) {
      throw new Gs1Error(
        "MALFORMED_BARCODE",
        `expected an Application Identifier at position ${offset + 1}, found ${JSON.stringify(prefix)}`,
        { position: offset },
      );
    }
    const aiLength = aiLengthForPrefix(prefix);
    if (aiLength === undefined) throw unknownAi(prefix, offset);
    const ai = data.slice(pos, pos + aiLength);
    if (!/^\d+$/.test(ai) || ai.length < aiLength) {
      const message = `incomplete AI ${JSON.stringify(ai)} at position ${offset + 1}`;
      throw new Gs1Error("MALFORMED_BARCODE", message, { position: offset });
    }
    if (!lookupAi(ai)) throw unknownAi(ai, offset);

    const start = pos + aiLength;
    const fixedLength = predefinedValueLength(ai);
    let end: number;
    if (fixedLength === undefined) {
      end = data.indexOf(GS, start);
      if (end < 0) end = data.length;
    } else {
      // A GS inside the predefined length means the field is short; validation reports it.
      const separator = data.indexOf(GS, start);
      end = Math.min(start + fixedLength, data.length, separator < 0 ? Infinity : separator);
    }
    yield { ai, value: data.slice(start, end), offset };
    pos = data[end] === GS ? end + 1 : end;
  }
}

const AI_IN_BRACKETS = /^\((\d{2,4})\)/;

/**
 * Splits the human readable form "(01)…(10)…". Because "(" is a valid character in lots and serials,
 * a "(" starts the next AI only when it encloses 2-4 digits; "\(" always stands for a literal "(".
 * Unknown AIs are left to validation, which reports them in order with the other element errors.
 */
export function* splitBracketed(text: string): Generator<RawElement> {
  let pos = 0;
  while (pos < text.length) {
    const match = AI_IN_BRACKETS.exec(text.slice(pos));
    if (!match) {
      throw new Gs1Error(
        "MALFORMED_BARCODE",
        `expected an Application Identifier in brackets such as "(01)" at position ${pos + 1}`,
        { position: pos },
      );
    }
    const ai = match[1];
    let value = "";
    let i = pos + match[0].length;
    while (i < text.length) {
      if (text.startsWith("\\(", i)) {
        value += "(";
        i += 2;
      } else if (AI_IN_BRACKETS.test(text.slice(i, i + 6))) {
        break;
      } else {
        value += text[i++];
      }
    }
    yield { ai, value, offset: pos };
    pos = i;
  }
}
