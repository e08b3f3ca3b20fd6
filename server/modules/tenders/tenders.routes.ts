import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import { ListTendersQuery, Tender, TenderPage, TenderParams } from "../../../api/tenders";
import { appError } from "../../plugins/error-catalogue";
import { TendersRepository } from "./tenders.repository";

/** /v1/tenders: tenders are public procurement facts any signed-in account may read. */
const tendersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = new TendersRepository(app.db);
  const signedIn = app.requireRole();

  app.get(
    // The prefix itself: "/" would register and document the path with a trailing slash.
    "",
    {
      onRequest: signedIn,
      schema: {
        security: bearer,
        tags: ["tenders"],
        summary: "Tenders",
        querystring: ListTendersQuery,
        response: { 200: TenderPage, ...errorResponses },
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
        tags: ["tenders"],
        summary: "A tender with its bids",
        params: TenderParams,
        response: { 200: Tender, ...errorResponses },
      },
    },
    async (request) => {
      const found = await repo.get(request.params.id);
      if (!found) throw appError("TENDER_NOT_FOUND", `no tender ${request.params.id} on the ledger`);
      return found;
    },
  );
};

export default tendersRoutes;
