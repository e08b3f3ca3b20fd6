import { Space, Tag } from "antd";
import type { Exception } from "../../../../api/exceptions";
import { TAG } from "../../components/tag-colours";
import { useI18n } from "../../i18n/i18n";
import { useFormat } from "../../lib/use-format";

/**
 * An open exception's standing on the ledger, as tags: the units its held receipt withholds
 * (on its way, recorded, or refused with the ledger's error) and the date from which its supplier
 * may claim payment, which is the decision's deadline; or the settlement the ledger made without
 * a decision (the supplier's claim after the confirmation window).
 */
export function LedgerHoldTag({ exception: e }: { exception: Exception }) {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  if (e.settledOnLedger !== null)
    return <Tag color={TAG.muted}>{t("hospital.exceptions.settledOnLedger", e.settledOnLedger)}</Tag>;
  // One tag a line, each wrapping: the column is narrow beside the table's fixed actions.
  return (
    <Space orientation="vertical" size={2}>
      <HoldTag exception={e} />
      {e.claimOpensAt !== null && (
        <Tag color={TAG.waiting} style={{ whiteSpace: "normal" }} data-testid="exception-claim-opens">
          {t("hospital.exceptions.claimOpens", { date: dateTime(e.claimOpensAt) })}
        </Tag>
      )}
    </Space>
  );
}

/** The units the held receipt withholds on the ledger, if it withholds any. */
function HoldTag({ exception: e }: { exception: Exception }) {
  const { t } = useI18n();
  const hold = e.ledgerHold;
  if (hold === null) return null;
  if (hold.status === "failed")
    return <Tag color={TAG.bad}>{t("hospital.exceptions.hold.failed", { error: hold.error ?? "—" })}</Tag>;
  if (hold.status === "confirmed")
    return <Tag color={TAG.info}>{t("hospital.exceptions.hold.confirmed", { units: hold.units })}</Tag>;
  return <Tag color={TAG.waiting}>{t("hospital.exceptions.hold.pending", { units: hold.units })}</Tag>;
}
