import { DatePicker, type DatePickerProps } from "antd";
import dayjs, { type Dayjs } from "dayjs";
// The calendar's month and weekday names in Chinese (antd's zh_CN locale names it "zh_CN").
import "dayjs/locale/zh-cn";
import { useI18n } from "../i18n/i18n";

/** A calendar date as the forms keep it and lib/format, the ledger helpers and the API read it. */
const ISO = "YYYY-MM-DD";
/**
 * Shown as every other date of the console is (lib/format: zh-CN and en-GB), whatever the
 * browser's locale — a native date input would follow the browser (mm/dd/yyyy in en-US). An ISO
 * date typed or pasted is understood in both languages.
 */
const FORMATS = { zh: ["YYYY/MM/DD", ISO], en: ["DD/MM/YYYY", ISO] } as const;
/** A local date and time as a native `<input type="datetime-local" step="1">` gave it. */
const LOCAL = "YYYY-MM-DDTHH:mm:ss";
const TIME_FORMATS = {
  zh: ["YYYY/MM/DD HH:mm:ss", "YYYY-MM-DD HH:mm:ss"],
  en: ["DD/MM/YYYY HH:mm:ss", "YYYY-MM-DD HH:mm:ss"],
} as const;

type PickerProps = Omit<
  DatePickerProps,
  | "value"
  | "defaultValue"
  | "onChange"
  | "onOk"
  | "format"
  | "disabledDate"
  | "multiple"
  | "picker"
  | "showTime"
>;

/**
 * A date field (Ant Design's DatePicker) whose value is a YYYY-MM-DD string, or "" when cleared,
 * so a Form.Item or a state holds the same value a native `<input type="date">` gave. `min`
 * (YYYY-MM-DD) turns the earlier days off.
 */
export function DateInput(
  props: {
    value?: string;
    onChange?: (value: string) => void;
    min?: string;
  } & PickerProps,
) {
  const { lang } = useI18n();
  const { value, onChange, min, ...rest } = props;
  return (
    <DatePicker
      {...rest}
      format={[...FORMATS[lang]]}
      value={value ? dayjs(value) : null}
      onChange={(d: Dayjs | null) => onChange?.(d ? d.format(ISO) : "")}
      disabledDate={min ? (d: Dayjs) => d.format(ISO) < min : undefined}
      style={{ minWidth: 160, ...rest.style }}
    />
  );
}

/**
 * A date and time to the second in the browser's time, as the console writes them, whose value
 * is the YYYY-MM-DDTHH:mm:ss string a native datetime-local input gave ("" when cleared).
 */
export function DateTimeInput(props: { value?: string; onChange?: (value: string) => void } & PickerProps) {
  const { lang } = useI18n();
  const { value, onChange, ...rest } = props;
  return (
    <DatePicker
      {...rest}
      showTime
      format={[...TIME_FORMATS[lang]]}
      value={value ? dayjs(value) : null}
      onChange={(d: Dayjs | null) => onChange?.(d ? d.format(LOCAL) : "")}
      style={{ minWidth: 220, ...rest.style }}
    />
  );
}

/** A calendar month, YYYY-MM as a native `<input type="month">` gave it ("" when cleared). */
const MONTH = "YYYY-MM";
const MONTH_FORMATS = { zh: ["YYYY年MM月", MONTH], en: ["MMM YYYY", MONTH] } as const;

/** A month field whose value is a YYYY-MM string, shown in the console's language. */
export function MonthInput(props: { value?: string; onChange?: (value: string) => void } & PickerProps) {
  const { lang } = useI18n();
  const { value, onChange, ...rest } = props;
  return (
    <DatePicker
      {...rest}
      picker="month"
      format={[...MONTH_FORMATS[lang]]}
      value={value ? dayjs(`${value}-01`) : null}
      onChange={(d: Dayjs | null) => onChange?.(d ? d.format(MONTH) : "")}
      style={{ minWidth: 140, ...rest.style }}
    />
  );
}
