import { useQuery } from "@tanstack/react-query";
import { Table, Typography } from "antd";
import { useMemo } from "react";
import type { SpendReport, SpendRow } from "../../../../api/payments";
import { Chart } from "../../components/Chart";
import { QueryState } from "../../components/QueryState";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { bytes32Text, yuan } from "../../lib/format";
import { useFormat } from "../../lib/use-format";

/**
 * The words of each view: a hospital and the regulator read what was spent; a supplier reads
 * the same report (GET /v1/payments/spend answers its own) as what it was paid.
 */
const WORDS = {
  spend: {
    title: "spend.title",
    intro: "spend.intro",
    chart: "spend.chart",
    paid: "spend.paid",
    penalties: "spend.penalties",
  },
  sales: {
    title: "sales.title",
    intro: "sales.intro",
    chart: "sales.chart",
    paid: "sales.paid",
    penalties: "sales.penalties",
  },
} as const satisfies Record<string, Record<string, MessageKey>>;

type Words = (typeof WORDS)[keyof typeof WORDS];

/**
 * Where the money went: what the ledger paid suppliers per month and product category over the
 * last twelve months — a hospital its own, a supplier its own sales, a regulator everyone's.
 */
export function SpendPage({ view }: { view: keyof typeof WORDS }) {
  const { t } = useI18n();
  const words = WORDS[view];
  const { zone } = useFormat();
  const report = useQuery({ queryKey: ["spend"], queryFn: () => api.get<SpendReport>("/v1/payments/spend") });
  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t(words.title)}
      </Typography.Title>
      <QueryState query={report} empty={(r) => r.rows.length === 0}>
        {(r) => (
          <>
            <Typography.Paragraph>{t(words.intro, { timeZone: zone(r.timeZone) })}</Typography.Paragraph>
            <SpendChart rows={r.rows} words={words} />
            <Table<SpendRow>
              aria-label={t(words.title)}
              size="small"
              pagination={false}
              rowKey={(row) => `${row.month}/${row.category}`}
              dataSource={r.rows}
              scroll={{ x: "max-content" }}
              columns={[
                { title: t("spend.month"), dataIndex: "month" },
                { title: t("common.category"), dataIndex: "category", render: (v: string) => bytes32Text(v) },
                { title: t(words.paid), dataIndex: "paid", align: "right", render: (v: string) => yuan(v) },
                {
                  title: t(words.penalties),
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

function SpendChart({ rows, words }: { rows: SpendRow[]; words: Words }) {
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
  return <Chart option={option} label={t(words.chart)} />;
}
