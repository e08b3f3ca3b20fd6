import { Tag } from "antd";
import type { LedgerHold } from "../../../../api/exceptions";
import { TAG } from "../../components/tag-colours";
import { useI18n } from "../../i18n/i18n";

/**
 * What a held receipt withholds on the ledger (the gateway disputes those units), as a tag: on
 * its way, recorded, or refused with the ledger's error. Nothing when the receipt withholds none.
 */
export function LedgerHoldTag({ hold }: { hold: LedgerHold | null }) {
  const { t } = useI18n();
  if (hold === null) return null;
  if (hold.status === "failed")
    return <Tag color={TAG.bad}>{t("hospital.exceptions.hold.failed", { error: hold.error ?? "—" })}</Tag>;
  if (hold.status === "confirmed")
    return <Tag color={TAG.info}>{t("hospital.exceptions.hold.confirmed", { units: hold.units })}</Tag>;
  return <Tag color={TAG.waiting}>{t("hospital.exceptions.hold.pending", { units: hold.units })}</Tag>;
}
