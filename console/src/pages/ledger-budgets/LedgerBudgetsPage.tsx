import { useQuery } from "@tanstack/react-query";
import { Space, Typography } from "antd";
import type { Budget } from "../../../../api/budgets";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { fetchAll } from "../../lib/api";
import { useSession } from "../../lib/session";
import { BudgetCard } from "./BudgetCard";
import { SetLedgerBudgetForm } from "./SetLedgerBudgetForm";

/**
 * GET /v1/budgets: the hospital's budgets per category and fiscal year as the ledger holds them
 * (every hospital's for a regulator), each with its adjustments; the hospital account sets a
 * budget, approvers propose, confirm and withdraw adjustments. Few by nature (categories × years).
 */
export function LedgerBudgetsPage() {
  const { t } = useI18n();
  const roles = useSession().session?.roles ?? [];
  const budgets = useQuery({ queryKey: ["/v1/budgets"], queryFn: () => fetchAll<Budget>("/v1/budgets") });
  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("ledgerBudgets.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("ledgerBudgets.intro")}</Typography.Paragraph>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <QueryState query={budgets} empty={(list) => list.length === 0}>
          {(list) =>
            list.map((b) => <BudgetCard key={`${b.hospital}-${b.category}-${b.period}`} budget={b} />)
          }
        </QueryState>
        {roles.includes("hospital-admin") && <SetLedgerBudgetForm budgets={budgets.data ?? []} />}
      </Space>
    </section>
  );
}
