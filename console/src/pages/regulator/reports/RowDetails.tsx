import { Descriptions, Space } from "antd";
import type { ReconciliationRow } from "../../../../../api/reconciliation";
import type { MessageKey } from "../../../i18n/en";
import { useI18n } from "../../../i18n/i18n";
import { useFormat } from "../../../lib/use-format";
import { FlagEvidence } from "./FlagEvidence";

/** Units of a row the table leaves out (to fit a laptop's width), with the rest, in order. */
const FIGURES: [MessageKey, keyof ReconciliationRow][] = [
  ["reports.rec.ordered", "ordered"],
  ["reports.rec.shipped", "shipped"],
  ["reports.rec.accepted", "accepted"],
  ["reports.rec.rejected", "rejected"],
  ["reports.rec.used", "used"],
  ["reports.rec.returned", "returned"],
  ["reports.rec.sentOut", "sentOut"],
  ["reports.rec.onHand", "onHand"],
];

/** A reconciliation row opened: every figure it has, then its flags with their evidence. */
export function RowDetails({ row }: { row: ReconciliationRow }) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Descriptions
        size="small"
        bordered
        title={t("reports.rec.figures")}
        column={{ xs: 2, lg: 4 }}
        items={[
          ...FIGURES.map(([label, key]) => ({ key, label: t(label), children: String(row[key]) })),
          {
            key: "billed",
            label: t("reports.rec.billed"),
            children: t("reports.rec.billedFigures", {
              quantity: row.billedQuantity,
              amount: yuan(row.billedAmount),
            }),
          },
        ]}
      />
      {row.flags.length > 0 && <FlagEvidence flags={row.flags} />}
    </Space>
  );
}
