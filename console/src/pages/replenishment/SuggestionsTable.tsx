import { App, Button, Space, Tag, Typography, type TableColumnsType } from "antd";
import type { Suggestion } from "../../../../api/replenishment";
import { ActButton } from "../../components/ActButton";
import { useCampusName } from "../../components/CampusSelect";
import { CursorTable } from "../../components/CursorTable";
import { TAG } from "../../components/tag-colours";
import { useI18n } from "../../i18n/i18n";
import { useFormat } from "../../lib/use-format";

const STATUS_COLOUR = { order: TAG.warning, enough: TAG.good, "no-agreement": TAG.muted } as const;

/**
 * Every par level with its suggestion: on hand, on order, the demand over the lead time, the
 * quantity, the tier price it would lock and the budget it would leave; "Place order" sends the
 * suggestion's own placeOrder call through the relay (the hospital's account and approvers only).
 */
export function SuggestionsTable({
  buyer,
  onForecast,
}: {
  buyer: boolean;
  onForecast: (gtin: string) => void;
}) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const placeName = usePlaceName();
  const { message } = App.useApp();
  const itemName = useItemName();
  const columns: TableColumnsType<Suggestion> = [
    {
      title: t("replenishment.item"),
      key: "item",
      render: (_, s) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text copyable={{ text: s.gtin }}>{s.gtin}</Typography.Text>
          <Typography.Text type="secondary">{placeName(s)}</Typography.Text>
        </Space>
      ),
    },
    { title: t("replenishment.par"), key: "par", render: (_, s) => `${s.min}–${s.max}` },
    {
      title: t("replenishment.stock"),
      key: "stock",
      render: (_, s) => (
        <Space orientation="vertical" size={0}>
          <span>
            {t("replenishment.onHand")}: <span data-testid="on-hand">{s.onHand}</span>
          </span>
          <span>
            {t("replenishment.onOrder")}: <span data-testid="on-order">{s.onOrder}</span>
          </span>
          {s.leadTimeDays !== null && (
            <Typography.Text type="secondary">
              {t("replenishment.demandDays", { units: s.demandOverLeadTime, days: s.leadTimeDays })}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t("replenishment.status"),
      key: "status",
      render: (_, s) => (
        <Space orientation="vertical" size={0}>
          <Tag color={STATUS_COLOUR[s.status]}>{t(`replenishment.status.${s.status}`)}</Tag>
          {s.status === "order" && (
            <span>
              {t("replenishment.quantity")}: <span data-testid="suggested-quantity">{s.quantity}</span>
            </span>
          )}
        </Space>
      ),
    },
    {
      title: t("replenishment.priceAndBudget"),
      key: "price",
      render: (_, s) =>
        s.price && (
          <Space orientation="vertical" size={0}>
            <Typography.Text strong>{yuan(s.price.value)}</Typography.Text>
            {s.price.tiers.map((tier) => (
              <Typography.Text key={tier.tier} type="secondary">
                {t("replenishment.tierUnits", { units: tier.units, price: yuan(tier.unitPrice) })}
              </Typography.Text>
            ))}
            {s.agreement && (
              <Typography.Text type="secondary">
                {t("replenishment.agreement", { id: s.agreement.id })}
              </Typography.Text>
            )}
            {s.agreement?.exceedsCommitment && (
              <Tag color={TAG.warning} style={{ whiteSpace: "normal" }}>
                {t("replenishment.exceedsCommitment")}
              </Tag>
            )}
            <BudgetEffect suggestion={s} />
          </Space>
        ),
    },
    {
      title: t("replenishment.actions"),
      key: "actions",
      render: (_, s) => (
        <Space orientation="vertical" size="small">
          <Button
            size="small"
            aria-label={t("replenishment.showForecastLabel", { item: itemName(s) })}
            onClick={() => onForecast(s.gtin)}
          >
            {t("replenishment.showForecast")}
          </Button>
          {buyer && s.place && (
            <ActButton
              size="small"
              type="primary"
              aria-label={t("replenishment.placeLabel", { item: itemName(s) })}
              call={() => ({ to: s.place!.to, data: s.place!.data })}
              onDone={() => message.success(<PlacedNotice suggestion={s} />)}
            >
              {t("replenishment.place")}
            </ActButton>
          )}
        </Space>
      ),
    },
  ];
  return (
    <CursorTable<Suggestion>
      path="/v1/replenishment/suggestions"
      columns={columns}
      rowKey="item"
      label={t("replenishment.table")}
    />
  );
}

/** What funding the suggestion would leave of its category's budget on the ledger. */
function BudgetEffect({ suggestion: s }: { suggestion: Suggestion }) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  if (s.budget === null)
    return <Typography.Text type="secondary">{t("replenishment.noBudget")}</Typography.Text>;
  return (
    <>
      <span>
        {t("replenishment.budget")}:{" "}
        {t("replenishment.budgetAfter", {
          before: yuan(s.budget.remainingBefore),
          after: yuan(s.budget.remainingAfter),
        })}
      </span>
      {s.budget.exceeded && (
        <Tag color={TAG.bad} style={{ whiteSpace: "normal" }}>
          {t("replenishment.budgetExceeded")}
        </Tag>
      )}
    </>
  );
}

/** Where a par level's item is kept: a campus, or the whole hospital. */
function usePlaceName() {
  const { t } = useI18n();
  const campusName = useCampusName();
  return (s: Suggestion) => (s.campus === null ? t("replenishment.wholeHospital") : campusName(s.campus));
}

/** An item as a reader names it: its product number and where it is kept. */
function useItemName() {
  const placeName = usePlaceName();
  return (s: Suggestion) => `${s.gtin} (${placeName(s)})`;
}

/** The placed order's toast, worded when shown: it follows a switch of language while open. */
function PlacedNotice({ suggestion }: { suggestion: Suggestion }) {
  const { t } = useI18n();
  const itemName = useItemName();
  return t("replenishment.placed", { item: itemName(suggestion) });
}
