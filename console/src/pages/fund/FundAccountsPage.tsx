import { useQuery } from "@tanstack/react-query";
import { Space, Typography } from "antd";
import type { FundAccounts } from "../../../../api/fund";
import { QueryState } from "../../components/QueryState";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";
import { AccountsTable } from "./AccountsTable";
import { CoverTenderForm } from "./CoverTenderForm";
import { PayInForm } from "./PayInForm";

/**
 * GET /v1/fund/accounts: the fund's accounts the caller may see (a payer the tenders it covers,
 * a hospital its own, a regulator all) and their totals, which account for every fen paid in.
 * The payer also covers tenders and pays in here; the payer or a regulator returns what is left
 * after a term (the relay lets both).
 */
export function FundAccountsPage() {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const roles = useSession().session?.roles ?? [];
  const payer = roles.includes("payer");
  const accounts = useQuery({
    queryKey: ["/v1/fund/accounts"],
    queryFn: () => api.get<FundAccounts>("/v1/fund/accounts"),
  });
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t("fund.accounts.title")}
        </Typography.Title>
        <Typography.Paragraph>{t("fund.accounts.intro")}</Typography.Paragraph>
      </div>
      <QueryState query={accounts}>
        {({ items, totals }) =>
          items.length === 0 ? (
            <Typography.Paragraph>{t("fund.accounts.none")}</Typography.Paragraph>
          ) : (
            <Space orientation="vertical" style={{ width: "100%" }}>
              <AccountsTable accounts={items} mayReturn={payer || roles.includes("regulator")} />
              <Typography.Text strong data-testid="fund-totals">
                {t("fund.totals", {
                  paidIn: yuan(totals.paidIn),
                  drawn: yuan(totals.drawn),
                  returned: yuan(totals.returned),
                  held: yuan(totals.held),
                })}
              </Typography.Text>
            </Space>
          )
        }
      </QueryState>
      {payer && <CoverTenderForm />}
      {payer && <PayInForm />}
    </Space>
  );
}
