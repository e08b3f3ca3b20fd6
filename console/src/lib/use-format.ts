import { useI18n } from "../i18n/i18n";
import { useSession } from "./session";
import { date, dateTime, yuan } from "./format";

/** Formatting in the reader's language and the gateway's time zone. */
export function useFormat() {
  const { lang } = useI18n();
  const timeZone = useSession().config?.timeZone ?? "Asia/Shanghai";
  return {
    yuan,
    dateTime: (iso: string | null | undefined) => dateTime(iso, timeZone, lang),
    date: (iso: string | null | undefined) => date(iso, timeZone, lang),
  };
}
