import { Button, Form, Input, Radio } from "antd";
import { useEffect } from "react";
import { isProductNumber, PRODUCT_NUMBER_MAX_LENGTH } from "../../../../../ledger/product-key";
import { useI18n } from "../../../i18n/i18n";
import type { SearchBy } from "./trail-subject";

interface Values {
  by: SearchBy;
  id?: string;
  gtin?: string;
  lot?: string;
  serial?: string;
}

/** Look a trail up by order id, by lot (GTIN + lot) or by serial (GTIN + serial). */
export function TrailSearchForm(props: { initial: Values; onSearch: (values: Values) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const by = Form.useWatch("by", form) ?? props.initial.by;
  useEffect(() => form.setFieldsValue(props.initial), [form, props.initial]);
  const gtinRule = {
    validator: (_: unknown, value: string | undefined) =>
      !value || isProductNumber(value)
        ? Promise.resolve()
        : Promise.reject(new Error(t("regulator.trail.gtinFormat"))),
  };
  return (
    <Form<Values>
      form={form}
      layout="inline"
      initialValues={props.initial}
      onFinish={(v) => props.onSearch({ ...v, by })}
      style={{ rowGap: 8, marginBottom: 16 }}
    >
      <Form.Item name="by" label={t("regulator.trail.by")}>
        <Radio.Group
          optionType="button"
          options={[
            { value: "order", label: t("regulator.trail.by.order") },
            { value: "lot", label: t("regulator.trail.by.lot") },
            { value: "serial", label: t("regulator.trail.by.serial") },
          ]}
        />
      </Form.Item>
      {by === "order" ? (
        <Form.Item
          name="id"
          label={t("regulator.trail.orderId")}
          rules={[{ required: true, pattern: /^[1-9][0-9]*$/ }]}
        >
          <Input style={{ width: 140 }} />
        </Form.Item>
      ) : (
        <Form.Item name="gtin" label="GTIN" rules={[{ required: true }, gtinRule]}>
          <Input style={{ width: 190 }} inputMode="numeric" maxLength={PRODUCT_NUMBER_MAX_LENGTH} />
        </Form.Item>
      )}
      {by === "lot" && (
        <Form.Item name="lot" label={t("regulator.trail.lot")} rules={[{ required: true, max: 20 }]}>
          <Input style={{ width: 160 }} />
        </Form.Item>
      )}
      {by === "serial" && (
        <Form.Item name="serial" label={t("regulator.trail.serial")} rules={[{ required: true, max: 20 }]}>
          <Input style={{ width: 160 }} />
        </Form.Item>
      )}
      <Form.Item>
        <Button type="primary" htmlType="submit">
          {t("regulator.trail.search")}
        </Button>
      </Form.Item>
    </Form>
  );
}
