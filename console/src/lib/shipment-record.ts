import type { Shipment, ShipmentRecord } from "../../../api/shipments";
import { api } from "./api";

/**
 * The record an act on a shipment passes back (confirm, dispute, claim), exactly as the ledger
 * stored it (GET /v1/shipments/:id); `missing` is the error while the gateway has not indexed it.
 */
export async function shipmentRecord(shipmentId: string, missing: () => string): Promise<ShipmentRecord> {
  const { record } = await api.get<Shipment>(`/v1/shipments/${shipmentId}`);
  if (record === null) throw new Error(missing());
  return record;
}
