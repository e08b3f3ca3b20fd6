import type { NavEntry } from "../../../app/nav";
import { ClaimsPage } from "./ClaimsPage";
import { FulfilmentPage } from "./FulfilmentPage";
import { OverduePage } from "./OverduePage";
import { RecallExposurePage } from "./RecallExposurePage";
import { ReconciliationPage } from "./ReconciliationPage";
import { RiskPage } from "./RiskPage";

/**
 * The regulator's reports; the fund's payer audits claims (the claim audit and the risk view) and
 * watches the payments its money makes.
 */
export const regulatorReportRoutes: NavEntry[] = [
  {
    path: "/regulator/reconciliation",
    label: "nav.regulator.reconciliation",
    roles: ["regulator"],
    element: <ReconciliationPage />,
  },
  {
    path: "/regulator/recalls",
    label: "nav.regulator.recalls",
    roles: ["regulator"],
    element: <RecallExposurePage />,
  },
  {
    path: "/regulator/overdue",
    label: "nav.regulator.overdue",
    roles: ["regulator", "payer"],
    element: <OverduePage />,
  },
  {
    path: "/regulator/fulfilment",
    label: "reports.nav.fulfilment",
    roles: ["regulator"],
    element: <FulfilmentPage />,
  },
  {
    path: "/regulator/claims",
    label: "reports.nav.claims",
    roles: ["regulator", "payer"],
    element: <ClaimsPage />,
  },
  {
    path: "/regulator/risk",
    label: "reports.nav.risk",
    roles: ["regulator", "payer"],
    element: <RiskPage />,
  },
];
