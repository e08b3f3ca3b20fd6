import { Button, Space, Table, Typography } from "antd";
import { useState } from "react";
import type { AgreementSummary } from "../../../../../api/agreements";
import type { FulfilmentHospital } from "../../../../../api/fulfilment";
import { CsvDownload } from "../../../components/CsvDownload";
import { CursorTable } from "../../../components/CursorTable";
import { QueryState } from "../../../components/QueryState";
import { useI18n } from "../../../i18n/i18n";
import { useFulfilmentReport } from "../../../lib/fulfilment";
import { useFormat } from "../../../lib/use-format";
import { PartyName } from "../../../components/PartyName";

/**
 * The agreements, and for the one chosen GET /v1/agreements/:id/fulfilment by hospital, on the
 * page and as one CSV.
 */
export function FulfilmentPage() {
  const { t } = useI18n();
  const format = useFormat();
  const [agreementId, setAgreementId] = useState<string | null>(null);
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t("reports.ful.title")}
        </Typography.Title>
        <Typography.Paragraph>{t("reports.ful.intro")}</Typography.Paragraph>
      </div>
      <CursorTable<AgreementSummary>
        label={t("reports.ful.agreements")}
        path="/v1/agreements"
        rowKey="id"
        pageSize={10}
        columns={[
          { title: t("reports.ful.agreement"), dataIndex: "id" },
          {
            title: t("reports.supplier"),
            key: "supplier",
            render: (_, a) => <PartyName address={a.supplier} />,
          },
          {
            title: t("reports.ful.term"),
            key: "term",
            render: (_, a) => `${format.date(a.startAt)} – ${format.date(a.endAt)}`,
          },
          { title: t("reports.ful.ordered"), dataIndex: "fundedVolume", align: "right" },
          { title: t("reports.ful.accepted"), dataIndex: "acceptedVolume", align: "right" },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_, a) => (
              <Button size="small" onClick={() => setAgreementId(a.id)}>
                {t("reports.ful.show", { id: a.id })}
              </Button>
            ),
          },
        ]}
      />
      {agreementId !== null && <Fulfilment agreementId={agreementId} />}
    </Space>
  );
}

function Fulfilment({ agreementId }: { agreementId: string }) {
  const { t } = useI18n();
  const format = useFormat();
  const report = useFulfilmentReport(agreementId);
  const percent = (value: string, pct: string | null) => (pct === null ? value : `${value} (${pct}%)`);
  return (
    <section aria-labelledby="fulfilment">
      <QueryState query={{ ...report, data: report.data?.pages }}>
        {(pages) => (
          <Space orientation="vertical" style={{ width: "100%" }}>
            <h2 id="fulfilment" style={{ fontSize: 18 }}>
              {t("reports.ful.of", {
                id: agreementId,
                days: pages[0].daysRemaining,
                time: format.dateTime(pages[0].asOf),
              })}
            </h2>
            <Table<FulfilmentHospital>
              aria-label={t("reports.ful.table")}
              size="small"
              dataSource={pages.flatMap((p) => p.hospitals)}
              rowKey="hospital"
              pagination={false}
              scroll={{ x: "max-content" }}
              columns={[
                {
                  title: t("reports.hospital"),
                  key: "hospital",
                  render: (_, h) => <PartyName address={h.hospital} />,
                },
                { title: t("reports.ful.committed"), dataIndex: "committed", align: "right" },
                {
                  title: t("reports.ful.ordered"),
                  key: "ordered",
                  align: "right",
                  render: (_, h) => percent(h.ordered, h.orderedPercent),
                },
                {
                  title: t("reports.ful.accepted"),
                  key: "accepted",
                  align: "right",
                  render: (_, h) => percent(h.accepted, h.acceptedPercent),
                },
                { title: t("reports.ful.remaining"), dataIndex: "remaining", align: "right" },
                {
                  title: t("reports.ful.perDay"),
                  dataIndex: "perDay",
                  align: "right",
                  render: (v: string | null) => v ?? "—",
                },
                {
                  title: t("reports.ful.per30"),
                  dataIndex: "per30Days",
                  align: "right",
                  render: (v: string | null) => v ?? "—",
                },
              ]}
            />
            {report.hasNextPage && (
              <Button onClick={() => report.fetchNextPage()} loading={report.isFetchingNextPage}>
                {t("list.more")}
              </Button>
            )}
            <CsvDownload
              path={`/v1/agreements/${agreementId}/fulfilment?limit=500`}
              filename={`fulfilment-${agreementId}.csv`}
            />
          </Space>
        )}
      </QueryState>
    </section>
  );
}
