import type { NavEntry } from "../../app/nav";
import { LedgerBudgetsPage } from "./LedgerBudgetsPage";

/**
 * The hospital's budgets on the ledger (BudgetBook): GET /v1/budgets serves a hospital's accounts
 * and regulators. Under /hospital/ so the gateway serves the console on a reload of the page.
 */
export const ledgerBudgetsRoutes: NavEntry[] = [
  {
    path: "/hospital/budgets",
    label: "nav.ledgerBudgets",
    roles: ["hospital-admin", "hospital-approver", "hospital-settler", "hospital-receiver", "regulator"],
    element: <LedgerBudgetsPage />,
  },
];
