import { useQuery } from "@tanstack/react-query";
import { ZeroAddress } from "ethers";
import { Alert, Button, Descriptions, Form, Input, Space, Table, Tag, Typography } from "antd";
import { useSearchParams } from "react-router-dom";
import type { ExposureHospital, ExposureRecall, RecallExposure } from "../../../../../api/recalls";
import { isProductNumber, PRODUCT_NUMBER_MAX_LENGTH } from "../../../../../ledger/product-key";
import { CsvDownload } from "../../../components/CsvDownload";
import { QueryState } from "../../../components/QueryState";
import { useI18n } from "../../../i18n/i18n";
import { api } from "../../../lib/api";
import { useFormat } from "../../../lib/use-format";
import { Hex } from "../../../components/Hex";
import { PartyName } from "../../../components/PartyName";
import { ReasonText } from "../../../components/ReasonText";
import { useReasonLabel } from "../../../lib/reasons";
import { RecallScope } from "./RecallScope";

/**
 * GET /v1/recalls/:gtin/:lot/exposure: where a lot went, on the page and as CSV. The lot is in
 * the address (?gtin=…&lot=…), so the reconciliation can link a row's lot here.
 */
export function RecallExposurePage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const gtin = params.get("gtin") ?? "";
  const lot = params.get("lot") ?? "";
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t("reports.recall.title")}
        </Typography.Title>
        <Typography.Paragraph>{t("reports.recall.intro")}</Typography.Paragraph>
      </div>
      <Form
        layout="inline"
        key={`${gtin}/${lot}`}
        initialValues={{ gtin, lot }}
        onFinish={(v: { gtin: string; lot: string }) => setParams({ gtin: v.gtin.trim(), lot: v.lot.trim() })}
      >
        <Form.Item
          name="gtin"
          label={t("reports.gtin")}
          rules={[
            { required: true, message: t("reports.recall.gtinInvalid") },
            {
              validator: (_, value: string | undefined) =>
                !value || isProductNumber(value.trim())
                  ? Promise.resolve()
                  : Promise.reject(new Error(t("reports.recall.gtinInvalid"))),
            },
          ]}
        >
          <Input inputMode="numeric" maxLength={PRODUCT_NUMBER_MAX_LENGTH} style={{ width: 190 }} />
        </Form.Item>
        <Form.Item name="lot" label={t("reports.lot")} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={20} style={{ width: 140 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t("reports.recall.show")}
        </Button>
      </Form>
      {gtin && lot ? (
        <Exposure gtin={gtin} lot={lot} />
      ) : (
        <Alert type="info" showIcon title={t("reports.recall.pick")} />
      )}
    </Space>
  );
}

function Exposure({ gtin, lot }: { gtin: string; lot: string }) {
  const { t } = useI18n();
  const format = useFormat();
  const reasonLabel = useReasonLabel();
  const path = `/v1/recalls/${gtin}/${encodeURIComponent(lot)}/exposure`;
  const exposure = useQuery({
    queryKey: ["exposure", gtin, lot],
    queryFn: () => api.get<RecallExposure>(path),
  });
  return (
    <QueryState query={exposure}>
      {(e) => (
        <Space orientation="vertical" size="large" style={{ width: "100%" }}>
          <Descriptions size="small" bordered column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t("reports.gtin")}>{e.gtin}</Descriptions.Item>
            <Descriptions.Item label={t("reports.lot")}>{e.lot}</Descriptions.Item>
            <Descriptions.Item label={t("reports.expiry")}>{format.calendarDate(e.expiry)}</Descriptions.Item>
          </Descriptions>
          {e.recall ? (
            <Alert
              type="error"
              showIcon
              title={t("reports.recall.inForce", {
                time: format.dateTime(e.recall.recalledAt),
                reason: reasonLabel(e.recall.reasonCode),
              })}
            />
          ) : (
            <Alert type="success" showIcon title={t("reports.recall.none")} />
          )}
          <section aria-labelledby="recalls">
            <h2 id="recalls" style={{ fontSize: 18 }}>
              {t("reports.recall.recalls")}
            </h2>
            <Table<ExposureRecall>
              aria-label={t("reports.recall.recalls")}
              size="small"
              dataSource={e.recalls}
              rowKey="txHash"
              pagination={false}
              scroll={{ x: "max-content" }}
              columns={[
                {
                  title: t("reports.recall.recalledAt"),
                  dataIndex: "recalledAt",
                  render: (v: string) => format.dateTime(v),
                },
                {
                  title: t("reports.recall.scope"),
                  key: "scope",
                  render: (_, r) => <RecallScope scope={r.scope} />,
                },
                {
                  title: t("reports.recall.by"),
                  key: "by",
                  // A regulator's recall (every supplier's scope) was made by a regulator, whom no
                  // registry names: said so beside its address.
                  render: (_, r) =>
                    r.scope === ZeroAddress ? (
                      <Space size={4}>
                        {t("reports.recall.aRegulator")}
                        <Hex value={r.recalledBy} />
                      </Space>
                    ) : (
                      <PartyName address={r.recalledBy} />
                    ),
                },
                {
                  title: t("reports.recall.reason"),
                  key: "reason",
                  render: (_, r) => <ReasonText code={r.reasonCode} />,
                },
                {
                  title: t("common.status"),
                  key: "state",
                  render: (_, r) =>
                    r.active ? (
                      <Tag color="red">{t("reports.recall.active")}</Tag>
                    ) : (
                      t("reports.recall.lifted", { time: format.dateTime(r.lift?.liftedAt) })
                    ),
                },
                { title: t("common.tx"), key: "tx", render: (_, r) => <Hex value={r.txHash} /> },
              ]}
            />
          </section>
          <section aria-labelledby="exposed">
            <h2 id="exposed" style={{ fontSize: 18 }}>
              {t("reports.recall.hospitals")}
            </h2>
            <Typography.Paragraph type="secondary">{t("reports.recall.hospitalsNote")}</Typography.Paragraph>
            <Table<ExposureHospital>
              aria-label={t("reports.recall.hospitals")}
              size="small"
              dataSource={e.hospitals}
              rowKey="hospital"
              pagination={false}
              // As wide as the page down to 1000 px, its headers and departments wrapping to fit
              // (a 1366-pixel laptop shows every column); on a narrower screen it scrolls.
              scroll={{ x: 1000 }}
              columns={[
                {
                  title: t("reports.hospital"),
                  key: "hospital",
                  render: (_, h) => <PartyName address={h.hospital} />,
                },
                {
                  title: t("reports.recall.received"),
                  key: "received",
                  align: "right",
                  // No goods receipt here: the hospital confirmed delivery on the ledger only, so
                  // nothing was counted at this gateway (a 0 would read as "received nothing").
                  render: (_, h) => (h.receiptNos.length === 0 ? "—" : h.received),
                },
                { title: t("reports.rec.accepted"), dataIndex: "accepted", align: "right" },
                { title: t("reports.rec.used"), dataIndex: "used", align: "right" },
                { title: t("reports.rec.returned"), dataIndex: "returned", align: "right" },
                { title: t("reports.rec.sentOut"), dataIndex: "sentOut", align: "right" },
                { title: t("reports.rec.onHand"), dataIndex: "onHand", align: "right" },
                {
                  title: t("reports.recall.isRecalled"),
                  key: "recalled",
                  render: (_, h) => (h.recalled ? t("reports.recall.yes") : t("reports.recall.no")),
                },
                {
                  title: t("reports.recall.departments"),
                  key: "departments",
                  // Bounded, so a hospital with many departments grows taller, not wider than
                  // the page.
                  render: (_, h) => (
                    <Space orientation="vertical" size={0} style={{ maxWidth: 280 }}>
                      {h.departments.map((d) => {
                        const use = {
                          department: d.department,
                          used: d.used,
                          usages: d.usages,
                          patients: d.patients,
                        };
                        // Use after a recall is only news for a lot that was ever recalled.
                        return (
                          <span key={d.department}>
                            {e.recalls.length === 0
                              ? t("reports.recall.department", use)
                              : t("reports.recall.departmentAfterRecall", {
                                  ...use,
                                  afterRecall: d.usedAfterRecall,
                                })}
                          </span>
                        );
                      })}
                    </Space>
                  ),
                },
                {
                  title: t("reports.recall.receipts"),
                  key: "receipts",
                  // One receipt number a line, never broken inside.
                  render: (_, h) =>
                    h.receiptNos.length === 0 ? (
                      "—"
                    ) : (
                      <Space orientation="vertical" size={0}>
                        {h.receiptNos.map((no) => (
                          <span key={no} style={{ whiteSpace: "nowrap" }}>
                            {no}
                          </span>
                        ))}
                      </Space>
                    ),
                },
              ]}
            />
          </section>
          <CsvDownload path={path} filename={`exposure-${gtin}-${lot}.csv`} />
        </Space>
      )}
    </QueryState>
  );
}
