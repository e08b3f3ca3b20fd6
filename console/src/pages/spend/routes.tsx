import type { NavEntry } from "../../app/nav";
import { SpendPage } from "./SpendPage";

/**
 * Spend by category and month for those who pay and the regulator; the same report is a
 * supplier's sales (what it was paid), under words that say so.
 */
export const spendRoutes: NavEntry[] = [
  {
    path: "/spend",
    label: "nav.spend",
    roles: ["regulator", "hospital-admin", "hospital-approver"],
    element: <SpendPage view="spend" />,
  },
  { path: "/supplier/sales", label: "nav.sales", roles: ["supplier"], element: <SpendPage view="sales" /> },
];
