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

/**
 * SQL for the instants that bound the months `from` to `to` (inclusive) in time zone `tz`, each
 * argument a placeholder or expression: the first month's start and the day after the last's end.
 */
export function monthBoundsSql(tz: string, from: string, to: string): { start: string; end: string } {
  return {
    start: `((${from}::text || '-01')::timestamp AT TIME ZONE ${tz})`,
    end: `(((${to}::text || '-01')::date + interval '1 month')::timestamp AT TIME ZONE ${tz})`,
  };
}
