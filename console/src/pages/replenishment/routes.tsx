import type { NavEntry } from "../../app/nav";
import { ReplenishmentPage } from "./ReplenishmentPage";

/** Replenishment: a hospital's par levels, forecasts and suggested orders (/v1/replenishment). */
export const replenishmentRoutes: NavEntry[] = [
  {
    path: "/hospital/replenishment",
    label: "nav.replenishment",
    roles: ["hospital-admin", "hospital-approver", "hospital-settler", "hospital-receiver"],
    element: <ReplenishmentPage />,
  },
];
