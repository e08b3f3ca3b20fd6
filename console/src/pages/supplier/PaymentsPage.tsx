import { Select, Space, Typography, type TableColumnsType } from "antd";
import { useState } from "react";
import type { OverduePayment, Payment, SettlementJobStatus } from "../../../../api/payments";
import { CursorTable } from "../../components/CursorTable";
import { PaymentError } from "../../components/PaymentError";
import { PaymentHolds } from "../../components/PaymentHolds";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { useFormat } from "../../lib/use-format";
import { ClaimPayments } from "./ClaimPayments";
import { settledByClaim } from "../../lib/settled-by";
import { ToneTag, type Tone } from "./ToneTag";
import { TwoLines } from "../../components/TwoLines";

const STATUSES: SettlementJobStatus[] = ["pending", "submitted", "confirmed", "failed"];
const STATUS_TONES: Record<SettlementJobStatus, Tone> = {
  pending: "info",
  submitted: "info",
  confirmed: "good",
  failed: "bad",
};

/** "3 d 4 h": the time from acceptance to payment. */
function duration(seconds: number, t: ReturnType<typeof useI18n>["t"]): string {
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
    {
      title: t("supplier.payment.shipment"),
      dataIndex: "shipmentId",
      render: (id: string, p) => t("supplier.payment.shipmentOfOrder", { shipment: id, order: p.orderId }),
    },
    {
      title: t("supplier.payment.receipt"),
      dataIndex: "receiptNo",
      render: (no: string | null) => no ?? t("supplier.payment.noReceipt"),
    },
    {
      title: t("common.status"),
      dataIndex: "status",
      render: (s: SettlementJobStatus, p) => (
        <Space orientation="vertical" size={4}>
          <ToneTag tone={STATUS_TONES[s]}>{t(`supplier.payment.${s}` as MessageKey)}</ToneTag>
          {settledByClaim(p) && <ToneTag tone="info">{t("supplier.payment.byClaim")}</ToneTag>}
        </Space>
      ),
    },
    {
      title: t("supplier.payment.units"),
      key: "units",
      render: (_, p) => t("supplier.payment.unitsValue", { accepted: p.accepted, rejected: p.rejected }),
    },
    { title: t("supplier.payment.gross"), dataIndex: "gross", render: money },
    // What a cell adds beneath its value (days late, time since acceptance) goes on a second line,
    // so the table fits a 1366-pixel laptop with a late payment in it.
    {
      title: t("supplier.payment.penalty"),
      dataIndex: "penalty",
      render: (v: string | null, p) => (
        <TwoLines
          first={money(v)}
          second={p.daysLate ? t("supplier.payment.daysLate", { days: p.daysLate }) : null}
        />
      ),
    },
    { title: t("supplier.payment.paid"), dataIndex: "paid", render: money },
    {
      title: t("supplier.payment.acceptedAt"),
      dataIndex: "acceptedAt",
      render: (v: string | null) => dateTime(v),
    },
    {
      title: t("supplier.payment.paidAt"),
      dataIndex: "paidAt",
      render: (v: string | null, p) => (
        <TwoLines
          first={dateTime(v)}
          second={v === null || p.secondsToPayment === null ? null : duration(p.secondsToPayment, t)}
        />
      ),
    },
    {
      title: t("supplier.payment.why"),
      key: "error",
      render: (_, p) => <PaymentError payment={p} />,
    },
  ];
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("supplier.payments.title")}
      </Typography.Title>
      <section aria-labelledby="supplier-held">
        <Typography.Title level={2} id="supplier-held" style={{ fontSize: 18 }}>
          {t("supplier.payments.holdsTitle")}
        </Typography.Title>
        <Typography.Paragraph>{t("supplier.payments.holdsText")}</Typography.Paragraph>
        {/* days=0: every accepted delivery still unpaid, however recent. */}
        <CursorTable<OverduePayment>
          label={t("supplier.payments.heldTable")}
          path="/v1/payments/overdue"
          query={{ days: 0 }}
          rowKey="shipmentId"
          columns={[
            {
              title: t("supplier.payment.shipment"),
              dataIndex: "shipmentId",
              render: (id: string) => `#${id}`,
            },
            { title: t("common.order"), dataIndex: "orderId", render: (id: string) => `#${id}` },
            {
              title: `GTIN / ${t("supplier.ship.lot")}`,
              key: "lot",
              render: (_, o) => `${o.gtin} / ${o.lot}`,
            },
            { title: t("common.quantity"), dataIndex: "accepted", align: "right" },
            {
              title: t("supplier.payment.acceptedAt"),
              dataIndex: "acceptedAt",
              render: (d: string) => dateTime(d),
            },
            {
              title: t("supplier.payments.holdsTitle"),
              key: "holds",
              render: (_, o) => <PaymentHolds holds={o.holds} />,
            },
          ]}
        />
      </section>
      <ClaimPayments />
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
