import { Alert, Button, Card, Form, Input, InputNumber, Space, Typography } from "antd";
import { useRef, useState } from "react";
import type { Stocktake, StocktakeLine, StocktakeRequest } from "../../../../api/stock";
import { isProductNumber } from "../../../../ledger/product-key";
import { CampusSelect, useCampuses } from "../../components/CampusSelect";
import { ErrorAlert } from "../../components/ErrorAlert";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { useIdempotentPost } from "../../lib/idempotent-post";
import { StocktakeDifferences } from "./StocktakeDifferences";

interface HandRow {
  key: number;
  gtin: string;
  lot: string;
  count: number | null;
}

/** A hand-counted row the gateway takes: a product number (GTIN-14 or key), a lot and a unit or more. */
function rowValid(r: HandRow): boolean {
  return isProductNumber(r.gtin) && r.lot.trim() !== "" && r.lot.length <= 20 && (r.count ?? 0) >= 1;
}

/**
 * A stocktake of one campus (POST /v1/stock/stocktakes): the shelf's scans, one per line as the
 * scanner types them, and lots counted by hand (GTIN, lot, units). The gateway compares the
 * count with the records and raises each difference as an exception; the answer is shown at once.
 * One Idempotency-Key per count, kept until the gateway answers (as the receiving screen does):
 * a double click or a retry after a lost answer records the count once.
 */
export function StocktakeForm() {
  const { t } = useI18n();
  const campuses = useCampuses();
  const [campus, setCampus] = useState<string>();
  const [scans, setScans] = useState("");
  const [rows, setRows] = useState<HandRow[]>([]);
  const nextRow = useRef(1);
  const [result, setResult] = useState<Stocktake | null>(null);

  const submit = useIdempotentPost<StocktakeRequest, Stocktake>(
    "/v1/stock/stocktakes",
    "stocktake",
    (stocktake) => {
      setResult(stocktake);
      setScans("");
      setRows([]);
    },
  );

  const scanned = scans
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const lines: StocktakeLine[] = [
    ...scanned.map((barcode) => ({ barcode })),
    ...rows.map((r) => ({ gtin: r.gtin, lot: r.lot.trim(), quantity: r.count ?? 0 })),
  ];
  const rowsValid = rows.every(rowValid);
  const ready = campus !== undefined && lines.length > 0 && rowsValid;
  const setRow = (key: number, patch: Partial<HandRow>) =>
    setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  return (
    <Card
      role="region"
      aria-labelledby="stocktake-title"
      title={
        <Typography.Title level={2} id="stocktake-title" style={{ fontSize: 18, margin: 0 }}>
          {t("stock.stocktake.title")}
        </Typography.Title>
      }
    >
      <Typography.Paragraph>{t("stock.stocktake.hint")}</Typography.Paragraph>
      <QueryState query={campuses} empty={(list) => list.length === 0}>
        {() => (
          <Form layout="vertical" component="div">
            <Form.Item
              label={t("stock.campus")}
              htmlFor="stocktake-campus"
              required
              style={{ maxWidth: 420 }}
            >
              <CampusSelect
                id="stocktake-campus"
                value={campus}
                onChange={(v) => {
                  setCampus(v);
                  setResult(null);
                }}
              />
            </Form.Item>
            <Form.Item
              label={t("stock.stocktake.scans")}
              htmlFor="stocktake-scans"
              extra={t("stock.stocktake.scansHint", { count: scanned.length })}
            >
              <Input.TextArea
                id="stocktake-scans"
                rows={5}
                spellCheck={false}
                autoComplete="off"
                value={scans}
                onChange={(e) => setScans(e.target.value)}
                style={{ fontFamily: "monospace", maxWidth: 640 }}
              />
            </Form.Item>
            <Typography.Text strong>{t("stock.stocktake.byHand")}</Typography.Text>
            {rows.map((r, i) => (
              <Space key={r.key} wrap align="start" style={{ display: "flex", marginTop: 8 }}>
                <Input
                  aria-label={t("stock.stocktake.row.gtin", { row: i + 1 })}
                  placeholder="GTIN"
                  value={r.gtin}
                  maxLength={20}
                  status={r.gtin !== "" && !isProductNumber(r.gtin) ? "error" : undefined}
                  onChange={(e) => setRow(r.key, { gtin: e.target.value.trim() })}
                  style={{ width: 180 }}
                />
                <Input
                  aria-label={t("stock.stocktake.row.lot", { row: i + 1 })}
                  placeholder={t("stock.lot")}
                  value={r.lot}
                  maxLength={20}
                  onChange={(e) => setRow(r.key, { lot: e.target.value })}
                  style={{ width: 160 }}
                />
                <InputNumber<number>
                  aria-label={t("stock.stocktake.row.count", { row: i + 1 })}
                  min={1}
                  precision={0}
                  value={r.count}
                  onChange={(v) => setRow(r.key, { count: v })}
                />
                <Button onClick={() => setRows((all) => all.filter((x) => x.key !== r.key))}>
                  {t("stock.stocktake.row.remove", { row: i + 1 })}
                </Button>
              </Space>
            ))}
            <div style={{ marginTop: 8 }}>
              <Button
                onClick={() =>
                  setRows((all) => [...all, { key: nextRow.current++, gtin: "", lot: "", count: 1 }])
                }
              >
                {t("stock.stocktake.addRow")}
              </Button>
            </div>
            {!rowsValid && (
              <Alert
                style={{ marginTop: 8 }}
                type="warning"
                showIcon
                title={t("stock.stocktake.rowInvalid")}
              />
            )}
            {submit.error && (
              <div style={{ marginTop: 8 }}>
                <ErrorAlert error={submit.error} />
              </div>
            )}
            <div style={{ marginTop: 16 }}>
              <Button
                type="primary"
                disabled={!ready}
                loading={submit.isPending}
                onClick={() => ready && submit.mutate({ campus, lines })}
              >
                {t("stock.stocktake.submit", { count: lines.length })}
              </Button>
            </div>
          </Form>
        )}
      </QueryState>
      {result && (
        <section aria-labelledby="stocktake-result-title" style={{ marginTop: 16 }}>
          <Typography.Title level={3} id="stocktake-result-title" style={{ fontSize: 16 }}>
            {t("stock.stocktake.result", { id: result.id })}
          </Typography.Title>
          {result.differences.length === 0 ? (
            <Alert type="success" showIcon title={t("stock.stocktake.matches")} />
          ) : (
            <StocktakeDifferences stocktake={result} label={t("stock.stocktake.differences")} />
          )}
        </section>
      )}
    </Card>
  );
}
