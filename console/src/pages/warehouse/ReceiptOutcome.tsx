import { Reasons } from "../../components/Reasons";
import { TAG } from "../../components/tag-colours";
import { Button, Descriptions, Result, Tag } from "antd";
import type { ReceiptResult } from "../../../../api/receipts";
import { useI18n } from "../../i18n/i18n";
import { receiptFigures } from "./receipt-figures";

/** The match the gateway made of the receipt: matched (queued for payment) or an exception. */
export function ReceiptOutcome({ result, onAgain }: { result: ReceiptResult; onAgain: () => void }) {
  const { t } = useI18n();
  const matched = result.match.status === "matched";
  const figures = receiptFigures(result);
  return (
    <Result
      status={matched ? "success" : "warning"}
      title={
        <h2 style={{ margin: 0, fontSize: 20 }} data-testid="receipt-outcome">
          {t("warehouse.result.title", { receiptNo: result.receiptNo })}{" "}
          <Tag color={matched ? TAG.good : TAG.bad}>
            {matched ? t("warehouse.result.matched") : t("warehouse.result.exception")}
          </Tag>
        </h2>
      }
      extra={<Button onClick={onAgain}>{t("warehouse.result.again")}</Button>}
    >
      <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
        <Descriptions.Item label={t("warehouse.result.status")}>
          {matched ? t("warehouse.result.matched") : t("warehouse.result.exception")}
        </Descriptions.Item>
        <Descriptions.Item label={t("warehouse.result.settlement")}>
          {result.settlement === "queued"
            ? t("warehouse.result.queued")
            : t("warehouse.result.held", { id: result.exceptionId ?? "—" })}
        </Descriptions.Item>
        <Descriptions.Item label={t("warehouse.result.shipped")}>
          {figures.shipped.toString()}
        </Descriptions.Item>
        <Descriptions.Item label={t("warehouse.result.received")}>
          {figures.counted.toString()}
          {figures.surplus > 0n &&
            ` (${t("warehouse.result.surplus", { units: figures.surplus.toString() })})`}
        </Descriptions.Item>
        {/* Held as an exception, nothing is paid yet: the match proposes, an approver decides. */}
        <Descriptions.Item label={t(matched ? "warehouse.result.accepted" : "warehouse.result.proposed")}>
          {figures.accepted.toString()}
        </Descriptions.Item>
        <Descriptions.Item label={t(matched ? "warehouse.result.unpaid" : "warehouse.result.notProposed")}>
          {figures.unpaid === 0n
            ? "0"
            : t("warehouse.result.unpaidSplit", {
                units: figures.unpaid.toString(),
                missing: figures.missing.toString(),
                refused: figures.refused.toString(),
              })}
        </Descriptions.Item>
      </Descriptions>
      {result.match.reasons.length > 0 && (
        <section style={{ marginTop: 16, textAlign: "start" }}>
          <strong>{t("warehouse.result.reasons")}</strong>
          <Reasons reasons={result.match.reasons} />
        </section>
      )}
    </Result>
  );
}
