import { Card, Typography } from "antd";
import type { Stocktake } from "../../../../api/stock";
import { useCampusName } from "../../components/CampusSelect";
import { CursorTable } from "../../components/CursorTable";
import { useI18n } from "../../i18n/i18n";
import { useFormat } from "../../lib/use-format";
import { DifferenceTag } from "./StocktakeDifferences";

/** The hospital's past stocktakes (GET /v1/stock/stocktakes), newest first, with their differences. */
export function StocktakeList() {
  const { t } = useI18n();
  const campusName = useCampusName();
  const { dateTime } = useFormat();
  return (
    <Card
      role="region"
      aria-labelledby="stocktakes-title"
      title={
        <Typography.Title level={2} id="stocktakes-title" style={{ fontSize: 18, margin: 0 }}>
          {t("stock.stocktakes.title")}
        </Typography.Title>
      }
    >
      <CursorTable<Stocktake>
        path="/v1/stock/stocktakes"
        rowKey="id"
        label={t("stock.stocktakes.title")}
        columns={[
          { title: "#", dataIndex: "id" },
          { title: t("stock.campus"), key: "campus", render: (_, s) => campusName(s.campus) },
          {
            title: t("stock.stocktakes.countedAt"),
            key: "countedAt",
            render: (_, s) => dateTime(s.countedAt),
          },
          {
            title: t("stock.stocktake.differences"),
            key: "differences",
            render: (_, s) =>
              s.differences.length === 0 ? (
                t("stock.stocktake.matches")
              ) : (
                <ul style={{ margin: 0, paddingInlineStart: 16 }}>
                  {s.differences.map((d) => (
                    <li key={`${d.gtin}|${d.lot}`} style={{ wordBreak: "break-word" }}>
                      {t("stock.stocktakes.line", {
                        gtin: d.gtin,
                        lot: d.lot,
                        expected: d.expected,
                        counted: d.counted,
                      })}{" "}
                      <DifferenceTag d={d} />
                    </li>
                  ))}
                </ul>
              ),
          },
        ]}
      />
    </Card>
  );
}
