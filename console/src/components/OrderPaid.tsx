import { Space, Typography } from "antd";
import type { OrderSummary } from "../../../api/orders";
import { useI18n } from "../i18n/i18n";
import { useFormat } from "../lib/use-format";

/**
 * An order's settled value. A consigned order's went into the consignment book, not to the
 * supplier: what it became (paid on use, held, refunded) is stated under it, so the column does
 * not read as money the supplier has.
 */
export function OrderPaid({ order }: { order: Pick<OrderSummary, "paid" | "consignment"> }) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const c = order.consignment;
  if (c === null) return <>{yuan(order.paid)}</>;
  return (
    <Space orientation="vertical" size={0}>
      <span>{yuan(order.paid)}</span>
      {/* Narrow, so the sentence wraps under the amount instead of widening the table past the screen. */}
      <Typography.Text type="secondary" style={{ fontSize: 12, display: "block", maxWidth: 150 }}>
        {t("common.orderPaid.consigned", {
          used: yuan(c.paidOnUse),
          held: yuan(c.held),
          refunded: yuan(c.refunded),
        })}
      </Typography.Text>
    </Space>
  );
}
