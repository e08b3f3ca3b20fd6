import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Form, Input, Radio, Select, Space, Typography } from "antd";
import { MaxUint256 } from "ethers";
import { useState } from "react";
import { Link } from "react-router-dom";
import type { AgreementSummary } from "../../../../api/agreements";
import { ActButton } from "../../components/ActButton";
import { useI18n } from "../../i18n/i18n";
import { fetchAll } from "../../lib/api";
import { short } from "../../lib/format";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useNames } from "../../lib/names";
import { useFormat } from "../../lib/use-format";
import { useAgreement, useAgreementLabel } from "../hospital/agreements";
import { fenFromYuan } from "../supplier/money";
import { useFundBook } from "./fund-book";
import { useFundAllowance } from "./use-fund-allowance";

/**
 * The payer pays into one hospital's account under an agreement in its term (FundBook.prepay or
 * depositEscrow, relayed): the hospitals offered are those with a committed volume. The fund book
 * takes the money under the payer's allowance, shown here; an amount above it is not sent but
 * pointed to the Allowances page, where a permit raises it.
 */
export function PayInForm() {
  const { t } = useI18n();
  const agreementLabel = useAgreementLabel();
  const { yuan } = useFormat();
  const book = useFundBook();
  const names = useNames();
  const now = useLedgerNow()();
  const agreements = useQuery({
    queryKey: ["/v1/agreements", "all"],
    queryFn: () => fetchAll<AgreementSummary>("/v1/agreements"),
  });
  const allowance = useFundAllowance();
  const [agreementId, setAgreementId] = useState<string>();
  const agreement = useAgreement(agreementId);
  const [hospital, setHospital] = useState<string>();
  const [amount, setAmount] = useState("");
  const [escrow, setEscrow] = useState(false);
  const fen = fenFromYuan(amount);
  const amountInvalid = amount.trim() !== "" && (fen === null || fen === 0n);
  const allowed = allowance.data ? BigInt(allowance.data.allowance) : null;
  const aboveAllowance = fen !== null && allowed !== null && fen > allowed;
  const money = (value: string) => (BigInt(value) === MaxUint256 ? t("allowance.unlimited") : yuan(value));
  return (
    <Card
      role="region"
      aria-labelledby="fund-pay-title"
      title={
        <Typography.Title level={2} id="fund-pay-title" style={{ fontSize: 18, margin: 0 }}>
          {t("fund.payIn.title")}
        </Typography.Title>
      }
    >
      <Typography.Paragraph>{t("fund.payIn.text")}</Typography.Paragraph>
      {allowance.data && (
        <div data-testid="fund-allowance" style={{ marginBottom: 16 }}>
          <Alert
            type="info"
            showIcon
            title={t("fund.allowance.text", {
              allowance: money(allowance.data.allowance),
              balance: yuan(allowance.data.balance),
            })}
            action={<Link to="/allowances">{t("fund.allowance.set")}</Link>}
          />
        </div>
      )}
      <Form layout="vertical" component="div">
        <Space wrap align="start">
          <Form.Item label={t("fund.payIn.agreement")} htmlFor="fund-pay-agreement" style={{ minWidth: 280 }}>
            <Select
              id="fund-pay-agreement"
              loading={agreements.isPending}
              value={agreementId}
              onChange={(id) => {
                setAgreementId(id);
                setHospital(undefined);
              }}
              options={(agreements.data ?? [])
                // Nothing is paid in after the term (FundTermEnded).
                .filter((a) => Date.parse(a.endAt) > now)
                .map((a) => ({ value: a.id, label: agreementLabel(a) }))}
            />
          </Form.Item>
          <Form.Item label={t("fund.payIn.hospital")} htmlFor="fund-pay-hospital" style={{ minWidth: 240 }}>
            <Select
              id="fund-pay-hospital"
              disabled={agreementId === undefined}
              loading={agreement.isFetching}
              value={hospital}
              onChange={setHospital}
              options={(agreement.data?.hospitals ?? [])
                .filter((h) => BigInt(h.committed) > 0n)
                .map((h) => ({ value: h.hospital, label: names(h.hospital) ?? short(h.hospital) }))}
            />
          </Form.Item>
          <Form.Item
            label={t("fund.payIn.amount")}
            htmlFor="fund-pay-amount"
            validateStatus={amountInvalid ? "error" : undefined}
            help={amountInvalid ? t("fund.payIn.amountInvalid") : undefined}
          >
            <Input
              id="fund-pay-amount"
              prefix="¥"
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              style={{ width: 180 }}
            />
          </Form.Item>
        </Space>
        <Form.Item label={<span id="fund-pay-kind">{t("fund.payIn.kind")}</span>}>
          <Radio.Group
            aria-labelledby="fund-pay-kind"
            value={escrow}
            onChange={(e) => setEscrow(e.target.value as boolean)}
            options={[
              { value: false, label: t("fund.payIn.prepay") },
              { value: true, label: t("fund.payIn.escrow") },
            ]}
          />
        </Form.Item>
        {aboveAllowance && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            title={t("fund.allowance.short", {
              allowance: money(allowance.data!.allowance),
              amount: yuan(fen!),
            })}
            action={<Link to="/allowances">{t("nav.allowance")}</Link>}
          />
        )}
        <ActButton
          type="primary"
          disabled={
            agreementId === undefined ||
            hospital === undefined ||
            fen === null ||
            fen === 0n ||
            aboveAllowance
          }
          call={() => book.payIn(agreementId!, hospital!, fen!, escrow)}
          onDone={() => setAmount("")}
        >
          {t("fund.payIn.submit")}
        </ActButton>
      </Form>
    </Card>
  );
}
