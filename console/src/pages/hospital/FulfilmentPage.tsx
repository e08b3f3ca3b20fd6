import { useQueries, useQuery } from "@tanstack/react-query";
import { Card, Form, Select, Space, Table, Typography } from "antd";
import type { EChartsOption } from "echarts";
import { useMemo, useState } from "react";
import type { Agreement } from "../../../../api/agreements";
import type { FulfilmentHospital, FulfilmentReport } from "../../../../api/fulfilment";
import type { OrderSummary } from "../../../../api/orders";
import type { Trail } from "../../../../api/trail";
import { Chart } from "../../components/Chart";
import { QueryState } from "../../components/QueryState";
import { bytes32Text } from "../../lib/format";
import { useI18n } from "../../i18n/i18n";
import { api, fetchAll } from "../../lib/api";
import { useFormat } from "../../lib/use-format";
import { useAgreementLabel, useHospital, useMyAgreements } from "./agreements";
import { fulfilmentSeries } from "./fulfilment-series";

interface Row {
  agreement: Agreement;
  report: FulfilmentReport;
  mine: FulfilmentHospital;
}

/** The hospital's volume commitments: per agreement, committed vs ordered vs accepted and the pace needed. */
export function FulfilmentPage() {
  const { t } = useI18n();
  const agreements = useMyAgreements();
  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("hospital.fulfilment.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("hospital.fulfilment.intro")}</Typography.Paragraph>
      <QueryState query={agreements} empty={(list) => list.length === 0}>
        {(list) => <Commitments agreements={list} />}
      </QueryState>
    </section>
  );
}

function Commitments({ agreements }: { agreements: Agreement[] }) {
  const { t } = useI18n();
  const agreementLabel = useAgreementLabel();
  const { date } = useFormat();
  const hospital = useHospital();
  const reports = useQueries({
    queries: agreements.map((a) => ({
      queryKey: ["/v1/agreements/fulfilment", a.id],
      queryFn: () => api.get<FulfilmentReport>(`/v1/agreements/${a.id}/fulfilment`),
    })),
    combine: (results) => ({
      isPending: results.some((r) => r.isPending),
      error: results.find((r) => r.error)?.error ?? null,
      data: results.every((r) => r.data)
        ? results.flatMap((r, i): Row[] => {
            const mine = r.data!.hospitals.find((h) => h.hospital.toLowerCase() === hospital);
            return mine ? [{ agreement: agreements[i], report: r.data!, mine }] : [];
          })
        : undefined,
      refetch: () => Promise.all(results.map((r) => r.refetch())),
    }),
  });
  const [chosen, setChosen] = useState<string>();

  return (
    <QueryState query={reports} empty={(rows) => rows.length === 0}>
      {(rows) => {
        const current = rows.find((r) => r.agreement.id === chosen) ?? rows[0];
        return (
          <Space orientation="vertical" style={{ width: "100%" }} size="large">
            <Table<Row>
              aria-label={t("hospital.fulfilment.table")}
              size="small"
              pagination={false}
              rowKey={(r) => r.agreement.id}
              dataSource={rows}
              scroll={{ x: "max-content" }}
              columns={[
                { title: t("hospital.agreement"), key: "id", render: (_, r) => `#${r.agreement.id}` },
                {
                  title: t("common.category"),
                  key: "category",
                  render: (_, r) => bytes32Text(r.agreement.category),
                },
                {
                  title: t("hospital.term"),
                  key: "term",
                  render: (_, r) => `${date(r.report.startAt)} – ${date(r.report.endAt)}`,
                },
                {
                  title: t("hospital.fulfilment.committed"),
                  key: "committed",
                  render: (_, r) => r.mine.committed,
                },
                {
                  title: t("hospital.fulfilment.ordered"),
                  key: "ordered",
                  render: (_, r) => percent(r.mine.ordered, r.mine.orderedPercent),
                },
                {
                  title: t("hospital.fulfilment.accepted"),
                  key: "accepted",
                  render: (_, r) => percent(r.mine.accepted, r.mine.acceptedPercent),
                },
                {
                  title: t("hospital.fulfilment.remaining"),
                  key: "remaining",
                  render: (_, r) => r.mine.remaining,
                },
                {
                  title: t("hospital.fulfilment.pace"),
                  key: "pace",
                  render: (_, r) =>
                    r.mine.perDay === null
                      ? t("hospital.fulfilment.ended")
                      : t("hospital.fulfilment.paceValue", {
                          perDay: r.mine.perDay,
                          per30: r.mine.per30Days ?? "—",
                        }),
                },
                {
                  title: t("hospital.fulfilment.daysRemaining"),
                  key: "days",
                  render: (_, r) => r.report.daysRemaining,
                },
              ]}
            />
            <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t("hospital.fulfilment.chartTitle")}</h2>}>
              <Form layout="inline" style={{ marginBottom: 12 }}>
                <Form.Item label={t("hospital.agreement")} htmlFor="fulfilment-agreement">
                  <Select
                    id="fulfilment-agreement"
                    style={{ minWidth: 280 }}
                    value={current.agreement.id}
                    onChange={setChosen}
                    options={rows.map((r) => ({ value: r.agreement.id, label: agreementLabel(r.agreement) }))}
                  />
                </Form.Item>
              </Form>
              <FulfilmentChart key={current.agreement.id} row={current} />
            </Card>
          </Space>
        );
      }}
    </QueryState>
  );
}

function percent(units: string, pct: string | null): string {
  return pct === null ? units : `${units} (${pct}%)`;
}

function FulfilmentChart({ row }: { row: Row }) {
  const { t } = useI18n();
  const { date } = useFormat();
  const hospital = useHospital();
  const history = useQuery({
    queryKey: ["hospital-fulfilment-history", row.agreement.id, hospital],
    queryFn: async () => {
      const orders = await fetchAll<OrderSummary>("/v1/orders", {
        hospital: hospital ?? undefined,
        agreementId: row.agreement.id,
      });
      // A placed order has booked nothing yet; its trail adds no volume.
      const booked = orders.filter((o) => o.status !== "placed");
      const trails = await Promise.all(booked.map((o) => api.get<Trail>(`/v1/trail/orders/${o.id}`)));
      return { orders: booked, trails };
    },
  });
  const label = t("hospital.fulfilment.chartLabel", {
    id: row.agreement.id,
    committed: row.mine.committed,
    ordered: row.mine.ordered,
    accepted: row.mine.accepted,
  });
  const option = useMemo<EChartsOption | null>(() => {
    if (!history.data) return null;
    const s = fulfilmentSeries({ ...row.report, row: row.mine, ...history.data });
    const line = (name: string, data: [number, number][], extra: object = {}) => ({
      type: "line" as const,
      name,
      data,
      showSymbol: false,
      ...extra,
    });
    return {
      grid: { left: 56, right: 24, top: 48, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time", axisLabel: { formatter: (v: number) => date(new Date(v).toISOString()) } },
      yAxis: { type: "value", name: t("hospital.fulfilment.units"), minInterval: 1 },
      series: [
        line(t("hospital.fulfilment.committed"), s.committed, {
          lineStyle: { type: "dashed" },
          color: "#595959",
        }),
        line(t("hospital.fulfilment.evenPace"), s.evenPace, {
          lineStyle: { type: "dotted" },
          color: "#8c8c8c",
        }),
        line(t("hospital.fulfilment.ordered"), s.ordered, { step: "end", color: "#1677ff" }),
        line(t("hospital.fulfilment.accepted"), s.accepted, { step: "end", color: "#389e0d" }),
        line(t("hospital.fulfilment.neededPace"), s.neededPace, {
          lineStyle: { type: "dashed" },
          color: "#d4380d",
        }),
      ],
    };
  }, [history.data, row, t, date]);

  return (
    <QueryState query={history}>
      {() => (
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Chart option={option!} height={320} label={label} />
          <Typography.Text type="secondary">{t("hospital.fulfilment.chartNote")}</Typography.Text>
        </Space>
      )}
    </QueryState>
  );
}
