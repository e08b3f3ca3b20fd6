import { useQuery } from "@tanstack/react-query";
import type { ShipmentPage } from "../../../api/shipments";
import { api } from "./api";

/**
 * The ids of an order's shipments, in the order they were created: GET /v1/shipments filtered by
 * the order (an order has a handful; one page of 500 holds them).
 */
export function useOrderShipmentIds(orderId: string) {
  return useQuery({
    queryKey: ["/v1/shipments", { orderId }],
    queryFn: async () =>
      (await api.get<ShipmentPage>(`/v1/shipments?orderId=${orderId}&limit=500`)).items.map((s) => s.id),
  });
}
