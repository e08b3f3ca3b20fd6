import { useQuery } from "@tanstack/react-query";
import { fetchAll } from "../../lib/api";
import { Card, Form, InputNumber, Space, Tag, Typography } from "antd";
import type { EChartsOption } from "echarts";
import { useMemo, useState } from "react";
import type { OverduePayment, Payment, PaymentHold } from "../../../../api/payments";
import { Chart } from "../../components/Chart";
import { CursorTable } from "../../components/CursorTable";
import { PaymentError } from "../../components/PaymentError";
import { PaymentHolds } from "../../components/PaymentHolds";
import { QueryState } from "../../components/QueryState";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { useFormat } from "../../lib/use-format";
import { daysOf } from "./days";
import { PartyName } from "../../components/PartyName";
import { settledByClaim } from "../../lib/settled-by";
import { TAG } from "../../components/tag-colours";
import { TwoLines } from "../../components/TwoLines";

/**
 * The hospital's payments: each settlement with its amounts and the days from acceptance to
 * payment, their distribution, and the accepted shipments still unpaid after N days with what
 * holds each.
 */
export function PaymentsPage() {
  const { t } = useI18n();
  const { dateTime, yuan } = useFormat();
  const [days, setDays] = useState<number>(30);

  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("hospital.payments.title")}
      </Typography.Title>
      <Space orientation="vertical" style={{ width: "100%" }} size="large">
        <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t("hospital.payments.distribution")}</h2>}>
          <DaysChart />
        </Card>
        <CursorTable<Payment>
          label={t("hospital.payments.table")}
          path="/v1/payments"
          rowKey="shipmentId"
          columns={[
            // The order beneath the shipment, the supplier's name above its address, and the long
            // headers on two lines: the table then fits a 1366-pixel laptop with its days to
            // payment and last error in view.
            {
              title: t("hospital.shipmentCol"),
              dataIndex: "shipmentId",
              render: (id: string, p) => (
                <TwoLines first={`#${id}`} second={t("hospital.payments.ofOrder", { order: p.orderId })} />
              ),
            },
            {
              title: t("hospital.receipt"),
              dataIndex: "receiptNo",
              render: (no: string | null) => no ?? t("hospital.payments.noReceipt"),
            },
            {
              title: t("common.supplier"),
              dataIndex: "supplier",
              width: 170,
              render: (a: string) => <PartyName address={a} />,
            },
            {
              title: t("common.status"),
              dataIndex: "status",
              render: (s: Payment["status"], p) => (
                <Space orientation="vertical" size={4}>
                  <Tag color={s === "confirmed" ? TAG.good : s === "failed" ? TAG.bad : TAG.warning}>
                    {t(`hospital.paymentStatus.${s}` as MessageKey)}
                  </Tag>
                  {settledByClaim(p) && <Tag color={TAG.warning}>{t("hospital.payments.byClaim")}</Tag>}
                </Space>
              ),
            },
            {
              title: t("hospital.payments.units"),
              key: "units",
              width: 100,
              render: (_, p) =>
                t("hospital.payments.unitsValue", { accepted: p.accepted, rejected: p.rejected }),
            },
            // Paid, with the gross and the late penalty beneath it when a penalty was taken: three
            // money columns side by side made the table wider than a 1366-pixel laptop.
            {
              title: t("hospital.payments.paid"),
              key: "paid",
              render: (_, p) => (
                <Space orientation="vertical" size={0}>
                  {money(yuan)(p.paid)}
                  {p.penalty !== null && p.penalty !== "0" && (
                    <Typography.Text
                      type="secondary"
                      style={{ fontSize: 12, display: "block", maxWidth: 160 }}
                    >
                      {t("hospital.payments.gross")} {money(yuan)(p.gross)} − {t("hospital.payments.penalty")}{" "}
                      {money(yuan)(p.penalty)}
                    </Typography.Text>
                  )}
                </Space>
              ),
            },
            {
              title: `${t("hospital.payments.acceptedAt")} / ${t("hospital.payments.paidAt")}`,
              key: "times",
              render: (_, p) => <TwoLines first={dateTime(p.acceptedAt)} second={dateTime(p.paidAt)} />,
            },
            {
              title: t("hospital.payments.days"),
              dataIndex: "secondsToPayment",
              width: 90,
              render: (s: number | null) => (s === null ? "—" : daysOf(s)),
            },
            {
              title: t("hospital.payments.error"),
              key: "error",
              render: (_: unknown, p: Payment) => <PaymentError payment={p} />,
            },
          ]}
        />
        <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t("hospital.payments.overdue")}</h2>}>
          <Form layout="inline" style={{ marginBottom: 12 }}>
            <Form.Item label={t("hospital.payments.overdueDays")} htmlFor="overdue-days">
              <InputNumber
                id="overdue-days"
                min={0}
                max={3650}
                precision={0}
                value={days}
                onChange={(v) => setDays(v ?? 30)}
              />
            </Form.Item>
          </Form>
          <CursorTable<OverduePayment>
            label={t("hospital.payments.overdueTable")}
            path="/v1/payments/overdue"
            query={{ days }}
            rowKey="shipmentId"
            columns={[
              { title: t("hospital.shipmentCol"), dataIndex: "shipmentId", render: (id: string) => `#${id}` },
              { title: t("hospital.order"), dataIndex: "orderId", render: (id: string) => `#${id}` },
              { title: t("hospital.receipt"), dataIndex: "receiptNo" },
              { title: "GTIN / " + t("hospital.lot"), key: "lot", render: (_, o) => `${o.gtin} / ${o.lot}` },
              { title: t("hospital.payments.acceptedUnits"), dataIndex: "accepted" },
              {
                title: t("hospital.payments.acceptedAt"),
                dataIndex: "acceptedAt",
                render: (d: string) => dateTime(d),
              },
              { title: t("hospital.payments.outstanding"), dataIndex: "daysOutstanding" },
              {
                title: t("hospital.payments.holds"),
                dataIndex: "holds",
                render: (holds: PaymentHold[]) => <PaymentHolds holds={holds} />,
              },
            ]}
          />
        </Card>
      </Space>
    </section>
  );
}

const money = (yuan: (fen: string) => string) => (v: string | null) => (v === null ? "—" : yuan(v));

/** How many payments took how many whole days from acceptance to payment. */
function DaysChart() {
  const { t } = useI18n();
  const payments = useQuery({
    queryKey: ["/v1/payments", "all"],
    queryFn: () => fetchAll<Payment>("/v1/payments"),
  });
  const paid = useMemo(
    () => (payments.data ?? []).flatMap((p) => (p.secondsToPayment === null ? [] : [p.secondsToPayment])),
    [payments.data],
  );
  const label = t("hospital.payments.chartLabel", { n: paid.length });
  const option = useMemo<EChartsOption>(() => {
    const whole = paid.map((s) => Math.floor(s / 86_400));
    const max = Math.max(0, ...whole);
    // At most about 20 bars: a long tail (months of chain time) groups days into wider bins.
    const width = Math.max(1, Math.ceil((max + 1) / 20));
    const bins = Array.from({ length: Math.floor(max / width) + 1 }, (_, i) => i * width);
    const counts = bins.map((from) => whole.filter((w) => w >= from && w < from + width).length);
    const names = bins.map((from) => (width === 1 ? String(from) : `${from}–${from + width - 1}`));
    return {
      grid: { left: 48, right: 16, top: 24, bottom: 48 },
      tooltip: { trigger: "axis" },
      xAxis: {
        type: "category",
        name: t("hospital.payments.chartX"),
        nameLocation: "middle",
        nameGap: 30,
        data: names,
      },
      yAxis: { type: "value", name: t("hospital.payments.chartY"), minInterval: 1 },
      series: [
        { type: "bar", name: t("hospital.payments.chartY"), data: counts, itemStyle: { color: "#1677ff" } },
      ],
    };
  }, [paid, t]);
  return (
    <QueryState query={payments} empty={() => paid.length === 0}>
      {() => (
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Chart option={option} label={label} />
          <Typography.Text type="secondary">{t("hospital.payments.chartNote")}</Typography.Text>
        </Space>
      )}
    </QueryState>
  );
}
