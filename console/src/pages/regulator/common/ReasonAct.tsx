import { Button, Form, InputNumber, Modal, Typography } from "antd";
import { useId, useState } from "react";
import { ActButton } from "../../../components/ActButton";
import { useI18n } from "../../../i18n/i18n";

/**
 * A ledger act that records a reason code (a rejection, a suspension, a reinstatement): a button
 * that opens a dialog asking for the code, whose confirm button performs the act. The code is a
 * uint16 on chain; an off-chain catalogue explains it.
 */
export function ReasonAct(props: {
  /** The button's and the dialog's title, e.g. "Suspend". */
  label: string;
  /** The button's accessible name, naming what it acts on, e.g. "Suspend Acme". */
  name: string;
  /** What the act is about, for the dialog, e.g. the supplier's name. */
  subject: string;
  call: (reasonCode: number) => { to: string; data: string };
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<number | null>(0);
  const inputId = useId();
  return (
    <>
      <Button size="small" aria-label={props.name} onClick={() => setOpen(true)}>
        {props.label}…
      </Button>
      <Modal
        open={open}
        title={props.label}
        onCancel={() => setOpen(false)}
        destroyOnHidden
        footer={[
          <Button key="cancel" onClick={() => setOpen(false)}>
            {t("common.cancel")}
          </Button>,
          <ActButton
            key="act"
            type="primary"
            disabled={reason === null}
            call={() => props.call(reason ?? 0)}
            onDone={() => setOpen(false)}
          >
            {props.label}
          </ActButton>,
        ]}
      >
        <Typography.Paragraph style={{ wordBreak: "break-word" }}>{props.subject}</Typography.Paragraph>
        <Form layout="vertical">
          <Form.Item label={t("regulator.reason.code")} htmlFor={inputId} extra={t("regulator.reason.hint")}>
            <InputNumber
              id={inputId}
              min={0}
              max={65535}
              precision={0}
              value={reason}
              onChange={(v) => setReason(v)}
              style={{ width: 160 }}
            />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
