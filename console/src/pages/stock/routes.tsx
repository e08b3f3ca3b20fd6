import type { NavEntry } from "../../app/nav";
import { StockPage } from "./StockPage";

/**
 * Stock across the hospital group's campuses (GET /v1/stock/…): internal to a hospital, so its
 * own accounts only. Under /hospital/ so the gateway serves the console on a reload of the page.
 */
export const stockRoutes: NavEntry[] = [
  {
    path: "/hospital/stock",
    label: "nav.stock",
    roles: ["hospital-admin", "hospital-approver", "hospital-settler", "hospital-receiver"],
    element: <StockPage />,
  },
];
