import type { NavEntry } from "../../app/nav";
import { FundAccountsPage } from "./FundAccountsPage";
import { FundStatementPage } from "./FundStatementPage";

const HOSPITAL_STAFF = ["hospital-admin", "hospital-approver", "hospital-settler"] as const;

/**
 * The insurance fund's accounts and monthly statement: the payer's workspace (it acts on the
 * accounts page), read by a regulator and by a hospital's staff for their own hospital. Under
 * /regulator/ and /hospital/, prefixes the gateway serves the console at on a reload.
 */
export const fundRoutes: NavEntry[] = [
  {
    path: "/regulator/fund/accounts",
    label: "nav.fund.accounts",
    roles: ["payer", "regulator"],
    element: <FundAccountsPage />,
  },
  {
    path: "/regulator/fund/statement",
    label: "nav.fund.statement",
    roles: ["payer", "regulator"],
    element: <FundStatementPage />,
  },
  {
    path: "/hospital/fund/accounts",
    label: "nav.fund.accounts",
    roles: HOSPITAL_STAFF,
    element: <FundAccountsPage />,
  },
  {
    path: "/hospital/fund/statement",
    label: "nav.fund.statement",
    roles: HOSPITAL_STAFF,
    element: <FundStatementPage />,
  },
];
