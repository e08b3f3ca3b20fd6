import type { NavEntry } from "../../app/nav";
import { ApprovalsPage } from "./ApprovalsPage";
import { ExceptionsPage } from "./ExceptionsPage";
import { FulfilmentPage } from "./FulfilmentPage";
import { OrdersPage } from "./OrdersPage";
import { PaymentsPage } from "./PaymentsPage";
import { PlaceOrderPage } from "./PlaceOrderPage";

const BUYERS = ["hospital-approver", "hospital-admin"] as const;
const STAFF = [...BUYERS, "hospital-settler"] as const;

/** The hospital's procurement pages. */
export const hospitalRoutes: NavEntry[] = [
  { path: "/hospital/approvals", label: "nav.hospital.approvals", roles: BUYERS, element: <ApprovalsPage /> },
  { path: "/hospital/place-order", label: "hospital.nav.place", roles: BUYERS, element: <PlaceOrderPage /> },
  { path: "/hospital/orders", label: "nav.hospital.orders", roles: STAFF, element: <OrdersPage /> },
  {
    path: "/hospital/exceptions",
    label: "nav.hospital.exceptions",
    roles: STAFF,
    element: <ExceptionsPage />,
  },
  { path: "/hospital/payments", label: "nav.hospital.payments", roles: STAFF, element: <PaymentsPage /> },
  {
    path: "/hospital/commitments",
    label: "nav.hospital.fulfilment",
    roles: STAFF,
    element: <FulfilmentPage />,
  },
];
