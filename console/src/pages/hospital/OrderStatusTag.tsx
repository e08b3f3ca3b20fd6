import { Tag } from "antd";
import type { OrderStatus } from "../../../../api/orders";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { TAG } from "../../components/tag-colours";

const COLOURS: Record<OrderStatus, string> = {
  placed: TAG.warning,
  funded: TAG.info,
  closed: TAG.good,
  cancelled: TAG.muted,
};

export function OrderStatusTag({ status }: { status: OrderStatus }) {
  const { t } = useI18n();
  return <Tag color={COLOURS[status]}>{t(`hospital.orderStatus.${status}` as MessageKey)}</Tag>;
}
