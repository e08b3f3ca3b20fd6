import { useQueries } from "@tanstack/react-query";
import { Button, Card, Empty, Form, Input, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import type { OrderSummary } from "../../../../api/orders";
import type { Shipment } from "../../../../api/shipments";
import { CursorTable } from "../../components/CursorTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { TAG } from "../../components/tag-colours";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { useOrderShipmentIds } from "../../lib/order-shipments";
import { useFormat } from "../../lib/use-format";
import { useSession } from "../../lib/session";

/**
 * Step 1: which shipment is at the dock — typed from its delivery note, or found through the
 * hospital's funded orders: GET /v1/shipments names an order's shipments, and each (with its
 * manifest and trace) is read from /v1/shipments/:id.
 */
export function ShipmentChooser({ onChoose }: { onChoose: (shipmentId: string) => void }) {
  const { t } = useI18n();
  const { session } = useSession();
  const format = useFormat();
  const [typed, setTyped] = useState("");
  const [invalid, setInvalid] = useState(false);
  const [orderId, setOrderId] = useState<string | null>(null);

  function open() {
    const id = typed.trim();
    if (!/^[1-9][0-9]{0,17}$/.test(id)) return setInvalid(true);
    setInvalid(false);
    onChoose(id);
  }

  return (
    <Card title={<h2 style={{ margin: 0, fontSize: 18 }}>{t("warehouse.choose.title")}</h2>}>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <Form layout="inline" onFinish={open}>
          <Form.Item
            label={t("warehouse.choose.byId")}
            htmlFor="shipment-id"
            validateStatus={invalid ? "error" : undefined}
            help={invalid ? t("warehouse.choose.idInvalid") : undefined}
          >
            <Input
              id="shipment-id"
              inputMode="numeric"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              style={{ width: 160 }}
            />
          </Form.Item>
          <Button htmlType="submit">{t("warehouse.choose.open")}</Button>
        </Form>
        <section aria-labelledby="orders-heading">
          <h3 id="orders-heading" style={{ fontSize: 16 }}>
            {t("warehouse.choose.orders")}
          </h3>
          <CursorTable<OrderSummary>
            label={t("warehouse.choose.ordersTable")}
            path="/v1/orders"
            query={{ hospital: session?.hospital ?? undefined, status: "funded" }}
            rowKey="id"
            pageSize={10}
            columns={[
              { title: t("warehouse.order.id"), dataIndex: "id" },
              { title: t("warehouse.order.quantity"), dataIndex: "quantity", align: "right" },
              { title: t("warehouse.order.shipped"), dataIndex: "shipped", align: "right" },
              { title: t("warehouse.order.accepted"), dataIndex: "accepted", align: "right" },
              {
                title: t("warehouse.order.deadline"),
                dataIndex: "deliveryDeadline",
                render: (v: string) => format.date(v),
              },
              {
                title: t("common.actions"),
                key: "actions",
                render: (_, o) => (
                  <Button size="small" disabled={o.shipped === "0"} onClick={() => setOrderId(o.id)}>
                    {t("warehouse.choose.showShipments", { id: o.id })}
                  </Button>
                ),
              },
            ]}
          />
        </section>
        {orderId !== null && <OrderShipments orderId={orderId} onChoose={onChoose} />}
      </Space>
    </Card>
  );
}

function OrderShipments({ orderId, onChoose }: { orderId: string; onChoose: (id: string) => void }) {
  const { t } = useI18n();
  const format = useFormat();
  const shipmentIds = useOrderShipmentIds(orderId);
  const ids = shipmentIds.data ?? [];
  const shipments = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["shipment", id],
      queryFn: () => api.get<Shipment>(`/v1/shipments/${id}`),
    })),
  });
  const failed = shipments.find((q) => q.error);
  const rows = shipments.flatMap((q) => (q.data ? [q.data] : []));

  return (
    <section aria-labelledby="order-shipments">
      <h3 id="order-shipments" style={{ fontSize: 16 }}>
        {t("warehouse.choose.shipmentsOf", { id: orderId })}
      </h3>
      <QueryState query={shipmentIds}>
        {() =>
          ids.length === 0 ? (
            <Empty description={t("warehouse.choose.noShipments")} />
          ) : failed ? (
            <ErrorAlert error={failed.error} />
          ) : (
            <Table<Shipment>
              aria-label={t("warehouse.choose.shipmentsTable")}
              size="small"
              loading={shipments.some((q) => q.isPending)}
              dataSource={rows}
              rowKey="id"
              pagination={false}
              scroll={{ x: "max-content" }}
              columns={[
                { title: t("warehouse.shipment.id"), dataIndex: "id" },
                { title: t("warehouse.shipment.gtin"), dataIndex: "gtin" },
                { title: t("warehouse.shipment.lot"), dataIndex: "lot" },
                {
                  title: t("warehouse.shipment.expiry"),
                  key: "expiry",
                  render: (_, s) => format.calendarDate(s.expiry),
                },
                { title: t("warehouse.shipment.quantity"), dataIndex: "quantity", align: "right" },
                {
                  title: t("warehouse.shipment.arrived"),
                  dataIndex: "arrivedAt",
                  render: (v: string | null) => format.dateTime(v),
                },
                {
                  title: t("warehouse.shipment.state"),
                  key: "state",
                  render: (_, s) => <ShipmentTags shipment={s} />,
                },
                {
                  title: t("common.actions"),
                  key: "actions",
                  render: (_, s) => (
                    <Button size="small" type="primary" onClick={() => onChoose(s.id)}>
                      {t("warehouse.choose.receive", { id: s.id })}
                    </Button>
                  ),
                },
              ]}
            />
          )
        }
      </QueryState>
    </section>
  );
}

/** What the dock should know of a shipment's state at a glance. */
export function ShipmentTags({ shipment }: { shipment: Shipment }) {
  const { t } = useI18n();
  const format = useFormat();
  return (
    // Narrow enough to wrap: a claim's date must not push the Receive button off the table.
    <Space size={4} wrap style={{ maxWidth: 300 }}>
      {shipment.settlement ? (
        <Tag>{t("warehouse.shipment.settled")}</Tag>
      ) : (
        <Tag color="blue">{t("warehouse.shipment.open")}</Tag>
      )}
      {/* Unconfirmed and undisputed by then, the supplier settles it itself (a receipt not
          recorded included): the hospital's deadline. */}
      {!shipment.settlement && shipment.claimOpensAt && (
        <Tag color={TAG.warning} data-testid="claim-opens">
          {t("warehouse.shipment.claimOpens", { at: format.dateTime(shipment.claimOpensAt) })}
        </Tag>
      )}
      {shipment.excursion && !shipment.excursionWaived && (
        <Tag color="magenta">{t("warehouse.shipment.excursion")}</Tag>
      )}
      {shipment.recalled && <Tag color="red">{t("warehouse.shipment.recalled")}</Tag>}
      <Typography.Text type="secondary">
        {shipment.manifestSerials === null
          ? t("warehouse.shipment.noManifest")
          : t("warehouse.shipment.manifestCount", { count: shipment.manifestSerials })}
      </Typography.Text>
    </Space>
  );
}
