import type { OrderSummary } from "../../../api/orders";

/** Units of an order still to ship: neither shipped nor cancelled (OrderBook's `_remaining`). */
export function remainingOf(o: OrderSummary): bigint {
  return BigInt(o.quantity) - BigInt(o.shipped) - BigInt(o.cancelled);
}
