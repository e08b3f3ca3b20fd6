import type { NavEntry } from "../../app/nav";
import { ReceivePage } from "./ReceivePage";

/** The warehouse's pages. */
export const warehouseRoutes: NavEntry[] = [
  {
    path: "/warehouse/receive",
    label: "nav.warehouse.receive",
    roles: ["hospital-receiver"],
    element: <ReceivePage />,
  },
];
