import { Button, Select, Space, Tag, Typography, type TableColumnsType } from "antd";
import { useState } from "react";
import type { TenderStatus, TenderSummary } from "../../../../api/tenders";
import { CursorTable } from "../../components/CursorTable";
import type { MessageKey } from "../../i18n/en";
import { bytes32Text } from "../../lib/format";
import { useI18n } from "../../i18n/i18n";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useFormat } from "../../lib/use-format";
import { BidPanel } from "./BidPanel";
import { ToneTag } from "./ToneTag";

const STATUSES: TenderStatus[] = ["open", "awarded", "failed", "cancelled"];
const DAY = 86_400;

/** Where a tender stands at the ledger's `now` (lib/ledger-clock.ts). */
export function tenderPhase(t: TenderSummary, now: number): "commit" | "reveal" | "closed" {
  if (t.status !== "open") return "closed";
  if (now <= Date.parse(t.commitDeadline)) return "commit";
  if (now <= Date.parse(t.revealDeadline)) return "reveal";
  return "closed";
}

/** Tenders with their terms (open ones first) and the supplier's sealed bids on one of them. */
export function TendersPage() {
  const { t } = useI18n();
  const { yuan, dateTime } = useFormat();
  const ledgerNow = useLedgerNow();
  const [status, setStatus] = useState<TenderStatus | "">("open");
  const [selected, setSelected] = useState<TenderSummary | null>(null);

  const columns: TableColumnsType<TenderSummary> = [
    { title: t("common.id"), dataIndex: "id" },
    { title: t("common.category"), dataIndex: "category", render: (c: string) => bytes32Text(c) },
    {
      title: t("common.status"),
      dataIndex: "status",
      render: (s: string, tender) => (
        <Space size={4} wrap>
          <Tag>{t(`supplier.tender.${s}` as MessageKey)}</Tag>
          {s === "open" && (
            <ToneTag tone="info">
              {t(`supplier.phase.${tenderPhase(tender, ledgerNow())}` as MessageKey)}
            </ToneTag>
          )}
        </Space>
      ),
    },
    { title: t("supplier.tender.reserve"), dataIndex: "reservePrice", render: (v: string) => yuan(v) },
    { title: t("supplier.tender.bond"), dataIndex: "bidBond", render: (v: string) => yuan(v) },
    {
      title: t("supplier.tender.windows"),
      key: "windows",
      render: (_, x) => (
        <Space orientation="vertical" size={0}>
          <span>{t("supplier.tender.commitUntil", { at: dateTime(x.commitDeadline) })}</span>
          <span>{t("supplier.tender.revealUntil", { at: dateTime(x.revealDeadline) })}</span>
        </Space>
      ),
    },
    {
      title: t("supplier.tender.volume"),
      dataIndex: "hospitals",
      render: (h: TenderSummary["hospitals"]) => (
        <Space orientation="vertical" size={0}>
          <span>
            {t("supplier.tender.volumeUnits", {
              units: h.reduce((sum, x) => sum + BigInt(x.volume), 0n).toString(),
            })}
          </span>
          <span>{t("supplier.tender.volumeHospitals", { hospitals: h.length })}</span>
        </Space>
      ),
    },
    { title: t("supplier.tender.winners"), dataIndex: "winners" },
    {
      title: t("supplier.tender.terms"),
      key: "terms",
      // One term a line, narrow: the table fits the screen instead of hiding them under Actions.
      render: (_, x) => (
        <Space orientation="vertical" size={0} style={{ minWidth: 160 }}>
          <span>{t("supplier.tender.termDays", { days: Math.round(x.termSeconds / DAY) })}</span>
          <span>{t("supplier.tender.leadTime", { lead: x.leadTimeDays })}</span>
          <span>
            {t("supplier.tender.penalty", {
              penalty: (x.penaltyBpsPerDay / 100).toFixed(2),
              cap: (x.penaltyCapBps / 100).toFixed(2),
            })}
          </span>
        </Space>
      ),
    },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, x) => (
        <Button
          size="small"
          onClick={() => setSelected(x)}
          aria-label={t("supplier.tender.bidOn", { id: x.id })}
        >
          {x.status === "open" ? t("supplier.tender.bid") : t("supplier.tender.view")}
        </Button>
      ),
    },
  ];

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("supplier.tenders.title")}
      </Typography.Title>
      <Space wrap>
        <label htmlFor="supplier-tender-status">{t("common.status")}</label>
        <Select
          id="supplier-tender-status"
          style={{ minWidth: 160 }}
          value={status}
          onChange={setStatus}
          options={[
            { value: "", label: t("supplier.tender.all") },
            ...STATUSES.map((s) => ({ value: s, label: t(`supplier.tender.${s}` as MessageKey) })),
          ]}
        />
      </Space>
      <CursorTable<TenderSummary>
        label={t("supplier.tenders.title")}
        path="/v1/tenders"
        query={{ status: status || undefined }}
        columns={columns}
        rowKey="id"
      />
      {selected && <BidPanel key={selected.id} tender={selected} />}
      <Typography.Text type="secondary">{t("supplier.tender.clock")}</Typography.Text>
    </Space>
  );
}
