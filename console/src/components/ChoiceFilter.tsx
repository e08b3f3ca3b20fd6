import { Form, Select } from "antd";
import { useId } from "react";
import { useI18n } from "../i18n/i18n";

/**
 * A list's filter to one of a few values, "All" first — an explicit choice rather than a
 * placeholder, whose grey fails contrast (axe color-contrast).
 */
export function ChoiceFilter<V extends string>(props: {
  label: string;
  value: V | undefined;
  onChange: (value: V | undefined) => void;
  choices: { value: V; label: string }[];
}) {
  const { t } = useI18n();
  const id = useId();
  return (
    <Form layout="inline" style={{ marginBottom: 12 }}>
      <Form.Item label={props.label} htmlFor={id}>
        <Select<V | "">
          id={id}
          style={{ minWidth: 200 }}
          value={props.value ?? ""}
          onChange={(v) => props.onChange(v === "" ? undefined : v)}
          options={[{ value: "", label: t("common.all") }, ...props.choices]}
        />
      </Form.Item>
    </Form>
  );
}
