import { Space, Typography } from "antd";
import { useSearchParams } from "react-router-dom";
import { useI18n } from "../../i18n/i18n";
import { ReceiveShipment } from "./ReceiveShipment";
import { ShipmentChooser } from "./ShipmentChooser";

/**
 * The receiving dock: choose the shipment, scan its units, record the goods receipt. The
 * shipment chosen is in the address (?shipment=…), so a reload or a shared link keeps it.
 */
export function ReceivePage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const shipmentId = params.get("shipment");
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t("warehouse.receive.title")}
        </Typography.Title>
        <Typography.Paragraph>{t("warehouse.receive.intro")}</Typography.Paragraph>
      </div>
      {shipmentId ? (
        <ReceiveShipment key={shipmentId} shipmentId={shipmentId} onDone={() => setParams({})} />
      ) : (
        <ShipmentChooser onChoose={(id) => setParams({ shipment: id })} />
      )}
    </Space>
  );
}
