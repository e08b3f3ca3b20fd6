import { Button, Form, Modal, Typography } from "antd";
import { useId, useState } from "react";
import type { ReasonAct as Act } from "../../../../../ledger/reasons";
import { ActButton } from "../../../components/ActButton";
import { ReasonSelect } from "../../../components/ReasonSelect";
import { useI18n } from "../../../i18n/i18n";

/**
 * A ledger act that records a reason code (a rejection, a suspension, a reinstatement): a button
 * that opens a dialog asking for the reason, chosen from the catalogue's for the act, whose
 * confirm button performs the act. The chain records the reason's code (a uint16).
 */
export function ReasonAct(props: {
  /** The button's and the dialog's title, e.g. "Suspend". */
  label: string;
  /** The button's accessible name, naming what it acts on, e.g. "Suspend Acme". */
  name: string;
  /** What the act is about, for the dialog, e.g. the supplier's name. */
  subject: string;
  /** The ledger function, which decides the reasons offered. */
  act: Act;
  call: (reasonCode: number) => { to: string; data: string };
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<number | null>(null);
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
            call={() => props.call(reason!)}
            onDone={() => setOpen(false)}
          >
            {props.label}
          </ActButton>,
        ]}
      >
        <Typography.Paragraph style={{ wordBreak: "break-word" }}>{props.subject}</Typography.Paragraph>
        <Form layout="vertical">
          <Form.Item label={t("reasons.field")} htmlFor={inputId}>
            <ReasonSelect act={props.act} id={inputId} value={reason} onChange={setReason} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
