import { decodeBytes32String } from "ethers";

/**
 * How figures read on screen: money from the API's fen (integer minor units, as decimal
 * strings) to yuan with two decimals, never through a float; dates in the gateway's time zone,
 * except an expiry, which is a calendar date.
 */

export function yuan(fen: string | bigint): string {
  const value = BigInt(fen);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}¥${whole}.${cents}`;
}

export function dateTime(iso: string | null | undefined, timeZone: string, lang: "zh" | "en"): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

export function date(iso: string | null | undefined, timeZone: string, lang: "zh" | "en"): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(iso));
}

/**
 * A time zone as a reader knows it ("China Standard Time", 中国标准时间), not its IANA name
 * (Asia/Shanghai): reports say which zone their months and days are in.
 */
export function zoneName(timeZone: string, lang: "zh" | "en"): string {
  return (
    new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", { timeZone, timeZoneName: "longGeneric" })
      // Today's naming: at an old instant a zone that had no summer time then is named by its
      // standard time alone (Berlin in 1970).
      .formatToParts(new Date())
      .find((p) => p.type === "timeZoneName")?.value ?? timeZone
  );
}

/** The calendar month (YYYY-MM) an instant falls in, in `timeZone`: the month reports ask for. */
export function monthOf(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" })
    .format(at)
    .slice(0, 7);
}

/**
 * A lot's expiry (GS1 AI 17) is a calendar date, not an instant: the label prints a day, the
 * ledger keeps it as that day's midnight UTC, and the gateway's match compares the UTC date. So it
 * reads as its UTC date whatever the gateway's time zone — in a zone west of UTC the instant
 * falls on the day before. Takes the ledger's instant or a YYYY-MM-DD date (a parsed scan's).
 */
export function calendarDate(value: string | null | undefined, lang: "zh" | "en"): string {
  return date(value, "UTC", lang);
}

/** 0x1234…abcd: an address or hash short enough for a table cell (the whole in its title). */
export function short(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 6)}…${hex.slice(-4)}` : hex;
}

/**
 * A bytes32 the ledger holds as text where it can (names, registration ids and short category
 * codes are encodeBytes32String) as that text; a longer category is its hash (ledger/acts.ts
 * categoryCode), which has no text, and reads as the hex — as does the zero value.
 */
export function bytes32Text(hex: string): string {
  try {
    return decodeBytes32String(hex) || hex;
  } catch {
    return hex;
  }
}
