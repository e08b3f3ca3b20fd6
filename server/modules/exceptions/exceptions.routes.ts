import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { hospitalOf, ownHospital, principalOf, REGULATOR_OR_HOSPITAL } from "../auth/auth.plugin";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import {
  Exception,
  ExceptionList,
  ExceptionParams,
  ListExceptionsQuery,
  ResolveRequest,
} from "../../../api/exceptions";
import { ExceptionsService } from "./exceptions.service";
import { requestLedgerNow } from "../../plugins/chain";

/**
 * /v1/exceptions: listed for the hospital's staff (all for a regulator), decided by its
 * approvers.
 */
const exceptionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new ExceptionsService(app.db);

  // "" and not "/": the list is /v1/exceptions, without a trailing-slash twin.
  app.get(
    "",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["exceptions"],
        summary: "Exceptions of the caller's hospital (every hospital's for a regulator)",
        querystring: ListExceptionsQuery,
        response: { 200: ExceptionList, ...errorResponses },
      },
    },
    async (request) => service.list({ ...request.query, hospital: ownHospital(request) }),
  );

  app.post(
    "/:id/resolve",
    {
      onRequest: app.requireRole("hospital-approver"),
      schema: {
        security: bearer,
        tags: ["exceptions"],
        summary:
          "Decide an exception: accept all, accept part, or reject; the decision is queued for settlement",
        params: ExceptionParams,
        body: ResolveRequest,
        response: { 200: Exception, ...errorResponses },
      },
    },
    async (request) => {
      const resolved = await service.resolve(
        request.params.id,
        request.body,
        { address: principalOf(request).address, hospital: hospitalOf(request) },
        // The ledger's clock at the block the role check read, with no second read.
        await requestLedgerNow(app.chain, request),
      );
      // A delivery's decision is committed with its settlement job: send it now, not at the next poll.
      if (resolved.source !== "stocktake") app.settlementWorker?.wake();
      return resolved;
    },
  );
};

export default exceptionsRoutes;
