import { Button, Space, Typography } from "antd";
import { useState } from "react";
import { ORDER_STATUS, existing } from "../../../../ledger/enums";
import type { OrderStatus, OrderSummary } from "../../../../api/orders";
import { ChoiceFilter } from "../../components/ChoiceFilter";
import { CursorTable } from "../../components/CursorTable";
import { OrderPaid } from "../../components/OrderPaid";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { useFormat } from "../../lib/use-format";
import { remainingOf } from "../../lib/order-remaining";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useSession } from "../../lib/session";
import { OrderBook__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { useHospital } from "./agreements";
import { PartyName } from "../../components/PartyName";
import { OrderShipments } from "./OrderShipments";
import { OrderStatusTag } from "./OrderStatusTag";

const STATUSES = existing(ORDER_STATUS);
const orderBook = OrderBook__factory.createInterface();
/** The filter's "any" choice (a choice rather than an empty box: a placeholder reads too faint). */

/** The hospital's orders with their status; an order's shipments with their trace. */
export function OrdersPage() {
  const { t } = useI18n();
  const { dateTime, yuan } = useFormat();
  const hospital = useHospital();
  const { config } = useSession();
  const now = useLedgerNow()();
  const [status, setStatus] = useState<OrderStatus | undefined>(undefined);
  const [selected, setSelected] = useState<OrderSummary | null>(null);

  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("hospital.orders.title")}
      </Typography.Title>
      <ChoiceFilter
        label={t("common.status")}
        value={status}
        onChange={setStatus}
        choices={STATUSES.map((s) => ({ value: s, label: t(`hospital.orderStatus.${s}` as MessageKey) }))}
      />
      <CursorTable<OrderSummary>
        label={t("hospital.orders.table")}
        path="/v1/orders"
        query={{ hospital: hospital ?? undefined, status }}
        rowKey="id"
        columns={[
          { title: t("hospital.order"), dataIndex: "id", render: (id: string) => `#${id}` },
          { title: t("hospital.agreement"), dataIndex: "agreementId", render: (id: string) => `#${id}` },
          {
            title: t("common.supplier"),
            dataIndex: "supplier",
            render: (a: string) => <PartyName address={a} />,
          },
          {
            title: t("common.status"),
            dataIndex: "status",
            render: (s: OrderStatus) => <OrderStatusTag status={s} />,
          },
          { title: t("common.quantity"), dataIndex: "quantity" },
          {
            title: t("hospital.orders.progress"),
            key: "progress",
            render: (_, o) =>
              t("hospital.orders.progressValue", {
                shipped: o.shipped,
                accepted: o.accepted,
                cancelled: o.cancelled,
              }),
          },
          {
            title: t("hospital.orders.value"),
            key: "value",
            // Priced when approval funds it (the tier it then reaches): until then there is none.
            render: (_, o) =>
              o.status === "placed" ? (
                <Typography.Text type="secondary">{t("hospital.orders.valueAtFunding")}</Typography.Text>
              ) : (
                yuan(o.value)
              ),
          },
          { title: t("hospital.orders.paid"), key: "paid", render: (_, o) => <OrderPaid order={o} /> },
          {
            title: t("hospital.deliveryDeadline"),
            dataIndex: "deliveryDeadline",
            render: (d: string) => dateTime(d),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_, o) => (
              <Button onClick={() => setSelected(o)} aria-pressed={selected?.id === o.id}>
                {t("hospital.orders.shipmentsOf", { id: o.id })}
              </Button>
            ),
          },
        ]}
      />
      {selected && (
        <Space orientation="vertical" style={{ width: "100%", marginTop: 16 }}>
          {/* The units not shipped yet, taken back: the whole order before anything was shipped,
              else once its deadline has passed. (Before it, only with the supplier's agreement,
              which the list does not carry: the ledger's refusal would say so.) Offered on the
              order opened, not on every row. */}
          {selected.status === "funded" &&
            remainingOf(selected) > 0n &&
            (selected.shipped === "0" || Date.parse(selected.deliveryDeadline) < now) &&
            config && (
              <ActButton
                danger
                confirm={t("hospital.orders.cancelConfirm", {
                  id: selected.id,
                  units: remainingOf(selected).toString(),
                })}
                call={() => ({
                  to: config.contracts.orderBook,
                  data: orderBook.encodeFunctionData("cancelOrder", [BigInt(selected.id)]),
                })}
                onDone={() => setSelected(null)}
              >
                {t("hospital.orders.cancel", { id: selected.id })}
              </ActButton>
            )}
          <OrderShipments orderId={selected.id} />
        </Space>
      )}
    </section>
  );
}
