import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { appError } from "../../plugins/error-catalogue";
import { hospitalOf, principalOf } from "../auth/auth.plugin";
import { ledgerNow } from "../../plugins/chain";
import { bearer, errorResponses, idempotencyHeaders, open } from "../../lib/schemas";
import { UsagesService, type UsageRequest } from "./usages.service";

/**
 * POST /v1/usages — usage records from the hospital's billing system (its receiver accounts),
 * idempotent by Idempotency-Key. The patient reference is kept only as a salted hash.
 */
export default async function usagesRoutes(app: FastifyInstance): Promise<void> {
  const salt = patientSalt(app);

  app.post<{ Body: UsageRequest; Headers: { "idempotency-key": string } }>(
    "/v1/usages",
    {
      preHandler: app.requireRole("hospital-receiver"),
      schema: {
        security: bearer,
        tags: ["usages"],
        summary: "Record a usage (or, with a negative quantity, a return or correction of one)",
        headers: idempotencyHeaders,
        body: {
          type: "object",
          required: ["usageId", "department", "patientRef", "usedAt", "billingCode", "billedAmount"],
          additionalProperties: false,
          properties: {
            usageId: { type: "string", minLength: 1, maxLength: 64 },
            barcode: { type: "string", minLength: 1, maxLength: 2000 },
            gtin: { type: "string", pattern: "^[0-9]{8,14}$" },
            lot: { type: "string", minLength: 1, maxLength: 20 },
            serial: { type: "string", minLength: 1, maxLength: 20 },
            expiry: { type: "string", format: "date" },
            department: { type: "string", minLength: 1, maxLength: 100 },
            patientRef: { type: "string", minLength: 1, maxLength: 200 },
            usedAt: { type: "string", format: "date-time" },
            billingCode: { type: "string", minLength: 1, maxLength: 64 },
            billedAmount: { anyOf: [{ type: "string", pattern: "^-?[0-9]+$" }, { type: "integer" }] },
            quantity: { type: "integer" },
            correctsUsageId: { type: "string", minLength: 1, maxLength: 64 },
          },
          oneOf: [{ required: ["barcode"] }, { required: ["gtin"] }],
        },
        response: { 200: usage, 201: usage, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!salt) {
        throw appError(
          "NOT_CONFIGURED",
          "set PATIENT_REF_SALT (or AUTH_SECRET) so patient references can be hashed",
        );
      }
      // The service's clock is the ledger's, read once per request.
      const now = await ledgerNow(app.chain);
      const outcome = await new UsagesService(app.db, salt, () => now).record(
        request.body,
        { address: principalOf(request).address, hospital: hospitalOf(request) },
        request.headers["idempotency-key"],
      );
      if (outcome.replayed) reply.header("idempotent-replayed", "true");
      return reply.code(outcome.statusCode).send(outcome.body);
    },
  );
}

const usage = open({
  usageId: { type: "string" },
  hospital: { type: "string" },
  gtin: { type: "string" },
  lot: { type: ["string", "null"] },
  serial: { type: ["string", "null"] },
  quantity: { type: "integer" },
  billedAmount: { type: "string" },
  patientRefHash: { type: "string" },
});

/**
 * The salt for patient references: PATIENT_REF_SALT, else one derived from a configured
 * AUTH_SECRET. A per-process random secret would make yesterday's hashes unmatchable, so
 * without either the usage API stays off.
 */
function patientSalt(app: FastifyInstance): string | null {
  if (app.config.patientRefSalt) return app.config.patientRefSalt;
  if (app.config.auth.secretGenerated) return null;
  return createHash("sha256").update(`patient-ref:${app.config.auth.secret}`).digest("hex");
}
