import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import { InvitationList, ListMembersQuery, MemberPage } from "../../../api/members";
import { ownHospital, principalOf, REGULATOR_OR_HOSPITAL } from "../auth/auth.plugin";
import { invitationsOf, listMembers } from "./members.repository";

/**
 * /v1/members and /v1/invitations: who works for a hospital on the ledger. A hospital's accounts
 * read its members and the invitations it has open (the hospital account manages them with
 * relayed `setMemberRoles`); regulators read every hospital's. Any signed-in account reads the
 * invitations addressed to it, since it has no hospital role until it accepts one.
 */
const membersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/members",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["members"],
        summary:
          "A hospital's members and open invitations with their roles (the caller's hospital's; every hospital's for a regulator)",
        querystring: ListMembersQuery,
        response: { 200: MemberPage, ...errorResponses },
      },
    },
    async (request) => listMembers(app.db, request.query, ownHospital(request)),
  );

  app.get(
    "/invitations",
    {
      onRequest: app.requireRole(),
      schema: {
        security: bearer,
        tags: ["members"],
        summary: "The open invitations addressed to the caller, to accept with a relayed acceptMembership",
        response: { 200: InvitationList, ...errorResponses },
      },
    },
    async (request) => ({ items: await invitationsOf(app.db, principalOf(request).address) }),
  );
};

export default membersRoutes;
