import { useQuery } from "@tanstack/react-query";
import type { Agreement, AgreementSummary } from "../../../../api/agreements";
import { api, fetchAll } from "../../lib/api";
import { bytes32Text, short } from "../../lib/format";
import { useNames } from "../../lib/names";
import { useSession } from "../../lib/session";

/** The signed-in member's hospital (lower case), or null for an account of none. */
export function useHospital(): string | null {
  return useSession().session?.hospital?.toLowerCase() ?? null;
}

/**
 * The agreements the hospital is party to (a volume committed in the tender), each with its
 * hospitals' volumes: the list carries no hospitals, so each agreement is read once.
 */
export function useMyAgreements() {
  const hospital = useHospital();
  return useQuery({
    queryKey: ["hospital-agreements", hospital],
    enabled: hospital !== null,
    queryFn: async () => {
      const list = await fetchAll<AgreementSummary>("/v1/agreements");
      const full = await Promise.all(list.map((a) => api.get<Agreement>(`/v1/agreements/${a.id}`)));
      return full.filter((a) => a.hospitals.some((h) => h.hospital.toLowerCase() === hospital));
    },
  });
}

export function useAgreement(id: string | undefined) {
  return useQuery({
    queryKey: ["/v1/agreements", id],
    enabled: id !== undefined,
    queryFn: () => api.get<Agreement>(`/v1/agreements/${id}`),
  });
}

/** An agreement in a picker: its id, category and supplier, by name (its short address until known). */
export function useAgreementLabel(): (a: Pick<Agreement, "id" | "category" | "supplier">) => string {
  const nameOf = useNames();
  return (a) => `#${a.id} · ${bytes32Text(a.category)} · ${nameOf(a.supplier) ?? short(a.supplier)}`;
}
