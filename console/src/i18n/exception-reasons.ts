import type { ExceptionReason, StocktakeReason } from "../../../api/exceptions";
import type { MatchReason } from "../../../api/receipts";
import { chainErrorSentence } from "./chain-errors";
import type { Lang } from "./lang";
import { hasMessage, MESSAGES, type Translate } from "./translate";

/**
 * A reason of an exception (or of a receipt's match) in the reader's language: a settlement the
 * ledger refused by its error's sentence; any other from its figures. A reason stored before its
 * figures were (they came in 2026-12) lacks some: it is shown by the gateway's message.
 */
export function reasonSentence(
  r: ExceptionReason,
  lang: Lang,
  t: Translate,
  campusName: (gln: string) => string,
): string {
  if (r.code === "CHAIN_REVERT") return chainErrorSentence(r.error, lang) ?? r.message;
  const key = `reasonText.${r.code}`;
  if (!hasMessage(key)) return r.message;
  const values: Record<string, unknown> =
    r.code === "STOCK_MISSING" || r.code === "STOCK_EXTRA"
      ? stocktakeValues(r as StocktakeReason, campusName)
      : { line: (r as MatchReason).line, ...r.details };
  const wanted = [...MESSAGES.en[key].matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (wanted.some((name) => values[name] === undefined)) return r.message;
  return t(key, values as Record<string, string | number>);
}

function stocktakeValues(r: StocktakeReason, campusName: (gln: string) => string): Record<string, unknown> {
  const { campus, gtin, lot, expected, counted } = r.details;
  return { campus: campusName(campus), gtin, lot, expected, counted, units: Math.abs(counted - expected) };
}

/** A reason's label, for its tag; a code this console does not know yet, as it is. */
export function reasonLabel(code: string, t: Translate): string {
  const key = `hospital.reason.${code}`;
  return hasMessage(key) ? t(key) : code;
}
