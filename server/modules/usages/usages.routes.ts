import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { appError } from "../../plugins/error-catalogue";
import { hospitalOf, ownHospital, principalOf } from "../auth/auth.plugin";
import { requestLedgerNow } from "../../plugins/chain";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import { ListUsagesQuery, Usage, UsageHeaders, UsagePage, UsageRequest } from "../../../api/usages";
import { listUsages } from "./usages.repository";
import { UsagesService } from "./usages.service";

/**
 * /v1/usages: usage records from the hospital's billing system (its receiver accounts),
 * idempotent by Idempotency-Key. The patient reference is kept only as a salted hash.
 */

/**
 * Who reads a hospital's usages: the regulator (the purchase–receipt–use comparison), and the
 * hospital's account, approvers and receivers (who record them). Not its settlers: paying
 * suppliers needs no patient-level billing records.
 */
const USAGE_READERS = ["regulator", "hospital-admin", "hospital-approver", "hospital-receiver"] as const;
const usagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Its own secret, never derived from the token key: rotating AUTH_SECRET (routine) must not
  // change every patient's hash, and a leaked token key must not give the patients away.
  const salt = app.config.patientRefSalt;
  const service = salt === undefined ? null : new UsagesService(app.db, salt);

  // "" and not "/": the collection is /v1/usages, without a trailing-slash twin.
  app.get(
    "",
    {
      onRequest: app.requireRole(...USAGE_READERS),
      schema: {
        security: bearer,
        tags: ["usages"],
        summary:
          "Usages by hospital and usage id, the patient as its salted hash (the caller's hospital's; all for a regulator)",
        querystring: ListUsagesQuery,
        response: { 200: UsagePage, ...errorResponses },
      },
    },
    async (request) => listUsages(app.db, request.query, ownHospital(request)),
  );

  app.post(
    "",
    {
      onRequest: app.requireRole("hospital-receiver"),
      schema: {
        security: bearer,
        tags: ["usages"],
        summary: "Record a usage (or, with a negative quantity, a return or correction of one)",
        headers: UsageHeaders,
        body: UsageRequest,
        response: { 200: Usage, 201: Usage, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!service) {
        throw appError("NOT_CONFIGURED", "set PATIENT_REF_SALT so patient references can be hashed");
      }
      const outcome = await service.record(
        request.body,
        { address: principalOf(request).address, hospital: hospitalOf(request) },
        request.headers["idempotency-key"],
        // The ledger's clock, at the block the role check read.
        await requestLedgerNow(app.chain, request),
      );
      if (outcome.replayed) reply.header("idempotent-replayed", "true");
      // The status the first request answered (201), stored with its body for replays.
      return reply.code(outcome.statusCode as 201).send(outcome.body);
    },
  );
};

export default usagesRoutes;
