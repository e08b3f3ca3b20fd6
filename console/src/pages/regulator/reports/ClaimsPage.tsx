import { useQuery } from "@tanstack/react-query";
import { Form, Input, Space, Table, Typography } from "antd";
import { useState } from "react";
import type { ClaimGroupRow, ClaimOutlier, ClaimsReport } from "../../../../../api/claims";
import { PartyName } from "../../../components/PartyName";
import { QueryState } from "../../../components/QueryState";
import { useI18n } from "../../../i18n/i18n";
import { api, withQuery } from "../../../lib/api";
import { monthOf } from "../../../lib/format";
import { useLedgerNow } from "../../../lib/ledger-clock";
import { useSession } from "../../../lib/session";
import { useFormat } from "../../../lib/use-format";

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

/**
 * GET /v1/claims: the claim audit, for the regulator and the insurance fund's payer (the
 * authorities that audit claims) — per hospital, month and DRG/DIP group the cases and their
 * consumable cost, and the cases above their group's 95th percentile across hospitals. The
 * months default to the twelve up to the ledger's now, in the gateway's time zone.
 */
export function ClaimsPage() {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const timeZone = useSession().config?.timeZone ?? "Asia/Shanghai";
  const now = useLedgerNow()();
  const month = (at: number) => monthOf(at, timeZone);
  // Typed months, else the defaults, which follow the ledger's clock once it has been read.
  const [typedFrom, setFrom] = useState<string | null>(null);
  const [typedTo, setTo] = useState<string | null>(null);
  const from = typedFrom ?? month(now - 330 * 86_400_000);
  const to = typedTo ?? month(now);
  const valid = MONTH.test(from) && MONTH.test(to) && from <= to;
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
      <Form layout="inline">
        <Form.Item label={t("reports.claims.from")} htmlFor="claims-from">
          <Input
            id="claims-from"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            style={{ width: 110 }}
          />
        </Form.Item>
        <Form.Item label={t("reports.claims.to")} htmlFor="claims-to">
          <Input id="claims-to" value={to} onChange={(e) => setTo(e.target.value)} style={{ width: 110 }} />
        </Form.Item>
      </Form>
      {!valid && <Typography.Text type="danger">{t("reports.claims.months")}</Typography.Text>}
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
