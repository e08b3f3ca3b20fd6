import { useQuery } from "@tanstack/react-query";
import { Button, Form, Space, Table, Typography } from "antd";
import { useId, useState } from "react";
import type {
  DepartmentBudgetRow,
  DepartmentBudgetsReport,
  DepartmentBudgetStatus,
} from "../../../../api/department-budgets";
import { ChoiceFilter } from "../../components/ChoiceFilter";
import { MonthInput } from "../../components/DateInput";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { api, withQuery } from "../../lib/api";
import { bytes32Text } from "../../lib/format";
import { useFormat } from "../../lib/use-format";
import { useSession } from "../../lib/session";
import { BudgetStatusTag } from "./BudgetStatusTag";
import { OverspendReport } from "./OverspendReport";
import { SetBudgetForm } from "./SetBudgetForm";

type Shown = "attention" | DepartmentBudgetStatus;
const SHOWN: Shown[] = ["attention", "over", "warning", "ok", "unbudgeted"];
/** The account and approvers set budgets; the cases (patient hashes) are not for settlers. */
const SETTERS = ["hospital-admin", "hospital-approver"];
const CASE_READERS = [...SETTERS, "hospital-receiver"];

export interface BudgetKey {
  month: string;
  department: string;
  category: string;
}

/**
 * GET /v1/department-budgets for one month (the ledger's current month until another is
 * chosen): each department × category's budget, consumption, remaining, percent and status;
 * a form to set a budget; and, for a row, the overspend report of the cases behind it.
 */
export function DepartmentBudgetsPage() {
  const { t } = useI18n();
  const { yuan, zone } = useFormat();
  const roles = useSession().session?.roles ?? [];
  const monthId = useId();
  const [month, setMonth] = useState<string | undefined>();
  const [shown, setShown] = useState<Shown | undefined>();
  const [selected, setSelected] = useState<BudgetKey | null>(null);
  const status = shown === "attention" ? "warning,over" : shown;
  const report = useQuery({
    queryKey: ["/v1/department-budgets", month, status],
    queryFn: () =>
      api.get<DepartmentBudgetsReport>(withQuery("/v1/department-budgets", { from: month, status })),
  });
  const money = (v: string | null) => (v === null ? t("deptBudgets.noBudget") : yuan(v));

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t("deptBudgets.title")}
        </Typography.Title>
        {report.data && (
          <Typography.Paragraph>
            {t("deptBudgets.intro", { timeZone: zone(report.data.timeZone) })}
          </Typography.Paragraph>
        )}
      </div>
      <Space wrap align="start">
        <Form layout="inline" style={{ marginBottom: 12 }}>
          <Form.Item label={t("deptBudgets.month")} htmlFor={monthId}>
            <MonthInput
              id={monthId}
              value={month ?? report.data?.from ?? ""}
              onChange={(v) => setMonth(v || undefined)}
            />
          </Form.Item>
        </Form>
        <ChoiceFilter<Shown>
          label={t("deptBudgets.statusFilter")}
          value={shown}
          onChange={setShown}
          choices={SHOWN.map((s) => ({
            value: s,
            label: s === "attention" ? t("deptBudgets.filter.attention") : t(`deptBudgets.status.${s}`),
          }))}
        />
      </Space>
      <QueryState query={report}>
        {(r) => (
          <Table<DepartmentBudgetRow>
            aria-label={t("deptBudgets.title")}
            size="small"
            pagination={false}
            rowKey={(row) => `${row.month}/${row.department}/${row.category}`}
            dataSource={r.rows}
            scroll={{ x: "max-content" }}
            columns={[
              { title: t("deptBudgets.department"), dataIndex: "department", ellipsis: true },
              { title: t("common.category"), dataIndex: "category", render: (v: string) => bytes32Text(v) },
              { title: t("deptBudgets.budget"), dataIndex: "budget", align: "right", render: money },
              { title: t("deptBudgets.consumed"), dataIndex: "consumed", align: "right", render: money },
              { title: t("deptBudgets.remaining"), dataIndex: "remaining", align: "right", render: money },
              {
                title: t("deptBudgets.percent"),
                dataIndex: "percent",
                align: "right",
                render: (v: number | null) => (v === null ? "—" : `${v.toFixed(1)} %`),
              },
              {
                title: t("common.status"),
                dataIndex: "status",
                render: (v: DepartmentBudgetStatus) => <BudgetStatusTag status={v} />,
              },
              ...(roles.some((role) => CASE_READERS.includes(role))
                ? [
                    {
                      title: t("deptBudgets.cases"),
                      key: "cases",
                      render: (_: unknown, row: DepartmentBudgetRow) => (
                        <Button
                          size="small"
                          aria-label={t("deptBudgets.casesOf", { department: row.department })}
                          onClick={() => setSelected(row)}
                        >
                          {t("deptBudgets.cases")}
                        </Button>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </QueryState>
      {selected && <OverspendReport budget={selected} onClose={() => setSelected(null)} />}
      {roles.some((role) => SETTERS.includes(role)) && (
        <SetBudgetForm month={month ?? report.data?.from} departments={report.data?.rows ?? []} />
      )}
    </Space>
  );
}
