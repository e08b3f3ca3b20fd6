import { useQuery } from "@tanstack/react-query";
import { Space, Table, Tag, Typography } from "antd";
import type {
  SunshineAward,
  SunshineHospitalPrice,
  SunshineItemPrices,
  SunshinePrices,
  SunshineScorecard,
  SunshineScorecards,
} from "../../../../api/sunshine";
import { CursorTable } from "../../components/CursorTable";
import { Hex } from "../../components/Hex";
import { QueryState } from "../../components/QueryState";
import { TAG } from "../../components/tag-colours";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { short } from "../../lib/format";
import { useFormat } from "../../lib/use-format";

const STANDING = { active: TAG.good, suspended: TAG.bad, none: TAG.muted } as const;

/**
 * The public sunshine page (GET /v1/sunshine/*, no sign-in): every award with its winner's
 * standing, tier prices, committed volumes, term and transaction; then, per item, what each
 * hospital paid and billed per unit, with the settlement transactions behind the paid price and
 * the spread across hospitals, flagged above the gateway's threshold; and each supplier's
 * scorecard.
 */
export function SunshinePage() {
  const { t } = useI18n();
  const { yuan, date } = useFormat();
  const prices = useQuery({
    queryKey: ["/v1/sunshine/prices"],
    queryFn: () => api.get<SunshinePrices>("/v1/sunshine/prices"),
  });
  const scores = useQuery({
    queryKey: ["/v1/sunshine/scorecards"],
    queryFn: () => api.get<SunshineScorecards>("/v1/sunshine/scorecards"),
  });
  const hospitalName = (address: string, name: string | null) => name ?? short(address);
  return (
    <section style={{ padding: 24 }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("sunshine.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("sunshine.intro")}</Typography.Paragraph>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <Typography.Title level={2} style={{ fontSize: 18 }}>
          {t("sunshine.awards")}
        </Typography.Title>
        <CursorTable<SunshineAward>
          label={t("sunshine.awards")}
          path="/v1/sunshine/awards"
          rowKey="agreementId"
          columns={[
            { title: t("sunshine.category"), dataIndex: "categoryName" },
            { title: t("sunshine.supplier"), dataIndex: "supplierName" },
            {
              title: t("sunshine.standing"),
              render: (_, a) => (
                <>
                  <Tag color={STANDING[a.supplierStatus]}>{t(`sunshine.status.${a.supplierStatus}`)}</Tag>
                  <Typography.Text style={{ display: "block" }}>
                    {a.qualifiedUntil === null
                      ? t("sunshine.notQualified")
                      : t("sunshine.qualifiedUntil", { date: date(a.qualifiedUntil) })}
                  </Typography.Text>
                </>
              ),
            },
            {
              title: t("sunshine.tiers"),
              render: (_, a) =>
                a.tiers.map((tier) => (
                  <div key={tier.threshold}>
                    {t("sunshine.tier", { threshold: tier.threshold, price: yuan(tier.unitPrice) })}
                  </div>
                )),
            },
            {
              title: t("sunshine.committed"),
              render: (_, a) =>
                a.commitments.map((c) => (
                  <div key={c.hospital}>
                    {t("sunshine.commitment", {
                      hospital: hospitalName(c.hospital, c.hospitalName),
                      units: c.committed,
                    })}
                  </div>
                )),
            },
            { title: t("sunshine.term"), render: (_, a) => `${date(a.startAt)} – ${date(a.endAt)}` },
            { title: t("sunshine.transaction"), render: (_, a) => <Hex value={a.awardTx} /> },
          ]}
        />
        <Typography.Title level={2} style={{ fontSize: 18 }}>
          {t("sunshine.prices")}
        </Typography.Title>
        <QueryState query={prices} empty={(p) => p.items.length === 0}>
          {(p) => (
            <>
              <Typography.Paragraph>
                {t("sunshine.threshold", { percent: p.spreadPercent })}
              </Typography.Paragraph>
              {p.items.map((item) => (
                <ItemPrices key={`${item.gtin}:${item.category}`} item={item} name={hospitalName} />
              ))}
            </>
          )}
        </QueryState>
        <Typography.Title level={2} style={{ fontSize: 18 }}>
          {t("sunshine.scorecards")}
        </Typography.Title>
        <QueryState query={scores} empty={(s) => s.items.length === 0}>
          {(s) => (
            <Table<SunshineScorecard>
              aria-label={t("sunshine.scorecards")}
              size="small"
              pagination={false}
              rowKey="supplier"
              dataSource={s.items}
              columns={[
                { title: t("sunshine.scorecardSupplier"), dataIndex: "supplierName" },
                {
                  title: t("sunshine.standing"),
                  render: (_, c) => (
                    <Tag color={STANDING[c.supplierStatus]}>{t(`sunshine.status.${c.supplierStatus}`)}</Tag>
                  ),
                },
                { title: t("sunshine.deliveries"), dataIndex: "deliveries", align: "right" },
                {
                  title: t("sunshine.onTime"),
                  align: "right",
                  render: (_, c) => (c.onTimePercent === null ? "—" : `${c.onTimePercent} %`),
                },
                { title: t("sunshine.short"), dataIndex: "shortDeliveries", align: "right" },
                { title: t("sunshine.over"), dataIndex: "overDeliveries", align: "right" },
                { title: t("sunshine.excursions"), dataIndex: "excursions", align: "right" },
                { title: t("sunshine.recalls"), dataIndex: "recalls", align: "right" },
                { title: t("sunshine.suspensions"), dataIndex: "suspensions", align: "right" },
                { title: t("sunshine.lapses"), dataIndex: "documentLapses", align: "right" },
                {
                  title: t("sunshine.daysToPayment"),
                  align: "right",
                  render: (_, c) => c.medianDaysToPayment ?? "—",
                },
              ]}
            />
          )}
        </QueryState>
      </Space>
    </section>
  );
}

function ItemPrices({
  item,
  name,
}: {
  item: SunshineItemPrices;
  name: (a: string, n: string | null) => string;
}) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const caption = `${item.gtin} · ${item.categoryName}`;
  return (
    <div style={{ marginBottom: 16 }}>
      <Space wrap>
        <Typography.Text strong>{caption}</Typography.Text>
        <Typography.Text>
          {t("sunshine.spreadFigures", {
            min: yuan(item.paid.min),
            max: yuan(item.paid.max),
            median: yuan(item.paid.median),
            percent: item.paid.spreadPercent ?? "—",
          })}
        </Typography.Text>
        {item.flagged && <Tag color={TAG.bad}>{t("sunshine.flagged")}</Tag>}
      </Space>
      <Table<SunshineHospitalPrice>
        aria-label={caption}
        size="small"
        pagination={false}
        rowKey="hospital"
        dataSource={item.hospitals}
        columns={[
          { title: t("sunshine.hospital"), render: (_, h) => name(h.hospital, h.hospitalName) },
          { title: t("sunshine.accepted"), dataIndex: "acceptedUnits", align: "right" },
          { title: t("sunshine.paid"), align: "right", render: (_, h) => yuan(h.paidPerUnit) },
          {
            title: t("sunshine.billed"),
            align: "right",
            render: (_, h) => (h.billedPerUnit === null ? "—" : yuan(h.billedPerUnit)),
          },
          {
            title: t("sunshine.transaction"),
            render: (_, h) => (h.settlementTxs.length === 0 ? "—" : <Hex value={h.settlementTxs[0]} />),
          },
        ]}
      />
    </div>
  );
}
