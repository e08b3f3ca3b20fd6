import { useMutation, useQuery } from "@tanstack/react-query";
import { Button, Card, Space, Typography } from "antd";
import type { OverspendCase, OverspendReport as Report } from "../../../../api/department-budgets";
import { CursorTable } from "../../components/CursorTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useI18n } from "../../i18n/i18n";
import { api, downloadCsv, withQuery } from "../../lib/api";
import { bytes32Text } from "../../lib/format";
import { useFormat } from "../../lib/use-format";
import type { BudgetKey } from "./DepartmentBudgetsPage";

const PATH = "/v1/department-budgets/overspend";

/**
 * The cases behind one department × category × month's consumption, largest first (a page at
 * a time), with the whole list as one CSV. A patient shows only as a prefix of its salted hash.
 */
export function OverspendReport({ budget, onClose }: { budget: BudgetKey; onClose: () => void }) {
  const { t } = useI18n();
  const { yuan, dateTime } = useFormat();
  const query = { month: budget.month, department: budget.department, category: budget.category };
  // The figures above the list: the first page's header (the list pages on its own).
  const head = useQuery({
    queryKey: [PATH, "head", query],
    queryFn: () => api.get<Report>(withQuery(PATH, { ...query, limit: 1 })),
  });
  const csv = useMutation({
    mutationFn: () =>
      downloadCsv(
        withQuery(PATH, { ...query, limit: 500 }),
        `overspend-${budget.month}-${budget.department}.csv`,
      ),
  });
  const title = t("deptBudgets.report.title", {
    department: budget.department,
    category: bytes32Text(budget.category),
    month: budget.month,
  });
  return (
    <Card
      title={
        <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
          {title}
        </Typography.Title>
      }
    >
      <Space orientation="vertical" style={{ width: "100%" }}>
        {head.data && (
          <Typography.Paragraph>
            {t("deptBudgets.report.summary", {
              consumed: yuan(head.data.consumed),
              budget: head.data.budget === null ? t("deptBudgets.noBudget") : yuan(head.data.budget),
            })}
          </Typography.Paragraph>
        )}
        {head.error && <ErrorAlert error={head.error} />}
        <Space wrap>
          <Button onClick={() => csv.mutate()} loading={csv.isPending}>
            {t("common.download")}
          </Button>
          <Button onClick={onClose}>{t("deptBudgets.report.close")}</Button>
        </Space>
        {csv.error && <ErrorAlert error={csv.error} />}
        <CursorTable<OverspendCase>
          label={title}
          path={PATH}
          query={query}
          rowKey="usageId"
          columns={[
            { title: t("deptBudgets.report.case"), dataIndex: "usageId" },
            {
              title: t("deptBudgets.report.usedAt"),
              dataIndex: "usedAt",
              render: (v: string) => dateTime(v),
            },
            {
              title: t("deptBudgets.report.patient"),
              dataIndex: "patientRefHashPrefix",
              render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
            },
            { title: "GTIN", dataIndex: "gtin" },
            { title: t("deptBudgets.report.lot"), dataIndex: "lot" },
            {
              title: t("deptBudgets.report.serial"),
              dataIndex: "serial",
              render: (v: string | null) => v ?? "—",
            },
            { title: t("deptBudgets.report.units"), dataIndex: "units", align: "right" },
            { title: t("deptBudgets.report.order"), dataIndex: "orderId", render: (v: string) => `#${v}` },
            {
              title: t("deptBudgets.report.value"),
              dataIndex: "value",
              align: "right",
              render: (v: string) => yuan(v),
            },
          ]}
        />
      </Space>
    </Card>
  );
}
