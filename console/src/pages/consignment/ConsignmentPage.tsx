import { useQuery } from "@tanstack/react-query";
import { Card, Col, Row, Space, Statistic, Tag, Typography } from "antd";
import type { ConsignedStock, ConsumptionBatch } from "../../../../api/consignment";
import { CursorTable } from "../../components/CursorTable";
import { Hex } from "../../components/Hex";
import { QueryState } from "../../components/QueryState";
import { TAG } from "../../components/tag-colours";
import { chainErrorSentence } from "../../i18n/chain-errors";
import { useI18n } from "../../i18n/i18n";
import { fetchAll } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";
import { PendingReturn } from "./PendingReturn";
import { ReturnStock } from "./ReturnStock";

const TONE = { pending: TAG.waiting, submitted: TAG.waiting, confirmed: TAG.good, failed: TAG.bad } as const;

/** Units and money over every consigned shipment the caller sees. */
function totals(stock: ConsignedStock[]) {
  const sum = (f: (s: ConsignedStock) => number) => stock.reduce((n, s) => n + f(s), 0);
  const fen = (f: (s: ConsignedStock) => string) => stock.reduce((n, s) => n + BigInt(f(s)), 0n).toString();
  return {
    received: sum((s) => s.received),
    used: sum((s) => s.used),
    returned: sum((s) => s.returned),
    onHand: sum((s) => s.onHand),
    // Off the shelf, not returned yet: with these two the units add up to what was received.
    pendingReturn: sum((s) => s.pendingReturn?.units ?? 0),
    expired: sum((s) => s.expired),
    paid: fen((s) => s.paid),
    held: fen((s) => s.held),
  };
}

/**
 * The consignment payments page: the caller's consigned units received, used, paid, returned and
 * on hand; each shipment's stock, with a return for the hospital's account and approvers and a
 * pending return's answer (the supplier's, or the hospital's own after the window); and
 * every consumption batch with its units, amount and transaction — a batch the ledger refused with
 * its custom error in words.
 */
export function ConsignmentPage() {
  const { t, lang } = useI18n();
  const { yuan, dateTime, calendarDate } = useFormat();
  const roles = useSession().session?.roles ?? [];
  const mayReturn = roles.includes("hospital-admin") || roles.includes("hospital-approver");
  const answer = roles.includes("supplier") ? "supplier" : mayReturn ? "hospital" : null;
  const stock = useQuery({
    queryKey: ["/v1/consignment/stock", "all"],
    queryFn: () => fetchAll<ConsignedStock>("/v1/consignment/stock"),
  });
  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("consignment.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("consignment.intro")}</Typography.Paragraph>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <QueryState query={stock} empty={(list) => list.length === 0}>
          {(list) => {
            const sum = totals(list);
            const figures: [string, string | number][] = [
              ["received", sum.received],
              ["used", sum.used],
              ["paid", yuan(sum.paid)],
              ["returned", sum.returned],
              ...(sum.pendingReturn > 0 ? [["pendingReturn", sum.pendingReturn] as [string, number]] : []),
              ...(sum.expired > 0 ? [["expired", sum.expired] as [string, number]] : []),
              ["onHand", sum.onHand],
              ["held", yuan(sum.held)],
            ];
            return (
              <Row gutter={[16, 16]}>
                {figures.map(([key, value]) => (
                  <Col key={key} xs={12} md={8} xl={4}>
                    <Card size="small">
                      <Statistic
                        title={t(`consignment.${key}` as "consignment.received")}
                        value={value}
                        valueRender={() => <span data-testid={`consignment-${key}`}>{value}</span>}
                      />
                    </Card>
                  </Col>
                ))}
              </Row>
            );
          }}
        </QueryState>
        <Typography.Title level={2} style={{ fontSize: 18 }}>
          {t("consignment.stock")}
        </Typography.Title>
        <CursorTable<ConsignedStock>
          label={t("consignment.stock")}
          path="/v1/consignment/stock"
          rowKey="shipmentId"
          columns={[
            { title: t("consignment.shipment"), dataIndex: "shipmentId" },
            { title: t("consignment.lot"), dataIndex: "lot" },
            { title: t("consignment.expiry"), render: (_, s) => calendarDate(s.expiry) },
            { title: t("consignment.received"), dataIndex: "received", align: "right" },
            { title: t("consignment.used"), dataIndex: "used", align: "right" },
            { title: t("consignment.returned"), dataIndex: "returned", align: "right" },
            { title: t("consignment.expired"), dataIndex: "expired", align: "right" },
            { title: t("consignment.onHand"), dataIndex: "onHand", align: "right" },
            { title: t("consignment.held"), align: "right", render: (_, s) => yuan(s.held) },
            { title: t("consignment.paid"), align: "right", render: (_, s) => yuan(s.paid) },
            {
              title: t("consignment.pending"),
              render: (_, s) => <PendingReturn stock={s} answer={answer} />,
            },
            ...(mayReturn
              ? [
                  {
                    title: t("common.actions"),
                    render: (_: unknown, s: ConsignedStock) =>
                      // One return at a time per shipment, as on the ledger.
                      s.onHand > 0 && s.pendingReturn === null ? <ReturnStock stock={s} /> : null,
                  },
                ]
              : []),
          ]}
        />
        <Typography.Title level={2} style={{ fontSize: 18 }}>
          {t("consignment.batches")}
        </Typography.Title>
        <CursorTable<ConsumptionBatch>
          label={t("consignment.batches")}
          path="/v1/consignment/batches"
          rowKey="batchId"
          columns={[
            { title: t("consignment.batch"), render: (_, b) => <Hex value={b.batchId} /> },
            {
              title: t("common.status"),
              render: (_, b) => (
                <>
                  <Tag color={TONE[b.status]}>{t(`consignment.status.${b.status}`)}</Tag>
                  {b.status === "failed" && (b.errorName ?? b.lastError) !== null && (
                    <Typography.Text style={{ display: "block", maxWidth: 360, wordBreak: "break-word" }}>
                      {t("consignment.batch.refused", {
                        sentence:
                          chainErrorSentence(b.errorName ?? undefined, lang) ?? b.errorName ?? b.lastError!,
                      })}
                    </Typography.Text>
                  )}
                </>
              ),
            },
            { title: t("consignment.units"), dataIndex: "units", align: "right" },
            {
              title: t("consignment.amount"),
              align: "right",
              render: (_, b) => (b.amount === null ? "—" : yuan(b.amount)),
            },
            {
              title: t("consignment.transaction"),
              render: (_, b) => (b.txHash === null ? "—" : <Hex value={b.txHash} />),
            },
            {
              title: t("consignment.confirmedAt"),
              render: (_, b) => (b.confirmedAt === null ? "—" : dateTime(b.confirmedAt)),
            },
          ]}
        />
      </Space>
    </section>
  );
}
