import { ZeroAddress } from "ethers";
import { PartyName } from "../../../components/PartyName";
import { useI18n } from "../../../i18n/i18n";

/** Whose shipments a recall covers: the zero address is a regulator's (every supplier's). */
export function RecallScope({ scope }: { scope: string }) {
  const { t } = useI18n();
  return scope === ZeroAddress ? <>{t("reports.recall.everyone")}</> : <PartyName address={scope} />;
}
