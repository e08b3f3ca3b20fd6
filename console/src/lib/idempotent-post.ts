import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { api } from "./api";

/**
 * A POST to a write route that takes an Idempotency-Key (receipts, stocktakes): one key per
 * body, kept until the gateway answers, so a double click or a retry after a lost answer records
 * it once, while a changed body is a new request. On success every query is refreshed.
 */
export function useIdempotentPost<Body, Result>(
  path: string,
  what: string,
  onSuccess: (result: Result) => void,
) {
  const queryClient = useQueryClient();
  const attempt = useRef<{ key: string; body: string } | null>(null);
  return useMutation({
    mutationFn: (body: Body) => {
      const text = JSON.stringify(body);
      if (attempt.current?.body !== text) attempt.current = { key: freshKey(what), body: text };
      return api.post<Result>(path, body, { "idempotency-key": attempt.current.key });
    },
    onSuccess: async (result) => {
      attempt.current = null;
      onSuccess(result);
      await queryClient.invalidateQueries();
    },
  });
}

/**
 * An Idempotency-Key of 128 random bits: crypto.getRandomValues works where randomUUID (secure
 * contexts only) may not.
 */
function freshKey(what: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${what}-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
