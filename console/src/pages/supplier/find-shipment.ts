import type { Trail } from "../../../../api/trail";
import { api } from "../../lib/api";

/**
 * The id the ledger gave the shipment a transaction created: from the order's trail, whose
 * ShipmentCreated steps name their transaction (the relay answers with the transaction only).
 */
export async function shipmentCreatedBy(orderId: string, txHash: string): Promise<string> {
  const trail = await api.get<Trail>(`/v1/trail/orders/${orderId}`);
  const step = trail.steps.find(
    (s) => s.onChain?.event === "ShipmentCreated" && s.onChain.txHash.toLowerCase() === txHash.toLowerCase(),
  );
  if (!step) throw new Error(`no ShipmentCreated of transaction ${txHash} in order ${orderId}'s trail`);
  return String(step.data.shipmentId);
}
