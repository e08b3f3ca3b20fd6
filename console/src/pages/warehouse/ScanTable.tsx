import { TAG } from "../../components/tag-colours";
import { Button, Form, Input, Modal, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import type { Shipment } from "../../../../api/shipments";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { useFormat } from "../../lib/use-format";
import { flagsOf, isChecking, printable, type Flag, type ScanLine } from "./scan-lines";

/**
 * The scanned lines with what each carries (GTIN, lot, expiry, serial) and its check; a flagged
 * line can be removed, and any line rejected at the dock with a reason (it is still recorded,
 * as a unit received and not accepted).
 */
export function ScanTable(props: {
  shipment: Shipment;
  lines: ScanLine[];
  onRemove: (key: number) => void;
  onReject: (key: number, reason: string | null) => void;
}) {
  const { t } = useI18n();
  const { calendarDate } = useFormat();
  const { shipment, lines } = props;
  const [rejecting, setRejecting] = useState<{ key: number; line: number } | null>(null);

  return (
    <>
      <Table<ScanLine>
        aria-label={t("warehouse.scan.table")}
        size="small"
        dataSource={lines}
        rowKey="key"
        pagination={false}
        scroll={{ x: "max-content" }}
        onRow={(_, i) =>
          i !== undefined && flagsOf(lines, i, shipment).length > 0
            ? { style: { background: "#fff1f0" } }
            : {}
        }
        columns={[
          { title: t("warehouse.scan.line"), key: "line", render: (_, __, i) => i + 1 },
          {
            title: t("warehouse.scan.barcode"),
            key: "raw",
            render: (_, l) => (
              <Typography.Text
                code
                style={{ wordBreak: "break-all", maxWidth: 200, display: "inline-block" }}
              >
                {printable(l.raw)}
              </Typography.Text>
            ),
          },
          {
            title: t("warehouse.shipment.gtin"),
            key: "gtin",
            // GS1's GTIN, or another agency's device identifier (an MA code's is 25+ characters).
            render: (_, l) => (
              <Typography.Text style={{ wordBreak: "break-all" }}>
                {l.parsed?.deviceIdentifier ?? "—"}
              </Typography.Text>
            ),
          },
          { title: t("warehouse.shipment.lot"), key: "lot", render: (_, l) => l.parsed?.lot ?? "—" },
          {
            title: t("warehouse.shipment.expiry"),
            key: "expiry",
            render: (_, l) => calendarDate(l.parsed?.expiry?.date),
          },
          { title: t("warehouse.scan.serial"), key: "serial", render: (_, l) => l.parsed?.serial ?? "—" },
          {
            title: t("warehouse.scan.check"),
            key: "check",
            render: (_, l, i) => (
              <LineCheck line={l} flags={flagsOf(lines, i, shipment)} shipment={shipment} />
            ),
          },
          {
            title: t("common.actions"),
            key: "actions",
            // Stacked, and the check's sentences wrapped: the table fits a 1366-pixel screen.
            render: (_, l, i) => (
              <Space orientation="vertical" size={4}>
                {l.rejectReason === null ? (
                  <Button
                    size="small"
                    aria-label={t("warehouse.scan.reject", { line: i + 1 })}
                    onClick={() => setRejecting({ key: l.key, line: i + 1 })}
                  >
                    {t("warehouse.scan.rejectShort")}
                  </Button>
                ) : (
                  <Button
                    size="small"
                    aria-label={t("warehouse.scan.unreject", { line: i + 1 })}
                    onClick={() => props.onReject(l.key, null)}
                  >
                    {t("warehouse.scan.unrejectShort")}
                  </Button>
                )}
                <Button
                  size="small"
                  aria-label={t("warehouse.scan.remove", { line: i + 1 })}
                  onClick={() => props.onRemove(l.key)}
                >
                  {t("warehouse.scan.removeShort")}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {rejecting && (
        <RejectDialog
          line={rejecting.line}
          onCancel={() => setRejecting(null)}
          onReject={(reason) => {
            props.onReject(rejecting.key, reason);
            setRejecting(null);
          }}
        />
      )}
    </>
  );
}

/** Ant Design's danger red reads below 4.5:1 on the flagged row's tint; this one reads above. */
const FLAG_RED = TAG.bad;

function LineCheck({ line, flags, shipment }: { line: ScanLine; flags: Flag[]; shipment: Shipment }) {
  const { t } = useI18n();
  const { calendarDate } = useFormat();
  // An expiry's dates read as every other expiry on the page does.
  const shown = (f: Flag, v: string | undefined) =>
    v === undefined ? "" : f.code === "EXPIRY_MISMATCH" ? calendarDate(v) : v;
  return (
    <Space orientation="vertical" size={2} style={{ maxWidth: 260 }}>
      {line.rejectReason !== null && (
        <Tag color="red">{t("warehouse.scan.rejected", { reason: line.rejectReason })}</Tag>
      )}
      {isChecking(line, shipment) ? (
        <Typography.Text type="secondary">{t("warehouse.scan.checking")}</Typography.Text>
      ) : flags.length === 0 ? (
        <Typography.Text data-flag="none">{t("warehouse.scan.ok")}</Typography.Text>
      ) : (
        flags.map((f) => (
          <Typography.Text key={f.code} data-flag={f.code} style={{ color: FLAG_RED }} role="status">
            ⚠{" "}
            {t(`warehouse.flag.${f.code}` as MessageKey, {
              value: shown(f, f.value),
              expected: shown(f, f.expected),
              message: f.message ?? "",
            })}
          </Typography.Text>
        ))
      )}
    </Space>
  );
}

function RejectDialog(props: { line: number; onCancel: () => void; onReject: (reason: string) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  return (
    <Modal
      open
      title={t("warehouse.scan.rejectTitle", { line: props.line })}
      okText={t("common.confirm")}
      cancelText={t("common.cancel")}
      onCancel={props.onCancel}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => props.onReject(v.reason.trim())}>
        <Form.Item
          name="reason"
          label={t("warehouse.scan.rejectReason")}
          rules={[
            { required: true, whitespace: true, message: t("warehouse.scan.rejectReasonRequired") },
            { max: 200 },
          ]}
        >
          <Input autoFocus maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
