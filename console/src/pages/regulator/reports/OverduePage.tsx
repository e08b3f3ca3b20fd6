import { Form, InputNumber, Space, Typography } from "antd";
import { useState } from "react";
import type { OverduePayment } from "../../../../../api/payments";
import { CsvDownload } from "../../../components/CsvDownload";
import { CursorTable } from "../../../components/CursorTable";
import { PaymentHolds } from "../../../components/PaymentHolds";
import { useI18n } from "../../../i18n/i18n";
import { withQuery } from "../../../lib/api";
import { useFormat } from "../../../lib/use-format";
import { PartyName } from "../../../components/PartyName";

/**
 * GET /v1/payments/overdue?days=…: accepted shipments unpaid after N days, with their holds and
 * the insurance fund's share of what each will pay (a payer sees those its money pays for); the
 * whole list as one CSV.
 */
export function OverduePage() {
  const { t } = useI18n();
  const format = useFormat();
  const [days, setDays] = useState(30);
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t("reports.overdue.title")}
        </Typography.Title>
        <Typography.Paragraph>{t("reports.overdue.intro")}</Typography.Paragraph>
      </div>
      <Form layout="inline">
        <Form.Item label={t("reports.overdue.days")} htmlFor="overdue-days">
          <InputNumber
            id="overdue-days"
            min={0}
            max={3650}
            precision={0}
            value={days}
            onChange={(v) => setDays(v ?? 0)}
          />
        </Form.Item>
      </Form>
      <CsvDownload
        path={withQuery("/v1/payments/overdue", { days, limit: 500 })}
        filename={`overdue-payments-${days}-days.csv`}
      />
      <CursorTable<OverduePayment>
        label={t("reports.overdue.table")}
        empty={t("reports.overdue.none", { days })}
        path="/v1/payments/overdue"
        query={{ days }}
        rowKey="shipmentId"
        columns={[
          { title: t("reports.overdue.shipment"), dataIndex: "shipmentId" },
          { title: t("reports.overdue.order"), dataIndex: "orderId" },
          {
            title: t("reports.hospital"),
            key: "hospital",
            render: (_, p) => <PartyName address={p.hospital} />,
          },
          {
            title: t("reports.supplier"),
            key: "supplier",
            render: (_, p) => <PartyName address={p.supplier} />,
          },
          { title: t("reports.overdue.receipt"), dataIndex: "receiptNo" },
          { title: t("reports.gtin"), dataIndex: "gtin" },
          { title: t("reports.lot"), dataIndex: "lot" },
          { title: t("reports.rec.accepted"), dataIndex: "accepted", align: "right" },
          {
            title: t("reports.overdue.fundShare"),
            key: "fundShare",
            align: "right",
            render: (_, p) => format.yuan(p.fundShare),
          },
          {
            title: t("reports.overdue.acceptedAt"),
            dataIndex: "acceptedAt",
            render: (v: string) => format.dateTime(v),
          },
          { title: t("reports.overdue.outstanding"), dataIndex: "daysOutstanding", align: "right" },
          {
            title: t("reports.overdue.holds"),
            key: "holds",
            render: (_, p) => <PaymentHolds holds={p.holds} />,
          },
        ]}
      />
    </Space>
  );
}
