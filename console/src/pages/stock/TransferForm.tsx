import { AutoComplete, Card, Form, InputNumber, Select, Space, Typography } from "antd";
import { useState } from "react";
import type { Holder } from "../../../../api/stock";
import { ActButton } from "../../components/ActButton";
import { useCampuses } from "../../components/CampusSelect";
import { useI18n } from "../../i18n/i18n";
import { useCampusTransfers } from "./campus-transfers";

/**
 * A transfer of units of a lot the hospital holds, from the campus that holds them to another
 * location (GLN), recorded on the ledger. The page offers only lots on hand and refuses more
 * units than the source holds: the ledger cannot know stock. The destination is picked among the
 * hospital's other campuses by name, or typed as a GLN: a supplier's, for a return, which no list
 * of ours holds. The field says which of the two the GLN is before anything is recorded.
 */
export function TransferForm({ gtin, holders }: { gtin: string; holders: Holder[] }) {
  const { t } = useI18n();
  const transfers = useCampusTransfers();
  const [source, setSource] = useState<string>();
  const [to, setTo] = useState("");
  const [quantity, setQuantity] = useState(1);
  const campuses = useCampuses().data ?? [];
  const held = holders.find((h) => `${h.campus}|${h.lot}` === source);
  const tooMany = held !== undefined && quantity > Number(held.onHand);
  const toValid = /^\d{13}$/.test(to);
  const toCampus = campuses.find((c) => c.gln === to);
  const toHelp = !to
    ? undefined
    : !toValid
      ? t("stock.glnInvalid")
      : toCampus
        ? t("stock.transfer.toCampus", { name: toCampus.name })
        : t("stock.transfer.toElsewhere", { gln: to });
  return (
    <Card
      role="region"
      aria-labelledby="stock-transfer-title"
      title={
        <Typography.Title level={2} id="stock-transfer-title" style={{ fontSize: 18, margin: 0 }}>
          {t("stock.transfer.title")}
        </Typography.Title>
      }
    >
      <Typography.Paragraph>{t("stock.transfer.hint")}</Typography.Paragraph>
      <Form layout="vertical" component="div">
        <Space wrap align="start">
          <Form.Item
            label={`${t("stock.from")} · ${t("stock.lot")}`}
            htmlFor="stock-transfer-source"
            style={{ minWidth: 280 }}
          >
            <Select
              id="stock-transfer-source"
              value={source}
              onChange={setSource}
              options={holders.map((h) => ({
                value: `${h.campus}|${h.lot}`,
                label: `${h.campusName ?? h.campus} · ${h.lot} (${h.onHand})${h.recalled ? ` · ${t("stock.recalled")}` : ""}`,
              }))}
            />
          </Form.Item>
          <Form.Item
            label={t("stock.transfer.to")}
            htmlFor="stock-transfer-to"
            validateStatus={to && !toValid ? "error" : undefined}
            help={toHelp}
            style={{ minWidth: 300 }}
          >
            <AutoComplete
              id="stock-transfer-to"
              value={to}
              maxLength={13}
              onChange={(value: string) => setTo(value.trim())}
              options={campuses
                .filter((c) => c.gln !== held?.campus)
                .map((c) => ({ value: c.gln, label: `${c.name} (${c.gln})` }))}
              // A campus is found by a piece of its name as well as of its GLN.
              filterOption={(input, option) =>
                String(option?.label ?? "")
                  .toLowerCase()
                  .includes(input.trim().toLowerCase())
              }
            />
          </Form.Item>
          <Form.Item
            label={t("stock.quantity")}
            htmlFor="stock-transfer-quantity"
            validateStatus={tooMany ? "error" : undefined}
            help={
              tooMany
                ? t("stock.transfer.tooMany", {
                    campus: held.campusName ?? String(held.campus),
                    onHand: held.onHand,
                  })
                : undefined
            }
          >
            <InputNumber<number>
              id="stock-transfer-quantity"
              min={1}
              precision={0}
              value={quantity}
              onChange={(v) => setQuantity(v ?? 1)}
            />
          </Form.Item>
        </Space>
        <div>
          <ActButton
            type="primary"
            disabled={!held || !toValid || tooMany || held.campus === null}
            call={() => transfers.recordTransfer({ gtin, lot: held!.lot, from: held!.campus!, to, quantity })}
            onDone={() => setQuantity(1)}
          >
            {t("stock.transfer.submit")}
          </ActButton>
        </div>
      </Form>
    </Card>
  );
}
