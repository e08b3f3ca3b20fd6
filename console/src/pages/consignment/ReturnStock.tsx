import { InputNumber, Space } from "antd";
import { useState } from "react";
import type { ConsignedStock } from "../../../../api/consignment";
import { ConsignmentBook__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { useI18n } from "../../i18n/i18n";
import { useSession } from "../../lib/session";

const book = ConsignmentBook__factory.createInterface();
/** The catalogue has no return reasons yet: the act records "no reason stated". */
const NO_REASON = 0;

/** Returns unused units of one consigned shipment to the supplier (relayed). */
export function ReturnStock({ stock }: { stock: ConsignedStock }) {
  const { t } = useI18n();
  const { config } = useSession();
  const [units, setUnits] = useState<number | null>(1);
  const valid = units !== null && Number.isInteger(units) && units >= 1 && units <= stock.onHand;
  const label = t("consignment.return.units", { shipment: stock.shipmentId });
  return (
    <Space size={4} wrap>
      <InputNumber
        aria-label={label}
        title={label}
        min={1}
        max={stock.onHand}
        value={units}
        onChange={setUnits}
        status={valid ? undefined : "error"}
        style={{ width: 72 }}
      />
      <ActButton
        disabled={!valid}
        title={valid ? undefined : t("consignment.return.invalid", { max: stock.onHand })}
        call={() => ({
          to: config!.contracts.consignment,
          data: book.encodeFunctionData("returnStock", [BigInt(stock.shipmentId), units!, NO_REASON]),
        })}
      >
        {t("consignment.return.submit")}
      </ActButton>
    </Space>
  );
}
