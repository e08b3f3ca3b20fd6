import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Agreement, AgreementPage, AgreementParams, ListAgreementsQuery } from "../../../api/agreements";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import { appError } from "../../plugins/error-catalogue";
import { AgreementsRepository } from "./agreements.repository";

/** /v1/agreements: agreements are public procurement facts any signed-in account may read. */
const agreementsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = new AgreementsRepository(app.db);
  const signedIn = app.requireRole();

  app.get(
    // The prefix itself: "/" would register and document the path with a trailing slash.
    "",
    {
      onRequest: signedIn,
      schema: {
        security: bearer,
        tags: ["agreements"],
        summary: "Agreements awarded by tenders",
        querystring: ListAgreementsQuery,
        response: { 200: AgreementPage, ...errorResponses },
      },
    },
    async (request) => repo.list(request.query),
  );

  app.get(
    "/:id",
    {
      onRequest: signedIn,
      schema: {
        security: bearer,
        tags: ["agreements"],
        summary: "An agreement with its hospitals' committed, funded and accepted volumes",
        params: AgreementParams,
        response: { 200: Agreement, ...errorResponses },
      },
    },
    async (request) => {
      const found = await repo.get(request.params.id);
      if (!found) throw appError("AGREEMENT_NOT_FOUND", `no agreement ${request.params.id} on the ledger`);
      return found;
    },
  );
};

export default agreementsRoutes;
