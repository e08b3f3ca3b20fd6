import type { FastifyInstance } from "fastify";
import { appError } from "../../plugins/error-catalogue";
import { hospitalOf, principalOf, REGULATOR_OR_HOSPITAL } from "../auth/auth.plugin";
import { bearer, errorResponses, idString, open } from "../../lib/schemas";
import { ExceptionsService, type Resolution } from "./exceptions.service";

/** Exceptions: listed for the hospital's staff (all for a regulator), decided by its approvers. */

const exception = open({
  id: { type: "string" },
  shipmentId: { type: "string" },
  receiptNo: { type: ["string", "null"] },
  source: { type: "string", enum: ["match", "settlement"] },
  reasons: { type: "array" },
  status: { type: "string", enum: ["open", "resolved"] },
});

export default async function exceptionsRoutes(app: FastifyInstance): Promise<void> {
  const service = new ExceptionsService(app.db);

  app.get<{ Querystring: { status?: "open" | "resolved"; reason?: string } }>(
    "/v1/exceptions",
    {
      preHandler: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["exceptions"],
        summary: "Exceptions of the caller's hospital (every hospital's for a regulator)",
        querystring: {
          type: "object",
          properties: {
            status: { type: "string", enum: ["open", "resolved"] },
            reason: { type: "string", maxLength: 64 },
          },
        },
        response: {
          200: { type: "object", properties: { items: { type: "array", items: exception } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const hospital = p.roles.includes("regulator") ? undefined : hospitalOf(request);
      return { items: await service.list({ ...request.query, hospital }) };
    },
  );

  app.post<{ Params: { id: string }; Body: { action: Resolution; acceptedQuantity?: number; note: string } }>(
    "/v1/exceptions/:id/resolve",
    {
      preHandler: app.requireRole("hospital-approver"),
      schema: {
        security: bearer,
        tags: ["exceptions"],
        summary:
          "Decide an exception: accept all, accept part, or reject; the decision is queued for settlement",
        params: { type: "object", required: ["id"], properties: { id: idString } },
        body: {
          type: "object",
          required: ["action", "note"],
          additionalProperties: false,
          properties: {
            action: { type: "string", enum: ["accept_all", "accept_part", "reject"] },
            acceptedQuantity: { type: "integer", minimum: 1 },
            note: { type: "string", minLength: 1, maxLength: 1000 },
          },
        },
        response: { 200: exception, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const resolved = await service.resolve(request.params.id, request.body, {
        address: p.address,
        hospital: hospitalOf(request),
      });
      if (!resolved) throw appError("EXCEPTION_NOT_FOUND", `no exception ${request.params.id}`);
      return resolved;
    },
  );
}
