import { en, type MessageKey } from "./en";
import type { Lang } from "./lang";
import { zh } from "./zh";

export const MESSAGES = { en, zh } as const;

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** Whether the console has a message `key`: for keys built from a code the gateway sends, which a newer gateway may extend. */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(MESSAGES.en, key);
}

/** `key`'s message in `lang`, each `{name}` replaced by its value (left as it is when none is given). */
export function translator(lang: Lang): Translate {
  return (key, values) =>
    MESSAGES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values && name in values ? String(values[name]) : whole,
    );
}
