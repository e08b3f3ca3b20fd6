import { useQuery } from "@tanstack/react-query";
import { Card, Descriptions, Typography } from "antd";
import type { EChartsOption } from "echarts";
import type { ForecastReport } from "../../../../api/replenishment";
import { Chart } from "../../components/Chart";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { api, withQuery } from "../../lib/api";

/** The chart shows the last 16 weeks of use before the 90 days forecast: enough to see the weekdays. */
const SHOWN_HISTORY_DAYS = 16 * 7;

/** An item's daily use and 90-day forecast, with the method and its backtest beside seasonal-naive's. */
export function ForecastCard({ gtin }: { gtin?: string }) {
  const { t } = useI18n();
  const forecast = useQuery({
    queryKey: ["/v1/replenishment/forecast", gtin],
    queryFn: () => api.get<ForecastReport>(withQuery("/v1/replenishment/forecast", { gtin })),
    enabled: gtin !== undefined,
  });
  const title = gtin ? t("replenishment.forecast.title", { gtin }) : t("replenishment.forecast.forecast");
  return (
    <Card
      role="region"
      aria-labelledby="forecast-title"
      title={
        <Typography.Title level={2} id="forecast-title" style={{ fontSize: 18, margin: 0 }}>
          {title}
        </Typography.Title>
      }
    >
      {gtin === undefined ? (
        <Typography.Paragraph>{t("replenishment.forecast.pick")}</Typography.Paragraph>
      ) : (
        <QueryState query={forecast}>{(f) => <ForecastView report={f} />}</QueryState>
      )}
    </Card>
  );
}

function ForecastView({ report: f }: { report: ForecastReport }) {
  const { t } = useI18n();
  const history = f.history.slice(-SHOWN_HISTORY_DAYS);
  const dates = [...history, ...f.forecast].map((d) => d.date);
  const option: EChartsOption = {
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: [t("replenishment.forecast.used"), t("replenishment.forecast.forecast")] },
    grid: { left: 40, right: 16, top: 40, bottom: 30 },
    xAxis: { type: "category", data: dates },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      {
        name: t("replenishment.forecast.used"),
        type: "bar",
        data: [...history.map((d) => d.units), ...f.forecast.map(() => null)],
      },
      {
        name: t("replenishment.forecast.forecast"),
        type: "line",
        showSymbol: false,
        data: [...history.map(() => null), ...f.forecast.map((d) => d.units)],
      },
    ],
  };
  const pct = (w: number | null) => (w === null ? t("replenishment.forecast.na") : `${w.toFixed(1)} %`);
  const b = f.backtest;
  return (
    <>
      <Chart option={option} label={t("replenishment.forecast.chart", { gtin: f.gtin })} />
      <Descriptions size="small" bordered column={1} style={{ marginTop: 12 }}>
        <Descriptions.Item label={t("replenishment.forecast.forecast")}>
          <span data-testid="forecast-method">{t(`replenishment.forecast.method.${f.method}`)}</span>
          {f.params && (
            <Typography.Text type="secondary">
              {" · "}
              {t("replenishment.forecast.params", f.params)}
            </Typography.Text>
          )}
          <div data-testid="forecast-total">
            {t("replenishment.forecast.total", { units: f.total.toFixed(1) })}
          </div>
        </Descriptions.Item>
        <Descriptions.Item
          label={b ? t("replenishment.forecast.backtest", { weeks: b.holdoutDays / 7, from: b.from }) : "—"}
        >
          {b ? (
            <>
              <div data-testid="backtest-model">
                {t("replenishment.forecast.model", { mae: b.model.mae.toFixed(2), wape: pct(b.model.wape) })}
              </div>
              <div data-testid="backtest-naive">
                {t("replenishment.forecast.naive", {
                  mae: b.seasonalNaive.mae.toFixed(2),
                  wape: pct(b.seasonalNaive.wape),
                })}
              </div>
            </>
          ) : (
            t("replenishment.forecast.noBacktest")
          )}
        </Descriptions.Item>
      </Descriptions>
    </>
  );
}
