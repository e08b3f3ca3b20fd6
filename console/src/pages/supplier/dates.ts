/**
 * Calendar dates of the forms (components/DateInput gives YYYY-MM-DD) as the ledger's Unix
 * seconds: midnight UTC of that day, the same calendar day in every time zone the gateway
 * shows (UTC to UTC+14), so the date a person picked is the date the ledger states.
 */
export function unixOfDate(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

const DAY_MS = 86_400_000;

/** Whole days from `now` (the ledger's: lib/ledger-clock.ts) until `iso`, negative once past. */
export function daysUntil(iso: string, now: number): number {
  return Math.floor((Date.parse(iso) - now) / DAY_MS);
}
