import { useQueries } from "@tanstack/react-query";
import { Alert, Card, Descriptions, Empty, Space, Table, Tag, Typography } from "antd";
import type { Shipment, TraceEvent } from "../../../../api/shipments";
import { QueryState } from "../../components/QueryState";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { useOrderShipmentIds } from "../../lib/order-shipments";
import { useFormat } from "../../lib/use-format";
import { Hex } from "../../components/Hex";
import { PartyName } from "../../components/PartyName";
import { settledByClaim } from "../../lib/settled-by";
import { TAG } from "../../components/tag-colours";

/**
 * An order's shipments, each with its trace (EPCIS steps on chain). A step whose sensor log
 * reported a temperature excursion is highlighted: the goods may be unfit, and the hospital's own
 * confirmation waits for an approver's waiver; undecided after the confirmation window, the
 * supplier may claim, so the note gives that date.
 */
export function OrderShipments({ orderId }: { orderId: string }) {
  const { t } = useI18n();
  const shipmentIds = useOrderShipmentIds(orderId);
  return (
    <section aria-label={t("hospital.orders.shipmentsOf", { id: orderId })}>
      <h2 style={{ fontSize: 18 }}>{t("hospital.orders.shipmentsOf", { id: orderId })}</h2>
      <QueryState query={shipmentIds} empty={(ids) => ids.length === 0}>
        {(ids) => <ShipmentCards ids={ids} />}
      </QueryState>
    </section>
  );
}

function ShipmentCards({ ids }: { ids: string[] }) {
  const shipments = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["/v1/shipments", id],
      queryFn: () => api.get<Shipment>(`/v1/shipments/${id}`),
    })),
  });
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      {shipments.map((q, i) => (
        <QueryState key={ids[i]} query={q}>
          {(s) => <ShipmentCard shipment={s} />}
        </QueryState>
      ))}
    </Space>
  );
}

function ShipmentCard({ shipment: s }: { shipment: Shipment }) {
  const { t } = useI18n();
  const { dateTime, calendarDate, yuan } = useFormat();
  const excursions = s.traceEvents.filter((e) => e.excursion).length;
  return (
    <Card
      data-testid={`shipment-${s.id}`}
      title={
        <Space wrap>
          <h3 style={{ fontSize: 16, margin: 0 }}>{t("hospital.shipment", { id: s.id })}</h3>
          {s.excursion && (
            <Tag color={s.excursionWaived ? TAG.warning : TAG.bad}>
              {s.excursionWaived ? t("hospital.trace.excursionWaived") : t("hospital.trace.excursion")}
            </Tag>
          )}
          {s.recalled && <Tag color={TAG.bad}>{t("hospital.trace.recalled")}</Tag>}
          {s.confirmed && <Tag color={TAG.good}>{t("hospital.trace.settled")}</Tag>}
        </Space>
      }
    >
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label="GTIN">{s.gtin}</Descriptions.Item>
          <Descriptions.Item label={t("hospital.lot")}>{s.lot}</Descriptions.Item>
          <Descriptions.Item label={t("hospital.expiry")}>{calendarDate(s.expiry)}</Descriptions.Item>
          <Descriptions.Item label={t("common.quantity")}>{s.quantity}</Descriptions.Item>
          <Descriptions.Item label={t("hospital.trace.arrived")}>{dateTime(s.arrivedAt)}</Descriptions.Item>
          <Descriptions.Item label={t("hospital.trace.received")}>
            {dateTime(s.chainReceivedAt)}
          </Descriptions.Item>
          {s.settlement && (
            <Descriptions.Item label={t("hospital.trace.settlement")} span={3}>
              {t("hospital.trace.settlementValue", {
                accepted: s.settlement.accepted,
                rejected: s.settlement.rejected,
                paid: yuan(s.settlement.paid),
                penalty: yuan(s.settlement.penalty),
                at: dateTime(s.settlement.paidAt),
              })}
            </Descriptions.Item>
          )}
        </Descriptions>
        {excursions > 0 && (
          <Alert
            type={s.excursionWaived ? "warning" : "error"}
            showIcon
            title={t(excursionNote(s), { n: excursions, date: dateTime(s.claimOpensAt) })}
          />
        )}
        {s.traceEvents.length === 0 ? (
          <Empty description={t("state.empty")} />
        ) : (
          <Table<TraceEvent>
            aria-label={t("hospital.trace.table", { id: s.id })}
            size="small"
            pagination={false}
            rowKey="index"
            dataSource={s.traceEvents}
            scroll={{ x: "max-content" }}
            onRow={(e) => (e.excursion ? { style: { background: "#fff1f0" }, "data-excursion": "true" } : {})}
            columns={[
              { title: "#", dataIndex: "index" },
              {
                title: t("hospital.trace.step"),
                dataIndex: "step",
                render: (step: string) => t(`hospital.step.${step}` as MessageKey),
              },
              { title: t("hospital.trace.time"), dataIndex: "eventTime", render: (d: string) => dateTime(d) },
              {
                title: t("hospital.trace.actor"),
                dataIndex: "actor",
                render: (a: string) => <PartyName address={a} />,
              },
              {
                title: t("hospital.trace.temperature"),
                key: "excursion",
                render: (_, e) =>
                  e.excursion ? (
                    <Tag color={TAG.bad}>{t("hospital.trace.excursion")}</Tag>
                  ) : (
                    <Typography.Text type="secondary">{t("hospital.trace.ok")}</Typography.Text>
                  ),
              },
              {
                title: t("hospital.trace.sensor"),
                dataIndex: "sensorDigest",
                render: (d: string) => (/^0x0+$/.test(d) ? "—" : <Hex value={d} />),
              },
              { title: t("common.tx"), dataIndex: "txHash", render: (h: string) => <Hex value={h} /> },
            ]}
          />
        )}
      </Space>
    </Card>
  );
}

/** What the excursion means for the shipment now: waived; settled over it by the supplier's claim
 * after the window; settled otherwise (every unit rejected needs no waiver); or, while open, the
 * date from which the supplier may claim regardless. */
function excursionNote(s: Shipment): MessageKey {
  if (s.excursionWaived) return "hospital.trace.excursionWaivedNote";
  if (s.settlement) {
    return settledByClaim({ settledBy: s.settlement.settledBy, supplier: s.supplier }) &&
      s.settlement.accepted !== "0"
      ? "hospital.trace.excursionClaimedNote"
      : "hospital.trace.excursionSettledNote";
  }
  return s.claimOpensAt ? "hospital.trace.excursionClaimNote" : "hospital.trace.excursionNote";
}
