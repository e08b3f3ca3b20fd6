import {
  createContext,
  Fragment,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from "react";
import type { MessageKey } from "./en";
import type { Lang } from "./lang";
import { MESSAGES, translator, type Translate } from "./translate";

/**
 * The console's two languages. The first visit follows the browser's language (zh-* → Chinese,
 * else English); a switch is remembered in this browser.
 */

export type { Lang, Translate };
const STORAGE_KEY = "sunshine.lang";

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === "zh" || saved === "en") return saved;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

/** A message whose values are elements (an address with its copy button, a link): a node. */
export type TranslateNodes = (key: MessageKey, values: Record<string, ReactNode>) => ReactNode;

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
  tn: TranslateNodes;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);
  const t = useMemo(() => translator(lang), [lang]);
  const tn = useCallback<TranslateNodes>(
    (key, values) =>
      MESSAGES[lang][key].split(/(\{\w+\})/).map((part, i) => {
        const name = /^\{(\w+)\}$/.exec(part)?.[1];
        return <Fragment key={i}>{name !== undefined && name in values ? values[name] : part}</Fragment>;
      }),
    [lang],
  );
  const value = useMemo(() => ({ lang, setLang, t, tn }), [lang, setLang, t, tn]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error("useI18n outside I18nProvider");
  return i18n;
}

/**
 * A message translated when it is shown rather than when it is made: a toast outlives the click
 * that opened it, and must follow a switch of language while it is open.
 */
export function Translated({ id, values }: { id: MessageKey; values?: Record<string, string | number> }) {
  const { t } = useI18n();
  return t(id, values);
}
