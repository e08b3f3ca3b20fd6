import { useQuery } from "@tanstack/react-query";
import { Table, Typography } from "antd";
import { useMemo } from "react";
import type { SpendReport, SpendRow } from "../../../../api/payments";
import { Chart } from "../../components/Chart";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { bytes32Text, yuan } from "../../lib/format";
import { useFormat } from "../../lib/use-format";

/**
 * Where the money went: what the ledger paid suppliers per month and product category over the
 * last twelve months — a hospital its own, a supplier its own sales, a regulator everyone's.
 */
export function SpendPage() {
  const { t } = useI18n();
  const { zone } = useFormat();
  const report = useQuery({ queryKey: ["spend"], queryFn: () => api.get<SpendReport>("/v1/payments/spend") });
  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("spend.title")}
      </Typography.Title>
      <QueryState query={report} empty={(r) => r.rows.length === 0}>
        {(r) => (
          <>
            <Typography.Paragraph>{t("spend.intro", { timeZone: zone(r.timeZone) })}</Typography.Paragraph>
            <SpendChart rows={r.rows} />
            <Table<SpendRow>
              aria-label={t("spend.title")}
              size="small"
              pagination={false}
              rowKey={(row) => `${row.month}/${row.category}`}
              dataSource={r.rows}
              scroll={{ x: "max-content" }}
              columns={[
                { title: t("spend.month"), dataIndex: "month" },
                { title: t("common.category"), dataIndex: "category", render: (v: string) => bytes32Text(v) },
                { title: t("spend.paid"), dataIndex: "paid", align: "right", render: (v: string) => yuan(v) },
                {
                  title: t("spend.penalties"),
                  dataIndex: "penalties",
                  align: "right",
                  render: (v: string) => yuan(v),
                },
                { title: t("spend.settlements"), dataIndex: "settlements", align: "right" },
              ]}
            />
          </>
        )}
      </QueryState>
    </section>
  );
}

function SpendChart({ rows }: { rows: SpendRow[] }) {
  const { t } = useI18n();
  const option = useMemo(() => {
    const months = [...new Set(rows.map((r) => r.month))];
    const categories = [...new Set(rows.map((r) => r.category))];
    // Yuan as numbers for the chart's scale only: the table shows the exact amounts.
    const value = (month: string, category: string) => {
      const row = rows.find((r) => r.month === month && r.category === category);
      return row ? Number(BigInt(row.paid) / 100n) : 0;
    };
    return {
      tooltip: { trigger: "axis" as const },
      legend: { data: categories.map(bytes32Text) },
      xAxis: { type: "category" as const, data: months },
      yAxis: { type: "value" as const, name: "¥" },
      series: categories.map((c) => ({
        name: bytes32Text(c),
        type: "bar" as const,
        stack: "paid",
        data: months.map((m) => value(m, c)),
      })),
    };
  }, [rows]);
  return <Chart option={option} label={t("spend.chart")} />;
}
