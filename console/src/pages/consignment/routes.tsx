import type { NavEntry } from "../../app/nav";
import { ConsignmentPage } from "./ConsignmentPage";

/**
 * Consigned stock and its payments on use (GET /v1/consignment/*): the hospital's staff and the
 * supplier each see their own. Under /hospital/ and /supplier/ so the gateway serves the console
 * on a reload of either.
 */
export const consignmentRoutes: NavEntry[] = [
  {
    path: "/hospital/consignment",
    label: "nav.consignment",
    roles: ["hospital-admin", "hospital-approver", "hospital-settler"],
    element: <ConsignmentPage />,
  },
  {
    path: "/supplier/consignment",
    label: "nav.consignment",
    roles: ["supplier"],
    element: <ConsignmentPage />,
  },
];
