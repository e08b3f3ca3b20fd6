import { InputNumber, Space, Typography } from "antd";
import { useState } from "react";
import type { ConsignedStock } from "../../../../api/consignment";
import { ConsignmentBook__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { ReasonSelect } from "../../components/ReasonSelect";
import { useI18n } from "../../i18n/i18n";
import { useSession } from "../../lib/session";

const book = ConsignmentBook__factory.createInterface();

/**
 * Returns unused units of one consigned shipment to the supplier (relayed), with a reason from the
 * catalogue that the ledger records in ConsignedReturnRequested; nothing is chosen at first. The
 * return then waits for the supplier's answer (PendingReturn).
 */
export function ReturnStock({ stock }: { stock: ConsignedStock }) {
  const { t } = useI18n();
  const { config } = useSession();
  const [units, setUnits] = useState<number | null>(1);
  const [reason, setReason] = useState<number | null>(null);
  const valid = units !== null && Number.isInteger(units) && units >= 1 && units <= stock.onHand;
  const label = t("consignment.return.units", { shipment: stock.shipmentId });
  const reasonId = `consignment-return-reason-${stock.shipmentId}`;
  return (
    // The reason above the units and the button: side by side they overflow the table at 1366 px.
    <Space orientation="vertical" size={4} style={{ width: 240 }}>
      <Space size={4} style={{ width: "100%" }}>
        <label htmlFor={reasonId}>{t("consignment.return.reason")}</label>
        <div style={{ width: 190 }}>
          <ReasonSelect act="returnStock" id={reasonId} value={reason} onChange={setReason} />
        </div>
      </Space>
      <Space size={4}>
        {/* No max: a number above what is on hand is said wrong below, not silently cut to it. */}
        <InputNumber
          aria-label={label}
          title={label}
          min={1}
          value={units}
          onChange={setUnits}
          status={valid ? undefined : "error"}
          aria-invalid={!valid}
          aria-describedby={valid ? undefined : `${reasonId}-units-invalid`}
          style={{ width: 72 }}
        />
        <ActButton
          disabled={!valid || reason === null}
          confirm={t("consignment.return.confirm", {
            units: units ?? 0,
            lot: stock.lot,
            shipment: stock.shipmentId,
          })}
          title={
            !valid
              ? t("consignment.return.invalid", { max: stock.onHand })
              : reason === null
                ? t("consignment.return.chooseReason")
                : undefined
          }
          call={() => ({
            to: config!.contracts.consignment,
            data: book.encodeFunctionData("returnStock", [BigInt(stock.shipmentId), units!, reason!]),
          })}
          onDone={() => setReason(null)}
        >
          {t("consignment.return.submit")}
        </ActButton>
      </Space>
      {!valid && (
        <Typography.Text type="danger" id={`${reasonId}-units-invalid`}>
          {t("consignment.return.invalid", { max: stock.onHand })}
        </Typography.Text>
      )}
    </Space>
  );
}
