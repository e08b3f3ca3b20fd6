import type { NavEntry } from "../../app/nav";
import { FundAccountsPage } from "./FundAccountsPage";
import { FundStatementPage } from "./FundStatementPage";

const READERS = ["payer", "regulator", "hospital-admin", "hospital-approver", "hospital-settler"] as const;

/**
 * The insurance fund's accounts and monthly statement: the payer's workspace (it acts on the
 * accounts page), read by a regulator and by a hospital's staff for their own hospital. One
 * address for all of them under /fund/, a prefix the gateway serves the console at on a reload
 * (server/modules/console/console.static.ts).
 */
export const fundRoutes: NavEntry[] = [
  {
    path: "/fund/accounts",
    label: "nav.fund.accounts",
    roles: READERS,
    element: <FundAccountsPage />,
  },
  {
    path: "/fund/statement",
    label: "nav.fund.statement",
    roles: READERS,
    element: <FundStatementPage />,
  },
];
