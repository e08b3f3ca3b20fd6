import { Alert } from "antd";
import { chainErrorSentence } from "../i18n/chain-errors";
import { gatewayErrorSentence } from "../i18n/gateway-errors";
import { useI18n } from "../i18n/i18n";
import { ApiError } from "../lib/api";
import { ActDropped } from "../lib/relay";

/**
 * An error as a person reads it: a refused ledger act by a plain sentence for its decoded error,
 * any other gateway error by a sentence for its code (in Chinese; in English the gateway's own
 * message), else the gateway's message. The code or error name and the gateway's message stay
 * in small print, for whoever the user calls for help.
 */
export function ErrorAlert({ error }: { error: unknown }) {
  const { lang, t } = useI18n();
  if (error instanceof ApiError) {
    const chainError = typeof error.details?.error === "string" ? error.details.error : undefined;
    const sentence = chainErrorSentence(chainError, lang) ?? gatewayErrorSentence(error.code, lang);
    const detail = chainError
      ? `${chainError} — ${error.message}`
      : sentence
        ? `${error.code} — ${error.message}`
        : error.code;
    return (
      <Alert
        type="error"
        role="alert"
        showIcon
        title={sentence ?? error.message}
        description={<small data-testid="error-detail">{detail}</small>}
      />
    );
  }
  if (error instanceof ActDropped) {
    return (
      <Alert
        type="error"
        role="alert"
        showIcon
        title={t("act.dropped")}
        description={<small data-testid="error-detail">{error.message}</small>}
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
