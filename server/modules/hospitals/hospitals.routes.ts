import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import {
  Hospital,
  HospitalPage,
  HospitalParams,
  ListHospitalsQuery,
  PublishHospitalName,
} from "../../../api/hospitals";
import { principalOf } from "../auth/auth.plugin";
import { HospitalsRepository } from "./hospitals.repository";
import { HospitalsService, notFound } from "./hospitals.service";

/**
 * /v1/hospitals: the enrolled hospitals, a public procurement fact any signed-in account may
 * read, with their names. Any signed-in account may publish a name: the gateway takes only the
 * one whose keccak256 is the hospital's on-chain nameHash (hospitals.service.ts).
 */
const hospitalsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = new HospitalsRepository(app.db);
  const service = new HospitalsService(repo);
  const signedIn = app.requireRole();

  app.get(
    // The prefix itself: "/" would register and document the path with a trailing slash.
    "",
    {
      onRequest: signedIn,
      schema: {
        security: bearer,
        tags: ["hospitals"],
        summary: "Enrolled hospitals with their published names",
        querystring: ListHospitalsQuery,
        response: { 200: HospitalPage, ...errorResponses },
      },
    },
    async (request) => repo.list(request.query),
  );

  app.get(
    "/:address",
    {
      onRequest: signedIn,
      schema: {
        security: bearer,
        tags: ["hospitals"],
        summary: "An enrolled hospital with its published name and its enrolment on chain",
        params: HospitalParams,
        response: { 200: Hospital, ...errorResponses },
      },
    },
    async (request) => {
      const found = await repo.get(request.params.address);
      if (!found) throw notFound(request.params.address);
      return found;
    },
  );

  app.put(
    "/:address/name",
    {
      onRequest: signedIn,
      schema: {
        security: bearer,
        tags: ["hospitals"],
        summary:
          "Publish a hospital's name (any signed-in account): taken only if its keccak256 is the on-chain nameHash",
        params: HospitalParams,
        body: PublishHospitalName,
        response: { 200: Hospital, 201: Hospital, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { hospital, created } = await service.publishName(
        request.params.address,
        request.body.name,
        principalOf(request).address,
      );
      return reply.code(created ? 201 : 200).send(hospital);
    },
  );
};

export default hospitalsRoutes;
