import { Alert, Space, Table, Tag, Typography } from "antd";
import type { Agreement } from "../../../../api/agreements";
import { useI18n } from "../../i18n/i18n";
import { useFormat } from "../../lib/use-format";
import { quote } from "./tiers";
import { TAG } from "../../components/tag-colours";

/**
 * Why an order costs what it costs: the agreement's tier schedule with the tiers the order's
 * units fall in marked, and the sum quantity × unit price = value per tier, counted from the
 * units the agreement has accepted so far.
 */
export function TierBreakdown({ agreement, quantity }: { agreement: Agreement; quantity: bigint }) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const accepted = BigInt(agreement.acceptedVolume);
  const priced = quote(agreement.tiers, accepted, quantity);
  const applied = new Set(priced.spans.map((s) => s.tier));
  const rows = agreement.tiers.map((tier, index) => ({
    index,
    // Positions are 1-based: a tier from threshold T prices the (T + 1)th unit on.
    first: (BigInt(tier.threshold) + 1n).toString(),
    last: index + 1 < agreement.tiers.length ? agreement.tiers[index + 1].threshold : null,
    unitPrice: tier.unitPrice,
  }));

  return (
    <Space orientation="vertical" style={{ width: "100%" }} data-testid="tier-breakdown">
      <Typography.Paragraph style={{ marginBottom: 0 }}>
        {t("hospital.tiers.why", {
          accepted: accepted.toString(),
          first: (accepted + 1n).toString(),
          last: (accepted + quantity).toString(),
        })}
      </Typography.Paragraph>
      <ul aria-label={t("hospital.tiers.sum")} style={{ margin: 0, paddingInlineStart: 20 }}>
        {priced.spans.map((s) => (
          <li key={s.tier}>
            <Typography.Text strong>
              {t("hospital.tiers.line", {
                units: s.units.toString(),
                price: yuan(s.unitPrice),
                value: yuan(s.value),
              })}
            </Typography.Text>{" "}
            {t("hospital.tiers.lineWhy", {
              tier: s.tier + 1,
              first: (s.from + 1n).toString(),
              last: s.to.toString(),
            })}
          </li>
        ))}
      </ul>
      <Typography.Text strong data-testid="tier-total">
        {t("hospital.tiers.total", { quantity: quantity.toString(), value: yuan(priced.value) })}
      </Typography.Text>
      <Table
        aria-label={t("hospital.tiers.schedule")}
        size="small"
        pagination={false}
        rowKey="index"
        dataSource={rows}
        columns={[
          {
            title: t("hospital.tiers.tier"),
            key: "tier",
            render: (_, r) => (
              <Space>
                {r.index + 1}
                {applied.has(r.index) && <Tag color={TAG.info}>{t("hospital.tiers.applies")}</Tag>}
              </Space>
            ),
          },
          {
            title: t("hospital.tiers.range"),
            key: "range",
            render: (_, r) =>
              r.last === null
                ? t("hospital.tiers.from", { first: r.first })
                : t("hospital.tiers.between", { first: r.first, last: r.last }),
          },
          {
            title: t("hospital.tiers.unitPrice"),
            key: "price",
            render: (_, r) => yuan(r.unitPrice),
          },
        ]}
      />
      <Alert type="info" showIcon title={t("hospital.tiers.lock")} />
    </Space>
  );
}
