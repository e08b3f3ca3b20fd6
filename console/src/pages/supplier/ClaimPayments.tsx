import { Typography } from "antd";
import type { ShipmentSummary } from "../../../../api/shipments";
import { OrderBook__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { CursorTable } from "../../components/CursorTable";
import { PartyName } from "../../components/PartyName";
import { useI18n } from "../../i18n/i18n";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useSession } from "../../lib/session";
import { shipmentRecord } from "../../lib/shipment-record";
import { useFormat } from "../../lib/use-format";

const orderBook = OrderBook__factory.createInterface();

/**
 * Deliveries the hospital has not confirmed whose claim is open on the ledger's clock
 * (GET /v1/shipments?claimOpenBefore=now): the supplier settles each itself
 * (OrderBook.claimSettlement), its undisputed units paid under the same rules as a confirmation.
 * The minute of the ledger's clock keeps the list's query steady between refreshes.
 */
export function ClaimPayments() {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  const { config } = useSession();
  const ledgerNow = useLedgerNow();
  const minute = new Date(Math.floor(ledgerNow() / 60_000) * 60_000).toISOString();
  return (
    <section aria-labelledby="supplier-claims">
      <Typography.Title level={2} id="supplier-claims" style={{ fontSize: 18 }}>
        {t("supplier.claims.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("supplier.claims.text")}</Typography.Paragraph>
      <CursorTable<ShipmentSummary>
        label={t("supplier.claims.table")}
        path="/v1/shipments"
        query={{ claimOpenBefore: minute }}
        rowKey="id"
        columns={[
          {
            title: t("supplier.payment.shipment"),
            dataIndex: "id",
            render: (id: string, s) =>
              t("supplier.payment.shipmentOfOrder", { shipment: id, order: s.orderId }),
          },
          {
            title: t("common.hospital"),
            dataIndex: "hospital",
            render: (address: string) => <PartyName address={address} />,
          },
          { title: t("common.quantity"), dataIndex: "quantity", align: "right" },
          {
            title: t("supplier.claims.disputed"),
            key: "disputed",
            align: "right",
            render: (_, s) => s.dispute?.units ?? "0",
          },
          {
            title: t("supplier.claims.basis"),
            key: "basis",
            render: (_, s) =>
              s.chainReceivedAt === null
                ? t("supplier.claims.onArrival", { at: dateTime(s.arrivedAt) })
                : t("supplier.claims.onReceipt", { at: dateTime(s.chainReceivedAt) }),
          },
          {
            title: t("supplier.claims.openSince"),
            dataIndex: "claimOpensAt",
            render: (v: string) => dateTime(v),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_, s) => (
              <ActButton
                type="primary"
                size="small"
                confirm={t("supplier.claims.confirm", {
                  id: s.id,
                  paid: String(BigInt(s.quantity) - BigInt(s.dispute?.units ?? "0")),
                })}
                call={async () => {
                  const record = await shipmentRecord(s.id, () => t("act.noRecord", { id: s.id }));
                  return {
                    to: config!.contracts.orderBook,
                    data: orderBook.encodeFunctionData("claimSettlement", [BigInt(s.id), record]),
                  };
                }}
              >
                {t("supplier.claims.claim", { id: s.id })}
              </ActButton>
            ),
          },
        ]}
      />
    </section>
  );
}
