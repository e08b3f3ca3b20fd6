import { Form, Input, Typography } from "antd";
import { useState } from "react";
import { useI18n } from "../../../i18n/i18n";
import { monthOf } from "../../../lib/format";
import { useLedgerNow } from "../../../lib/ledger-clock";
import { useSession } from "../../../lib/session";

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

export interface MonthRange {
  from: string;
  to: string;
  /** Two months as YYYY-MM, the first not after the second: what the API takes. */
  valid: boolean;
  setFrom(month: string): void;
  setTo(month: string): void;
}

/**
 * The months of a claims report: typed ones, else the twelve up to the ledger's now in the
 * gateway's time zone, which follow the ledger's clock once it has been read.
 */
export function useMonthRange(): MonthRange {
  const timeZone = useSession().config?.timeZone ?? "Asia/Shanghai";
  const now = useLedgerNow()();
  const month = (at: number) => monthOf(at, timeZone);
  const [typedFrom, setFrom] = useState<string | null>(null);
  const [typedTo, setTo] = useState<string | null>(null);
  const from = typedFrom ?? month(now - 330 * 86_400_000);
  const to = typedTo ?? month(now);
  return { from, to, valid: MONTH.test(from) && MONTH.test(to) && from <= to, setFrom, setTo };
}

/** The two month fields (ids `<id>-from`, `<id>-to`) and, while they are wrong, what is wrong. */
export function MonthRangeForm({ id, range }: { id: string; range: MonthRange }) {
  const { t } = useI18n();
  return (
    <>
      <Form layout="inline">
        <Form.Item label={t("reports.claims.from")} htmlFor={`${id}-from`}>
          <Input
            id={`${id}-from`}
            value={range.from}
            onChange={(e) => range.setFrom(e.target.value)}
            style={{ width: 110 }}
          />
        </Form.Item>
        <Form.Item label={t("reports.claims.to")} htmlFor={`${id}-to`}>
          <Input
            id={`${id}-to`}
            value={range.to}
            onChange={(e) => range.setTo(e.target.value)}
            style={{ width: 110 }}
          />
        </Form.Item>
      </Form>
      {!range.valid && <Typography.Text type="danger">{t("reports.claims.months")}</Typography.Text>}
    </>
  );
}
