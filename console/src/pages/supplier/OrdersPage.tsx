import { Button, Space, Tag, Typography, type TableColumnsType } from "antd";
import { useState } from "react";
import type { OrderSummary } from "../../../../api/orders";
import { CursorTable } from "../../components/CursorTable";
import { OrderPaid } from "../../components/OrderPaid";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useFormat } from "../../lib/use-format";
import { PartyName } from "../../components/PartyName";
import { remainingOf } from "../../lib/order-remaining";
import { ShipmentForm } from "./ShipmentForm";
import { useMe } from "./use-me";
import { ToneTag } from "./ToneTag";

/** The supplier's orders, what remains to ship of each, and shipping against one. */
export function OrdersPage() {
  const { t } = useI18n();
  const { yuan, dateTime } = useFormat();
  const now = useLedgerNow()();
  const me = useMe();
  const [selected, setSelected] = useState<OrderSummary | null>(null);

  const columns: TableColumnsType<OrderSummary> = [
    { title: t("common.id"), dataIndex: "id" },
    {
      title: t("common.hospital"),
      dataIndex: "hospital",
      // Narrow: the name wraps above its address instead of widening the table past the screen.
      render: (h: string) => (
        <div style={{ maxWidth: 140 }}>
          <PartyName address={h} />
        </div>
      ),
    },
    { title: t("supplier.order.agreement"), dataIndex: "agreementId" },
    {
      title: t("common.status"),
      dataIndex: "status",
      render: (s: string) => <Tag>{t(`supplier.order.${s}` as MessageKey)}</Tag>,
    },
    {
      title: t("common.quantity"),
      dataIndex: "quantity",
      // Cancelled units under the quantity, only when there are some: a column of zeros otherwise.
      render: (q: string, o) => (
        <Space orientation="vertical" size={0}>
          <span>{q}</span>
          {o.cancelled !== "0" && (
            <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: "nowrap" }}>
              {t("supplier.order.cancelledUnits", { n: o.cancelled })}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t("supplier.order.shippedAccepted"),
      key: "shippedAccepted",
      render: (_, o) =>
        t("supplier.order.shippedAcceptedValue", { shipped: o.shipped, accepted: o.accepted }),
    },
    {
      title: t("supplier.order.remaining"),
      key: "remaining",
      render: (_, o) => <strong>{remainingOf(o).toString()}</strong>,
    },
    {
      title: t("supplier.order.deadline"),
      dataIndex: "deliveryDeadline",
      render: (d: string, o) => (
        // A narrow column: the tag wraps under the date instead of widening the table.
        <Space orientation="vertical" size={2} style={{ maxWidth: 140 }}>
          <span>{dateTime(d)}</span>
          {o.lateShipmentAllowed ? (
            <ToneTag tone="warning" wrap>
              {t("supplier.order.lateAllowed")}
            </ToneTag>
          ) : (
            // Past it, the ledger refuses a shipment until the hospital's approver allows one:
            // said here, not only once the form has been filled in and sent.
            o.status === "funded" &&
            remainingOf(o) > 0n &&
            Date.parse(d) < now && (
              <ToneTag tone="bad" wrap>
                {t("supplier.order.pastDeadline")}
              </ToneTag>
            )
          )}
        </Space>
      ),
    },
    { title: t("supplier.order.value"), dataIndex: "value", render: (v: string) => yuan(v) },
    { title: t("supplier.order.paid"), key: "paid", render: (_, o) => <OrderPaid order={o} /> },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, o) =>
        o.status === "funded" && remainingOf(o) > 0n ? (
          <Button
            size="small"
            onClick={() => setSelected(o)}
            aria-label={t("supplier.order.shipOrder", { id: o.id })}
          >
            {t("supplier.order.ship")}
          </Button>
        ) : null,
    },
  ];

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("supplier.orders.title")}
      </Typography.Title>
      <CursorTable<OrderSummary>
        label={t("supplier.orders.title")}
        path="/v1/orders"
        query={{ supplier: me }}
        columns={columns}
        rowKey="id"
      />
      {selected && <ShipmentForm key={selected.id} order={selected} />}
    </Space>
  );
}
