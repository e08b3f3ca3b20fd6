import { Space, Typography } from "antd";
import { useState } from "react";
import { useI18n } from "../../i18n/i18n";
import { useSession } from "../../lib/session";
import { ForecastCard } from "./ForecastCard";
import { ParLevelForm } from "./ParLevelForm";
import { SuggestionsTable } from "./SuggestionsTable";

/**
 * The hospital's replenishment: its par levels with what to order now (GET
 * /v1/replenishment/suggestions), an item's forecast with its backtest error, and — for its
 * account and approvers, who may place orders — the par level form and "Place order".
 */
export function ReplenishmentPage() {
  const { t } = useI18n();
  const roles = useSession().session?.roles ?? [];
  const buyer = roles.includes("hospital-admin") || roles.includes("hospital-approver");
  const [gtin, setGtin] = useState<string>();
  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("replenishment.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("replenishment.intro")}</Typography.Paragraph>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <SuggestionsTable buyer={buyer} onForecast={setGtin} />
        <ForecastCard gtin={gtin} />
        {buyer && <ParLevelForm />}
      </Space>
    </section>
  );
}
