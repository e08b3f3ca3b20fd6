import { Space, Typography } from "antd";
import { useI18n } from "../../../i18n/i18n";
import { Hex } from "../../../components/Hex";

/**
 * Where an on-chain fact is: its transaction (copyable: there is no block explorer to link to)
 * and its block.
 */
export function ChainRef({ txHash, blockNumber }: { txHash: string; blockNumber: number }) {
  const { t } = useI18n();
  return (
    <Space size={4} wrap>
      <Typography.Text type="secondary">{t("common.tx")}</Typography.Text>
      <Hex value={txHash} />
      <Typography.Text type="secondary">{t("common.block")}</Typography.Text>
      <Typography.Text>{blockNumber}</Typography.Text>
    </Space>
  );
}
