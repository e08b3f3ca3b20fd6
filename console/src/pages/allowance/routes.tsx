import type { NavEntry } from "../../app/nav";
import { AllowancePage } from "./AllowancePage";

/**
 * Token allowances: for the roles whose acts draw on one (a supplier's bonds, a hospital's escrow,
 * the fund's prepayments and direct-settlement escrow).
 */
export const allowanceRoutes: NavEntry[] = [
  {
    path: "/allowances",
    label: "nav.allowance",
    roles: ["supplier", "hospital-admin", "payer"],
    element: <AllowancePage />,
  },
];
