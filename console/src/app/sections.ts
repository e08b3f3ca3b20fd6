import type { Role } from "../../../api/auth";
import type { NavEntry } from "./nav";

/**
 * The console's pages by folder, each folder a chunk of its own that the browser fetches only
 * for a session with a role it serves: the sign-in page and a supplier never download the
 * regulator's reports (nor ECharts, if only those pages chart). `roles` is every role any page
 * of the folder is for (its routes.tsx); a page's own `roles` still decide its menu entry, so a
 * folder listed for a role too many costs a download, never a wrong page — and a page for a
 * role missing here would never show, which the browser tests of each role catch.
 */
interface Section {
  roles: readonly Role[];
  load: () => Promise<NavEntry[]>;
}

const HOSPITAL_STAFF: readonly Role[] = ["hospital-admin", "hospital-approver", "hospital-settler"];

const SECTIONS: readonly Section[] = [
  { roles: ["supplier"], load: () => import("../pages/supplier/routes").then((m) => m.supplierRoutes) },
  { roles: HOSPITAL_STAFF, load: () => import("../pages/hospital/routes").then((m) => m.hospitalRoutes) },
  {
    roles: ["hospital-receiver"],
    load: () => import("../pages/warehouse/routes").then((m) => m.warehouseRoutes),
  },
  { roles: ["regulator"], load: () => import("../pages/regulator/routes").then((m) => m.regulatorRoutes) },
  {
    roles: ["payer", "regulator", ...HOSPITAL_STAFF],
    load: () => import("../pages/fund/routes").then((m) => m.fundRoutes),
  },
  {
    roles: ["regulator", "payer"],
    load: () => import("../pages/regulator/reports/routes").then((m) => m.regulatorReportRoutes),
  },
  {
    roles: ["regulator", "supplier", ...HOSPITAL_STAFF],
    load: () => import("../pages/spend/routes").then((m) => m.spendRoutes),
  },
  {
    roles: [...HOSPITAL_STAFF, "hospital-receiver"],
    load: () => import("../pages/budgets/routes").then((m) => m.departmentBudgetsRoutes),
  },
  {
    roles: ["regulator", ...HOSPITAL_STAFF, "hospital-receiver"],
    load: () => import("../pages/ledger-budgets/routes").then((m) => m.ledgerBudgetsRoutes),
  },
  {
    roles: ["supplier", "hospital-admin", "payer"],
    load: () => import("../pages/allowance/routes").then((m) => m.allowanceRoutes),
  },
  {
    roles: [...HOSPITAL_STAFF, "hospital-receiver"],
    load: () => import("../pages/members/routes").then((m) => m.membersRoutes),
  },
  {
    roles: ["supplier", ...HOSPITAL_STAFF],
    load: () => import("../pages/consignment/routes").then((m) => m.consignmentRoutes),
  },
  {
    roles: [...HOSPITAL_STAFF, "hospital-receiver"],
    load: () => import("../pages/stock/routes").then((m) => m.stockRoutes),
  },
  {
    roles: [...HOSPITAL_STAFF, "hospital-receiver"],
    load: () => import("../pages/replenishment/routes").then((m) => m.replenishmentRoutes),
  },
];

/** The pages `roles` may use, in menu order, once their folders' chunks are loaded. */
export async function pagesFor(roles: readonly Role[]): Promise<NavEntry[]> {
  const sections = SECTIONS.filter((s) => s.roles.some((r) => roles.includes(r)));
  const pages = (await Promise.all(sections.map((s) => s.load()))).flat();
  return pages.filter((p) => p.roles.some((r) => roles.includes(r)));
}
