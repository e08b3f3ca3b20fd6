import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import type { Hospital } from "../../../api/hospitals";
import type { SupplierSummary } from "../../../api/suppliers";
import { fetchAll } from "./api";
import { bytes32Text } from "./format";
import { useSession } from "./session";

/**
 * The ledger's parties by address: suppliers by the name they registered on chain (a bytes32),
 * hospitals by the name published to the gateway (checked there against the enrolled hash).
 * Fetched once per session and shared by every page; an address with no name maps to nothing,
 * so the caller shows the address.
 */
export function useNames(): (address: string) => string | undefined {
  const { session } = useSession();
  const names = useQuery({
    queryKey: ["party-names", session?.address],
    enabled: session !== null,
    // Names change rarely (a registration, an enrolment); an act's invalidation refreshes them.
    staleTime: 5 * 60_000,
    queryFn: async () => {
      const [suppliers, hospitals] = await Promise.all([
        fetchAll<SupplierSummary>("/v1/suppliers"),
        fetchAll<Hospital>("/v1/hospitals"),
      ]);
      const byAddress = new Map<string, string>();
      for (const s of suppliers) byAddress.set(s.address.toLowerCase(), bytes32Text(s.name));
      for (const h of hospitals) if (h.name !== null) byAddress.set(h.address.toLowerCase(), h.name);
      return byAddress;
    },
  });
  const map = names.data;
  return useCallback((address: string) => map?.get(address.toLowerCase()), [map]);
}
