import { useQuery } from "@tanstack/react-query";
import { Card, Checkbox, Form, Input, Select, Space, Typography } from "antd";
import { useState } from "react";
import type { TenderSummary } from "../../../../api/tenders";
import { ActButton } from "../../components/ActButton";
import { useI18n } from "../../i18n/i18n";
import { fetchAll } from "../../lib/api";
import { bytes32Text } from "../../lib/format";
import { bpsFromPercent, useFundBook } from "./fund-book";

/**
 * The payer covers a tender (FundBook.setCover, relayed): its prepayment share, typed in percent
 * and recorded in basis points, and direct settlement. Offered: the tenders still open or awarded
 * that no payer covers (a cover is set once; failed and cancelled tenders award nothing). One
 * covered since the list was read the ledger refuses (FundCoverAlreadySet), in words.
 */
export function CoverTenderForm() {
  const { t } = useI18n();
  const book = useFundBook();
  const tenders = useQuery({
    queryKey: ["/v1/tenders", "all"],
    queryFn: () => fetchAll<TenderSummary>("/v1/tenders"),
  });
  const [tenderId, setTenderId] = useState<string>();
  const [share, setShare] = useState("");
  const [direct, setDirect] = useState(false);
  const bps = bpsFromPercent(share);
  const shareInvalid = share.trim() !== "" && bps === null;
  return (
    <Card
      role="region"
      aria-labelledby="fund-cover-title"
      title={
        <Typography.Title level={2} id="fund-cover-title" style={{ fontSize: 18, margin: 0 }}>
          {t("fund.cover.title")}
        </Typography.Title>
      }
    >
      <Typography.Paragraph>{t("fund.cover.text")}</Typography.Paragraph>
      <Form layout="vertical" component="div">
        <Space wrap align="start">
          <Form.Item label={t("fund.cover.tender")} htmlFor="fund-cover-tender" style={{ minWidth: 260 }}>
            <Select
              id="fund-cover-tender"
              loading={tenders.isPending}
              value={tenderId}
              onChange={setTenderId}
              options={(tenders.data ?? [])
                .filter((x) => (x.status === "open" || x.status === "awarded") && x.cover === null)
                .map((x) => ({
                  value: x.id,
                  label: t("fund.cover.tenderLabel", {
                    id: x.id,
                    category: bytes32Text(x.category),
                    status: t(`regulator.tenders.status.${x.status}`),
                  }),
                }))}
            />
          </Form.Item>
          <Form.Item
            label={t("fund.cover.share")}
            htmlFor="fund-cover-share"
            validateStatus={shareInvalid ? "error" : undefined}
            help={shareInvalid ? t("fund.cover.shareInvalid") : undefined}
          >
            <Input
              id="fund-cover-share"
              inputMode="decimal"
              value={share}
              onChange={(e) => setShare(e.target.value)}
              style={{ width: 140 }}
            />
          </Form.Item>
        </Space>
        <Form.Item>
          <Checkbox checked={direct} onChange={(e) => setDirect(e.target.checked)}>
            {t("fund.cover.direct")}
          </Checkbox>
        </Form.Item>
        <div>
          <ActButton
            type="primary"
            disabled={tenderId === undefined || bps === null}
            call={() => book.setCover(tenderId!, bps!, direct)}
            onDone={() => {
              setTenderId(undefined);
              setShare("");
              setDirect(false);
            }}
          >
            {t("fund.cover.submit")}
          </ActButton>
        </div>
      </Form>
    </Card>
  );
}
