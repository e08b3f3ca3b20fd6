import { Form, Input, Space, Typography } from "antd";
import { useState } from "react";
import type { Budget } from "../../../../api/budgets";
import { ActButton } from "../../components/ActButton";
import { ReasonSelect } from "../../components/ReasonSelect";
import { useI18n } from "../../i18n/i18n";
import { bytes32Text } from "../../lib/format";
import { signedFenFromYuan, useBudgetBook } from "./budget-book";

/**
 * An approver proposes changing the budget by a signed amount in yuan, with a reason of the
 * catalogue's; the ledger refuses one that would take the budget below what is spent.
 */
export function ProposeAdjustmentForm({ budget }: { budget: Budget }) {
  const { t } = useI18n();
  const book = useBudgetBook();
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState<number | null>(null);
  const fen = signedFenFromYuan(delta);
  const id = `propose-${bytes32Text(budget.category)}-${budget.period}`;
  return (
    <section aria-labelledby={`${id}-title`}>
      <Typography.Title level={3} id={`${id}-title`} style={{ fontSize: 16 }}>
        {t("ledgerBudgets.propose.title")}
      </Typography.Title>
      <Form layout="vertical" component="div">
        <Space wrap align="start">
          <Form.Item
            label={t("ledgerBudgets.propose.delta")}
            htmlFor={`${id}-delta`}
            validateStatus={delta.trim() && fen === null ? "error" : undefined}
            help={delta.trim() && fen === null ? t("ledgerBudgets.propose.deltaInvalid") : undefined}
          >
            <Input
              id={`${id}-delta`}
              inputMode="decimal"
              value={delta}
              onChange={(e) => setDelta(e.target.value)}
            />
          </Form.Item>
          <Form.Item
            label={t("ledgerBudgets.propose.reason")}
            htmlFor={`${id}-reason`}
            style={{ minWidth: 280 }}
          >
            <ReasonSelect act="proposeAdjustment" id={`${id}-reason`} value={reason} onChange={setReason} />
          </Form.Item>
        </Space>
        <div>
          <ActButton
            type="primary"
            disabled={fen === null || reason === null}
            call={() => book.proposeAdjustment(budget.category, budget.period, fen!, reason!)}
            onDone={() => {
              setDelta("");
              setReason(null);
            }}
          >
            {t("ledgerBudgets.propose.submit")}
          </ActButton>
        </div>
      </Form>
    </section>
  );
}
