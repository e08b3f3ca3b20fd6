import { useQuery } from "@tanstack/react-query";
import { Typography } from "antd";
import type { ReceiptPage } from "../../../../api/receipts";
import type { ShipmentSummary } from "../../../../api/shipments";
import { OrderBook__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { CursorTable } from "../../components/CursorTable";
import { PartyName } from "../../components/PartyName";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { shipmentRecord } from "../../lib/shipment-record";
import { useFormat } from "../../lib/use-format";

const orderBook = OrderBook__factory.createInterface();
/** `units_missing` (docs/ledger-rules.md, reason codes): every unit, as none came. */
const NOT_DELIVERED = 32;

/**
 * Shipments whose arrival the supplier recorded and whose receipt the ledger does not hold
 * (GET /v1/shipments?status=arrived): unless the hospital confirms or disputes them, the
 * supplier may claim each from the date shown (OrderBook.claimSettlement, judged at its
 * arrival). One this gateway holds a receipt for waits on that receipt's exception; one nobody
 * here received, an approver disputes as not delivered, so a claim pays nothing.
 */
export function UnreceivedArrivals() {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  const { session } = useSession();
  const isApprover = session?.roles.includes("hospital-approver") ?? false;
  return (
    <section aria-labelledby="unreceived-arrivals" style={{ marginTop: 24 }}>
      <Typography.Title level={2} id="unreceived-arrivals" style={{ fontSize: 18 }}>
        {t("hospital.arrivals.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("hospital.arrivals.text")}</Typography.Paragraph>
      <CursorTable<ShipmentSummary>
        label={t("hospital.arrivals.table")}
        path="/v1/shipments"
        query={{ status: "arrived", hospital: session?.hospital ?? undefined }}
        rowKey="id"
        columns={[
          {
            title: t("hospital.arrivals.shipment"),
            dataIndex: "id",
            render: (id: string, s) =>
              t("hospital.arrivals.shipmentOfOrder", { shipment: id, order: s.orderId }),
          },
          {
            title: t("hospital.arrivals.supplier"),
            dataIndex: "supplier",
            render: (address: string) => <PartyName address={address} />,
          },
          { title: t("common.quantity"), dataIndex: "quantity", align: "right" },
          {
            title: t("hospital.arrivals.arrivedAt"),
            dataIndex: "arrivedAt",
            render: (v: string) => dateTime(v),
          },
          {
            title: t("hospital.arrivals.claimOpens"),
            dataIndex: "claimOpensAt",
            render: (v: string) => dateTime(v),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_, s) => <ArrivalAction shipment={s} mayDispute={isApprover} />,
          },
        ]}
      />
    </section>
  );
}

/** What the hospital does about one arrival: its receipt here, its dispute, or a dispute to make. */
function ArrivalAction({ shipment, mayDispute }: { shipment: ShipmentSummary; mayDispute: boolean }) {
  const { t } = useI18n();
  const { config } = useSession();
  const receipts = useQuery({
    queryKey: ["/v1/receipts", { shipmentId: shipment.id }],
    queryFn: () => api.get<ReceiptPage>(`/v1/receipts?shipmentId=${shipment.id}`),
  });
  const receipt = receipts.data?.items[0];
  if (receipt) return <>{t("hospital.arrivals.receiptHere", { receipt: receipt.receiptNo })}</>;
  if (shipment.dispute !== null)
    return <>{t("hospital.arrivals.disputed", { units: shipment.dispute.units })}</>;
  if (!mayDispute || !receipts.isSuccess) return null;
  return (
    <ActButton
      danger
      size="small"
      confirm={t("hospital.arrivals.disputeConfirm", { id: shipment.id, units: shipment.quantity })}
      call={async () => {
        const record = await shipmentRecord(shipment.id, () => t("act.noRecord", { id: shipment.id }));
        return {
          to: config!.contracts.orderBook,
          data: orderBook.encodeFunctionData("disputeShipment", [
            BigInt(shipment.id),
            record,
            BigInt(shipment.quantity),
            NOT_DELIVERED,
          ]),
        };
      }}
    >
      {t("hospital.arrivals.dispute", { id: shipment.id })}
    </ActButton>
  );
}
