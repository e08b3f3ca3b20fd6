import { useQuery } from "@tanstack/react-query";
import { Card, Input, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import type { Holder, Suggestion } from "../../../../api/stock";
import { isProductNumber, PRODUCT_NUMBER_MAX_LENGTH } from "../../../../ledger/product-key";
import { ActButton } from "../../components/ActButton";
import { TAG } from "../../components/tag-colours";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { hasMessage } from "../../i18n/translate";
import { fetchAll } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";
import { useCampusTransfers } from "./campus-transfers";
import { StocktakeForm } from "./StocktakeForm";
import { StocktakeList } from "./StocktakeList";
import { TransferForm } from "./TransferForm";

/** The stents of the demo year: the item a person most likely looks up first. */
const FIRST_GTIN = "09520123456788";
const MOVERS = ["hospital-admin", "hospital-receiver"];
/** For a short column whose words should not break, so the reason column takes what is left. */
const nowrap = () => ({ style: { whiteSpace: "nowrap" as const } });

/**
 * GET /v1/stock/holders and /v1/stock/suggestions: who holds an item and until when, and the
 * moves the gateway suggests, each of which the warehouse can record on the ledger at once. Both
 * lists are short by nature (campuses × lots of one item). Below, the stocktake: the warehouse
 * counts a campus's shelf (the same roles that move stock may count it) and every stocktake so far.
 */
export function StockPage() {
  const { t } = useI18n();
  const { date } = useFormat();
  const roles = useSession().session?.roles ?? [];
  const mayMove = roles.some((r) => MOVERS.includes(r));
  const transfers = useCampusTransfers();
  const [gtin, setGtin] = useState(FIRST_GTIN);
  const valid = isProductNumber(gtin);
  const holders = useQuery({
    queryKey: ["/v1/stock/holders", gtin],
    queryFn: () => fetchAll<Holder>("/v1/stock/holders", { gtin }),
    enabled: valid,
  });
  const suggestions = useQuery({
    queryKey: ["/v1/stock/suggestions", gtin],
    queryFn: () => fetchAll<Suggestion>("/v1/stock/suggestions", { gtin }),
    enabled: valid,
  });
  // The gateway's `reason` is English; the page states the same figures in the reader's language,
  // and a kind newer than this console in the gateway's words.
  const reasonOf = (s: Suggestion) => {
    const from = s.fromName ?? s.from;
    const to = s.toName ?? s.to;
    switch (s.kind) {
      case "near-expiry":
        return t("stock.reason.near-expiry", {
          days: s.expiresInDays,
          from,
          fromPerDay: s.fromPerDay,
          unused: s.unused,
          to,
          toPerDay: s.toPerDay,
        });
      case "shortage":
        return t("stock.reason.shortage", {
          to,
          held: s.toHolds,
          coverDays: s.coverDays,
          need: s.toNeeds,
          toPerDay: s.toPerDay,
          from,
        });
      default:
        return (s as { reason: string }).reason;
    }
  };
  const campus = (h: { campus: string | null; campusName: string | null }) => (
    <Typography.Text style={{ overflowWrap: "break-word" }}>
      {h.campusName ?? h.campus ?? "—"}
    </Typography.Text>
  );
  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("stock.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("stock.intro")}</Typography.Paragraph>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <label htmlFor="stock-gtin">
          {t("stock.gtin")}{" "}
          <Input
            id="stock-gtin"
            style={{ width: 220 }}
            value={gtin}
            maxLength={PRODUCT_NUMBER_MAX_LENGTH}
            status={valid ? undefined : "error"}
            aria-invalid={!valid}
            aria-describedby={valid ? undefined : "stock-gtin-invalid"}
            onChange={(e) => setGtin(e.target.value.trim())}
          />
        </label>
        {/* Nothing is asked until the item is one: said, rather than two empty cards. */}
        {!valid && (
          <Typography.Text type="danger" id="stock-gtin-invalid">
            {t("stock.gtinInvalid")}
          </Typography.Text>
        )}
        <Card
          role="region"
          aria-labelledby="stock-holders-title"
          title={
            <Typography.Title level={2} id="stock-holders-title" style={{ fontSize: 18, margin: 0 }}>
              {t("stock.holders.title")}
            </Typography.Title>
          }
        >
          <QueryState query={holders} empty={(list) => list.length === 0}>
            {(list) => (
              <Space orientation="vertical" style={{ width: "100%" }}>
                {list.some((h) => h.recalled) && (
                  <Typography.Text type="secondary">{t("stock.recalledNote")}</Typography.Text>
                )}
                <Table<Holder>
                  aria-label={t("stock.holders.title")}
                  size="small"
                  pagination={false}
                  rowKey={(h) => `${h.campus}-${h.lot}`}
                  dataSource={list}
                  columns={[
                    { title: t("stock.campus"), key: "campus", render: (_, h) => campus(h) },
                    {
                      title: t("stock.lot"),
                      key: "lot",
                      render: (_, h) => (
                        <Space size={4} wrap>
                          {h.lot}
                          {h.recalled && <Tag color={TAG.bad}>{t("stock.recalled")}</Tag>}
                        </Space>
                      ),
                    },
                    {
                      title: t("stock.expiry"),
                      key: "expiry",
                      render: (_, h) => (h.expiry ? date(h.expiry) : "—"),
                    },
                    { title: t("stock.onHand"), dataIndex: "onHand", align: "right" },
                  ]}
                />
              </Space>
            )}
          </QueryState>
        </Card>
        <Card
          role="region"
          aria-labelledby="stock-suggestions-title"
          title={
            <Typography.Title level={2} id="stock-suggestions-title" style={{ fontSize: 18, margin: 0 }}>
              {t("stock.suggestions.title")}
            </Typography.Title>
          }
        >
          <QueryState query={suggestions} empty={(list) => list.length === 0}>
            {(list) => (
              <Table<Suggestion>
                aria-label={t("stock.suggestions.title")}
                size="small"
                pagination={false}
                rowKey={(s) => `${s.kind}-${s.lot}-${s.from}-${s.to}`}
                dataSource={list}
                // The reason wraps and the rest keeps its width, so the move button stays in view
                // on a 1366-pixel screen; below 900 pixels the table scrolls instead of squeezing.
                scroll={{ x: 900 }}
                columns={[
                  {
                    title: t("stock.kind"),
                    key: "kind",
                    onCell: nowrap,
                    onHeaderCell: nowrap,
                    render: (_, s) => {
                      const key = `stock.kind.${s.kind}`;
                      return hasMessage(key) ? t(key) : s.kind;
                    },
                  },
                  { title: t("stock.lot"), dataIndex: "lot" },
                  {
                    title: t("stock.from"),
                    key: "from",
                    render: (_, s) => campus({ campus: s.from, campusName: s.fromName }),
                  },
                  {
                    title: t("stock.to"),
                    key: "to",
                    render: (_, s) => campus({ campus: s.to, campusName: s.toName }),
                  },
                  {
                    title: t("stock.quantity"),
                    dataIndex: "quantity",
                    align: "right",
                    onCell: nowrap,
                    onHeaderCell: nowrap,
                  },
                  {
                    title: t("stock.reason"),
                    key: "reason",
                    render: (_, s) => <Typography.Text>{reasonOf(s)}</Typography.Text>,
                  },
                  ...(mayMove
                    ? [
                        {
                          title: "",
                          key: "move",
                          onCell: nowrap,
                          render: (_: unknown, s: Suggestion) => (
                            <ActButton
                              call={() =>
                                transfers.recordTransfer({
                                  gtin: s.gtin,
                                  lot: s.lot,
                                  from: s.from,
                                  to: s.to,
                                  quantity: Number(s.quantity),
                                })
                              }
                            >
                              {t("stock.move", { quantity: s.quantity, lot: s.lot })}
                            </ActButton>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
            )}
          </QueryState>
        </Card>
        {mayMove && valid && <TransferForm gtin={gtin} holders={holders.data ?? []} />}
        {mayMove && <StocktakeForm />}
        <StocktakeList />
      </Space>
    </section>
  );
}
