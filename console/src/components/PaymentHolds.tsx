import { Tag } from "antd";
import type { PaymentHold } from "../../../api/payments";
import type { MessageKey } from "../i18n/en";
import { useI18n } from "../i18n/i18n";
import { useFormat } from "../lib/use-format";
import { TAG } from "./tag-colours";

/** Why a payment is held, each reason in words (GET /v1/payments/overdue's `holds`). */
export function PaymentHolds({ holds }: { holds: PaymentHold[] }) {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  const describe = (h: PaymentHold): string => {
    switch (h.code) {
      case "OPEN_EXCEPTION":
        return t("hold.OPEN_EXCEPTION", {
          ids: h.exceptionIds.map((id) => `#${id}`).join(", "),
          reasons: h.reasonCodes.join(", "),
        });
      case "SETTLEMENT_FAILED":
        return t("hold.SETTLEMENT_FAILED", { error: h.errorName ?? "—" });
      case "LOT_RECALLED":
        // The zero address is a regulator's recall; any other, the supplier's own.
        return t(/^0x0+$/.test(h.scope) ? "hold.LOT_RECALLED" : "hold.LOT_RECALLED_SUPPLIER", {
          at: dateTime(h.recalledAt),
        });
      case "SETTLEMENT_SUBMITTED":
      case "SETTLEMENT_NOT_INDEXED":
        return t(`hold.${h.code}`, { tx: h.txHash ?? "—" });
      default:
        return t(`hold.${h.code}` as MessageKey);
    }
  };
  return (
    <ul style={{ margin: 0, paddingInlineStart: 16, maxWidth: 420 }}>
      {holds.map((h, i) => (
        <li key={i} style={{ wordBreak: "break-word" }}>
          <Tag color={TAG.problem}>{h.code}</Tag>
          {describe(h)}
        </li>
      ))}
    </ul>
  );
}
