import { useQuery } from "@tanstack/react-query";
import {
  Alert,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Typography,
} from "antd";
import { id as keccakText } from "ethers";
import { useState } from "react";
import { Link } from "react-router-dom";
import type { Agreement, ConsignmentTerms } from "../../../../api/agreements";
import type { FulfilmentReport } from "../../../../api/fulfilment";
import type { OrderSummary } from "../../../../api/orders";
import { ConsignmentBook__factory, OrderBook__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { DateInput } from "../../components/DateInput";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { api, fetchAll } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";
import { useAgreementLabel, useHospital, useMyAgreements } from "./agreements";
import { dayOf, endOfDay } from "./day-end";
import { PartyName } from "../../components/PartyName";
import { TierBreakdown } from "./TierBreakdown";

const orderBook = OrderBook__factory.createInterface();
const consignmentBook = ConsignmentBook__factory.createInterface();
const DAY_MS = 86_400_000;
/** The ledger keeps an order's quantity as a uint32. */
const MAX_QUANTITY = 4_294_967_295;

/**
 * Places an order under an agreement the hospital is party to: the ledger prices it at
 * approval, from the tiers; the page shows the price it would take now.
 */
export function PlaceOrderPage() {
  const { t } = useI18n();
  const agreementLabel = useAgreementLabel();
  const agreements = useMyAgreements();
  const [agreementId, setAgreementId] = useState<string>();

  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("hospital.place.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("hospital.place.intro")}</Typography.Paragraph>
      <QueryState query={agreements} empty={(list) => list.length === 0}>
        {(list) => (
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Form layout="vertical" style={{ maxWidth: 640 }}>
              <Form.Item label={t("hospital.agreement")} htmlFor="place-agreement">
                <Select
                  id="place-agreement"
                  value={agreementId ?? list[0].id}
                  onChange={setAgreementId}
                  options={list.map((a) => ({ value: a.id, label: agreementLabel(a) }))}
                />
              </Form.Item>
            </Form>
            <PlaceForm
              key={agreementId ?? list[0].id}
              agreement={list.find((a) => a.id === agreementId) ?? list[0]}
            />
          </Space>
        )}
      </QueryState>
    </section>
  );
}

function PlaceForm({ agreement }: { agreement: Agreement }) {
  const { t } = useI18n();
  const { date, dateTime } = useFormat();
  const { config } = useSession();
  const hospital = useHospital();
  const timeZone = config?.timeZone ?? "Asia/Shanghai";
  const fulfilment = useQuery({
    queryKey: ["/v1/agreements/fulfilment", agreement.id],
    queryFn: () => api.get<FulfilmentReport>(`/v1/agreements/${agreement.id}/fulfilment`),
  });
  const [quantity, setQuantity] = useState<number | null>(null);
  const [day, setDay] = useState<string>("");
  const [reference, setReference] = useState("");
  const [placed, setPlaced] = useState<{ reference: string; txHash: string } | null>(null);

  return (
    <QueryState query={fulfilment}>
      {(report) => {
        const mine = report.hospitals.find((h) => h.hospital.toLowerCase() === hospital);
        // Chain time, not the browser's: the ledger judges the delivery date by its own clock.
        const today = dayOf(report.asOf, timeZone);
        const earliest = dayOf(
          new Date(Date.parse(report.asOf) + agreement.leadTimeDays * DAY_MS).toISOString(),
          timeZone,
        );
        const deliveryDay = day || earliest;
        const ready = quantity !== null && quantity > 0 && reference.trim() !== "" && deliveryDay >= today;
        const overCommitment =
          mine !== undefined && quantity !== null && BigInt(quantity) > BigInt(mine.remaining);
        return (
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={12}>
              <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t("hospital.place.order")}</h2>}>
                <Form layout="vertical">
                  <Form.Item label={t("common.quantity")} htmlFor="place-quantity">
                    <InputNumber
                      id="place-quantity"
                      min={1}
                      max={MAX_QUANTITY}
                      precision={0}
                      value={quantity}
                      onChange={(v) => setQuantity(v)}
                      style={{ width: "100%" }}
                    />
                  </Form.Item>
                  <Form.Item
                    label={t("hospital.place.delivery")}
                    htmlFor="place-delivery"
                    extra={t("hospital.place.deliveryHint", {
                      days: agreement.leadTimeDays,
                      day: date(report.asOf),
                    })}
                  >
                    <DateInput id="place-delivery" min={today} value={deliveryDay} onChange={setDay} />
                  </Form.Item>
                  <Form.Item
                    label={t("hospital.orderRef")}
                    htmlFor="place-reference"
                    extra={t("hospital.place.referenceHint")}
                  >
                    <Input
                      id="place-reference"
                      maxLength={64}
                      value={reference}
                      onChange={(e) => setReference(e.target.value)}
                    />
                  </Form.Item>
                  {overCommitment && (
                    <Alert
                      type="warning"
                      showIcon
                      style={{ marginBottom: 16 }}
                      title={t("hospital.place.overCommitment", { remaining: mine.remaining })}
                    />
                  )}
                  <ActButton
                    type="primary"
                    disabled={!ready}
                    call={() => ({
                      to: config!.contracts.orderBook,
                      data: orderBook.encodeFunctionData("placeOrder", [
                        BigInt(agreement.id),
                        quantity!,
                        endOfDay(deliveryDay, timeZone),
                        keccakText(reference.trim()),
                      ]),
                    })}
                    onDone={({ txHash }) => setPlaced({ reference: reference.trim(), txHash })}
                  >
                    {t("hospital.place.submit")}
                  </ActButton>
                </Form>
                {placed && (
                  <Placed
                    agreementId={agreement.id}
                    reference={placed.reference}
                    txHash={placed.txHash}
                    consignment={agreement.consignment}
                  />
                )}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t("hospital.place.terms")}</h2>}>
                <Space orientation="vertical" style={{ width: "100%" }}>
                  <Descriptions size="small" bordered column={1}>
                    <Descriptions.Item label={t("common.supplier")}>
                      <PartyName address={agreement.supplier} />
                    </Descriptions.Item>
                    <Descriptions.Item label={t("hospital.term")}>
                      {date(agreement.startAt)} – {date(agreement.endAt)}
                    </Descriptions.Item>
                    <Descriptions.Item label={t("hospital.ledgerTime")}>
                      {dateTime(report.asOf)}
                    </Descriptions.Item>
                    <Descriptions.Item label={t("hospital.leadTime")}>
                      {t("hospital.days", { n: agreement.leadTimeDays })}
                    </Descriptions.Item>
                    {agreement.consignment && (
                      <Descriptions.Item label={t("hospital.place.consignment")}>
                        {t("hospital.place.consignmentOffered", {
                          expiry: t(
                            agreement.consignment.hospitalBearsExpiry
                              ? "hospital.place.expiryHospital"
                              : "hospital.place.expirySupplier",
                          ),
                        })}
                      </Descriptions.Item>
                    )}
                    {mine && (
                      <Descriptions.Item label={t("hospital.fulfilment.committed")}>
                        {t("hospital.place.commitment", {
                          committed: mine.committed,
                          ordered: mine.ordered,
                          remaining: mine.remaining,
                        })}
                      </Descriptions.Item>
                    )}
                  </Descriptions>
                  {quantity !== null && quantity > 0 ? (
                    <TierBreakdown agreement={agreement} quantity={BigInt(quantity)} />
                  ) : (
                    <Typography.Text type="secondary">{t("hospital.place.quoteHint")}</Typography.Text>
                  )}
                </Space>
              </Card>
            </Col>
          </Row>
        );
      }}
    </QueryState>
  );
}

/**
 * The order just placed, found by its reference and placing transaction: the relay returns a
 * transaction, not an id, and an earlier order may carry the same hand-typed reference.
 * Under an agreement offered on consignment the order can be made one here, before approval
 * funds it (the ledger refuses it after).
 */
function Placed({
  agreementId,
  reference,
  txHash,
  consignment,
}: {
  agreementId: string;
  reference: string;
  /** The placing transaction: references are typed by hand and need not be unique. */
  txHash: string;
  consignment: ConsignmentTerms | null;
}) {
  const { t } = useI18n();
  const { config } = useSession();
  const [elected, setElected] = useState(false);
  const hospital = useHospital();
  const ref = keccakText(reference);
  const order = useQuery({
    queryKey: ["/v1/orders", "placed-ref", agreementId, ref, txHash],
    queryFn: async () =>
      (
        await fetchAll<OrderSummary>("/v1/orders", {
          hospital: hospital ?? undefined,
          agreementId,
          status: "placed",
        })
      ).find((o) => o.orderRef === ref && o.lastChange.txHash.toLowerCase() === txHash.toLowerCase()) ?? null,
  });
  return (
    <Alert
      style={{ marginTop: 16 }}
      type="success"
      showIcon
      role="status"
      title={
        order.data
          ? t("hospital.place.placed", { id: order.data.id, reference })
          : t("hospital.place.placedNoId", { reference })
      }
      description={
        <Space orientation="vertical">
          <Link to="/hospital/approvals">{t("hospital.place.toApprovals")}</Link>
          {consignment &&
            order.data &&
            (elected ? (
              <Typography.Text>{t("hospital.place.elected", { id: order.data.id })}</Typography.Text>
            ) : (
              <ActButton
                call={() => ({
                  to: config!.contracts.consignment,
                  data: consignmentBook.encodeFunctionData("electConsignment", [BigInt(order.data!.id)]),
                })}
                onDone={() => setElected(true)}
              >
                {t("hospital.place.elect", { id: order.data.id })}
              </ActButton>
            ))}
        </Space>
      }
    />
  );
}
