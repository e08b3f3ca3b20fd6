import { Alert, Button, Form, Input, Popconfirm, Space } from "antd";
import { useState } from "react";
import type { ReceiptRequest, ReceiptResult } from "../../../../api/receipts";
import type { Shipment } from "../../../../api/shipments";
import { DateTimeInput } from "../../components/DateInput";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useI18n } from "../../i18n/i18n";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useIdempotentPost } from "../../lib/idempotent-post";
import { CampusSelect, useCampuses } from "../../components/CampusSelect";
import { blocksSubmit, flagsOf, receiptLine, type ScanLine } from "./scan-lines";

/**
 * Step 3: POST /v1/receipts. One Idempotency-Key per receipt, kept until the gateway answers
 * with its result: a double click or a retry after a lost answer sends the same key and gets
 * the first result back instead of recording twice. Only a changed receipt (a line removed, a
 * number corrected after a refusal) gets a fresh key — the gateway would refuse the old key
 * with a different body (409).
 */
export function SubmitReceipt(props: {
  shipment: Shipment;
  lines: ScanLine[];
  onRecorded: (result: ReceiptResult) => void;
}) {
  const { t } = useI18n();
  const { shipment, lines } = props;
  const [receiptNo, setReceiptNo] = useState(`GR-S${shipment.id}`);
  const ledgerNow = useLedgerNow();
  const [receivedAt, setReceivedAt] = useState(() => toLocalInput(defaultReceivedAt(shipment, ledgerNow())));
  // Where the goods are counted: the main campus unless the dock says otherwise. Only a hospital
  // with more than one campus is asked.
  const campuses = useCampuses().data ?? [];
  const [campus, setCampus] = useState<string | undefined>(undefined);
  const chosenCampus = campus ?? campuses.find((c) => c.main)?.gln;
  const submit = useIdempotentPost<ReceiptRequest, ReceiptResult>(
    "/v1/receipts",
    "receipt",
    props.onRecorded,
  );

  const blocked = lines.flatMap((_, i) => (blocksSubmit(lines, i, shipment) ? [i + 1] : []));
  const flagged = lines.filter((_, i) => flagsOf(lines, i, shipment).length > 0).length;
  const ready = lines.length > 0 && blocked.length === 0 && receiptNo.trim() !== "" && receivedAt !== "";
  const send = () => {
    if (!ready || submit.isPending) return;
    submit.mutate({
      receiptNo: receiptNo.trim(),
      shipmentId: shipment.id,
      receivedAt: new Date(receivedAt).toISOString(),
      ...(chosenCampus === undefined ? {} : { campus: chosenCampus }),
      lines: lines.map(receiptLine),
    });
  };
  const button = (
    <Button
      type="primary"
      disabled={!ready}
      loading={submit.isPending}
      onClick={flagged > 0 ? undefined : send}
    >
      {t("warehouse.submit.button")}
    </Button>
  );

  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Form layout="inline">
        <Form.Item label={t("warehouse.submit.receiptNo")} htmlFor="receipt-no" required>
          <Input
            id="receipt-no"
            value={receiptNo}
            maxLength={64}
            onChange={(e) => setReceiptNo(e.target.value)}
            style={{ width: 200 }}
          />
        </Form.Item>
        <Form.Item
          label={t("warehouse.submit.receivedAt")}
          htmlFor="received-at"
          required
          extra={t("warehouse.submit.receivedAtHint")}
        >
          <DateTimeInput id="received-at" value={receivedAt} onChange={setReceivedAt} />
        </Form.Item>
        {campuses.length > 1 && (
          <Form.Item label={t("warehouse.submit.campus")} htmlFor="receipt-campus" required>
            <CampusSelect id="receipt-campus" value={chosenCampus} onChange={setCampus} />
          </Form.Item>
        )}
      </Form>
      {lines.length === 0 && <Alert type="info" showIcon title={t("warehouse.submit.noLines")} />}
      {blocked.length > 0 && (
        <Alert type="warning" showIcon title={t("warehouse.submit.blocked", { lines: blocked.join(", ") })} />
      )}
      {submit.error && <ErrorAlert error={submit.error} />}
      {flagged > 0 && ready ? (
        <Popconfirm
          title={t("warehouse.submit.flaggedConfirm", { count: flagged })}
          okText={t("common.confirm")}
          cancelText={t("common.cancel")}
          onConfirm={send}
        >
          {button}
        </Popconfirm>
      ) : (
        button
      )}
    </Space>
  );
}

/**
 * The ledger's now — but never before the shipment reached the dock on the ledger (its arrival,
 * else its creation): the gateway refuses a receipt dated before its shipment, and the ledger's
 * clock may not be read yet when the form opens.
 */
function defaultReceivedAt(shipment: Shipment, now: number): Date {
  const onLedger = Date.parse(shipment.arrivedAt ?? shipment.createdAt);
  return new Date(Math.max(now, Math.ceil(onLedger / 1000) * 1000));
}

/** The received-at field's value (components/DateInput): the browser's local time, to the second. */
function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
