import { Button, Input, Space } from "antd";
import { useI18n } from "../../i18n/i18n";

/** One row of a price schedule as typed: from `threshold` units, `price` yuan a unit. */
export interface TierRow {
  threshold: string;
  price: string;
}

/** Editing a price schedule, one labelled row per tier (at most `max`). */
export function TierEditor(props: { rows: TierRow[]; onChange: (rows: TierRow[]) => void; max: number }) {
  const { t } = useI18n();
  const { rows, onChange } = props;
  const set = (i: number, patch: Partial<TierRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Space orientation="vertical">
      {rows.map((row, i) => (
        <Space key={i} wrap align="center">
          <span>{t("supplier.bid.tier", { n: i + 1 })}</span>
          <Input
            aria-label={t("supplier.bid.threshold", { n: i + 1 })}
            addonBefore={t("supplier.bid.from")}
            addonAfter={t("supplier.bid.units")}
            inputMode="numeric"
            style={{ width: 220 }}
            value={row.threshold}
            onChange={(e) => set(i, { threshold: e.target.value })}
          />
          <Input
            aria-label={t("supplier.bid.price", { n: i + 1 })}
            addonBefore="¥"
            addonAfter={t("supplier.bid.perUnit")}
            inputMode="decimal"
            style={{ width: 220 }}
            value={row.price}
            onChange={(e) => set(i, { price: e.target.value })}
          />
          {rows.length > 1 && (
            <Button onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              {t("supplier.bid.removeTier", { n: i + 1 })}
            </Button>
          )}
        </Space>
      ))}
      {rows.length < props.max && (
        <Button onClick={() => onChange([...rows, { threshold: "", price: "" }])}>
          {t("supplier.bid.addTier")}
        </Button>
      )}
    </Space>
  );
}
