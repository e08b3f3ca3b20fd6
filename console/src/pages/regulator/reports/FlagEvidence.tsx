import { Descriptions, Space, Tag, Typography } from "antd";
import type { ReconciliationFlag } from "../../../../../api/reconciliation";
import type { MessageKey } from "../../../i18n/en";
import { useI18n } from "../../../i18n/i18n";

/** A row's flags, each with the records that show it (usages, receipts, transactions, orders). */
export function FlagEvidence({ flags }: { flags: ReconciliationFlag[] }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      {flags.map((f, i) => (
        <Descriptions
          key={`${f.code}-${i}`}
          size="small"
          bordered
          column={1}
          title={
            <span>
              <Tag color="red">{t(`reports.flag.${f.code}` as MessageKey)}</Tag>
              {t("reports.rec.evidence", { code: f.code })}
            </span>
          }
          items={Object.entries(f.evidence).map(([name, value]) => ({
            key: name,
            label: name,
            children: (
              <Typography.Text style={{ wordBreak: "break-all" }}>{evidenceText(value)}</Typography.Text>
            ),
          }))}
        />
      ))}
    </Space>
  );
}

/** An evidence value as text: lists joined, records as their JSON (hashes and ids in full). */
function evidenceText(value: unknown): string {
  if (value === null) return "—";
  if (Array.isArray(value))
    return value.length === 0
      ? "—"
      : value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
