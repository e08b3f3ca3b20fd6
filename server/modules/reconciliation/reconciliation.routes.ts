import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { appError } from "../../plugins/error-catalogue";
import { hospitalOf, principalOf, REGULATOR_OR_HOSPITAL } from "../auth/auth.plugin";
import { ledgerNow } from "../../plugins/chain";
import { address, bearer, errorResponses, gtin, idString, open } from "../../lib/schemas";
import {
  EXPOSURE_COLUMNS,
  exposureCsvRows,
  FULFILMENT_COLUMNS,
  fulfilmentCsvRows,
  OVERDUE_COLUMNS,
  RECONCILIATION_COLUMNS,
  toCsv,
} from "./reconciliation.csv";
import { ReconciliationService } from "./reconciliation.service";

/**
 * The regulator's reports — purchase vs receipt vs use with flags, commitment fulfilment,
 * overdue payments, recall exposure — as JSON, or CSV with `Accept: text/csv`. Regulators see
 * every hospital; a hospital's staff see their own hospital's figures.
 */

/** The hospital the caller may report on: any (or the one asked for) for a regulator, else its own. */
function reportScope(request: FastifyRequest, asked?: string): string | undefined {
  const p = principalOf(request);
  if (p.roles.includes("regulator")) return asked?.toLowerCase();
  const own = hospitalOf(request);
  if (asked && asked.toLowerCase() !== own)
    throw appError("NOT_YOUR_HOSPITAL", `you may report on ${own} only`);
  return own;
}

function wantsCsv(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("text/csv");
}

function sendCsv(reply: FastifyReply, name: string, csv: string): FastifyReply {
  return reply
    .type("text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${name}.csv"`)
    .send(csv);
}

const csvResponse = {
  description: "the same report as CSV (Accept: text/csv)",
  content: { "text/csv": { schema: { type: "string" } } },
};

export default async function reconciliationRoutes(app: FastifyInstance): Promise<void> {
  // Reports are "as of now" on the ledger's clock, read once per request.
  const service = async () => {
    const now = await ledgerNow(app.chain);
    return new ReconciliationService(app.db, () => now);
  };

  app.get<{ Querystring: { hospital?: string; gtin?: string; lot?: string; from?: string; to?: string } }>(
    "/v1/reconciliation",
    {
      preHandler: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary: "Purchase vs receipt vs use per hospital × GTIN × lot, with flags and their evidence",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            hospital: address,
            gtin,
            lot: { type: "string", minLength: 1, maxLength: 20 },
            from: { type: "string", format: "date-time" },
            to: { type: "string", format: "date-time" },
          },
        },
        response: {
          200: {
            ...open({
              asOf: { type: "string" },
              from: { type: ["string", "null"] },
              rows: { type: "array", items: open({}) },
            }),
            ...csvResponse,
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const report = await (
        await service()
      ).report({
        ...request.query,
        hospital: reportScope(request, request.query.hospital),
      });
      if (wantsCsv(request))
        return sendCsv(reply, "reconciliation", toCsv(report.rows, RECONCILIATION_COLUMNS));
      return report;
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/agreements/:id/fulfilment",
    {
      preHandler: app.requireRole(...REGULATOR_OR_HOSPITAL, "supplier"),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary:
          "Per hospital: committed volume vs ordered (funded, not cancelled) and accepted, and the pace needed by the end of the term",
        params: { type: "object", required: ["id"], properties: { id: idString } },
        response: {
          200: {
            ...open({ agreementId: { type: "string" }, hospitals: { type: "array", items: open({}) } }),
            ...csvResponse,
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const report = await (await service()).fulfilment(request.params.id);
      if (wantsCsv(request))
        return sendCsv(
          reply,
          `fulfilment-${request.params.id}`,
          toCsv(fulfilmentCsvRows(report), FULFILMENT_COLUMNS),
        );
      return report;
    },
  );

  app.get<{ Querystring: { days: number; hospital?: string } }>(
    "/v1/payments/overdue",
    {
      preHandler: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary: "Accepted shipments not paid after N days, with why each is held",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            days: { type: "integer", minimum: 0, maximum: 3650, default: 30 },
            hospital: address,
          },
        },
        response: {
          200: {
            ...open({ days: { type: "integer" }, items: { type: "array", items: open({}) } }),
            ...csvResponse,
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const items = await (
        await service()
      ).overduePayments(request.query.days, reportScope(request, request.query.hospital));
      if (wantsCsv(request)) return sendCsv(reply, "overdue-payments", toCsv(items, OVERDUE_COLUMNS));
      return { days: request.query.days, items };
    },
  );

  app.get<{ Params: { gtin: string; lot: string } }>(
    "/v1/recalls/:gtin/:lot/exposure",
    {
      // Department-level usage and patient counts: the regulator's to see.
      preHandler: app.requireRole("regulator"),
      schema: {
        security: bearer,
        tags: ["reports"],
        summary:
          "Every hospital, department and usage that holds or used a lot, and every recall of it with its scope and lift",
        params: {
          type: "object",
          required: ["gtin", "lot"],
          properties: { gtin, lot: { type: "string", minLength: 1, maxLength: 20 } },
        },
        response: {
          200: {
            ...open({
              gtin: { type: "string" },
              lot: { type: "string" },
              hospitals: { type: "array", items: open({}) },
            }),
            ...csvResponse,
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const report = await (await service()).recallExposure(request.params.gtin, request.params.lot);
      if (wantsCsv(request))
        return sendCsv(
          reply,
          `exposure-${request.params.gtin}-${request.params.lot}`,
          toCsv(exposureCsvRows(report), EXPOSURE_COLUMNS),
        );
      return report;
    },
  );
}
