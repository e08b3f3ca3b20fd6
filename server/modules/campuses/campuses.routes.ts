import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { requestLedgerNow } from "../../plugins/chain";
import { hospitalOf, ownHospital, principalOf, REGULATOR_OR_HOSPITAL } from "../auth/auth.plugin";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import { Campus, CampusPage, ListCampusesQuery, RegisterCampusRequest } from "../../../api/campuses";
import { listCampuses } from "./campuses.repository";
import { registerCampus } from "./campuses.service";

/**
 * /v1/campuses: a hospital group's campuses. The hospital account registers them (it holds the
 * hospital's structure, as it enrols members); its staff read them, and regulators read every
 * hospital's, since transfers on the ledger name campuses by GLN.
 */
const campusesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // "" and not "/": the collection is /v1/campuses, without a trailing-slash twin.
  app.post(
    "",
    {
      onRequest: app.requireRole("hospital-admin"),
      schema: {
        security: bearer,
        tags: ["campuses"],
        summary:
          "Register a campus of the caller's hospital (a GLN with a name); the first is the main campus",
        body: RegisterCampusRequest,
        response: { 201: Campus, ...errorResponses },
      },
    },
    async (request, reply) => {
      const campus = await registerCampus(
        app.db,
        request.body,
        { address: principalOf(request).address, hospital: hospitalOf(request) },
        await requestLedgerNow(app.chain, request),
      );
      return reply.code(201).send(campus);
    },
  );

  app.get(
    "",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["campuses"],
        summary: "Campuses by GLN (the caller's hospital's; every hospital's for a regulator)",
        querystring: ListCampusesQuery,
        response: { 200: CampusPage, ...errorResponses },
      },
    },
    async (request) => listCampuses(app.db, request.query, ownHospital(request)),
  );
};

export default campusesRoutes;
