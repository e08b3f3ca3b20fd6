import type { NavEntry } from "../../app/nav";
import { SuppliersPage } from "./suppliers/SuppliersPage";
import { TendersPage } from "./tenders/TendersPage";
import { TrailPage } from "./trail/TrailPage";

/** The regulator's pages. */
export const regulatorRoutes: NavEntry[] = [
  {
    path: "/regulator/suppliers",
    label: "nav.regulator.suppliers",
    roles: ["regulator"],
    element: <SuppliersPage />,
  },
  {
    path: "/regulator/tenders",
    label: "nav.regulator.tenders",
    roles: ["regulator"],
    element: <TendersPage />,
  },
  { path: "/regulator/trail", label: "nav.regulator.trail", roles: ["regulator"], element: <TrailPage /> },
];
