import { Card, Form, Input, InputNumber, Select, Space, Typography } from "antd";
import { useMemo, useState } from "react";
import type { Budget } from "../../../../api/budgets";
import { ActButton } from "../../components/ActButton";
import { useI18n } from "../../i18n/i18n";
import { bytes32Text } from "../../lib/format";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useSession } from "../../lib/session";
import { useMyAgreements } from "../hospital/agreements";
import { fenFromYuan } from "../supplier/money";
import { useBudgetBook } from "./budget-book";

/**
 * The ledger's year in its time zone: BudgetBook's fiscal period (a calendar year there), as the
 * form's first guess. It is the ledger's clock that decides (a development chain runs ahead of
 * the browser's), and refuses a past year (BudgetPeriodPast).
 */
function yearIn(timeZone: string, at: number): number {
  return Number(new Intl.DateTimeFormat("en", { timeZone, year: "numeric" }).format(at));
}

/**
 * The hospital account sets a budget, once, for a category of its agreements and a fiscal year
 * (this one or a later one), typed in yuan and recorded in fen; the page then lists it.
 */
export function SetLedgerBudgetForm({ budgets }: { budgets: Budget[] }) {
  const { t } = useI18n();
  const { config } = useSession();
  const book = useBudgetBook();
  const agreements = useMyAgreements();
  const ledgerNow = useLedgerNow();
  const year = yearIn(config?.timeZone ?? "Asia/Shanghai", ledgerNow());
  const categories = useMemo(
    () => [...new Set((agreements.data ?? []).map((a) => a.category.toLowerCase()))],
    [agreements.data],
  );
  const [category, setCategory] = useState<string>();
  // The ledger's year until one is typed: the clock's offset may arrive after the first render.
  const [typed, setPeriod] = useState<number>();
  const period = typed ?? year;
  const [amount, setAmount] = useState("");
  const fen = fenFromYuan(amount);
  const taken = budgets.some((b) => b.category.toLowerCase() === category && b.period === period);
  return (
    <Card
      role="region"
      aria-labelledby="ledger-budget-set-title"
      title={
        <Typography.Title level={2} id="ledger-budget-set-title" style={{ fontSize: 18, margin: 0 }}>
          {t("ledgerBudgets.set.title")}
        </Typography.Title>
      }
    >
      <Typography.Paragraph>{t("ledgerBudgets.set.hint")}</Typography.Paragraph>
      <Form layout="vertical" component="div">
        <Space wrap align="start">
          <Form.Item label={t("common.category")} htmlFor="ledger-budget-category" style={{ minWidth: 220 }}>
            <Select
              id="ledger-budget-category"
              loading={agreements.isPending}
              value={category}
              onChange={setCategory}
              options={categories.map((c) => ({ value: c, label: bytes32Text(c) }))}
            />
          </Form.Item>
          <Form.Item label={t("ledgerBudgets.set.period")} htmlFor="ledger-budget-period">
            <InputNumber<number>
              id="ledger-budget-period"
              min={1970}
              max={65535}
              precision={0}
              value={period}
              onChange={(v) => setPeriod(v ?? year)}
            />
          </Form.Item>
          <Form.Item
            label={t("ledgerBudgets.set.amount")}
            htmlFor="ledger-budget-amount"
            validateStatus={amount.trim() && fen === null ? "error" : undefined}
            help={amount.trim() && fen === null ? t("ledgerBudgets.amountInvalid") : undefined}
          >
            <Input
              id="ledger-budget-amount"
              inputMode="decimal"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
            />
          </Form.Item>
        </Space>
        {taken && (
          <Typography.Paragraph type="secondary">
            {t("ledgerBudgets.set.taken", { period })}
          </Typography.Paragraph>
        )}
        <div>
          <ActButton
            type="primary"
            // The ledger sets a budget once: an existing one is refused (BudgetAlreadySet) anyway.
            disabled={!category || fen === null || taken}
            call={() => book.setBudget(category!, period, fen!)}
            onDone={() => setAmount("")}
          >
            {t("ledgerBudgets.set.submit")}
          </ActButton>
        </div>
      </Form>
    </Card>
  );
}
