import { Button, Form, Select, Space, Tag, Typography } from "antd";
import { useState } from "react";
import type { Exception, ExceptionStatus, StocktakeReason } from "../../../../api/exceptions";
import { MATCH_REASON_CODES } from "../../../../api/receipts";
import { CursorTable } from "../../components/CursorTable";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";
import { Hex } from "../../components/Hex";
import { Reasons } from "../../components/Reasons";
import { LedgerHoldTag } from "./LedgerHold";
import { ResolveException, useResolutionLabel } from "./ResolveException";
import { UnreceivedArrivals } from "./UnreceivedArrivals";
import { TAG } from "../../components/tag-colours";

/** Every reason code an exception can carry: the match's, and a settlement the chain refused. */
const REASONS = [...MATCH_REASON_CODES, "CHAIN_REVERT"] as const;
/** The filters' "any" choice (a choice rather than an empty box: a placeholder reads too faint). */
const ALL = "all";

/**
 * The hospital's exception queue: receipts that did not match and settlements the chain
 * refused, each with its reasons and their evidence; an approver decides each open one.
 */
export function ExceptionsPage() {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  const resolutionLabel = useResolutionLabel();
  const { session } = useSession();
  const isApprover = session?.roles.includes("hospital-approver") ?? false;
  const [status, setStatus] = useState<ExceptionStatus | typeof ALL>("open");
  const [reason, setReason] = useState<string>(ALL);
  const [selected, setSelected] = useState<Exception | null>(null);

  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("hospital.exceptions.title")}
      </Typography.Title>
      <Typography.Paragraph>
        {t(isApprover ? "hospital.exceptions.intro" : "hospital.exceptions.introViewer")}
      </Typography.Paragraph>
      <Form layout="inline" style={{ marginBottom: 12, rowGap: 8 }}>
        <Form.Item label={t("common.status")} htmlFor="exceptions-status">
          <Select
            id="exceptions-status"
            style={{ minWidth: 160 }}
            value={status}
            onChange={setStatus}
            options={[
              { value: ALL, label: t("hospital.all") },
              { value: "open", label: t("hospital.exceptionStatus.open") },
              { value: "resolved", label: t("hospital.exceptionStatus.resolved") },
            ]}
          />
        </Form.Item>
        <Form.Item label={t("hospital.exceptions.reason")} htmlFor="exceptions-reason">
          <Select
            id="exceptions-reason"
            style={{ minWidth: 260 }}
            value={reason}
            onChange={setReason}
            options={[
              { value: ALL, label: t("hospital.all") },
              ...REASONS.map((r) => ({ value: r, label: t(`hospital.reason.${r}` as MessageKey) })),
            ]}
          />
        </Form.Item>
      </Form>
      <CursorTable<Exception>
        label={t("hospital.exceptions.table")}
        path="/v1/exceptions"
        query={{ status: status === ALL ? undefined : status, reason: reason === ALL ? undefined : reason }}
        rowKey="id"
        columns={[
          { title: t("common.id"), dataIndex: "id", render: (id: string) => `#${id}` },
          {
            title: t("hospital.exceptions.where"),
            key: "where",
            render: (_, e) => {
              // A stocktake's difference is about the shelf, not a delivery: named by its count.
              if (e.source === "stocktake") {
                const counted = e.reasons.find(
                  (r): r is StocktakeReason => r.code === "STOCK_MISSING" || r.code === "STOCK_EXTRA",
                );
                return t("hospital.exceptions.stocktakeWhere", { id: counted?.details.stocktakeId ?? "—" });
              }
              return (
                <Space orientation="vertical" size={0}>
                  <span>{t("hospital.shipment", { id: e.shipmentId })}</span>
                  <span>{t("hospital.orderNo", { id: e.orderId })}</span>
                  {e.receiptNo && <span>{t("hospital.receiptNo", { no: e.receiptNo })}</span>}
                </Space>
              );
            },
          },
          {
            title: t("hospital.exceptions.reasons"),
            key: "reasons",
            render: (_, e) => <Reasons reasons={e.reasons} />,
          },
          {
            title: t("hospital.exceptions.units"),
            key: "units",
            render: (_, e) =>
              e.source === "stocktake" ? (
                "—"
              ) : (
                <Space orientation="vertical" size={2}>
                  <span>
                    {t("hospital.exceptions.unitsShort", {
                      proposed: e.proposedAccepted,
                      shipped: e.shipped,
                    })}
                  </span>
                  {e.status === "open" && <LedgerHoldTag exception={e} />}
                </Space>
              ),
          },
          { title: t("hospital.created"), dataIndex: "createdAt", render: (d: string) => dateTime(d) },
          {
            title: t("common.status"),
            key: "status",
            render: (_, e) => (
              <Space orientation="vertical" size={0}>
                <Tag color={e.status === "open" ? TAG.warning : TAG.good}>
                  {t(`hospital.exceptionStatus.${e.status}` as MessageKey)}
                </Tag>
                {e.resolution && (
                  <span>
                    {resolutionLabel(e)}
                    {e.source !== "stocktake" && e.resolvedAccepted !== null && ` (${e.resolvedAccepted})`}
                  </span>
                )}
                {e.resolvedBy && <Hex value={e.resolvedBy} />}
                {e.resolvedAt && <span>{dateTime(e.resolvedAt)}</span>}
                {e.note && (
                  <Typography.Text type="secondary" style={{ maxWidth: 240, wordBreak: "break-word" }}>
                    {e.note}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_, e) =>
              // Settled on the ledger by the supplier's claim: no decision can pay anything more.
              e.status === "open" && isApprover && e.settledOnLedger === null ? (
                <Button onClick={() => setSelected(e)} aria-pressed={selected?.id === e.id}>
                  {t("hospital.exceptions.resolve", { id: e.id })}
                </Button>
              ) : null,
          },
        ]}
      />
      {selected && (
        <ResolveException key={selected.id} exception={selected} onClose={() => setSelected(null)} />
      )}
      <UnreceivedArrivals />
    </section>
  );
}
