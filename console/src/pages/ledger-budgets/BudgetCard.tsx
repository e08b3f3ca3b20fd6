import { Card, Descriptions, Progress, Space, Typography } from "antd";
import type { Budget } from "../../../../api/budgets";
import { Hex } from "../../components/Hex";
import { PartyName } from "../../components/PartyName";
import { useI18n } from "../../i18n/i18n";
import { bytes32Text } from "../../lib/format";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";
import { AdjustmentsTable } from "./AdjustmentsTable";
import { percentSpent } from "./budget-book";
import { ProposeAdjustmentForm } from "./ProposeAdjustmentForm";

/** One budget (category × fiscal year): its figures, how much is spent, and its adjustments. */
export function BudgetCard({ budget: b }: { budget: Budget }) {
  const { t } = useI18n();
  const { yuan, dateTime } = useFormat();
  const roles = useSession().session?.roles ?? [];
  const category = bytes32Text(b.category);
  const percent = percentSpent(b.spent, b.amount);
  const pending = b.adjustments.filter((a) => a.status === "proposed").length;
  const title = t("ledgerBudgets.budget", { category, period: b.period });
  return (
    <Card
      data-testid={`budget-${category}-${b.period}`}
      title={
        <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
          {title}
        </Typography.Title>
      }
      extra={roles.includes("regulator") && <PartyName address={b.hospital} />}
    >
      <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }} bordered>
          <Descriptions.Item label={t("ledgerBudgets.amount")}>
            <span data-testid="budget-amount">{yuan(b.amount)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t("ledgerBudgets.spent")}>
            <span data-testid="budget-spent">{yuan(b.spent)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t("ledgerBudgets.remaining")}>
            <span data-testid="budget-remaining">{yuan(b.remaining)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t("ledgerBudgets.used")} span={2}>
            <Progress
              percent={Math.min(percent, 100)}
              format={() => `${percent} %`}
              aria-label={t("ledgerBudgets.usedOf", { percent })}
              status={percent >= 100 ? "exception" : "normal"}
            />
          </Descriptions.Item>
          <Descriptions.Item label={t("ledgerBudgets.setAt")}>
            <Space size={4} wrap>
              {dateTime(b.setAt)}
              <Hex value={b.setTx} />
            </Space>
          </Descriptions.Item>
        </Descriptions>
        {pending > 0 && (
          <Typography.Text strong>{t("ledgerBudgets.pending", { count: pending })}</Typography.Text>
        )}
        <AdjustmentsTable
          budget={b}
          caption={t("ledgerBudgets.adjustments", { category, period: b.period })}
        />
        {roles.includes("hospital-approver") && <ProposeAdjustmentForm budget={b} />}
      </Space>
    </Card>
  );
}
