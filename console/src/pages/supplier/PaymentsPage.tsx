import { Alert, Select, Space, Tag, Typography, type TableColumnsType } from "antd";
import { useState } from "react";
import type { Payment, SettlementJobStatus } from "../../../../api/payments";
import { CursorTable } from "../../components/CursorTable";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { useFormat } from "../../lib/use-format";

const STATUSES: SettlementJobStatus[] = ["pending", "submitted", "confirmed", "failed"];
const STATUS_COLOURS: Record<SettlementJobStatus, string> = {
  pending: "blue",
  submitted: "blue",
  confirmed: "green",
  failed: "red",
};

/** "3 d 4 h": the time from acceptance to payment. */
function duration(seconds: number | null, t: ReturnType<typeof useI18n>["t"]): string {
  if (seconds === null) return "—";
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  return t("supplier.payment.duration", { days, hours });
}

/**
 * The supplier's payments (GET /v1/payments is scoped to the caller): what was paid, the penalty
 * taken, how long after acceptance; and the ones not paid yet with the last failure's reason.
 */
export function PaymentsPage() {
  const { t } = useI18n();
  const { yuan, dateTime } = useFormat();
  const [status, setStatus] = useState<SettlementJobStatus | "">("");
  const money = (v: string | null) => (v === null ? "—" : yuan(v));
  const columns: TableColumnsType<Payment> = [
    { title: t("supplier.payment.shipment"), dataIndex: "shipmentId" },
    { title: t("supplier.payment.order"), dataIndex: "orderId" },
    { title: t("supplier.payment.receipt"), dataIndex: "receiptNo" },
    {
      title: t("common.status"),
      dataIndex: "status",
      render: (s: SettlementJobStatus) => (
        <Tag color={STATUS_COLOURS[s]}>{t(`supplier.payment.${s}` as MessageKey)}</Tag>
      ),
    },
    { title: t("supplier.payment.accepted"), dataIndex: "accepted" },
    { title: t("supplier.payment.rejected"), dataIndex: "rejected" },
    { title: t("supplier.payment.gross"), dataIndex: "gross", render: money },
    { title: t("supplier.payment.penalty"), dataIndex: "penalty", render: money },
    { title: t("supplier.payment.paid"), dataIndex: "paid", render: money },
    { title: t("supplier.payment.daysLate"), dataIndex: "daysLate", render: (d: number | null) => d ?? "—" },
    { title: t("supplier.payment.acceptedAt"), dataIndex: "acceptedAt", render: (v: string) => dateTime(v) },
    { title: t("supplier.payment.paidAt"), dataIndex: "paidAt", render: (v: string | null) => dateTime(v) },
    {
      title: t("supplier.payment.toPayment"),
      dataIndex: "secondsToPayment",
      render: (s: number | null) => duration(s, t),
    },
    {
      title: t("supplier.payment.why"),
      dataIndex: "error",
      render: (e: string | null) =>
        e === null ? (
          "—"
        ) : (
          <Typography.Text style={{ wordBreak: "break-word", maxWidth: 280, display: "inline-block" }}>
            {e}
          </Typography.Text>
        ),
    },
  ];
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("supplier.payments.title")}
      </Typography.Title>
      <Alert
        type="info"
        showIcon
        title={t("supplier.payments.holdsTitle")}
        description={t("supplier.payments.holdsText")}
      />
      <Space wrap>
        <label htmlFor="supplier-payment-status">{t("common.status")}</label>
        <Select
          id="supplier-payment-status"
          style={{ minWidth: 180 }}
          value={status}
          onChange={setStatus}
          options={[
            { value: "", label: t("supplier.payment.all") },
            ...STATUSES.map((s) => ({ value: s, label: t(`supplier.payment.${s}` as MessageKey) })),
          ]}
        />
      </Space>
      <CursorTable<Payment>
        label={t("supplier.payments.title")}
        path="/v1/payments"
        query={{ status: status || undefined }}
        columns={columns}
        rowKey="shipmentId"
      />
    </Space>
  );
}
