import { Type } from "typebox";
import { ORDER_STATUS } from "../../enums";
import { pos, spec } from "../event-spec";
import {
  AccountFigure,
  DecimalFigure,
  dec,
  hex,
  int,
  obj,
  SmallFigure,
  time,
  TimeFigure,
  WordFigure,
} from "../figures";

/** OrderBook's events as trail steps: an order from placement to closure, disputes and payments. */
export const ORDER_BOOK_SPECS = [
  spec({
    contract: "orderBook",
    event: "OrderPlaced",
    kind: "order",
    fields: {
      orderId: DecimalFigure,
      agreementId: DecimalFigure,
      hospital: AccountFigure,
      placedBy: AccountFigure,
      quantity: DecimalFigure,
      requestedDelivery: TimeFigure,
      deliveryDeadline: TimeFigure,
      fundingExpiresAt: TimeFigure,
      orderRef: WordFigure,
    },
    figures: (a) => ({
      orderId: dec(a.orderId),
      agreementId: dec(a.agreementId),
      hospital: hex(a.hospital),
      placedBy: hex(a.placedBy),
      quantity: dec(a.quantity),
      requestedDelivery: time(a.requestedDelivery),
      deliveryDeadline: time(a.deliveryDeadline),
      fundingExpiresAt: time(a.fundingExpiresAt),
      orderRef: hex(a.orderRef),
    }),
    id: (f) => `order:${f.orderId}`,
    summary: (f) =>
      `Order ${f.orderId} placed by ${f.placedBy} for hospital ${f.hospital} under agreement ${f.agreementId}: ` +
      `${f.quantity} units, delivery by ${f.deliveryDeadline}, to be funded by ${f.fundingExpiresAt}`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderApproved",
    kind: "approval",
    fields: {
      orderId: DecimalFigure,
      approver: AccountFigure,
      approvals: SmallFigure,
      required: SmallFigure,
    },
    figures: (a) => ({
      orderId: dec(a.orderId),
      approver: hex(a.approver),
      approvals: int(a.approvals),
      required: int(a.required),
    }),
    id: (f) => `approval:${f.orderId}:${f.approver}`,
    summary: (f) => `Order ${f.orderId} approved by ${f.approver} (${f.approvals} of ${f.required})`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderFunded",
    kind: "funding",
    fields: { orderId: DecimalFigure, hospital: AccountFigure, amount: DecimalFigure },
    figures: (a) => ({ orderId: dec(a.orderId), hospital: hex(a.hospital), amount: dec(a.amount) }),
    id: (f) => `funding:${f.orderId}`,
    summary: (f) =>
      `Order ${f.orderId} funded: ${f.amount} moved from ${f.hospital} into escrow ` +
      `(its units priced at the agreement's accepted volume)`,
  }),
  spec({
    contract: "orderBook",
    event: "ExcessVolumeConsented",
    kind: "consent",
    fields: { orderId: DecimalFigure, supplier: AccountFigure },
    figures: (a) => ({ orderId: dec(a.orderId), supplier: hex(a.supplier) }),
    id: (f, at) => `consent:${f.orderId}:excess${pos(at)}`,
    summary: (f) =>
      `Supplier ${f.supplier} consented to deliver order ${f.orderId} beyond the hospital's committed volume`,
  }),
  spec({
    contract: "orderBook",
    event: "LateShipmentAllowed",
    kind: "consent",
    fields: { orderId: DecimalFigure, approver: AccountFigure },
    figures: (a) => ({ orderId: dec(a.orderId), approver: hex(a.approver) }),
    id: (f, at) => `consent:${f.orderId}:late${pos(at)}`,
    summary: (f) => `${f.approver} allowed shipments of order ${f.orderId} after its delivery deadline`,
  }),
  spec({
    contract: "orderBook",
    event: "SupplierAgreedToCancel",
    kind: "cancellation",
    fields: { orderId: DecimalFigure, supplier: AccountFigure },
    figures: (a) => ({ orderId: dec(a.orderId), supplier: hex(a.supplier) }),
    id: (f) => `cancellation:${f.orderId}:supplier-agreed`,
    summary: (f) => `Supplier ${f.supplier} agreed to cancel the rest of order ${f.orderId}`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderCancelled",
    kind: "cancellation",
    fields: {
      orderId: DecimalFigure,
      by: AccountFigure,
      units: DecimalFigure,
      refund: DecimalFigure,
      status: Type.String({ description: `the order's status after it: ${ORDER_STATUS.join(", ")}` }),
    },
    figures: (a) => ({
      orderId: dec(a.orderId),
      by: hex(a.by),
      units: dec(a.units),
      refund: dec(a.refund),
      status: ORDER_STATUS[int(a.status)] ?? dec(a.status),
    }),
    id: (f, at) => `cancellation:${f.orderId}${pos(at)}`,
    summary: (f) =>
      `${f.by} cancelled ${f.units} undelivered units of order ${f.orderId}; ${f.refund} refunded (order ${f.status})`,
  }),
  spec({
    contract: "orderBook",
    event: "ShipmentDisputed",
    kind: "dispute",
    fields: {
      shipmentId: DecimalFigure,
      orderId: DecimalFigure,
      by: AccountFigure,
      units: DecimalFigure,
      reasonCode: SmallFigure,
    },
    figures: (a) => ({
      shipmentId: dec(a.shipmentId),
      orderId: dec(a.orderId),
      by: hex(a.by),
      units: dec(a.units),
      reasonCode: int(a.reasonCode),
    }),
    // A later dispute replaces an earlier one.
    id: (f, at) => `dispute:${f.shipmentId}${pos(at)}`,
    summary: (f) =>
      `${f.by} disputed ${f.units} units of shipment ${f.shipmentId} (reason ${f.reasonCode}): ` +
      `a supplier's claim can only settle the others`,
  }),
  spec({
    contract: "orderBook",
    event: "ShipmentSettled",
    kind: "payment",
    fields: {
      shipmentId: DecimalFigure,
      orderId: DecimalFigure,
      supplier: AccountFigure,
      settledBy: Type.With(AccountFigure, {
        description: "the hospital's settler, or the supplier on its claim",
      }),
      accepted: DecimalFigure,
      rejected: DecimalFigure,
      receiptHash: WordFigure,
      gross: DecimalFigure,
      penalty: DecimalFigure,
      paid: DecimalFigure,
      daysLate: SmallFigure,
      deliveredAt: Type.With(TimeFigure, {
        description: "the delivery time the chain derived from the arrival and receiving records",
      }),
    },
    figures: (a) => {
      const c = obj(a.confirmation);
      const p = obj(a.payout);
      return {
        shipmentId: dec(a.shipmentId),
        orderId: dec(a.orderId),
        supplier: hex(a.supplier),
        settledBy: hex(a.settledBy),
        accepted: dec(c.accepted),
        rejected: dec(c.rejected),
        receiptHash: hex(c.receiptHash),
        gross: dec(p.gross),
        penalty: dec(p.penalty),
        paid: dec(p.paid),
        daysLate: int(p.daysLate),
        deliveredAt: time(p.deliveredAt),
      };
    },
    id: (f) => `payment:${f.shipmentId}`,
    summary: (f) =>
      `Shipment ${f.shipmentId} settled ` +
      (f.settledBy === f.supplier ? `on the supplier's claim` : `by ${f.settledBy}`) +
      `: ${f.accepted} accepted, ${f.rejected} rejected, delivered ${f.deliveredAt}; ${f.paid} paid to ` +
      `${f.supplier} (gross ${f.gross}, penalty ${f.penalty}, ${f.daysLate} days late)`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderClosed",
    kind: "closure",
    fields: { orderId: DecimalFigure, refund: DecimalFigure },
    figures: (a) => ({ orderId: dec(a.orderId), refund: dec(a.refund) }),
    id: (f) => `closure:${f.orderId}`,
    summary: (f) => `Order ${f.orderId} closed; ${f.refund} of escrow returned to the hospital`,
  }),
];
