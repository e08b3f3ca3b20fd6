import { Alert } from "antd";
import { errorText } from "../i18n/error-text";
import { useI18n } from "../i18n/i18n";

/**
 * An error as a person reads it (`errorText`): a sentence in the reader's language, with the code
 * or error name and the gateway's message in small print, for whoever the user calls for help.
 */
export function ErrorAlert({ error }: { error: unknown }) {
  const { lang, t } = useI18n();
  const { title, detail } = errorText(error, lang, t);
  return (
    <Alert
      type="error"
      role="alert"
      showIcon
      title={title}
      description={detail === null ? undefined : <small data-testid="error-detail">{detail}</small>}
    />
  );
}
