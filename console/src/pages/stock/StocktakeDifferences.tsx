import { Table, Tag } from "antd";
import type { Stocktake, StocktakeDifference } from "../../../../api/stock";
import { TAG } from "../../components/tag-colours";
import { useI18n } from "../../i18n/i18n";

/** What a stocktake found: units missing or extra per lot, with the figures the exception names. */
export function DifferenceTag({ d }: { d: StocktakeDifference }) {
  const { t } = useI18n();
  return d.counted < d.expected ? (
    <Tag color={TAG.problem}>{t("stock.stocktake.missing", { units: d.expected - d.counted })}</Tag>
  ) : (
    <Tag color={TAG.warning}>{t("stock.stocktake.extra", { units: d.counted - d.expected })}</Tag>
  );
}

/** A stocktake's differences, one row per lot whose count is not the records' balance. */
export function StocktakeDifferences({ stocktake, label }: { stocktake: Stocktake; label: string }) {
  const { t } = useI18n();
  return (
    <Table<StocktakeDifference>
      aria-label={label}
      size="small"
      pagination={false}
      rowKey={(d) => `${d.gtin}|${d.lot}`}
      dataSource={stocktake.differences}
      scroll={{ x: "max-content" }}
      columns={[
        { title: "GTIN", dataIndex: "gtin" },
        { title: t("stock.lot"), dataIndex: "lot" },
        { title: t("stock.stocktake.expected"), dataIndex: "expected", align: "right" },
        { title: t("stock.stocktake.counted"), dataIndex: "counted", align: "right" },
        {
          title: t("stock.stocktake.difference"),
          key: "difference",
          render: (_, d) => <DifferenceTag d={d} />,
        },
        {
          title: t("stock.stocktake.exception"),
          key: "exception",
          render: (_, d) => (d.exceptionId === null ? t("stock.stocktake.noShipment") : `#${d.exceptionId}`),
        },
      ]}
    />
  );
}
