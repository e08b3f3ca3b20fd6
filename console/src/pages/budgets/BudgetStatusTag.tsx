import { Tag } from "antd";
import type { DepartmentBudgetStatus } from "../../../../api/department-budgets";
import { TAG, type Tone } from "../../components/tag-colours";
import { useI18n } from "../../i18n/i18n";

const TONE: Record<DepartmentBudgetStatus, Tone> = {
  ok: "good",
  warning: "warning",
  over: "bad",
  unbudgeted: "muted",
};

/** A budget's status in words and colour: within budget, warning (≥ 80 %), over (≥ 100 %), none set. */
export function BudgetStatusTag({ status }: { status: DepartmentBudgetStatus }) {
  const { t } = useI18n();
  return <Tag color={TAG[TONE[status]]}>{t(`deptBudgets.status.${status}`)}</Tag>;
}
