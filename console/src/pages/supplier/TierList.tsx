import type { Tier } from "../../../../api/tenders";
import { useI18n } from "../../i18n/i18n";
import { useFormat } from "../../lib/use-format";

/** A price schedule as it reads: "from 0 units ¥750.00", one tier a line; `current` marked. */
export function TierList({ tiers, current }: { tiers: Tier[]; current?: number }) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  return (
    <ul style={{ margin: 0, paddingLeft: 18 }}>
      {tiers.map((tier, i) => (
        <li key={tier.threshold} style={i === current ? { fontWeight: 600 } : undefined}>
          {t("supplier.tier.line", { threshold: tier.threshold, price: yuan(tier.unitPrice) })}
          {i === current ? ` — ${t("supplier.tier.current")}` : ""}
        </li>
      ))}
    </ul>
  );
}
