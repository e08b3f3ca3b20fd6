import { useState } from "react";
import { Button, Space, Table, Typography, type TableColumnsType } from "antd";
import type { AgreementSummary } from "../../../../api/agreements";
import type { FulfilmentHospital } from "../../../../api/fulfilment";
import { CursorTable } from "../../components/CursorTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { bytes32Text } from "../../lib/format";
import { useI18n } from "../../i18n/i18n";
import { useFulfilmentReport } from "../../lib/fulfilment";
import { useFormat } from "../../lib/use-format";
import { PartyName } from "../../components/PartyName";
import { currentTier } from "./schedule";
import { TierList } from "./TierList";
import { useMe } from "./use-me";

/**
 * The supplier's framework agreements: their tiers and the one the accepted volume has reached,
 * and, for the one chosen, each hospital's commitment against what it ordered and accepted.
 */
export function AgreementsPage() {
  const { t } = useI18n();
  const { date } = useFormat();
  const me = useMe();
  const [selected, setSelected] = useState<AgreementSummary | null>(null);
  const columns: TableColumnsType<AgreementSummary> = [
    { title: t("common.id"), dataIndex: "id" },
    { title: t("supplier.agreement.tender"), dataIndex: "tenderId" },
    { title: t("common.category"), dataIndex: "category", render: (c: string) => bytes32Text(c) },
    {
      title: t("supplier.agreement.term"),
      key: "term",
      render: (_, a) => `${date(a.startAt)} – ${date(a.endAt)}`,
    },
    {
      title: t("supplier.agreement.tiers"),
      dataIndex: "tiers",
      render: (_, a) => <TierList tiers={a.tiers} current={currentTier(a.tiers, a.acceptedVolume)} />,
    },
    { title: t("supplier.agreement.accepted"), dataIndex: "acceptedVolume" },
    { title: t("supplier.agreement.funded"), dataIndex: "fundedVolume" },
    {
      title: t("supplier.agreement.lead"),
      dataIndex: "leadTimeDays",
      render: (d: number) => t("supplier.agreement.days", { days: d }),
    },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, a) => (
        <Button size="small" onClick={() => setSelected(a)}>
          {t("supplier.fulfilment.show", { id: a.id })}
        </Button>
      ),
    },
  ];
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("supplier.agreements.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("supplier.agreements.hint")}</Typography.Paragraph>
      <CursorTable<AgreementSummary>
        label={t("supplier.agreements.title")}
        path="/v1/agreements"
        query={{ supplier: me }}
        columns={columns}
        rowKey="id"
      />
      {selected && <Fulfilment key={selected.id} agreement={selected} />}
    </Space>
  );
}

function Fulfilment({ agreement }: { agreement: AgreementSummary }) {
  const { t } = useI18n();
  const report = useFulfilmentReport(agreement.id);
  const columns: TableColumnsType<FulfilmentHospital> = [
    { title: t("common.hospital"), dataIndex: "hospital", render: (h: string) => <PartyName address={h} /> },
    { title: t("supplier.fulfilment.committed"), dataIndex: "committed" },
    {
      title: t("supplier.fulfilment.ordered"),
      key: "ordered",
      render: (_, h) => `${h.ordered}${h.orderedPercent !== null ? ` (${h.orderedPercent}%)` : ""}`,
    },
    {
      title: t("supplier.fulfilment.accepted"),
      key: "accepted",
      render: (_, h) => `${h.accepted}${h.acceptedPercent !== null ? ` (${h.acceptedPercent}%)` : ""}`,
    },
    { title: t("supplier.fulfilment.remaining"), dataIndex: "remaining" },
    {
      title: t("supplier.fulfilment.pace"),
      dataIndex: "per30Days",
      render: (v: string | null) => (v === null ? "—" : t("supplier.fulfilment.per30", { units: v })),
    },
  ];
  if (report.error) return <ErrorAlert error={report.error} />;
  const first = report.data?.pages[0];
  const title = t("supplier.fulfilment.agreement", {
    id: agreement.id,
    category: bytes32Text(agreement.category),
  });
  return (
    <section aria-labelledby="supplier-fulfilment">
      <Typography.Title level={2} id="supplier-fulfilment" style={{ fontSize: 18 }}>
        {title}
      </Typography.Title>
      {first && (
        <Typography.Paragraph>
          {t("supplier.fulfilment.daysLeft", { days: first.daysRemaining })}
        </Typography.Paragraph>
      )}
      <Table<FulfilmentHospital>
        aria-label={title}
        size="small"
        loading={report.isPending}
        columns={columns}
        dataSource={report.data?.pages.flatMap((p) => p.hospitals) ?? []}
        rowKey="hospital"
        pagination={false}
        scroll={{ x: "max-content" }}
      />
      {report.hasNextPage && (
        <Button onClick={() => report.fetchNextPage()} loading={report.isFetchingNextPage}>
          {t("list.more")}
        </Button>
      )}
    </section>
  );
}
