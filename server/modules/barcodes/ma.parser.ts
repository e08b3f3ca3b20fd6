import type { MaQualifier, ParsedBarcode } from "../../../api/barcodes";
import { productKeyOf } from "../../../ledger/product-key";
import { checkYyyymmdd } from "./gs1.dates";
import { UdiError } from "./udi.errors";

/**
 * MA (IDcode) codes, the scheme of the MA issuing agency (ZIIOT, 中关村工信二维码技术研究院):
 * plain text, elements separated by ".". A medical device's code starts "MA.156.M0." (country
 * 156 = China, industry M0 = medical devices); its device identifier (DI) is the first five
 * segments (MA, country, industry, registrant code, product code — the product segment's length
 * varies between published examples, so it is not cut at 25 characters); each further element is
 * one qualifier letter and its value. Rules taken from the agency's 编码规则 as quoted by its
 * partners (README, "Codes beyond GS1"): L lot, S serial, M production date, D sterilisation lot,
 * V 有效期 and E 失效期 (dates of 6 or 8 digits, YYMMDD read as 20YY). Not confirmed there, so
 * kept but never a reason to refuse: the C check character (its algorithm is not published) and
 * unknown qualifiers; P, the production date before the 2020-08-20 rule, is read when M is absent.
 */

/** name: what an error calls the element; title: what the parse answer calls it. */
const QUALIFIERS: Record<string, { name: string; title: string; date?: true }> = {
  L: { name: "lot", title: "lot" },
  S: { name: "serial", title: "serial" },
  M: { name: "production date", title: "production date", date: true },
  D: { name: "sterilisation lot", title: "sterilisation lot" },
  V: { name: "valid-until date", title: "valid until (有效期)", date: true },
  E: { name: "expiry", title: "expiry (失效期)", date: true },
  C: { name: "check character", title: "check character (not verified)" },
  P: { name: "production date", title: "production date (rule before 2020-08-20)", date: true },
};

const SEGMENT_NAMES = ["", "country code", "industry code", "registrant code", "product code"];
const SEGMENT_FORMS = [/^MA$/, /^[0-9]{3}$/, /^[0-9A-Z]{2}$/, /^[0-9A-Za-z]{6}$/, /^[0-9A-Za-z]+$/];
const SEGMENT_RULES = ["MA", "3 digits", "2 capitals or digits", "6 letters or digits", "letters or digits"];
/** Printable ASCII but the separator: nothing else was seen in a value. */
const VALUE_FORM = /^[!-\-/-~]+$/;

export function isMaCode(text: string): boolean {
  return text.startsWith("MA.");
}

export function parseMa(text: string): ParsedBarcode {
  const segments = text.split(".");
  const fail = (problem: string, details?: Record<string, unknown>) =>
    new UdiError("MA (IDcode)", "MALFORMED", problem, details);
  for (let i = 1; i < 5; i++) {
    const segment = segments[i];
    if (segment === undefined) {
      throw fail(
        `the device identifier needs five segments (MA.country.industry.registrant.product), found ${i}`,
      );
    }
    if (!SEGMENT_FORMS[i].test(segment)) {
      throw fail(`${SEGMENT_NAMES[i]} "${segment}" is not ${SEGMENT_RULES[i]}`, { segment: i + 1 });
    }
  }
  const [, country, industry] = segments;
  if (industry !== "M0") {
    throw new UdiError("MA (IDcode)", "NOT_UDI", `not a medical-device code (industry ${industry}, not M0)`);
  }
  if (country !== "156") {
    throw new UdiError(
      "MA (IDcode)",
      "NOT_UDI",
      `not a medical-device UDI of China (country ${country}, not 156)`,
    );
  }
  const deviceIdentifier = segments.slice(0, 5).join(".");
  const qualifiers: MaQualifier[] = [];
  const warnings: string[] = [];
  for (const element of segments.slice(5)) {
    if (element === "") throw fail("an element is empty (two dots in a row, or a dot at the end)");
    const qualifier = element[0];
    const value = element.slice(1);
    if (!/^[A-Z]$/.test(qualifier)) throw fail(`element "${element}" does not start with a qualifier letter`);
    if (value === "") throw fail(`qualifier .${qualifier} has no value`);
    if (!VALUE_FORM.test(value)) throw fail(`.${element} holds a character outside printable ASCII`);
    if (qualifiers.some((q) => q.qualifier === qualifier))
      throw fail(`qualifier .${qualifier} appears twice`);
    const known = QUALIFIERS[qualifier];
    const entry: MaQualifier = { qualifier, title: known?.title ?? "unknown", value };
    if (known?.date) entry.date = maDate(element, value);
    if (!known) warnings.push(`qualifier .${qualifier} is not in the published rules; kept as read`);
    if (qualifier === "C")
      warnings.push(`check character .${element} not verified: its algorithm is not published`);
    qualifiers.push(entry);
  }

  const find = (qualifier: string) => qualifiers.find((q) => q.qualifier === qualifier);
  const dated = (q: MaQualifier | undefined) => (q?.date ? { date: q.date, printed: q.value } : undefined);
  const parsed: ParsedBarcode = {
    agency: "MA",
    form: "idcode",
    deviceIdentifier,
    productKey: productKeyOf("MA", deviceIdentifier),
    elements: [],
    qualifiers,
  };
  const lot = find("L")?.value;
  const serial = find("S")?.value;
  // E (失效期) is the expiry; V (有效期) stands in when E is absent (README: "V versus E").
  const expiry = dated(find("E") ?? find("V"));
  const productionDate = dated(find("M") ?? find("P"));
  if (lot !== undefined) parsed.lot = lot;
  if (serial !== undefined) parsed.serial = serial;
  if (expiry) parsed.expiry = expiry;
  if (productionDate) parsed.productionDate = productionDate;
  if (warnings.length > 0) parsed.warnings = warnings;
  return parsed;
}

/** A date element's value: YYMMDD (year 20YY) or YYYYMMDD, a real calendar day. */
function maDate(element: string, value: string): string {
  const notDate = (why: string) =>
    new UdiError(
      "MA (IDcode)",
      "MALFORMED",
      `${QUALIFIERS[element[0]].name} .${element} is not a date (${why})`,
    );
  if (!/^([0-9]{6}|[0-9]{8})$/.test(value)) throw notDate("6 or 8 digits expected");
  const check = checkYyyymmdd(value.length === 6 ? `20${value}` : value);
  if (!check.ok) throw notDate(check.problem);
  return check.iso;
}
