import type { NavEntry } from "../../app/nav";
import { AgreementsPage } from "./AgreementsPage";
import { OrdersPage } from "./OrdersPage";
import { PaymentsPage } from "./PaymentsPage";
import { QualificationPage } from "./QualificationPage";
import { TendersPage } from "./TendersPage";

/** The supplier's pages. */
export const supplierRoutes: NavEntry[] = [
  {
    path: "/supplier/qualification",
    label: "nav.supplier.documents",
    roles: ["supplier"],
    element: <QualificationPage />,
  },
  { path: "/supplier/tenders", label: "nav.supplier.tenders", roles: ["supplier"], element: <TendersPage /> },
  {
    path: "/supplier/agreements",
    label: "nav.supplier.agreements",
    roles: ["supplier"],
    element: <AgreementsPage />,
  },
  { path: "/supplier/orders", label: "nav.supplier.orders", roles: ["supplier"], element: <OrdersPage /> },
  {
    path: "/supplier/payments",
    label: "nav.supplier.payments",
    roles: ["supplier"],
    element: <PaymentsPage />,
  },
];
