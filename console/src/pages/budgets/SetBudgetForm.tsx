import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, AutoComplete, Button, Card, Form, Input, Select, Space, Typography } from "antd";
import { useEffect, useMemo } from "react";
import type { DepartmentBudgetRow, SetDepartmentBudgetRequest } from "../../../../api/department-budgets";
import { MonthInput } from "../../components/DateInput";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { bytes32Text } from "../../lib/format";
import { useFormat } from "../../lib/use-format";
import { useMyAgreements } from "../hospital/agreements";
import { fenFromYuan } from "../supplier/money";

interface Values {
  department: string;
  category: string;
  month: string;
  amount: string;
}

/**
 * PUT /v1/department-budgets: one department's budget for a category (those of the hospital's
 * agreements) and month, typed in yuan and sent in fen. The table refreshes with its new status.
 */
export function SetBudgetForm({
  month,
  departments,
}: {
  month?: string;
  departments: DepartmentBudgetRow[];
}) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const [form] = Form.useForm<Values>();
  const queries = useQueryClient();
  const agreements = useMyAgreements();
  const categories = useMemo(
    () => [...new Set([...(agreements.data ?? []), ...departments].map((a) => a.category.toLowerCase()))],
    [agreements.data, departments],
  );
  const names = [...new Set(departments.map((d) => d.department))];
  useEffect(() => {
    if (month && !form.isFieldTouched("month")) form.setFieldValue("month", month);
  }, [month, form]);
  const set = useMutation({
    mutationFn: (v: Values) =>
      api.put<DepartmentBudgetRow>("/v1/department-budgets", {
        department: v.department.trim(),
        category: v.category,
        month: v.month,
        amount: String(fenFromYuan(v.amount)),
      } satisfies SetDepartmentBudgetRequest),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["/v1/department-budgets"] }),
  });

  return (
    <Card
      title={
        <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
          {t("deptBudgets.set.title")}
        </Typography.Title>
      }
    >
      <Typography.Paragraph>{t("deptBudgets.set.hint")}</Typography.Paragraph>
      <Form form={form} layout="vertical" style={{ maxWidth: 640 }} onFinish={(v) => set.mutate(v)}>
        <Form.Item
          name="department"
          label={t("deptBudgets.department")}
          rules={[{ required: true, whitespace: true, max: 100 }]}
        >
          <AutoComplete
            options={names.map((n) => ({ value: n }))}
            // Only the departments that match what is typed: a new one opens no list over the form.
            filterOption={(input, option) => option!.value.toLowerCase().includes(input.trim().toLowerCase())}
          />
        </Form.Item>
        <Form.Item name="category" label={t("common.category")} rules={[{ required: true }]}>
          <Select options={categories.map((c) => ({ value: c, label: bytes32Text(c) }))} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="month" label={t("deptBudgets.month")} rules={[{ required: true }]}>
            <MonthInput />
          </Form.Item>
          <Form.Item
            name="amount"
            label={t("deptBudgets.set.amount")}
            rules={[
              { required: true, message: t("deptBudgets.set.amountInvalid") },
              {
                validator: (_, v: string | undefined) =>
                  !v || fenFromYuan(v) !== null
                    ? Promise.resolve()
                    : Promise.reject(new Error(t("deptBudgets.set.amountInvalid"))),
              },
            ]}
          >
            <Input inputMode="decimal" />
          </Form.Item>
        </Space>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={set.isPending}>
            {t("deptBudgets.set.submit")}
          </Button>
        </Form.Item>
      </Form>
      {set.error && <ErrorAlert error={set.error} />}
      {set.data && (
        <Alert
          style={{ marginTop: 12 }}
          type="success"
          role="status"
          title={t("deptBudgets.set.done", {
            department: set.data.department,
            budget: yuan(set.data.budget ?? "0"),
            month: set.data.month,
          })}
        />
      )}
    </Card>
  );
}
