import type { NavEntry } from "../../app/nav";
import { MembersPage } from "./MembersPage";

/**
 * Who works for the hospital on the ledger (GET /v1/members): every account of the hospital reads
 * it; the hospital account invites, changes roles and removes. Under /hospital/ so the gateway
 * serves the console on a reload of the page.
 */
export const membersRoutes: NavEntry[] = [
  {
    path: "/hospital/members",
    label: "nav.members",
    roles: ["hospital-admin", "hospital-approver", "hospital-settler", "hospital-receiver"],
    element: <MembersPage />,
  },
];
