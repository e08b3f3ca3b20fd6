import { Tag } from "antd";
import type { PaymentHold } from "../../../api/payments";
import { holdLabel, holdSentence } from "../i18n/payment-text";
import { useI18n } from "../i18n/i18n";
import { useFormat } from "../lib/use-format";
import { TAG } from "./tag-colours";

/** Why a payment is held, each reason in words (GET /v1/payments/overdue's `holds`). */
export function PaymentHolds({ holds }: { holds: PaymentHold[] }) {
  const { t, lang } = useI18n();
  const { dateTime } = useFormat();
  return (
    <ul style={{ margin: 0, paddingInlineStart: 16, maxWidth: 420 }}>
      {holds.map((h, i) => (
        <li key={i} style={{ wordBreak: "break-word" }}>
          <Tag color={TAG.problem} title={h.code}>
            {holdLabel(h, t)}
          </Tag>
          {holdSentence(h, lang, t, dateTime)}
        </li>
      ))}
    </ul>
  );
}
