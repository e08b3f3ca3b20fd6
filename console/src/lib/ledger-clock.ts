import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import type { LedgerClock } from "../../../api/console";
import { api } from "./api";

/**
 * The ledger's "now", in milliseconds: deadlines, tender phases and expiries are judged by the
 * chain's time, which a development chain (the demo moves it months ahead) does not share with
 * this browser. The offset is read once a minute; until it arrives, the browser's clock stands in.
 */
export function useLedgerNow(): () => number {
  const clock = useQuery({
    queryKey: ["/v1/console/clock"],
    queryFn: async () => {
      const { ledgerTime } = await api.get<LedgerClock>("/v1/console/clock");
      return Date.parse(ledgerTime) - Date.now();
    },
    refetchInterval: 60_000,
  });
  const offset = clock.data ?? 0;
  return useCallback(() => Date.now() + offset, [offset]);
}
