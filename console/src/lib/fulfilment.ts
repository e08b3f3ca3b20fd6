import { useInfiniteQuery } from "@tanstack/react-query";
import type { FulfilmentReport } from "../../../api/fulfilment";
import { api, withQuery } from "./api";

/**
 * An agreement's fulfilment report, a page of hospitals at a time (it pages them as `hospitals`,
 * not `items`, so CursorTable does not fit): the caller shows `pages` and offers the next.
 */
export function useFulfilmentReport(agreementId: string) {
  return useInfiniteQuery({
    queryKey: ["/v1/agreements/fulfilment", agreementId],
    queryFn: ({ pageParam }) =>
      api.get<FulfilmentReport>(withQuery(`/v1/agreements/${agreementId}/fulfilment`, { cursor: pageParam })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
