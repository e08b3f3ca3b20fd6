import { useQuery } from "@tanstack/react-query";
import { Space, Table, Typography } from "antd";
import type { ClaimGroupRow, ClaimOutlier, ClaimsReport, RareHighValueUse } from "../../../../../api/claims";
import { CsvDownload } from "../../../components/CsvDownload";
import { PartyName } from "../../../components/PartyName";
import { QueryState } from "../../../components/QueryState";
import { useI18n } from "../../../i18n/i18n";
import { api, withQuery } from "../../../lib/api";
import { useFormat } from "../../../lib/use-format";
import { MonthRangeForm, useMonthRange } from "./MonthRange";

/**
 * GET /v1/claims: the claim audit, for the regulator and the insurance fund's payer (the
 * authorities that audit claims) — per hospital, month and DRG/DIP group the cases and their
 * consumable cost, the cases above their group's 95th percentile across hospitals, and the
 * high-value items billed on cases of groups that rarely use them; the whole audit as CSV. The
 * months default to the twelve up to the ledger's now, in the gateway's time zone.
 */
export function ClaimsPage() {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const range = useMonthRange();
  const { from, to, valid } = range;
  const report = useQuery({
    queryKey: ["/v1/claims", from, to],
    queryFn: () => api.get<ClaimsReport>(withQuery("/v1/claims", { from, to })),
    enabled: valid,
  });
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t("reports.claims.title")}
        </Typography.Title>
        <Typography.Paragraph>{t("reports.claims.intro")}</Typography.Paragraph>
      </div>
      <MonthRangeForm id="claims" range={range} />
      {valid && (
        <CsvDownload path={withQuery("/v1/claims", { from, to })} filename={`claims-${from}-${to}.csv`} />
      )}
      <QueryState query={report}>
        {(r) => (
          <>
            <Typography.Title level={2} style={{ fontSize: 18 }}>
              {t("reports.claims.outliers")}
            </Typography.Title>
            <Typography.Paragraph>
              {t("reports.claims.outliersIntro", { min: r.minGroupCases })}
            </Typography.Paragraph>
            <Table<ClaimOutlier>
              aria-label={t("reports.claims.outliers")}
              size="small"
              pagination={false}
              rowKey={(o) => `${o.hospital}:${o.caseId}`}
              dataSource={r.outliers}
              locale={{
                emptyText: (
                  <Typography.Text type="secondary">{t("reports.claims.outliersNone")}</Typography.Text>
                ),
              }}
              columns={[
                { title: t("reports.hospital"), render: (_, o) => <PartyName address={o.hospital} /> },
                { title: t("reports.claims.case"), dataIndex: "caseId" },
                { title: t("reports.claims.group"), dataIndex: "caseGroup" },
                { title: t("reports.claims.month"), dataIndex: "month" },
                { title: t("reports.claims.units"), dataIndex: "units", align: "right" },
                { title: t("reports.claims.cost"), align: "right", render: (_, o) => yuan(o.cost) },
                { title: t("reports.claims.p95"), align: "right", render: (_, o) => yuan(o.groupP95) },
              ]}
            />
            <Typography.Title level={2} style={{ fontSize: 18 }}>
              {t("reports.claims.rare")}
            </Typography.Title>
            <Typography.Paragraph>
              {t("reports.claims.rareIntro", {
                price: yuan(String(r.highValueFrom)),
                percent: r.rareUsePercent,
                min: r.minGroupCases,
              })}
            </Typography.Paragraph>
            <Table<RareHighValueUse>
              aria-label={t("reports.claims.rare")}
              size="small"
              pagination={false}
              rowKey={(u) => `${u.hospital}:${u.caseId}:${u.gtin}`}
              dataSource={r.rareHighValue}
              scroll={{ x: "max-content" }}
              // The table's own placeholder colour is below AA contrast; secondary text meets it.
              locale={{
                emptyText: <Typography.Text type="secondary">{t("reports.claims.rareNone")}</Typography.Text>,
              }}
              columns={[
                { title: t("reports.hospital"), render: (_, u) => <PartyName address={u.hospital} /> },
                { title: t("reports.claims.case"), dataIndex: "caseId" },
                { title: t("reports.claims.group"), dataIndex: "caseGroup" },
                { title: t("reports.claims.month"), dataIndex: "month" },
                { title: t("reports.claims.item"), dataIndex: "gtin" },
                { title: t("reports.claims.units"), dataIndex: "units", align: "right" },
                { title: t("reports.claims.billed"), align: "right", render: (_, u) => yuan(u.billed) },
                { title: t("reports.claims.groupCases"), dataIndex: "groupCases", align: "right" },
                { title: t("reports.claims.withItem"), dataIndex: "groupCasesWithItem", align: "right" },
              ]}
            />
            <Typography.Title level={2} style={{ fontSize: 18 }}>
              {t("reports.claims.groups")}
            </Typography.Title>
            <Table<ClaimGroupRow>
              aria-label={t("reports.claims.groups")}
              size="small"
              pagination={false}
              rowKey={(g) => `${g.hospital}:${g.month}:${g.caseGroup}`}
              dataSource={r.groups}
              columns={[
                { title: t("reports.hospital"), render: (_, g) => <PartyName address={g.hospital} /> },
                { title: t("reports.claims.month"), dataIndex: "month" },
                { title: t("reports.claims.group"), dataIndex: "caseGroup" },
                { title: t("reports.claims.cases"), dataIndex: "cases", align: "right" },
                { title: t("reports.claims.cost"), align: "right", render: (_, g) => yuan(g.cost) },
                { title: t("reports.claims.mean"), align: "right", render: (_, g) => yuan(g.meanPerCase) },
              ]}
            />
          </>
        )}
      </QueryState>
    </Space>
  );
}
