import { useQuery } from "@tanstack/react-query";
import { Form, Space, Table, Typography } from "antd";
import { useId, useState } from "react";
import type { FundStatement, FundStatementLine } from "../../../../api/fund";
import { CsvDownload } from "../../components/CsvDownload";
import { MonthInput } from "../../components/DateInput";
import { Hex } from "../../components/Hex";
import { PartyName } from "../../components/PartyName";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { api, withQuery } from "../../lib/api";
import { bytes32Text, monthOf } from "../../lib/format";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";

type HospitalTotals = FundStatement["hospitals"][number];

/**
 * GET /v1/fund/statements: one month's statement (the ledger's current month until another is
 * chosen) — per hospital what the fund paid suppliers, the same amount deducted from its
 * reimbursement, and the net drawn by orders; the movements in chain order; and the CSV the
 * fund's settlement system takes.
 */
export function FundStatementPage() {
  const { t } = useI18n();
  const { yuan, dateTime, zone } = useFormat();
  const timeZone = useSession().config?.timeZone ?? "Asia/Shanghai";
  const now = useLedgerNow()();
  const monthId = useId();
  const [chosen, setChosen] = useState<string>();
  const month = chosen ?? monthOf(now, timeZone);
  const statement = useQuery({
    queryKey: ["/v1/fund/statements", month],
    queryFn: () => api.get<FundStatement>(withQuery("/v1/fund/statements", { month })),
  });
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t("fund.statement.title")}
        </Typography.Title>
        <Typography.Paragraph>{t("fund.statement.intro", { timeZone: zone(timeZone) })}</Typography.Paragraph>
      </div>
      <Form layout="inline">
        <Form.Item label={t("fund.statement.month")} htmlFor={monthId}>
          <MonthInput
            id={monthId}
            allowClear={false}
            value={month}
            onChange={(v) => setChosen(v || undefined)}
          />
        </Form.Item>
      </Form>
      <CsvDownload
        path={withQuery("/v1/fund/statements", { month })}
        filename={`fund-statement-${month}.csv`}
      />
      <QueryState query={statement}>
        {(s) => (
          <>
            <Typography.Title level={2} style={{ fontSize: 18 }}>
              {t("fund.statement.hospitals")}
            </Typography.Title>
            <Table<HospitalTotals>
              aria-label={t("fund.statement.hospitals")}
              // The movements table below says the month is empty; here a dash.
              locale={{ emptyText: <Typography.Text type="secondary">—</Typography.Text> }}
              size="small"
              pagination={false}
              rowKey="hospital"
              dataSource={s.hospitals}
              columns={[
                {
                  title: t("common.hospital"),
                  key: "hospital",
                  render: (_, h) => <PartyName address={h.hospital} />,
                },
                {
                  title: t("fund.statement.paidSuppliers"),
                  key: "paid",
                  align: "right",
                  render: (_, h) => yuan(h.fundPaidSuppliers),
                },
                {
                  title: t("fund.statement.deduction"),
                  key: "deduction",
                  align: "right",
                  render: (_, h) => yuan(h.reimbursementDeduction),
                },
                {
                  title: t("fund.statement.netDrawn"),
                  key: "drawn",
                  align: "right",
                  render: (_, h) => yuan(h.drawn),
                },
              ]}
            />
            <Typography.Title level={2} style={{ fontSize: 18 }}>
              {t("fund.statement.lines")}
            </Typography.Title>
            <Table<FundStatementLine>
              aria-label={t("fund.statement.lines")}
              locale={{
                emptyText: (
                  <Typography.Text type="secondary">{t("fund.statement.none", { month })}</Typography.Text>
                ),
              }}
              size="small"
              pagination={false}
              rowKey={(l) => `${l.txHash}:${l.kind}:${l.orderId}:${l.shipmentId ?? ""}`}
              dataSource={s.lines}
              // Names wrap rather than scroll at a laptop's width.
              scroll={{ x: 1000 }}
              columns={[
                { title: t("fund.statement.at"), key: "at", render: (_, l) => dateTime(l.at) },
                {
                  title: t("fund.statement.kind"),
                  key: "kind",
                  render: (_, l) => t(`fund.statement.kind.${l.kind}`),
                },
                {
                  title: t("common.hospital"),
                  key: "hospital",
                  render: (_, l) => <PartyName address={l.hospital} />,
                },
                {
                  title: t("fund.agreement"),
                  key: "agreement",
                  render: (_, l) =>
                    t("fund.agreementOf", { id: l.agreementId, category: bytes32Text(l.category) }),
                },
                {
                  title: t("common.supplier"),
                  key: "supplier",
                  render: (_, l) => <PartyName address={l.supplier} />,
                },
                { title: t("common.order"), dataIndex: "orderId" },
                {
                  title: t("fund.statement.shipment"),
                  key: "shipment",
                  render: (_, l) => l.shipmentId ?? "—",
                },
                {
                  title: t("common.amount"),
                  key: "amount",
                  align: "right",
                  render: (_, l) => yuan(l.amount),
                },
                { title: t("common.tx"), key: "tx", render: (_, l) => <Hex value={l.txHash} /> },
              ]}
            />
          </>
        )}
      </QueryState>
    </Space>
  );
}
