import { useQuery } from "@tanstack/react-query";
import { Empty, Typography } from "antd";
import type { EChartsOption } from "echarts";
import { useMemo } from "react";
import type { ReconciliationReport, ReconciliationRow } from "../../../../../api/reconciliation";
import { Chart } from "../../../components/Chart";
import { QueryState } from "../../../components/QueryState";
import type { MessageKey } from "../../../i18n/en";
import { useI18n } from "../../../i18n/i18n";
import { allPages } from "../../../lib/api";
import { short } from "../../../lib/format";
import { useNames } from "../../../lib/names";

export interface ReconciliationFilters {
  hospital?: string;
  gtin?: string;
  lot?: string;
}

/**
 * Flags by kind and hospital over the whole report under the filters — every page, not just
 * the one on screen, or the chart would change with paging.
 */
export function FlagsChart({ filters }: { filters: ReconciliationFilters }) {
  const { t } = useI18n();
  const all = useQuery({
    queryKey: ["reconciliation-all", filters],
    queryFn: async () =>
      (await allPages<ReconciliationReport>("/v1/reconciliation", { ...filters })).flatMap((p) => p.rows),
  });
  return (
    <section aria-labelledby="flags-chart">
      <h2 id="flags-chart" style={{ fontSize: 18 }}>
        {t("reports.chart.title")}
      </h2>
      <QueryState query={all}>{(rows) => <FlagsByHospital rows={rows} />}</QueryState>
    </section>
  );
}

function FlagsByHospital({ rows }: { rows: ReconciliationRow[] }) {
  const { t } = useI18n();
  const nameOf = useNames();
  const { option, flags } = useMemo(() => {
    const counts = new Map<string, Map<string, number>>();
    let flags = 0;
    for (const row of rows)
      for (const f of row.flags) {
        const byKind = counts.get(row.hospital) ?? new Map<string, number>();
        byKind.set(f.code, (byKind.get(f.code) ?? 0) + 1);
        counts.set(row.hospital, byKind);
        flags++;
      }
    const kinds = [...new Set(rows.flatMap((r) => r.flags.map((f) => f.code)))].sort();
    const option: EChartsOption = {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 40 },
      xAxis: { type: "category", data: kinds.map((k) => t(`reports.flag.${k}` as MessageKey)) },
      yAxis: { type: "value", minInterval: 1 },
      series: [...counts.entries()].map(([hospital, byKind]) => ({
        name: nameOf(hospital) ?? short(hospital),
        type: "bar",
        stack: "flags",
        data: kinds.map((k) => byKind.get(k) ?? 0),
      })),
    };
    return { option, flags };
  }, [rows, t, nameOf]);
  if (flags === 0) return <Empty description={t("reports.chart.none")} />;
  return (
    <>
      <Typography.Paragraph type="secondary">
        {t("reports.chart.scope", { flags, rows: rows.length })}
      </Typography.Paragraph>
      <div data-testid="flags-chart">
        <Chart option={option} label={t("reports.chart.title")} />
      </div>
    </>
  );
}
