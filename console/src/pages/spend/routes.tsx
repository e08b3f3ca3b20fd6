import type { NavEntry } from "../../app/nav";
import { SpendPage } from "./SpendPage";

/** Spend by category and month: for every party that pays or is paid, and the regulator. */
export const spendRoutes: NavEntry[] = [
  {
    path: "/spend",
    label: "nav.spend",
    roles: ["regulator", "hospital-admin", "hospital-approver", "supplier"],
    element: <SpendPage />,
  },
];
