import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Space, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";
import type { Order, OrderSummary } from "../../../../api/orders";
import { OrderBook__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { CursorTable } from "../../components/CursorTable";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";
import { useAgreement, useHospital } from "./agreements";
import { Hex } from "../../components/Hex";
import { PartyName } from "../../components/PartyName";
import { OrderStatusTag } from "./OrderStatusTag";
import { TierBreakdown } from "./TierBreakdown";

const orderBook = OrderBook__factory.createInterface();

/**
 * Orders of the hospital waiting for approval. Each is reviewed with its price worked out from
 * the agreement's tiers before an approver approves it: the approval that completes the count
 * funds escrow from the hospital account's token allowance to the order book.
 */
export function ApprovalsPage() {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  const hospital = useHospital();
  const [selected, setSelected] = useState<string | null>(null);

  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("hospital.approvals.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("hospital.approvals.intro")}</Typography.Paragraph>
      <CursorTable<OrderSummary>
        label={t("hospital.approvals.table")}
        path="/v1/orders"
        query={{ hospital: hospital ?? undefined, status: "placed" }}
        rowKey="id"
        columns={[
          { title: t("hospital.order"), dataIndex: "id", render: (id: string) => `#${id}` },
          { title: t("hospital.agreement"), dataIndex: "agreementId", render: (id: string) => `#${id}` },
          {
            title: t("common.supplier"),
            dataIndex: "supplier",
            render: (a: string) => <PartyName address={a} />,
          },
          { title: t("common.quantity"), dataIndex: "quantity" },
          { title: t("hospital.placedAt"), dataIndex: "placedAt", render: (d: string) => dateTime(d) },
          {
            title: t("hospital.fundingExpiresAt"),
            dataIndex: "fundingExpiresAt",
            render: (d: string) => dateTime(d),
          },
          {
            title: t("hospital.approvals.count"),
            key: "approvals",
            render: (_, o) =>
              o.requiredApprovals === null
                ? t("hospital.approvals.none")
                : t("hospital.approvals.of", { n: o.approvals, of: o.requiredApprovals }),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_, o) => (
              <Button onClick={() => setSelected(o.id)} aria-pressed={selected === o.id}>
                {t("hospital.approvals.review", { id: o.id })}
              </Button>
            ),
          },
        ]}
      />
      {selected && <OrderReview id={selected} />}
    </section>
  );
}

function OrderReview({ id }: { id: string }) {
  const { t } = useI18n();
  const { dateTime, yuan } = useFormat();
  const { session, config } = useSession();
  const order = useQuery({ queryKey: ["/v1/orders", id], queryFn: () => api.get<Order>(`/v1/orders/${id}`) });
  const agreement = useAgreement(order.data?.agreementId);
  const isApprover = session?.roles.includes("hospital-approver") ?? false;
  // Only the hospital account gives the allowance (its own permit), so only it is sent to do so.
  const isHospitalAccount = session?.roles.includes("hospital-admin") ?? false;
  const me = session?.address.toLowerCase();

  return (
    <Card
      title={<h2 style={{ fontSize: 18, margin: 0 }}>{t("hospital.approvals.reviewTitle", { id })}</h2>}
      style={{ marginTop: 16 }}
      data-testid="order-review"
    >
      <QueryState query={order}>
        {(o) => (
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Descriptions size="small" bordered column={{ xs: 1, md: 2 }}>
              <Descriptions.Item label={t("common.status")}>
                <OrderStatusTag status={o.status} />
              </Descriptions.Item>
              <Descriptions.Item label={t("common.quantity")}>{o.quantity}</Descriptions.Item>
              <Descriptions.Item label={t("hospital.agreement")}>#{o.agreementId}</Descriptions.Item>
              <Descriptions.Item label={t("common.supplier")}>
                <PartyName address={o.supplier} />
              </Descriptions.Item>
              <Descriptions.Item label={t("hospital.placedBy")}>
                <Hex value={o.placedBy} />
              </Descriptions.Item>
              <Descriptions.Item label={t("hospital.orderRef")}>
                <Hex value={o.orderRef} />
              </Descriptions.Item>
              <Descriptions.Item label={t("hospital.deliveryDeadline")}>
                {dateTime(o.deliveryDeadline)}
              </Descriptions.Item>
              <Descriptions.Item label={t("hospital.fundingExpiresAt")}>
                {dateTime(o.fundingExpiresAt)}
              </Descriptions.Item>
              <Descriptions.Item label={t("hospital.approvals.approvers")} span={2}>
                {o.approvers.length === 0 ? (
                  t("hospital.approvals.none")
                ) : (
                  <Space wrap>
                    {o.approvers.map((a) => (
                      <span key={a.txHash}>
                        <Hex value={a.approver} /> {dateTime(a.approvedAt)}
                      </span>
                    ))}
                  </Space>
                )}
              </Descriptions.Item>
              {o.status !== "placed" && (
                <Descriptions.Item label={t("hospital.escrowTaken")} span={2}>
                  <span data-testid="order-value">{yuan(o.value)}</span>
                </Descriptions.Item>
              )}
            </Descriptions>
            {o.status === "placed" && (
              <>
                <h3 style={{ fontSize: 16, margin: "8px 0 0" }}>{t("hospital.tiers.title")}</h3>
                <QueryState query={agreement}>
                  {(a) => <TierBreakdown agreement={a} quantity={BigInt(o.quantity)} />}
                </QueryState>
                <Alert
                  type="warning"
                  showIcon
                  title={t("hospital.approvals.allowance")}
                  action={
                    isHospitalAccount && (
                      <Link to="/allowances">{t("hospital.approvals.allowancesLink")}</Link>
                    )
                  }
                />
                {isApprover ? (
                  <Space wrap>
                    <ActButton
                      type="primary"
                      disabled={o.approvers.some((a) => a.approver.toLowerCase() === me)}
                      call={() => ({
                        to: config!.contracts.orderBook,
                        data: orderBook.encodeFunctionData("approveOrder", [BigInt(o.id)]),
                      })}
                    >
                      {t("hospital.approvals.approve", { id: o.id })}
                    </ActButton>
                    {/* Turned down, it is cancelled on the ledger: nothing was escrowed, nothing is paid. */}
                    <ActButton
                      danger
                      confirm={t("hospital.approvals.declineConfirm", { id: o.id })}
                      call={() => ({
                        to: config!.contracts.orderBook,
                        data: orderBook.encodeFunctionData("cancelOrder", [BigInt(o.id)]),
                      })}
                    >
                      {t("hospital.approvals.decline", { id: o.id })}
                    </ActButton>
                  </Space>
                ) : (
                  <Alert type="info" showIcon title={t("hospital.approvals.approversOnly")} />
                )}
              </>
            )}
          </Space>
        )}
      </QueryState>
    </Card>
  );
}
