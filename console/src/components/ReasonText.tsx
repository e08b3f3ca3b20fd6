import { Typography } from "antd";
import { useI18n } from "../i18n/i18n";
import { useReasonLabel } from "../lib/reasons";

/** A reason code the ledger recorded, in words; its number in the title. */
export function ReasonText({ code }: { code: number }) {
  const { t } = useI18n();
  const label = useReasonLabel();
  return (
    <Typography.Text type="secondary" title={t("reasons.code", { code })} style={{ wordBreak: "break-word" }}>
      {label(code)}
    </Typography.Text>
  );
}
