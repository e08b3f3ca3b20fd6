import { Space, Table, Tag, Typography } from "antd";
import type { Budget, BudgetAdjustment } from "../../../../api/budgets";
import { ActButton } from "../../components/ActButton";
import { Hex } from "../../components/Hex";
import { PartyName } from "../../components/PartyName";
import { ReasonText } from "../../components/ReasonText";
import { TAG } from "../../components/tag-colours";
import { useI18n } from "../../i18n/i18n";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";
import { useBudgetBook } from "./budget-book";

const TONE = { proposed: TAG.waiting, applied: TAG.good, withdrawn: TAG.muted, none: TAG.muted } as const;

/**
 * A budget's adjustments, oldest first. A proposal still pending offers its confirmation to the
 * hospital's other approvers and its withdrawal to its proposer (the ledger lets any approver of
 * the hospital withdraw; the proposer is the one who would).
 */
export function AdjustmentsTable({ budget, caption }: { budget: Budget; caption: string }) {
  const { t } = useI18n();
  const { yuan, dateTime } = useFormat();
  const { session } = useSession();
  const book = useBudgetBook();
  const me = session?.address.toLowerCase();
  const isApprover = session?.roles.includes("hospital-approver") ?? false;
  const signed = (fen: string) => (fen.startsWith("-") ? `−${yuan(fen.slice(1))}` : `+${yuan(fen)}`);

  return (
    <Table<BudgetAdjustment>
      aria-label={caption}
      size="small"
      pagination={false}
      rowKey="id"
      dataSource={budget.adjustments}
      scroll={{ x: "max-content" }}
      // The table's own placeholder colour is below AA contrast; secondary text meets it.
      locale={{
        emptyText: <Typography.Text type="secondary">{t("ledgerBudgets.noAdjustments")}</Typography.Text>,
      }}
      columns={[
        { title: t("common.id"), dataIndex: "id" },
        {
          title: t("common.status"),
          render: (_, a) => <Tag color={TONE[a.status]}>{t(`ledgerBudgets.status.${a.status}`)}</Tag>,
        },
        { title: t("ledgerBudgets.delta"), align: "right", render: (_, a) => signed(a.delta) },
        {
          title: t("ledgerBudgets.newAmount"),
          align: "right",
          render: (_, a) => (a.newAmount === null ? "—" : yuan(a.newAmount)),
        },
        { title: t("ledgerBudgets.reason"), render: (_, a) => <ReasonText code={a.reasonCode} /> },
        {
          title: t("ledgerBudgets.proposer"),
          render: (_, a) => (
            <Space orientation="vertical" size={0}>
              <PartyName address={a.proposer} />
              <Typography.Text type="secondary">{dateTime(a.proposedAt)}</Typography.Text>
              <Hex value={a.proposedTx} />
            </Space>
          ),
        },
        {
          title: t("ledgerBudgets.decidedBy"),
          render: (_, a) =>
            a.decidedBy === null ? (
              "—"
            ) : (
              <Space orientation="vertical" size={0}>
                <PartyName address={a.decidedBy} />
                <Typography.Text type="secondary">{dateTime(a.decidedAt)}</Typography.Text>
              </Space>
            ),
        },
        {
          title: t("common.actions"),
          render: (_, a) => {
            if (a.status !== "proposed" || !isApprover) return null;
            const mine = a.proposer.toLowerCase() === me;
            return mine ? (
              <Space orientation="vertical" size={4}>
                <Typography.Text type="secondary">{t("ledgerBudgets.ownProposal")}</Typography.Text>
                <ActButton call={() => book.withdrawAdjustment(a.id)}>
                  {t("ledgerBudgets.withdraw", { id: a.id })}
                </ActButton>
              </Space>
            ) : (
              <ActButton type="primary" call={() => book.confirmAdjustment(a.id)}>
                {t("ledgerBudgets.confirm", { id: a.id })}
              </ActButton>
            );
          },
        },
      ]}
    />
  );
}
