import { Button, Tag, Typography, type TableColumnsType } from "antd";
import { useSearchParams } from "react-router-dom";
import type { TenderStatus, TenderSummary } from "../../../../../api/tenders";
import { ChoiceFilter } from "../../../components/ChoiceFilter";
import { CursorTable } from "../../../components/CursorTable";
import { useI18n } from "../../../i18n/i18n";
import { useFormat } from "../../../lib/use-format";
import { bytes32Text } from "../../../lib/format";
import { TenderDetail } from "./TenderDetail";
import { TENDER_STATUS_COLOURS } from "./tender-status";

const STATUSES: TenderStatus[] = ["open", "awarded", "failed", "cancelled"];

/**
 * Tenders and awards: every tender by status; one opens (?tender=id) with its terms, its bids as
 * revealed and its award.
 */
export function TendersPage() {
  const { t } = useI18n();
  const { yuan, dateTime } = useFormat();
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") as TenderStatus | null) ?? undefined;
  const open = params.get("tender");

  const set = (name: string, value: string | undefined) =>
    setParams((p) => {
      if (value) p.set(name, value);
      else p.delete(name);
      return p;
    });

  const columns: TableColumnsType<TenderSummary> = [
    { title: t("common.id"), dataIndex: "id", key: "id" },
    { title: t("common.category"), key: "category", render: (_, x) => bytes32Text(x.category) },
    {
      title: t("common.status"),
      key: "status",
      render: (_, x) => (
        <Tag color={TENDER_STATUS_COLOURS[x.status]}>{t(`regulator.tenders.status.${x.status}`)}</Tag>
      ),
    },
    { title: t("regulator.tenders.reservePrice"), key: "reserve", render: (_, x) => yuan(x.reservePrice) },
    { title: t("regulator.tenders.winners"), dataIndex: "winners", key: "winners" },
    {
      title: t("regulator.tenders.volume"),
      key: "volume",
      render: (_, x) => x.hospitals.reduce((sum, h) => sum + BigInt(h.volume), 0n).toString(),
    },
    {
      title: t("regulator.tenders.commitDeadline"),
      key: "commit",
      render: (_, x) => dateTime(x.commitDeadline),
    },
    {
      title: t("regulator.tenders.revealDeadline"),
      key: "reveal",
      render: (_, x) => dateTime(x.revealDeadline),
    },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, x) => (
        <Button
          size="small"
          onClick={() => set("tender", x.id)}
          aria-label={t("regulator.tenders.openOne", { id: x.id })}
        >
          {t("regulator.tenders.details")}
        </Button>
      ),
    },
  ];

  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("nav.regulator.tenders")}
      </Typography.Title>
      <ChoiceFilter
        label={t("common.status")}
        value={status}
        onChange={(v) => set("status", v)}
        choices={STATUSES.map((s) => ({ value: s, label: t(`regulator.tenders.status.${s}`) }))}
      />
      <CursorTable<TenderSummary>
        label={t("nav.regulator.tenders")}
        path="/v1/tenders"
        query={{ status }}
        columns={columns}
        rowKey="id"
      />
      {open && <TenderDetail id={open} onClose={() => set("tender", undefined)} />}
    </section>
  );
}
