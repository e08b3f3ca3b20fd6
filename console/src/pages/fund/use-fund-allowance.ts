import { useQuery } from "@tanstack/react-query";
import type { Allowances } from "../../../../api/relay";
import { api } from "../../lib/api";

/**
 * The payer's token balance and what the fund book may take from it (GET /v1/relay/allowances,
 * the query the Allowances page reads too, so a permit set there shows here at once).
 */
export function useFundAllowance() {
  return useQuery({
    queryKey: ["/v1/relay/allowances"],
    queryFn: () => api.get<Allowances>("/v1/relay/allowances"),
    select: (a) => ({
      balance: a.balance,
      allowance: a.spenders.find((s) => s.spender === "fund")?.allowance ?? "0",
    }),
  });
}
