import { Space, Table, type TableColumnsType } from "antd";
import type { FundAccount } from "../../../../api/fund";
import { PartyName } from "../../components/PartyName";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { bytes32Text } from "../../lib/format";
import { useFormat } from "../../lib/use-format";
import { percentOfBps } from "./fund-book";
import { ReturnUndrawn } from "./ReturnUndrawn";

/** The money columns, in the order the money moves: in, drawn, spent or still held, back, left. */
const AMOUNTS: [MessageKey, keyof FundAccount][] = [
  ["fund.prepaid", "prepaid"],
  ["fund.escrowed", "escrowed"],
  ["fund.drawn", "drawn"],
  ["fund.spent", "spent"],
  ["fund.inOrders", "inOrders"],
  ["fund.returned", "returned"],
  ["fund.prepaymentBalance", "prepaymentBalance"],
  ["fund.escrowBalance", "escrowBalance"],
];

/**
 * The fund's accounts, one row per agreement (with its category and supplier) and hospital, with
 * the cover's terms; `mayReturn` adds the return after the term.
 */
export function AccountsTable({ accounts, mayReturn }: { accounts: FundAccount[]; mayReturn: boolean }) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const columns: TableColumnsType<FundAccount> = [
    {
      title: t("fund.agreement"),
      key: "agreement",
      render: (_, a) => (
        <Space orientation="vertical" size={0}>
          {t("fund.agreementOf", { id: a.agreementId, category: bytes32Text(a.category) })}
          <PartyName address={a.supplier} />
        </Space>
      ),
    },
    { title: t("common.hospital"), key: "hospital", render: (_, a) => <PartyName address={a.hospital} /> },
    {
      title: t("fund.cover"),
      key: "cover",
      render: (_, a) => (
        <Space orientation="vertical" size={0}>
          {t("fund.coverShare", { share: percentOfBps(a.prepayShareBps) })}
          {a.direct && t("fund.direct")}
        </Space>
      ),
    },
    ...AMOUNTS.map(([label, key]) => ({
      title: t(label),
      key,
      align: "right" as const,
      render: (_: unknown, a: FundAccount) => yuan(a[key] as string),
    })),
  ];
  if (mayReturn)
    columns.push({
      title: t("common.actions"),
      key: "actions",
      render: (_, a) => <ReturnUndrawn account={a} />,
    });
  return (
    <Table<FundAccount>
      aria-label={t("fund.accounts.table")}
      size="small"
      pagination={false}
      rowKey={(a) => `${a.agreementId}:${a.hospital}`}
      dataSource={accounts}
      columns={columns}
      // Wide enough for every figure side by side; names and headings wrap rather than scroll.
      scroll={{ x: 1000 }}
    />
  );
}
