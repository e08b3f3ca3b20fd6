import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Form, Input, InputNumber, Radio, Space } from "antd";
import { useState } from "react";
import type { Exception, ResolveRequest, Resolution } from "../../../../api/exceptions";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { useFormat } from "../../lib/use-format";
import { Reasons } from "../../components/Reasons";

/**
 * An approver's decision on an exception: accept what matching proposed, accept part, or
 * reject all. The gateway queues the settlement it implies; the payment follows on chain. A
 * stocktake's difference pays no one: its decision is whether the count stands (accept) or was
 * wrong (reject), and it is put in those words.
 */
export function ResolveException({ exception: e, onClose }: { exception: Exception; onClose: () => void }) {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  const resolutionLabel = useResolutionLabel();
  const queryClient = useQueryClient();
  const [action, setAction] = useState<Resolution>("accept_all");
  const [accepted, setAccepted] = useState<number | null>(null);
  const [note, setNote] = useState("");
  const resolve = useMutation({
    mutationFn: (body: ResolveRequest) => api.post<Exception>(`/v1/exceptions/${e.id}/resolve`, body),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  const ready = note.trim() !== "" && (action !== "accept_part" || (accepted !== null && accepted >= 1));
  const stocktake = e.source === "stocktake";

  return (
    <Card
      style={{ marginTop: 16 }}
      data-testid="resolve-exception"
      title={
        <h2 style={{ fontSize: 18, margin: 0 }}>{t("hospital.exceptions.resolveTitle", { id: e.id })}</h2>
      }
    >
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Reasons reasons={e.reasons} />
        <p style={{ margin: 0 }}>
          {stocktake
            ? t("hospital.exceptions.stocktakePays")
            : t("hospital.exceptions.unitsValue", { proposed: e.proposedAccepted, shipped: e.shipped })}
        </p>
        {e.ledgerHold !== null && e.ledgerHold.status !== "failed" && (
          <p style={{ margin: 0 }} data-testid="ledger-hold">
            {t("hospital.exceptions.holdExplained", { units: e.ledgerHold.units })}
          </p>
        )}
        {e.claimOpensAt !== null && (
          <p style={{ margin: 0 }} data-testid="claim-deadline">
            {t("hospital.exceptions.claimDeadline", { date: dateTime(e.claimOpensAt) })}
          </p>
        )}
        {resolve.data ? (
          <Alert
            type="success"
            showIcon
            role="status"
            title={
              stocktake
                ? t("hospital.exceptions.resolvedStocktake", {
                    id: resolve.data.id,
                    resolution: resolutionLabel(resolve.data),
                  })
                : t("hospital.exceptions.resolved", {
                    id: resolve.data.id,
                    resolution: resolutionLabel(resolve.data),
                    accepted: resolve.data.resolvedAccepted ?? "0",
                  })
            }
            action={<Button onClick={onClose}>{t("hospital.close")}</Button>}
          />
        ) : (
          <Form layout="vertical" style={{ maxWidth: 560 }}>
            <Form.Item label={t("hospital.exceptions.decision")}>
              <Radio.Group
                value={action}
                onChange={(ev) => setAction(ev.target.value as Resolution)}
                options={
                  stocktake
                    ? [
                        { value: "accept_all", label: t("hospital.exceptions.countStands") },
                        { value: "reject", label: t("hospital.exceptions.countWrong") },
                      ]
                    : [
                        {
                          value: "accept_all",
                          label: t("hospital.exceptions.acceptAll", { n: e.proposedAccepted }),
                        },
                        { value: "accept_part", label: t("hospital.exceptions.acceptPart") },
                        { value: "reject", label: t("hospital.exceptions.rejectAll") },
                      ]
                }
              />
            </Form.Item>
            {action === "accept_part" && (
              <Form.Item
                label={t("hospital.exceptions.acceptedQuantity")}
                htmlFor="resolve-accepted"
                extra={t("hospital.exceptions.acceptedHint", { shipped: e.shipped })}
              >
                <InputNumber
                  id="resolve-accepted"
                  min={1}
                  max={Number(e.shipped)}
                  precision={0}
                  value={accepted}
                  onChange={setAccepted}
                />
              </Form.Item>
            )}
            <Form.Item label={t("hospital.exceptions.note")} htmlFor="resolve-note">
              <Input.TextArea
                id="resolve-note"
                rows={2}
                maxLength={1000}
                value={note}
                onChange={(ev) => setNote(ev.target.value)}
              />
            </Form.Item>
            {resolve.error && <ErrorAlert error={resolve.error} />}
            <Space>
              <Button
                type="primary"
                disabled={!ready}
                loading={resolve.isPending}
                onClick={() =>
                  resolve.mutate({
                    action,
                    note: note.trim(),
                    ...(action === "accept_part" ? { acceptedQuantity: accepted! } : {}),
                  })
                }
              >
                {t("hospital.exceptions.submit")}
              </Button>
              <Button onClick={onClose}>{t("common.cancel")}</Button>
            </Space>
          </Form>
        )}
      </Space>
    </Card>
  );
}

/** A decision in words: a stocktake's (the count stands, or was wrong) or a delivery's. */
export function useResolutionLabel(): (e: Pick<Exception, "source" | "resolution">) => string {
  const { t } = useI18n();
  return (e) =>
    e.resolution === null
      ? ""
      : e.source === "stocktake"
        ? t(e.resolution === "reject" ? "hospital.resolution.countWrong" : "hospital.resolution.countStands")
        : t(`hospital.resolution.${e.resolution}`);
}
