import { Typography } from "antd";
import type { Payment } from "../../../api/payments";
import { useI18n } from "../i18n/i18n";
import { paymentErrorText } from "../i18n/payment-text";

/** Why a payment is not made yet (`paymentErrorText`), the gateway's English message on hover. */
export function PaymentError({ payment }: { payment: Pick<Payment, "error" | "errorName"> }) {
  const { t, lang } = useI18n();
  const why = paymentErrorText(payment, lang, t);
  if (why === null) return <>—</>;
  return (
    <Typography.Text
      type="danger"
      title={why.detail}
      style={{ maxWidth: 280, display: "inline-block", wordBreak: "break-word" }}
    >
      {why.text}
    </Typography.Text>
  );
}
