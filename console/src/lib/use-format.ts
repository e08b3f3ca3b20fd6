import { useI18n } from "../i18n/i18n";
import { useSession } from "./session";
import { calendarDate, date, dateTime, yuan, zoneName } from "./format";

/** Formatting in the reader's language and the gateway's time zone. */
export function useFormat() {
  const { lang } = useI18n();
  const timeZone = useSession().config?.timeZone ?? "Asia/Shanghai";
  return {
    yuan,
    dateTime: (iso: string | null | undefined) => dateTime(iso, timeZone, lang),
    date: (iso: string | null | undefined) => date(iso, timeZone, lang),
    /** A lot's expiry: its calendar date, the same in every time zone (format.ts). */
    calendarDate: (value: string | null | undefined) => calendarDate(value, lang),
    /** The name of a report's time zone (its IANA name, as the API gives it) in the reader's language. */
    zone: (name: string) => zoneName(name, lang),
  };
}
