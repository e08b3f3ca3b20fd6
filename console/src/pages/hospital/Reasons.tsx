import { Tag, Typography } from "antd";
import type { ExceptionReason } from "../../../../api/exceptions";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { TAG } from "../../components/tag-colours";

/** An exception's reasons, each with its evidence: the message, the receipt line, the counts. */
export function Reasons({ reasons }: { reasons: ExceptionReason[] }) {
  const { t } = useI18n();
  return (
    <ul style={{ margin: 0, paddingInlineStart: 16, maxWidth: 360 }}>
      {reasons.map((r, i) => (
        <li key={i} style={{ wordBreak: "break-word" }}>
          <Tag color={TAG.problem}>{t(`hospital.reason.${r.code}` as MessageKey)}</Tag>
          {r.code === "CHAIN_REVERT" ? (
            <span>
              <Typography.Text code>{r.error}</Typography.Text> {r.message}
            </span>
          ) : (
            <span>
              {r.message}
              {/* A stocktake's message states its counts already. */}
              {r.details && "shipped" in r.details && ` ${t("hospital.exceptions.counted", r.details)}`}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
