import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Form, Input, Select, Space, Typography } from "antd";
import { id as keccakText } from "ethers";
import { useState } from "react";
import type { OrderSummary } from "../../../../api/orders";
import type { ManifestUploaded, Shipment } from "../../../../api/shipments";
import type { Supplier } from "../../../../api/suppliers";
import { serialTree } from "../../../../ledger/acts";
import { DeliveryTrace__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { DateInput } from "../../components/DateInput";
import { ErrorAlert } from "../../components/ErrorAlert";
import { QueryState } from "../../components/QueryState";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { FormProblem } from "../../lib/form-problem";
import { useSession } from "../../lib/session";
import { unixOfDate } from "./dates";
import { shipmentCreatedBy } from "./find-shipment";
import { remainingOf } from "../../lib/order-remaining";
import { readSerialList } from "./serial-list";
import { useMe } from "./use-me";

const trace = DeliveryTrace__factory.createInterface();

interface Values {
  gtin: string;
  lot: string;
  expiry: string;
  notice: string;
}

/** What became of the shipment after its transaction: its id, then its manifest. */
type Outcome =
  | { step: "finding"; txHash: string }
  | { step: "uploading"; shipmentId: string }
  | { step: "done"; shipmentId: string; manifest: ManifestUploaded }
  | { step: "failed"; txHash: string; shipmentId?: string; error: unknown };

/**
 * Ships against an order: the serial list is read here and its Merkle root computed here
 * (ledger/acts.ts serialTree, the tree DeliveryTrace and the gateway's manifest check use), the
 * shipment is created on the ledger with that root, then the list goes to the gateway as the
 * shipment's manifest, which it accepts only if it rebuilds the same root.
 */
export function ShipmentForm({ order }: { order: OrderSummary }) {
  const { t } = useI18n();
  const { config } = useSession();
  const me = useMe();
  const [form] = Form.useForm<Values>();
  const [serials, setSerials] = useState<string[] | null>(null);
  const [listProblem, setListProblem] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const supplier = useQuery({
    queryKey: [`/v1/suppliers/${me}`],
    queryFn: () => api.get<Supplier>(`/v1/suppliers/${me}`),
  });
  const root = serials ? serialTree(serials).root : null;
  const remaining = remainingOf(order);

  async function call() {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      throw new FormProblem(t("supplier.form.invalid"));
    }
    if (!serials || !root) throw new FormProblem(t("supplier.ship.noSerials"));
    if (BigInt(serials.length) > remaining)
      throw new FormProblem(
        t("supplier.ship.tooMany", { count: serials.length, remaining: remaining.toString() }),
      );
    if (!config) throw new FormProblem(t("supplier.form.noConfig"));
    const data = trace.encodeFunctionData("createShipment", [
      {
        orderId: order.id,
        gtin: BigInt(v.gtin),
        lot: v.lot.trim(),
        expiry: unixOfDate(v.expiry),
        quantity: serials.length,
        serialRoot: root,
        noticeHash: keccakText(v.notice.trim()),
      },
    ]);
    return { to: config.contracts.trace, data };
  }

  async function upload(shipmentId: string, list: string[]) {
    setOutcome({ step: "uploading", shipmentId });
    try {
      const manifest = await api.put<ManifestUploaded>(`/v1/shipments/${shipmentId}/manifest`, {
        serials: list,
      });
      setOutcome({ step: "done", shipmentId, manifest });
    } catch (error) {
      setOutcome({ step: "failed", txHash: "", shipmentId, error });
    }
  }

  async function created(txHash: string) {
    const list = serials!;
    setOutcome({ step: "finding", txHash });
    let shipmentId: string;
    try {
      shipmentId = await shipmentCreatedBy(order.id, txHash);
    } catch (error) {
      setOutcome({ step: "failed", txHash, error });
      return;
    }
    await upload(shipmentId, list);
  }

  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t("supplier.ship.title", { id: order.id })}</h2>}>
      <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
        <Typography.Text>{t("supplier.ship.remaining", { remaining: remaining.toString() })}</Typography.Text>
        <QueryState query={supplier}>
          {(s) => (
            <Form form={form} layout="vertical" style={{ maxWidth: 640 }}>
              <Form.Item
                name="gtin"
                label="GTIN"
                rules={[{ required: true }]}
                extra={t("supplier.ship.gtinHint")}
              >
                <Select options={s.gtins.map((g) => ({ value: g.gtin, label: g.gtin }))} />
              </Form.Item>
              <Space wrap>
                <Form.Item name="lot" label={t("supplier.ship.lot")} rules={[{ required: true, max: 20 }]}>
                  <Input />
                </Form.Item>
                <Form.Item name="expiry" label={t("supplier.ship.expiry")} rules={[{ required: true }]}>
                  <DateInput />
                </Form.Item>
              </Space>
              <Form.Item
                name="notice"
                label={t("supplier.ship.notice")}
                extra={t("supplier.ship.noticeHint")}
                rules={[{ required: true }]}
              >
                <Input />
              </Form.Item>
              <Form.Item
                label={t("supplier.ship.serials")}
                htmlFor="supplier-serial-file"
                extra={t("supplier.ship.serialsHint")}
                required
              >
                <input
                  id="supplier-serial-file"
                  type="file"
                  accept=".txt,.csv,text/plain,text/csv"
                  onChange={async (e) => {
                    const file = e.target.files?.[0];
                    setOutcome(null);
                    if (!file) return setSerials(null);
                    const read = readSerialList(await file.text());
                    if ("serials" in read) {
                      setSerials(read.serials);
                      setListProblem(null);
                    } else {
                      setSerials(null);
                      setListProblem(
                        t(`supplier.ship.list.${read.problem}` as MessageKey, { serial: read.serial ?? "" }),
                      );
                    }
                  }}
                />
              </Form.Item>
              {listProblem && <Alert type="error" role="alert" showIcon title={listProblem} />}
              {serials && root && (
                <Alert
                  type="info"
                  showIcon
                  title={t("supplier.ship.listRead", { count: serials.length })}
                  description={
                    <span data-testid="serial-root" style={{ wordBreak: "break-all" }}>
                      {t("supplier.ship.root")} {root}
                    </span>
                  }
                />
              )}
              <ActButton
                type="primary"
                call={call}
                disabled={!serials}
                onDone={(r) => void created(r.txHash)}
              >
                {t("supplier.ship.create")}
              </ActButton>
            </Form>
          )}
        </QueryState>
        {outcome && (
          <ShipmentOutcome outcome={outcome} onRetry={(id) => serials && void upload(id, serials)} />
        )}
      </Space>
    </Card>
  );
}

function ShipmentOutcome({ outcome, onRetry }: { outcome: Outcome; onRetry: (shipmentId: string) => void }) {
  const { t } = useI18n();
  if (outcome.step === "finding" || outcome.step === "uploading")
    return <Alert type="info" showIcon title={t(`supplier.ship.${outcome.step}` as MessageKey)} />;
  if (outcome.step === "failed")
    return (
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Typography.Text strong>
          {outcome.shipmentId
            ? t("supplier.ship.manifestFailed", { id: outcome.shipmentId })
            : t("supplier.ship.notFound", { tx: outcome.txHash })}
        </Typography.Text>
        <ErrorAlert error={outcome.error} />
        {outcome.shipmentId && (
          <Button onClick={() => onRetry(outcome.shipmentId!)}>{t("supplier.ship.retryManifest")}</Button>
        )}
      </Space>
    );
  return <ShipmentRecord shipmentId={outcome.shipmentId} />;
}

/** The shipment as the gateway now holds it: the proof that the act and the manifest landed. */
function ShipmentRecord({ shipmentId }: { shipmentId: string }) {
  const { t } = useI18n();
  const shipment = useQuery({
    queryKey: [`/v1/shipments/${shipmentId}`],
    queryFn: () => api.get<Shipment>(`/v1/shipments/${shipmentId}`),
  });
  return (
    <QueryState query={shipment}>
      {(s) => (
        <Descriptions
          bordered
          size="small"
          column={1}
          title={<span data-testid="shipment-created">{t("supplier.ship.created", { id: s.id })}</span>}
          items={[
            { key: "gtin", label: "GTIN", children: s.gtin },
            { key: "lot", label: t("supplier.ship.lot"), children: s.lot },
            { key: "q", label: t("common.quantity"), children: s.quantity },
            {
              key: "m",
              label: t("supplier.ship.manifest"),
              children:
                s.manifestSerials === null
                  ? t("supplier.ship.noManifest")
                  : t("supplier.ship.manifestSerials", { count: s.manifestSerials }),
            },
            {
              key: "root",
              label: t("supplier.ship.root"),
              children: <span style={{ wordBreak: "break-all" }}>{s.serialRoot}</span>,
            },
          ]}
        />
      )}
    </QueryState>
  );
}
