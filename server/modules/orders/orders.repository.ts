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
    // Consigned orders get theirs from consigned stock (OrdersRepository.consignments).
    consignment: null,
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

/** Consigned, or not known (a row a reorg rewind put back from before migration 0030): look it up. */
function maybeConsigned(r: Row): boolean {
  return r.consigned !== false;
}

export class OrdersRepository {
  constructor(private readonly db: Db) {}

  async list(q: ListOrdersQuery): Promise<OrderPage> {
    const page = await keysetList<{ order: OrderSummary; consigned: boolean }>(
      this.db,
      {
        from: `SELECT * FROM orders`,
        filters: [
          ["hospital", q.hospital],
          ["supplier", q.supplier],
          ["agreement_id", q.agreementId],
          ["status", q.status],
        ],
        key: "id",
        numericKey: true,
        view: (r) => ({ order: summaryView(r), consigned: maybeConsigned(r) }),
      },
      q,
    );
    const split = await this.consignments(page.items.filter((i) => i.consigned).map((i) => i.order.id));
    return {
      ...page,
      items: page.items.map(({ order }) => ({ ...order, consignment: split.get(order.id) ?? null })),
    };
  }

  async get(id: string): Promise<Order | null> {
    const { rows } = await this.db.query<Row>(`SELECT * FROM orders WHERE id = $1`, [id]);
    if (!rows[0]) return null;
    const { rows: approvals } = await this.db.query<Row>(
      `SELECT * FROM order_approvals WHERE order_id = $1 ORDER BY block_number, log_index`,
      [id],
    );
    const split = await this.consignments(maybeConsigned(rows[0]) ? [id] : []);
    return {
      ...summaryView(rows[0]),
      consignment: split.get(id) ?? null,
      approvers: approvals.map(approvalView),
    };
  }

  /**
   * What the consigned ones among `ids` settled into the consignment book became: their deliveries'
   * consigned stock summed (zeros while none is settled). Orders not consigned are absent.
   */
  private async consignments(ids: string[]): Promise<Map<string, OrderConsignment>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.db.query<{ order_id: string; paid: string; held: string; refunded: string }>(
      `SELECT co.order_id, COALESCE(sum(c.paid), 0) AS paid, COALESCE(sum(c.held), 0) AS held,
         COALESCE(sum(c.refunded), 0) AS refunded
       FROM consigned_orders co LEFT JOIN consigned_stock c ON c.order_id = co.order_id
       WHERE co.order_id = ANY($1::bigint[]) GROUP BY co.order_id`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        String(r.order_id),
        { paidOnUse: String(r.paid), held: String(r.held), refunded: String(r.refunded) },
      ]),
    );
  }
}
