import { App, Typography } from "antd";
import { errorText } from "../i18n/error-text";
import { Translated, useI18n } from "../i18n/i18n";

/**
 * An error as a toast reads it: the sentence first, and the error's name, which a reader need not
 * understand, in small grey print below it for whoever they call for help. Worded when shown, so
 * an open toast follows a switch of language.
 */
export function ErrorToastText({ error }: { error: unknown }) {
  const { t, lang } = useI18n();
  const { title, code } = errorText(error, lang, t);
  if (code === null) return title;
  return (
    <span>
      {title}
      <br />
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="act-error-code">
        {t("act.errorCode", { code })}
      </Typography.Text>
    </span>
  );
}

/** The toasts one ledger act shows under `key` while it is signed, sent and recorded (or refused). */
export function useActToasts() {
  const { message } = App.useApp();
  return (key: string) => ({
    sending: () =>
      message.open({ key, type: "loading", content: <Translated id="act.sending" />, duration: 0 }),
    signing: () =>
      message.open({ key, type: "loading", content: <Translated id="act.signing" />, duration: 0 }),
    // Six seconds, twice Ant Design's default: long enough to read the sentence and note its block.
    done: (block: number) =>
      message.open({
        key,
        type: "success",
        content: <Translated id="act.done" values={{ block }} />,
        duration: 6,
      }),
    failed: (error: unknown) =>
      message.open({ key, type: "error", content: <ErrorToastText error={error} />, duration: 10 }),
    close: () => message.destroy(key),
  });
}
