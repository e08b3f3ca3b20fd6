import { Reasons } from "../../components/Reasons";
import { TAG } from "../../components/tag-colours";
import { Button, Descriptions, Result, Tag } from "antd";
import type { ReceiptResult } from "../../../../api/receipts";
import { useI18n } from "../../i18n/i18n";

/** The match the gateway made of the receipt: matched (queued for payment) or an exception. */
export function ReceiptOutcome({ result, onAgain }: { result: ReceiptResult; onAgain: () => void }) {
  const { t } = useI18n();
  const matched = result.match.status === "matched";
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
        <Descriptions.Item label={t("warehouse.result.received")}>{result.received}</Descriptions.Item>
        <Descriptions.Item label={t("warehouse.result.accepted")}>{result.match.accepted}</Descriptions.Item>
        <Descriptions.Item label={t("warehouse.result.rejected")}>{result.match.rejected}</Descriptions.Item>
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
