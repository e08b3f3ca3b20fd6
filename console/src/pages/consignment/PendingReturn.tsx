import { Space, Typography } from "antd";
import { useState } from "react";
import type { ConsignedStock, PendingReturn as Pending } from "../../../../api/consignment";
import { ConsignmentBook__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { ReasonSelect } from "../../components/ReasonSelect";
import { useI18n } from "../../i18n/i18n";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";

const book = ConsignmentBook__factory.createInterface();

/**
 * A hospital's return of consigned units, waiting for the supplier: its units and answer date
 * for everyone; the supplier confirms it has them or, until the answer date, refuses with a
 * reason (the units go back on the hospital's shelf); the hospital's account and approvers may
 * confirm it themselves once that date has passed unanswered. The ledger's clock decides, as the
 * contract does.
 */
export function PendingReturn({
  stock,
  answer,
}: {
  stock: ConsignedStock;
  answer: "supplier" | "hospital" | null;
}) {
  const { t } = useI18n();
  const { date } = useFormat();
  const pending = stock.pendingReturn;
  if (pending === null) return <>—</>;
  return (
    <Space orientation="vertical" size={4} style={{ width: 240 }}>
      <Typography.Text>
        {t("consignment.pending.summary", { units: pending.units, date: date(pending.answerBy) })}
      </Typography.Text>
      {answer === "supplier" && <SupplierAnswer stock={stock} pending={pending} />}
      {answer === "hospital" && <HospitalConfirm stock={stock} pending={pending} />}
    </Space>
  );
}

function SupplierAnswer({ stock, pending }: { stock: ConsignedStock; pending: Pending }) {
  const { t } = useI18n();
  const { date } = useFormat();
  const { config } = useSession();
  const open = useLedgerNow()() < Date.parse(pending.answerBy);
  const [reason, setReason] = useState<number | null>(null);
  const reasonId = `consignment-refuse-reason-${stock.shipmentId}`;
  const shipment = BigInt(stock.shipmentId);
  return (
    <>
      <ActButton
        type="primary"
        call={() => ({
          to: config!.contracts.consignment,
          data: book.encodeFunctionData("confirmReturn", [shipment]),
        })}
      >
        {t("consignment.pending.confirm")}
      </ActButton>
      {open ? (
        <>
          <Space size={4} style={{ width: "100%" }}>
            <label htmlFor={reasonId}>{t("consignment.return.reason")}</label>
            <div style={{ width: 190 }}>
              <ReasonSelect act="refuseReturn" id={reasonId} value={reason} onChange={setReason} />
            </div>
          </Space>
          <ActButton
            danger
            disabled={reason === null}
            title={reason === null ? t("consignment.pending.chooseReason") : undefined}
            call={() => ({
              to: config!.contracts.consignment,
              data: book.encodeFunctionData("refuseReturn", [shipment, reason!]),
            })}
            onDone={() => setReason(null)}
          >
            {t("consignment.pending.refuse")}
          </ActButton>
        </>
      ) : (
        <Typography.Text type="secondary">
          {t("consignment.pending.windowClosed", { date: date(pending.answerBy) })}
        </Typography.Text>
      )}
    </>
  );
}

function HospitalConfirm({ stock, pending }: { stock: ConsignedStock; pending: Pending }) {
  const { t } = useI18n();
  const { date } = useFormat();
  const { config } = useSession();
  const due = useLedgerNow()() >= Date.parse(pending.answerBy);
  return (
    <ActButton
      disabled={!due}
      title={due ? undefined : t("consignment.pending.wait", { date: date(pending.answerBy) })}
      call={() => ({
        to: config!.contracts.consignment,
        data: book.encodeFunctionData("confirmReturn", [BigInt(stock.shipmentId)]),
      })}
    >
      {t("consignment.pending.confirmUnanswered")}
    </ActButton>
  );
}
