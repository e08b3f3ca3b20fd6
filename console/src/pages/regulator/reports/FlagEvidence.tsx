import { Descriptions, Space, Tag, Typography } from "antd";
import type { ReactNode } from "react";
import type { ReconciliationFlag } from "../../../../../api/reconciliation";
import { Hex } from "../../../components/Hex";
import { PartyName } from "../../../components/PartyName";
import type { MessageKey } from "../../../i18n/en";
import { useI18n } from "../../../i18n/i18n";
import { useFormat } from "../../../lib/use-format";
import { RecallScope } from "./RecallScope";

/** Every evidence field of every flag (api/reconciliation.ts), so a new one is a compile error here. */
type EvidenceField = ReconciliationFlag extends infer F
  ? F extends { evidence: infer E }
    ? keyof E & string
    : never
  : never;

/** A row's flags, each with the records that show it (usages, receipts, transactions, orders). */
export function FlagEvidence({ flags }: { flags: ReconciliationFlag[] }) {
  const { t } = useI18n();
  const show = useEvidenceValue();
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      {flags.map((f, i) => (
        <Descriptions
          key={`${f.code}-${i}`}
          size="small"
          bordered
          column={1}
          styles={{ label: { width: 260 } }}
          title={
            <span>
              <Tag color="red">{t(`reports.flag.${f.code}` as MessageKey)}</Tag>
              {t("reports.rec.evidence")}
            </span>
          }
          items={Object.entries(f.evidence).map(([name, value]) => ({
            key: name,
            label: t(`reports.evidence.${name as EvidenceField}`),
            children: show(name as EvidenceField, value),
          }))}
        />
      ))}
    </Space>
  );
}

/** An evidence value as a person reads it: dates formatted, money in yuan, hashes short. */
function useEvidenceValue(): (field: EvidenceField, value: unknown) => ReactNode {
  const { t } = useI18n();
  const { calendarDate, dateTime, yuan } = useFormat();
  // Fen ÷ units in yuan, rounded half up to the fen; "≈" when the division is not exact.
  const unitPrice = (fen: string, units: string) => {
    const [value, quantity] = [BigInt(fen), BigInt(units)];
    return `${value % quantity === 0n ? "" : "≈"}${yuan((2n * value + quantity) / (2n * quantity))}`;
  };
  const hidden = <Typography.Text type="secondary">{t("reports.evidence.hidden")}</Typography.Text>;
  // Short items (ids, hashes) side by side; sentences one a line.
  const list = (items: ReactNode[], sentences = false) =>
    items.length === 0 ? (
      "—"
    ) : sentences ? (
      <Space orientation="vertical" size={4}>
        {items}
      </Space>
    ) : (
      <Space size={[8, 4]} wrap>
        {items}
      </Space>
    );
  return (field, value) => {
    switch (field) {
      case "expiry":
        return calendarDate(value as string);
      case "recalledAt":
      case "excursionAt":
        return dateTime(value as string);
      case "liftedAt":
        return value === null ? t("reports.evidence.notLifted") : dateTime(value as string);
      case "txHash":
        return <Hex value={value as string} />;
      case "txHashes":
      case "sentOutTxHashes":
        return list((value as string[]).map((h) => <Hex key={h} value={h} />));
      case "scope":
        return <RecallScope scope={value as string} />;
      case "receivedBy":
        return value === null ? hidden : <PartyName address={value as string} />;
      case "receiptNo":
        return value === null ? hidden : (value as string);
      case "uses":
        return list(
          // Another hospital's use is null to a caller who may not see it (never a regulator).
          (value as { hospital: string | null; usageId: string | null }[]).map((u, i) =>
            u.hospital === null || u.usageId === null ? (
              <span key={i}>{hidden}</span>
            ) : (
              <span key={i}>
                {u.usageId} <PartyName address={u.hospital} />
              </span>
            ),
          ),
        );
      case "billed":
        return list(
          (value as { usageId: string; quantity: string; amount: string }[]).map((b) => (
            <span key={b.usageId}>
              {t("reports.evidence.billedUsage", {
                usage: b.usageId,
                quantity: b.quantity,
                amount: yuan(b.amount),
                unit: unitPrice(b.amount, b.quantity),
              })}
            </span>
          )),
          true,
        );
      case "prices":
        return list(
          (value as { orderId: string; shipmentId: string | null; quantity: string; value: string }[]).map(
            (p) => {
              const figures = {
                order: p.orderId,
                quantity: p.quantity,
                value: yuan(p.value),
                unit: unitPrice(p.value, p.quantity),
              };
              return p.shipmentId === null ? (
                <span key={`order-${p.orderId}`}>{t("reports.evidence.fundedPrice", figures)}</span>
              ) : (
                <span key={p.shipmentId}>
                  {t("reports.evidence.settledPrice", { ...figures, shipment: p.shipmentId })}
                </span>
              );
            },
          ),
          true,
        );
      case "shipmentId":
        return value as string;
      case "usageIds":
      case "receiptNos":
        return list((value as string[]).map((id) => <span key={id}>{id}</span>));
      default:
        // accepted, sentOut, usedNet, billedQuantity, units, serial: a count or an id as it is.
        return String(value);
    }
  };
}
