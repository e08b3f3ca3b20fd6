import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Form, Input, InputNumber, Space, Typography } from "antd";
import { useState } from "react";
import type { ParLevel, SetParLevelRequest } from "../../../../api/replenishment";
import { isProductNumber, PRODUCT_NUMBER_MAX_LENGTH } from "../../../../ledger/product-key";
import { CampusSelect } from "../../components/CampusSelect";
import { ErrorAlert } from "../../components/ErrorAlert";
import { Translated, useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";

/** The hospital's account or an approver sets (or replaces) an item's par level. */
export function ParLevelForm() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [gtin, setGtin] = useState("");
  const [campus, setCampus] = useState("");
  const [min, setMin] = useState<number | null>(null);
  const [max, setMax] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const valid = isProductNumber(gtin) && min !== null && max !== null && max > 0 && max >= min;

  async function save() {
    setBusy(true);
    setError(null);
    try {
      const body: SetParLevelRequest = { gtin, campus: campus === "" ? null : campus, min: min!, max: max! };
      await api.put<ParLevel>("/v1/replenishment/par-levels", body);
      message.success(<Translated id="replenishment.par.saved" />);
      await queryClient.invalidateQueries();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card
      role="region"
      aria-labelledby="par-level-title"
      title={
        <Typography.Title level={2} id="par-level-title" style={{ fontSize: 18, margin: 0 }}>
          {t("replenishment.par.title")}
        </Typography.Title>
      }
    >
      <Typography.Paragraph>{t("replenishment.par.hint")}</Typography.Paragraph>
      <Form layout="vertical" component="div">
        <Space wrap align="start">
          <Form.Item label={t("replenishment.par.gtin")} htmlFor="par-gtin">
            <Input
              id="par-gtin"
              inputMode="numeric"
              maxLength={PRODUCT_NUMBER_MAX_LENGTH}
              value={gtin}
              onChange={(e) => setGtin(e.target.value.trim())}
            />
          </Form.Item>
          <Form.Item label={t("replenishment.par.campus")} htmlFor="par-campus">
            <CampusSelect
              id="par-campus"
              value={campus}
              onChange={setCampus}
              wholeHospital={t("replenishment.wholeHospital")}
            />
          </Form.Item>
          <Form.Item label={t("replenishment.par.min")} htmlFor="par-min">
            <InputNumber<number>
              id="par-min"
              min={0}
              max={1_000_000}
              precision={0}
              value={min}
              onChange={setMin}
            />
          </Form.Item>
          <Form.Item label={t("replenishment.par.max")} htmlFor="par-max">
            <InputNumber<number>
              id="par-max"
              min={1}
              max={1_000_000}
              precision={0}
              value={max}
              onChange={setMax}
            />
          </Form.Item>
        </Space>
        {!valid && (gtin !== "" || min !== null || max !== null) && (
          <Typography.Paragraph type="secondary">{t("replenishment.par.invalid")}</Typography.Paragraph>
        )}
        {error !== null && <ErrorAlert error={error} />}
        <Button type="primary" disabled={!valid} loading={busy} onClick={save}>
          {t("replenishment.par.submit")}
        </Button>
      </Form>
    </Card>
  );
}
