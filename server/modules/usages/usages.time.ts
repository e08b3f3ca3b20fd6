/** Strict ISO 8601 instants for request fields, shared by usages and the reports over them. */

const ISO_INSTANT =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * A date-time with a time zone (a zone-less one would be read in the server's zone), or null.
 * `Date` alone would roll 30 February over into March, so every part is range-checked first.
 */
export function parseInstant(value: unknown): Date | null {
  const m = typeof value === "string" ? ISO_INSTANT.exec(value) : null;
  const valid =
    m !== null &&
    isCalendarDate(m[1]) &&
    Number(m[2]) <= 23 &&
    Number(m[3]) <= 59 &&
    Number(m[4] ?? 0) <= 59 &&
    Number(m[5] ?? 0) <= 23 &&
    Number(m[6] ?? 0) <= 59;
  return valid ? new Date(value as string) : null;
}

/** A real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
}
