import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { requestLedgerNow } from "../../plugins/chain";
import { appError } from "../../plugins/error-catalogue";
import { hospitalOf, principalOf } from "../auth/auth.plugin";
import { ReconciliationService } from "./reconciliation.service";

/**
 * What the report routes share — reconciliation, fulfilment, overdue payments, recall exposure,
 * in their own modules: who may report on which hospital, the clock, and the CSV answer.
 */

/** The reports "as of now" on the ledger's clock, at the request's one read of the head. */
export async function reportsNow(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<ReconciliationService> {
  const now = await requestLedgerNow(app.chain, request);
  return new ReconciliationService(app.db, () => now);
}

/** The hospital the caller may report on: any (or the one asked for) for a regulator, else its own. */
export function reportScope(request: FastifyRequest, asked?: string): string | undefined {
  const p = principalOf(request);
  if (p.roles.includes("regulator")) return asked?.toLowerCase();
  const own = hospitalOf(request);
  if (asked && asked.toLowerCase() !== own)
    throw appError("NOT_YOUR_HOSPITAL", `you may report on ${own} only`);
  return own;
}

export function wantsCsv(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("text/csv");
}

/**
 * A report as CSV. A page that is not the last names the next in a `Link: <…>; rel="next"`
 * header (RFC 8288): the same request with the next cursor, as `nextCursor` does in JSON.
 */
export function sendCsv(
  reply: FastifyReply,
  name: string,
  csv: string,
  nextCursor: string | null = null,
): FastifyReply {
  if (nextCursor !== null) {
    const next = new URL(reply.request.url, "http://gateway.invalid");
    next.searchParams.set("cursor", nextCursor);
    reply.header("link", `<${next.pathname}${next.search}>; rel="next"`);
  }
  return reply
    .type("text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${name}.csv"`)
    .send(csv);
}
