import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Alert, Button, Form, Input, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";
import type { ReconciliationReport, ReconciliationRow } from "../../../../../api/reconciliation";
import { isProductNumber, PRODUCT_NUMBER_MAX_LENGTH } from "../../../../../ledger/product-key";
import { CsvDownload } from "../../../components/CsvDownload";
import { QueryState } from "../../../components/QueryState";
import type { MessageKey } from "../../../i18n/en";
import { useI18n } from "../../../i18n/i18n";
import { api, withQuery } from "../../../lib/api";
import { useFormat } from "../../../lib/use-format";
import { PartyName } from "../../../components/PartyName";
import { FlagsChart, type ReconciliationFilters } from "./FlagsChart";
import { RowDetails } from "./RowDetails";
import { useCursorPages } from "./use-cursor-pages";

const PAGE_SIZE = 20;

/**
 * GET /v1/reconciliation page by page, with its filters, each row's flags and their evidence,
 * the flags charted, and the whole report under the filters as one CSV (lib/api's downloadCsv
 * follows the CSV's pages, 500 rows each).
 */
export function ReconciliationPage() {
  const { t } = useI18n();
  const format = useFormat();
  const [filters, setFilters] = useState<ReconciliationFilters>({});
  const pages = useCursorPages();
  const query = { ...filters, limit: PAGE_SIZE, cursor: pages.cursor };
  const report = useQuery({
    queryKey: ["reconciliation", query],
    queryFn: () => api.get<ReconciliationReport>(withQuery("/v1/reconciliation", query)),
    placeholderData: keepPreviousData,
  });

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t("reports.rec.title")}
        </Typography.Title>
        <Typography.Paragraph>{t("reports.rec.intro")}</Typography.Paragraph>
      </div>
      <Filters
        onApply={(f) => {
          setFilters(f);
          pages.reset();
        }}
      />
      <FlagsChart filters={filters} />
      <section aria-labelledby="rec-rows">
        <h2 id="rec-rows" style={{ fontSize: 18 }}>
          {t("reports.rec.table")}
        </h2>
        <QueryState query={report}>
          {(r) => (
            <Space orientation="vertical" style={{ width: "100%" }}>
              <Typography.Text type="secondary">
                {t("reports.rec.asOf", { time: format.dateTime(r.asOf) })} ·{" "}
                {t("reports.page", { page: pages.page })}
              </Typography.Text>
              <RowsTable rows={r.rows} />
              <Space wrap>
                <Button disabled={pages.page === 1} onClick={pages.previous}>
                  {t("reports.previous")}
                </Button>
                <Button
                  disabled={r.nextCursor === null}
                  onClick={() => r.nextCursor && pages.next(r.nextCursor)}
                >
                  {t("reports.next")}
                </Button>
              </Space>
              <CsvDownload
                path={withQuery("/v1/reconciliation", { ...filters, limit: 500 })}
                filename="reconciliation.csv"
              />
              <Typography.Text type="secondary">{t("reports.rec.csvWhole")}</Typography.Text>
            </Space>
          )}
        </QueryState>
      </section>
    </Space>
  );
}

function Filters({ onApply }: { onApply: (filters: ReconciliationFilters) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<ReconciliationFilters>();
  const [invalid, setInvalid] = useState(false);
  const apply = (v: ReconciliationFilters) => {
    const f = {
      hospital: v.hospital?.trim() || undefined,
      gtin: v.gtin?.trim() || undefined,
      lot: v.lot?.trim() || undefined,
    };
    const ok =
      (!f.hospital || /^0x[0-9a-fA-F]{40}$/.test(f.hospital)) && (!f.gtin || isProductNumber(f.gtin));
    setInvalid(!ok);
    if (ok) onApply(f);
  };
  return (
    <Form form={form} layout="inline" onFinish={apply}>
      <Form.Item name="hospital" label={t("reports.hospital")}>
        <Input placeholder="0x…" style={{ width: 220 }} />
      </Form.Item>
      <Form.Item name="gtin" label={t("reports.gtin")}>
        <Input inputMode="numeric" maxLength={PRODUCT_NUMBER_MAX_LENGTH} style={{ width: 190 }} />
      </Form.Item>
      <Form.Item name="lot" label={t("reports.lot")}>
        <Input maxLength={20} style={{ width: 120 }} />
      </Form.Item>
      <Space>
        <Button htmlType="submit">{t("reports.filter")}</Button>
        <Button
          onClick={() => {
            form.resetFields();
            apply({});
          }}
        >
          {t("reports.clear")}
        </Button>
      </Space>
      {invalid && (
        <Alert type="error" showIcon title={t("reports.invalid")} style={{ width: "100%", marginTop: 8 }} />
      )}
    </Form>
  );
}

function RowsTable({ rows }: { rows: ReconciliationRow[] }) {
  const { t } = useI18n();
  const format = useFormat();
  // A figure's header stays on one line: a two-character Chinese header (验收) would otherwise
  // break between its characters.
  const oneLine = () => ({ style: { whiteSpace: "nowrap" as const } });
  const number = (title: MessageKey, key: keyof ReconciliationRow) => ({
    title: t(title),
    dataIndex: key,
    align: "right" as const,
    onHeaderCell: oneLine,
  });
  return (
    <Table<ReconciliationRow>
      aria-label={t("reports.rec.table")}
      size="small"
      dataSource={rows}
      rowKey={(r) => `${r.hospital}-${r.gtin}-${r.lot}`}
      pagination={false}
      // What was ordered, shipped, rejected, returned and sent out is in the opened row, with the flags'
      // evidence: the table keeps the figures a finding turns on, and fits 1366 pixels (names and
      // flags wrap); on a narrower screen it scrolls sideways.
      scroll={{ x: 1000 }}
      expandable={{ expandedRowRender: (r) => <RowDetails row={r} /> }}
      columns={[
        {
          title: t("reports.hospital"),
          key: "hospital",
          render: (_, r) => <PartyName address={r.hospital} />,
        },
        { title: t("reports.gtin"), dataIndex: "gtin" },
        { title: t("reports.lot"), dataIndex: "lot" },
        {
          title: t("reports.rec.flags"),
          key: "flags",
          render: (_, r) =>
            r.flags.length === 0 ? (
              <Typography.Text type="secondary">{t("reports.rec.noFlags")}</Typography.Text>
            ) : (
              <Space size={4} wrap>
                {r.flags.map((f, i) => (
                  <Tag key={`${f.code}-${i}`} color="red">
                    {t(`reports.flag.${f.code}` as MessageKey)}
                  </Tag>
                ))}
              </Space>
            ),
        },
        {
          title: t("reports.expiry"),
          dataIndex: "expiry",
          render: (v: string | null) => format.calendarDate(v),
        },
        number("reports.rec.accepted", "accepted"),
        number("reports.rec.used", "used"),
        {
          title: t("reports.rec.billed"),
          key: "billed",
          align: "right",
          onHeaderCell: oneLine,
          render: (_, r) =>
            t("reports.rec.billedFigures", {
              quantity: r.billedQuantity,
              amount: format.yuan(r.billedAmount),
            }),
        },
        {
          ...number("reports.rec.onHand", "onHand"),
          // Below zero: more used or sent out than accepted, which a flag explains in the opened row.
          render: (v: string) =>
            v.startsWith("-") ? (
              // A red tag, as the flags are: red text alone is below AA contrast on the table.
              <Tag color="red" title={t("reports.rec.negativeOnHand")} style={{ marginInlineEnd: 0 }}>
                {v}
              </Tag>
            ) : (
              v
            ),
        },
        {
          title: t("common.actions"),
          key: "actions",
          onHeaderCell: oneLine,
          render: (_, r) => (
            <Link
              to={`/regulator/recalls?gtin=${r.gtin}&lot=${encodeURIComponent(r.lot)}`}
              style={{ whiteSpace: "nowrap" }}
            >
              {t("reports.rec.exposure")}
            </Link>
          ),
        },
      ]}
    />
  );
}
