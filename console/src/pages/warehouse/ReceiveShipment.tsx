import { useQuery } from "@tanstack/react-query";
import { Button, Card, Descriptions, Input, Space, Typography } from "antd";
import { useState } from "react";
import type { ReceiptResult } from "../../../../api/receipts";
import type { Shipment } from "../../../../api/shipments";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { useFormat } from "../../lib/use-format";
import { ReceiptOutcome } from "./ReceiptOutcome";
import { flagsOf } from "./scan-lines";
import { ScanTable } from "./ScanTable";
import { ShipmentTags } from "./ShipmentChooser";
import { SubmitReceipt } from "./SubmitReceipt";
import { useScanLines } from "./use-scan-lines";

/** Steps 2 and 3 for one shipment: what was shipped, the scans against it, the receipt. */
export function ReceiveShipment({ shipmentId, onDone }: { shipmentId: string; onDone: () => void }) {
  const { t } = useI18n();
  const shipment = useQuery({
    queryKey: ["shipment", shipmentId],
    queryFn: () => api.get<Shipment>(`/v1/shipments/${shipmentId}`),
  });
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Button onClick={onDone}>{t("warehouse.choose.change")}</Button>
      <QueryState query={shipment}>{(s) => <Receiving shipment={s} onDone={onDone} />}</QueryState>
    </Space>
  );
}

function Receiving({ shipment, onDone }: { shipment: Shipment; onDone: () => void }) {
  const { t } = useI18n();
  const format = useFormat();
  const scans = useScanLines(shipment);
  const [scan, setScan] = useState("");
  const [result, setResult] = useState<ReceiptResult | null>(null);
  const { lines } = scans;
  const flagged = lines.filter((_, i) => flagsOf(lines, i, shipment).length > 0).length;
  const rejected = lines.filter((l) => l.rejectReason !== null).length;

  return (
    <>
      <Card
        title={
          <h2 style={{ margin: 0, fontSize: 18 }}>{t("warehouse.shipment.title", { id: shipment.id })}</h2>
        }
      >
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
          <Descriptions.Item label={t("warehouse.order.id")}>{shipment.orderId}</Descriptions.Item>
          <Descriptions.Item label={t("warehouse.shipment.gtin")}>
            <Typography.Text copyable>{shipment.gtin}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t("warehouse.shipment.lot")}>{shipment.lot}</Descriptions.Item>
          <Descriptions.Item label={t("warehouse.shipment.expiry")}>
            {format.calendarDate(shipment.expiry)}
          </Descriptions.Item>
          <Descriptions.Item label={t("warehouse.shipment.quantity")}>{shipment.quantity}</Descriptions.Item>
          <Descriptions.Item label={t("warehouse.shipment.arrived")}>
            {format.dateTime(shipment.arrivedAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t("warehouse.shipment.state")}>
            <ShipmentTags shipment={shipment} />
          </Descriptions.Item>
        </Descriptions>
      </Card>
      {result ? (
        <ReceiptOutcome result={result} onAgain={onDone} />
      ) : (
        <>
          <Card title={<h2 style={{ margin: 0, fontSize: 18 }}>{t("warehouse.scan.title")}</h2>}>
            <Space orientation="vertical" style={{ width: "100%" }}>
              <label htmlFor="scanner">{t("warehouse.scan.input")}</label>
              <Input
                id="scanner"
                autoFocus
                autoComplete="off"
                spellCheck={false}
                aria-describedby="scanner-hint"
                value={scan}
                onChange={(e) => setScan(e.target.value)}
                onPressEnter={() => {
                  // A wedge scanner may end its data with a stray CR/LF before the Enter.
                  const raw = scan.replace(/[\r\n]+$/, "").trim();
                  setScan("");
                  if (raw !== "") void scans.add(raw);
                }}
                style={{ fontFamily: "monospace" }}
              />
              <Typography.Text type="secondary" id="scanner-hint">
                {t("warehouse.scan.hint")}
              </Typography.Text>
              <Typography.Text strong aria-live="polite" data-testid="scan-count">
                {t("warehouse.scan.count", {
                  scanned: lines.length,
                  shipped: shipment.quantity,
                  flagged,
                  rejected,
                })}
              </Typography.Text>
              <ScanTable shipment={shipment} lines={lines} onRemove={scans.remove} onReject={scans.reject} />
            </Space>
          </Card>
          <Card title={<h2 style={{ margin: 0, fontSize: 18 }}>{t("warehouse.submit.title")}</h2>}>
            <SubmitReceipt shipment={shipment} lines={lines} onRecorded={setResult} />
          </Card>
        </>
      )}
    </>
  );
}
