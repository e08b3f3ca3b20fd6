import type { NavEntry } from "../../app/nav";
import { DepartmentBudgetsPage } from "./DepartmentBudgetsPage";

/** Department budgets: internal to a hospital, for its own staff only (no regulator, no supplier). */
export const departmentBudgetsRoutes: NavEntry[] = [
  {
    path: "/hospital/department-budgets",
    label: "nav.departmentBudgets",
    roles: ["hospital-admin", "hospital-approver", "hospital-settler", "hospital-receiver"],
    element: <DepartmentBudgetsPage />,
  },
];
