import { Type, type Static } from "typebox";
import { existing, ORDER_STATUS } from "../ledger/enums";
import {
  Address,
  Amount,
  Bytes32,
  DateTime,
  IdString,
  LastChange,
  Nullable,
  PageOf,
  PaginationQuery,
  TxHash,
  Units,
} from "./common";

/**
 * GET /v1/orders and /v1/orders/:id: orders as indexed, visible to the regulator, the ordering
 * hospital and the supplying supplier only.
 */

const closed = { additionalProperties: false } as const;

export const OrderStatus = Type.Enum(existing(ORDER_STATUS), { type: "string" });
export type OrderStatus = Static<typeof OrderStatus>;

export const ListOrdersQuery = Type.Object(
  {
    ...PaginationQuery,
    hospital: Type.Optional(Address),
    supplier: Type.Optional(Address),
    agreementId: Type.Optional(IdString),
    status: Type.Optional(OrderStatus),
  },
  closed,
);
export type ListOrdersQuery = Static<typeof ListOrdersQuery>;

export const OrderParams = Type.Object({ id: IdString }, closed);
export type OrderParams = Static<typeof OrderParams>;

export const OrderApproval = Type.Object(
  { approver: Address, approvedAt: DateTime, txHash: TxHash, blockNumber: Type.Integer() },
  closed,
);
export type OrderApproval = Static<typeof OrderApproval>;

/**
 * What a consigned order's settled value became. Its deliveries' settlements (`paid`) move into
 * the consignment book, not to the supplier; the book pays the supplier as units are used and
 * gives the hospital back the value of units returned or expired (ConsignmentBook).
 */
export const OrderConsignment = Type.Object(
  {
    paidOnUse: Type.With(Amount, { description: "paid to the supplier for the units used" }),
    held: Type.With(Amount, { description: "still held in the book for the units on hand" }),
    refunded: Type.With(Amount, { description: "given back to the hospital for units returned or expired" }),
  },
  {
    ...closed,
    description:
      "a consigned order (null for any other): what its settled value, which went into the consignment book, has become",
  },
);
export type OrderConsignment = Static<typeof OrderConsignment>;

const summary = {
  id: IdString,
  agreementId: IdString,
  hospital: Address,
  supplier: Address,
  placedBy: Address,
  quantity: Units,
  value: Type.With(Amount, {
    description: "the escrow funding took: 0 while the order waits for its approvals",
  }),
  requestedDelivery: DateTime,
  deliveryDeadline: DateTime,
  fundingExpiresAt: DateTime,
  excessConsented: Type.Boolean(),
  lateShipmentAllowed: Type.Boolean(),
  orderRef: Bytes32,
  status: OrderStatus,
  approvals: Type.Integer(),
  requiredApprovals: Nullable(
    Type.Integer({
      description: "decided at placement, which no event states: null until the first approval tells it",
    }),
  ),
  shipped: Units,
  accepted: Units,
  cancelled: Units,
  escrow: Amount,
  paid: Type.With(Amount, {
    description:
      "what its deliveries were settled for, net of late penalties: paid to the supplier, or for a consigned order into the consignment book (see consignment)",
  }),
  consignment: Nullable(OrderConsignment),
  placedAt: DateTime,
  fundedAt: Nullable(DateTime),
  closedAt: Nullable(DateTime),
  lastChange: LastChange,
};

/** An order as listed: without its approvals (GET /v1/orders/:id has them). */
export const OrderSummary = Type.Object(summary, closed);
export type OrderSummary = Static<typeof OrderSummary>;

export const OrderPage = PageOf(OrderSummary);
export type OrderPage = Static<typeof OrderPage>;

export const Order = Type.Object({ ...summary, approvers: Type.Array(OrderApproval) }, closed);
export type Order = Static<typeof Order>;
