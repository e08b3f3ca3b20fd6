const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

export type DateCheck = { ok: true; iso: string } | { ok: false; problem: string };

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/**
 * Resolves a two-digit year with the GS1 General Specifications sliding window: years 51 or more
 * ahead of the current year belong to the previous century, years 50 or more behind to the next one.
 */
export function expandYear(yy: number, now: Date): number {
  const current = now.getUTCFullYear();
  const century = current - (current % 100);
  const diff = yy - (current % 100);
  if (diff >= 51) return century - 100 + yy;
  if (diff <= -50) return century + 100 + yy;
  return century + yy;
}

function checkCalendarDate(year: number, month: number, day: number, dayZeroAllowed: boolean): DateCheck {
  const pad = (value: number) => String(value).padStart(2, "0");
  if (month < 1 || month > 12) return { ok: false, problem: `month ${pad(month)} does not exist` };
  const lastDay = daysInMonth(year, month);
  // In YYMMDD fields that allow it, day 00 stands for the last day of the month.
  if (day === 0 && dayZeroAllowed) day = lastDay;
  if (day === 0) return { ok: false, problem: "day 00 is not allowed here (only a real day of the month)" };
  if (day > lastDay) {
    return { ok: false, problem: `day ${pad(day)} does not exist in ${MONTH_NAMES[month - 1]} ${year}` };
  }
  return { ok: true, iso: `${String(year).padStart(4, "0")}-${pad(month)}-${pad(day)}` };
}

/** Validates a six-digit YYMMDD date and resolves it to ISO 8601. */
export function checkYymmdd(value: string, dayZeroAllowed: boolean, now: Date): DateCheck {
  const year = expandYear(Number(value.slice(0, 2)), now);
  return checkCalendarDate(year, Number(value.slice(2, 4)), Number(value.slice(4, 6)), dayZeroAllowed);
}

/** Validates an eight-digit YYYYMMDD date and resolves it to ISO 8601. */
export function checkYyyymmdd(value: string): DateCheck {
  return checkCalendarDate(
    Number(value.slice(0, 4)),
    Number(value.slice(4, 6)),
    Number(value.slice(6, 8)),
    false,
  );
}

export function checkHour(hh: string): string | undefined {
  return Number(hh) > 23 ? `hour ${hh} does not exist` : undefined;
}

export function checkMinuteOrSecond(value: string, unit: "minute" | "second"): string | undefined {
  return Number(value) > 59 ? `${unit} ${value} does not exist` : undefined;
}
