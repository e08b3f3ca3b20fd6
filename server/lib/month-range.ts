import { appError } from "../plugins/error-catalogue";

/** A report's months are bounded, and so is its work: one year at most. */
export const MAX_MONTHS = 12;

/** The month (YYYY-MM) `at` falls in, in `timeZone`. */
export function monthOf(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
  }).formatToParts(at);
  const part = (type: string) => parts.find((x) => x.type === type)!.value;
  return `${part("year")}-${part("month")}`;
}

/** Refuses (400 naming `to`) a range of YYYY-MM months that runs backwards or over MAX_MONTHS. */
export function checkMonthRange(from: string, to: string): void {
  const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7));
  const span = index(to) - index(from) + 1;
  if (span < 1)
    throw appError("VALIDATION_FAILED", `to (${to}) must not be before from (${from})`, { field: "to" });
  if (span > MAX_MONTHS)
    throw appError("VALIDATION_FAILED", `from ${from} to ${to} spans ${span} months; at most ${MAX_MONTHS}`, {
      field: "to",
    });
}
