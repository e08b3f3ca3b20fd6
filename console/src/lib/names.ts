import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import type { Hospital } from "../../../api/hospitals";
import type { Member } from "../../../api/members";
import type { SupplierSummary } from "../../../api/suppliers";
import { fetchAll } from "./api";
import { bytes32Text } from "./format";
import { useSession } from "./session";

/**
 * The ledger's parties by address: suppliers by the name they registered on chain (a bytes32),
 * hospitals by the name published to the gateway (checked there against the enrolled hash), and
 * for a hospital's own accounts its members by the names the hospital gave them (its back
 * office: other parties see them by address). Fetched once per session and shared by every page;
 * an address with no name maps to nothing, so the caller shows the address.
 */
export function useNames(): (address: string) => string | undefined {
  const { session } = useSession();
  const staff = session?.hospital != null;
  const names = useQuery({
    queryKey: ["party-names", session?.address, staff],
    enabled: session !== null,
    // Names change rarely (a registration, an enrolment); an act's invalidation refreshes them.
    staleTime: 5 * 60_000,
    queryFn: async () => {
      const [suppliers, hospitals, members] = await Promise.all([
        fetchAll<SupplierSummary>("/v1/suppliers"),
        fetchAll<Hospital>("/v1/hospitals"),
        // Another hospital's gateway (HOSPITAL set) refuses its back office: then no member names,
        // while suppliers and hospitals are still named.
        staff ? fetchAll<Member>("/v1/members").catch(() => []) : Promise.resolve([]),
      ]);
      const byAddress = new Map<string, string>();
      for (const m of members) if (m.name !== null) byAddress.set(m.address.toLowerCase(), m.name);
      for (const s of suppliers) byAddress.set(s.address.toLowerCase(), bytes32Text(s.name));
      for (const h of hospitals) if (h.name !== null) byAddress.set(h.address.toLowerCase(), h.name);
      return byAddress;
    },
  });
  const map = names.data;
  return useCallback((address: string) => map?.get(address.toLowerCase()), [map]);
}
