import { Select } from "antd";
import { reasonsFor, type ReasonAct } from "../../../ledger/reasons";
import { useI18n } from "../i18n/i18n";
import { TAG } from "./tag-colours";

/**
 * The reasons an act may record (the catalogue's, api/reason-codes.ts), by their labels: the
 * ledger records the chosen one's code. Nothing is chosen at first, so nobody records a reason
 * by leaving a default in place.
 */
export function ReasonSelect(props: {
  act: ReasonAct;
  id: string;
  value: number | null;
  onChange: (code: number) => void;
}) {
  const { t } = useI18n();
  return (
    <Select<number>
      id={props.id}
      value={props.value ?? undefined}
      onChange={props.onChange}
      placeholder={t("reasons.choose")}
      // Ant Design's placeholder grey fails contrast (axe color-contrast) on a form shown at rest.
      styles={{ placeholder: { color: TAG.muted } }}
      options={reasonsFor(props.act).map((r) => ({
        value: r.code,
        label: `${t(`reason.${r.key}`)} (${r.code})`,
      }))}
      style={{ width: "100%" }}
      popupMatchSelectWidth={false}
    />
  );
}
