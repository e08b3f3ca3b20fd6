import { Tag } from "antd";
import type { Exception } from "../../../../api/exceptions";
import { TAG } from "../../components/tag-colours";
import { useI18n } from "../../i18n/i18n";

/**
 * An open exception's standing on the ledger, as a tag: the units its held receipt withholds
 * (on its way, recorded, or refused with the ledger's error), or the settlement the ledger made
 * without a decision (the supplier's claim after the confirmation window). Nothing otherwise.
 */
export function LedgerHoldTag({ exception: e }: { exception: Exception }) {
  const { t } = useI18n();
  if (e.settledOnLedger !== null)
    return <Tag color={TAG.muted}>{t("hospital.exceptions.settledOnLedger", e.settledOnLedger)}</Tag>;
  const hold = e.ledgerHold;
  if (hold === null) return null;
  if (hold.status === "failed")
    return <Tag color={TAG.bad}>{t("hospital.exceptions.hold.failed", { error: hold.error ?? "—" })}</Tag>;
  if (hold.status === "confirmed")
    return <Tag color={TAG.info}>{t("hospital.exceptions.hold.confirmed", { units: hold.units })}</Tag>;
  return <Tag color={TAG.waiting}>{t("hospital.exceptions.hold.pending", { units: hold.units })}</Tag>;
}
