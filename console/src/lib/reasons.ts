import { useCallback } from "react";
import { reasonOf } from "../../../ledger/reasons";
import { useI18n } from "../i18n/i18n";

/** A ledger reason code in words (the catalogue's label); "reason N" for a code it lacks. */
export function useReasonLabel(): (code: number) => string {
  const { t } = useI18n();
  return useCallback(
    (code: number) => {
      const reason = reasonOf(code);
      return reason ? t(`reason.${reason.key}`) : t("reasons.code", { code });
    },
    [t],
  );
}
