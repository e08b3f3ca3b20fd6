import { Alert, Descriptions, Space, Table, Tag, Typography, type TableColumnsType } from "antd";
import type { Mismatch, Verification } from "../../../../../api/trail";
import { useI18n } from "../../../i18n/i18n";
import { hasMessage } from "../../../i18n/translate";
import { useFormat } from "../../../lib/use-format";
import { PartyName } from "../../../components/PartyName";
import { TAG } from "../../../components/tag-colours";

/** A value as the trail states it or the chain holds it (a figure, a list, a window). */
const show = (value: Mismatch["database"]) => (value === undefined ? "—" : JSON.stringify(value));

/**
 * What the verification checked against the chain (on-chain steps, figures, the events the chain
 * has for the trail, serial proofs) and its result: verified, or every mismatch.
 */
export function TrailVerification({ result }: { result: Verification }) {
  const { t, tn } = useI18n();
  const { dateTime } = useFormat();
  const columns: TableColumnsType<Mismatch> = [
    { title: t("regulator.verify.step"), dataIndex: "step", key: "step" },
    { title: t("regulator.verify.field"), key: "field", render: (_, m) => m.field ?? m.event ?? "—" },
    { title: t("regulator.verify.database"), key: "database", render: (_, m) => show(m.database) },
    { title: t("regulator.verify.chain"), key: "chain", render: (_, m) => show(m.chain) },
    {
      title: t("regulator.verify.problem"),
      key: "problem",
      render: (_, m) => {
        const key = `regulator.verify.problem.${m.problemCode}`;
        // A code newer than this console: the gateway's English sentence.
        if (!hasMessage(key)) return m.problem ?? "—";
        return tn(key, { supplier: m.supplier ? <PartyName address={m.supplier} /> : "—" });
      },
    },
    {
      title: t("common.tx"),
      key: "tx",
      render: (_, m) =>
        m.txHash ? (
          <Typography.Text code copyable style={{ wordBreak: "break-all" }}>
            {m.txHash}
          </Typography.Text>
        ) : (
          "—"
        ),
    },
    { title: t("common.block"), key: "block", render: (_, m) => m.blockNumber ?? "—" },
  ];
  return (
    <Space orientation="vertical" style={{ width: "100%" }} data-testid="verification">
      {result.verified ? (
        <Alert type="success" showIcon role="status" title={t("regulator.verify.verified")} />
      ) : (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={t("regulator.verify.mismatched", { count: result.mismatches.length })}
        />
      )}
      <Descriptions size="small" bordered column={{ xs: 1, md: 2, xl: 3 }}>
        <Descriptions.Item label={t("regulator.verify.checked")}>
          <span data-testid="verify-checked">{result.checked}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("regulator.verify.figures")}>
          <span data-testid="verify-figures">{result.figures}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("regulator.verify.expectedEvents")}>
          <span data-testid="verify-expected">{result.expectedEvents}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("regulator.verify.chainId")}>{result.chainId}</Descriptions.Item>
        <Descriptions.Item label={t("regulator.verify.toBlock")}>{result.toBlock}</Descriptions.Item>
        <Descriptions.Item label={t("regulator.verify.checkedAt")}>
          {dateTime(result.checkedAt)}
        </Descriptions.Item>
        {result.proofs && (
          <Descriptions.Item label={t("regulator.verify.proofs")} span={3}>
            <Space wrap>
              {result.proofs.map((p) => (
                <Tag key={p.shipmentId} color={p.proofValid ? TAG.good : TAG.bad}>
                  {t(p.proofValid ? "regulator.verify.proofValid" : "regulator.verify.proofInvalid", {
                    shipment: p.shipmentId,
                  })}
                </Tag>
              ))}
            </Space>
          </Descriptions.Item>
        )}
      </Descriptions>
      {result.mismatches.length > 0 && (
        <Table<Mismatch>
          aria-label={t("regulator.verify.mismatches")}
          size="small"
          pagination={false}
          rowKey={(m) => `${m.step}:${m.field ?? ""}:${m.event ?? ""}:${m.logIndex ?? ""}`}
          columns={columns}
          dataSource={result.mismatches}
          scroll={{ x: "max-content" }}
        />
      )}
    </Space>
  );
}
