import { useQuery } from "@tanstack/react-query";
import { Space, Table, Typography } from "antd";
import type { ClaimsRisk, RiskHospital, RiskLine } from "../../../../../api/claims";
import { CsvDownload } from "../../../components/CsvDownload";
import { PartyName } from "../../../components/PartyName";
import { QueryState } from "../../../components/QueryState";
import { useI18n } from "../../../i18n/i18n";
import { api, withQuery } from "../../../lib/api";
import { short } from "../../../lib/format";
import { useNames } from "../../../lib/names";
import { useFormat } from "../../../lib/use-format";
import { MonthRangeForm, useMonthRange } from "./MonthRange";

/**
 * GET /v1/claims/risk: the risk view, for the regulator and the insurance fund's payer — per
 * hospital, most money at risk first, what was billed on usages the reconciliation flags, the
 * outlier cases' cost above their group's 95th percentile and what was billed for high-value
 * items on groups that rarely use them; each row opens to its findings by kind. The months
 * default to the twelve up to the ledger's now, as on the claim audit; the CSV holds every line.
 */
export function RiskPage() {
  const { t } = useI18n();
  const { yuan, dateTime } = useFormat();
  const range = useMonthRange();
  const { from, to, valid } = range;
  const risk = useQuery({
    queryKey: ["/v1/claims/risk", from, to],
    queryFn: () => api.get<ClaimsRisk>(withQuery("/v1/claims/risk", { from, to })),
    enabled: valid,
  });
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t("reports.risk.title")}
        </Typography.Title>
        <Typography.Paragraph>{t("reports.risk.intro")}</Typography.Paragraph>
      </div>
      <MonthRangeForm id="risk" range={range} />
      {valid && (
        <CsvDownload
          path={withQuery("/v1/claims/risk", { from, to })}
          filename={`claims-risk-${from}-${to}.csv`}
        />
      )}
      <QueryState query={risk}>
        {(r) => (
          <>
            <Typography.Text type="secondary">
              {t("reports.rec.asOf", { time: dateTime(r.asOf) })}
            </Typography.Text>
            <Table<RiskHospital>
              aria-label={t("reports.risk.table")}
              size="small"
              pagination={false}
              rowKey="hospital"
              dataSource={r.hospitals}
              scroll={{ x: "max-content" }}
              expandable={{ expandedRowRender: (h) => <RiskLines hospital={h} /> }}
              // The table's own placeholder colour is below AA contrast; secondary text meets it.
              locale={{
                emptyText: <Typography.Text type="secondary">{t("reports.risk.none")}</Typography.Text>,
              }}
              columns={[
                {
                  title: t("reports.hospital"),
                  key: "hospital",
                  render: (_, h) => <PartyName address={h.hospital} />,
                },
                {
                  title: t("reports.risk.total"),
                  key: "total",
                  align: "right",
                  render: (_, h) => <Typography.Text strong>{yuan(h.total)}</Typography.Text>,
                },
                {
                  title: t("reports.risk.flaggedBilled"),
                  key: "flagged",
                  align: "right",
                  render: (_, h) => yuan(h.flaggedBilled),
                },
                {
                  title: t("reports.risk.outlierExcess"),
                  key: "outliers",
                  align: "right",
                  render: (_, h) => yuan(h.outlierExcess),
                },
                {
                  title: t("reports.risk.rareHighValueBilled"),
                  key: "rare",
                  align: "right",
                  render: (_, h) => yuan(h.rareHighValueBilled),
                },
              ]}
            />
          </>
        )}
      </QueryState>
    </Space>
  );
}

const CASE_FINDINGS: ReadonlySet<RiskLine["code"]> = new Set(["CASE_COST_OUTLIER", "RARE_HIGH_VALUE"]);

/** A hospital's findings: one line per flag or finding, in words, with what it involves. */
function RiskLines({ hospital }: { hospital: RiskHospital }) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const name = useNames()(hospital.hospital) ?? short(hospital.hospital);
  // A usage under two flags is in both lines and once in the hospital's total: said when so.
  const linesSum = hospital.lines.reduce((sum, l) => sum + BigInt(l.amount), 0n);
  return (
    <Table<RiskLine>
      aria-label={t("reports.risk.linesOf", { hospital: name })}
      size="small"
      pagination={false}
      rowKey="code"
      dataSource={hospital.lines}
      footer={
        linesSum > BigInt(hospital.total)
          ? () => <Typography.Text type="secondary">{t("reports.risk.countedOnce")}</Typography.Text>
          : undefined
      }
      columns={[
        { title: t("reports.risk.code"), key: "code", render: (_, l) => t(`reports.flag.${l.code}`) },
        { title: t("reports.risk.count"), dataIndex: "count", align: "right" },
        {
          title: t("reports.risk.usages"),
          key: "usages",
          align: "right",
          // The claim findings count cases, not usage records.
          render: (_, l) => (CASE_FINDINGS.has(l.code) ? "—" : l.usages),
        },
        { title: t("reports.risk.units"), dataIndex: "units", align: "right" },
        { title: t("reports.risk.amount"), key: "amount", align: "right", render: (_, l) => yuan(l.amount) },
      ]}
    />
  );
}
