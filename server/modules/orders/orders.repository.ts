import type {
  ListOrdersQuery,
  Order,
  OrderApproval,
  OrderConsignment,
  OrderStatus,
  OrderSummary,
  OrderPage,
} from "../../../api/orders";
import type { Db } from "../../db";
import { keysetList } from "../../lib/keyset-list";
import { int, intOrNull, iso, isoOrNull, lastChangeOf, text, type Row } from "../../lib/projection-row";

/** Orders and their approvals as the indexer projects them (orders, order_approvals). */

/**
 * The orders, each consigned one with what its settled value became in the consignment book:
 * its deliveries' consigned stock summed (an order with none settled yet holds nothing).
 */
const ORDERS = `SELECT * FROM (
  SELECT o.*, co.order_id IS NOT NULL AS consigned, cs.paid_on_use, cs.held_value, cs.refunded_value
  FROM orders o
  LEFT JOIN consigned_orders co ON co.order_id = o.id
  LEFT JOIN LATERAL (
    SELECT sum(c.paid) AS paid_on_use, sum(c.held) AS held_value, sum(c.refunded) AS refunded_value
    FROM consigned_stock c WHERE co.order_id IS NOT NULL AND c.order_id = o.id
  ) cs ON TRUE
) o`;

function consignmentView(r: Row): OrderConsignment | null {
  if (r.consigned !== true) return null;
  return {
    paidOnUse: text(r.paid_on_use ?? 0),
    held: text(r.held_value ?? 0),
    refunded: text(r.refunded_value ?? 0),
  };
}

function summaryView(r: Row): OrderSummary {
  return {
    id: text(r.id),
    agreementId: text(r.agreement_id),
    hospital: text(r.hospital),
    supplier: text(r.supplier),
    placedBy: text(r.placed_by),
    quantity: text(r.quantity),
    value: text(r.value),
    requestedDelivery: iso(r.requested_delivery),
    deliveryDeadline: iso(r.delivery_deadline),
    fundingExpiresAt: iso(r.funding_expires_at),
    excessConsented: r.excess_consented === true,
    lateShipmentAllowed: r.late_shipment_allowed === true,
    orderRef: text(r.order_ref),
    status: text(r.status) as OrderStatus,
    approvals: int(r.approvals),
    requiredApprovals: intOrNull(r.required_approvals),
    shipped: text(r.shipped),
    accepted: text(r.accepted),
    cancelled: text(r.cancelled),
    escrow: text(r.escrow),
    paid: text(r.paid),
    consignment: consignmentView(r),
    placedAt: iso(r.placed_at),
    fundedAt: isoOrNull(r.funded_at),
    closedAt: isoOrNull(r.closed_at),
    lastChange: lastChangeOf(r),
  };
}

function approvalView(a: Row): OrderApproval {
  return {
    approver: text(a.approver),
    approvedAt: iso(a.approved_at),
    txHash: text(a.tx_hash),
    blockNumber: int(a.block_number),
  };
}

export class OrdersRepository {
  constructor(private readonly db: Db) {}

  list(q: ListOrdersQuery): Promise<OrderPage> {
    return keysetList(
      this.db,
      {
        from: ORDERS,
        filters: [
          ["hospital", q.hospital],
          ["supplier", q.supplier],
          ["agreement_id", q.agreementId],
          ["status", q.status],
        ],
        key: "id",
        numericKey: true,
        view: summaryView,
      },
      q,
    );
  }

  async get(id: string): Promise<Order | null> {
    const { rows } = await this.db.query<Row>(`${ORDERS} WHERE id = $1`, [id]);
    if (!rows[0]) return null;
    const { rows: approvals } = await this.db.query<Row>(
      `SELECT * FROM order_approvals WHERE order_id = $1 ORDER BY block_number, log_index`,
      [id],
    );
    return { ...summaryView(rows[0]), approvers: approvals.map(approvalView) };
  }
}
