/**
 * The last second of a calendar day (YYYY-MM-DD) in an IANA time zone, as seconds since the
 * epoch: a delivery deadline "on" a day means by the end of it where the gateway is.
 */
export function endOfDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split("-").map(Number);
  const asUtc = Date.UTC(y, m - 1, d, 23, 59, 59);
  return Math.floor((asUtc - offsetMs(asUtc, timeZone)) / 1000);
}

/** The zone's offset from UTC at `instant` (ms), read from how Intl writes the instant there. */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return local - instant;
}

/** The calendar day (YYYY-MM-DD) an instant falls on in an IANA time zone. */
export function dayOf(iso: string, timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(iso));
}
