import { Alert } from "antd";
import { chainErrorSentence } from "../i18n/chain-errors";
import { useI18n } from "../i18n/i18n";
import { ApiError } from "../lib/api";

/**
 * An error as a person reads it: a refused ledger act by its decoded error name and a plain
 * sentence; any other gateway error by its message and code.
 */
export function ErrorAlert({ error }: { error: unknown }) {
  const { lang } = useI18n();
  if (error instanceof ApiError) {
    const chainError = typeof error.details?.error === "string" ? error.details.error : undefined;
    const sentence = chainErrorSentence(chainError, lang);
    return (
      <Alert
        type="error"
        role="alert"
        showIcon
        title={sentence ?? error.message}
        description={chainError ? `${chainError} — ${error.message}` : error.code}
      />
    );
  }
  return (
    <Alert
      type="error"
      role="alert"
      showIcon
      title={error instanceof Error ? error.message : String(error)}
    />
  );
}
