import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Input, Space, Typography } from "antd";
import { MaxUint256 } from "ethers";
import { useState, type FormEvent } from "react";
import type { Allowances } from "../../../../api/relay";
import { ErrorAlert } from "../../components/ErrorAlert";
import { Hex } from "../../components/Hex";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { useFormat } from "../../lib/use-format";
import { fenFromYuan } from "../supplier/money";
import { usePermit } from "./use-permit";

type SpenderAllowance = Allowances["spenders"][number];

/**
 * The signed-in account's settlement-token balance and the allowances its acts draw on — a
 * supplier's to the tender house (bid bonds), a hospital account's to the order book (order
 * escrow), the fund's payer's to the fund book (prepayments and escrow) — each with a form that
 * sets a new one by a permit the gateway relays.
 */
export function AllowancePage() {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const allowances = useQuery({
    queryKey: ["/v1/relay/allowances"],
    queryFn: () => api.get<Allowances>("/v1/relay/allowances"),
  });
  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("allowance.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("allowance.intro")}</Typography.Paragraph>
      <QueryState query={allowances}>
        {(a) => {
          const mine = a.spenders.filter((s) => s.permitRelayed);
          return (
            <Space orientation="vertical" size="large" style={{ width: "100%" }}>
              <Descriptions
                size="small"
                bordered
                column={1}
                items={[
                  {
                    key: "balance",
                    label: t("allowance.balance"),
                    children: <span data-testid="allowance-balance">{yuan(a.balance)}</span>,
                  },
                  { key: "token", label: t("allowance.token"), children: <Hex value={a.token} /> },
                ]}
              />
              {mine.length === 0 ? (
                <Alert type="info" showIcon title={t("allowance.none")} />
              ) : (
                mine.map((s) => <SpenderCard key={s.spender} spender={s} />)
              )}
            </Space>
          );
        }}
      </QueryState>
    </section>
  );
}

function SpenderCard({ spender }: { spender: SpenderAllowance }) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const { permit, busy, error } = usePermit();
  const [text, setText] = useState("");
  const [invalid, setInvalid] = useState(false);
  const id = `allowance-${spender.spender}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const fen = fenFromYuan(text);
    setInvalid(fen === null);
    if (fen !== null && (await permit(spender.address, () => fen))) setText("");
  }

  return (
    <Card
      title={
        <h2 id={`${id}-title`} style={{ fontSize: 18, margin: 0 }}>
          {t(`allowance.${spender.spender}.title`)}
        </h2>
      }
    >
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Typography.Paragraph style={{ margin: 0 }}>
          {t(`allowance.${spender.spender}.text`)}
        </Typography.Paragraph>
        <Descriptions
          size="small"
          bordered
          column={1}
          items={[
            {
              key: "current",
              label: t("allowance.current"),
              children: (
                <span data-testid={`${id}-current`}>
                  {spender.allowance === MaxUint256.toString()
                    ? t("allowance.unlimited")
                    : yuan(spender.allowance)}
                </span>
              ),
            },
            { key: "contract", label: t("allowance.contract"), children: <Hex value={spender.address} /> },
          ]}
        />
        <form onSubmit={submit} aria-labelledby={`${id}-title`}>
          <Space orientation="vertical" style={{ width: "100%", maxWidth: 420 }}>
            <label htmlFor={id}>{t("allowance.newValue")}</label>
            <Input
              id={id}
              prefix="¥"
              inputMode="decimal"
              autoComplete="off"
              value={text}
              status={invalid ? "error" : undefined}
              aria-invalid={invalid}
              aria-describedby={`${id}-help`}
              onChange={(e) => {
                setText(e.target.value);
                setInvalid(false);
              }}
            />
            <Typography.Text type="secondary" id={`${id}-help`}>
              {t("allowance.newValueHelp")}
            </Typography.Text>
            {invalid && <Alert type="error" role="alert" showIcon title={t("allowance.invalid")} />}
            <Button type="primary" htmlType="submit" loading={busy} disabled={text.trim() === ""}>
              {t("allowance.set")}
            </Button>
          </Space>
        </form>
        {error !== null && <ErrorAlert error={error} />}
      </Space>
    </Card>
  );
}
