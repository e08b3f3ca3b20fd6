import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import {
  InvitationList,
  ListMembersQuery,
  Member,
  MemberPage,
  MemberParams,
  NameMember,
} from "../../../api/members";
import { appError } from "../../plugins/error-catalogue";
import { requestLedgerNow } from "../../plugins/chain";
import { hospitalOf, ownHospital, principalOf, REGULATOR_OR_HOSPITAL } from "../auth/auth.plugin";
import { invitationsOf, listMembers, nameMember } from "./members.repository";

/**
 * /v1/members and /v1/invitations: who works for a hospital on the ledger. A hospital's accounts
 * read its members and the invitations it has open (the hospital account manages them with
 * relayed `setMemberRoles`); regulators read every hospital's. Any signed-in account reads the
 * invitations addressed to it, since it has no hospital role until it accepts one. The hospital
 * account names its members and invitees for its pages (a back-office name, never on chain).
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

  app.put(
    "/members/:address/name",
    {
      onRequest: app.requireRole("hospital-admin"),
      schema: {
        security: bearer,
        tags: ["members"],
        summary:
          "Name a member or invitee of the caller's hospital (the hospital account), as its pages show it",
        params: MemberParams,
        body: NameMember,
        response: { 200: Member, ...errorResponses },
      },
    },
    async (request) => {
      const hospital = hospitalOf(request);
      const named = await nameMember(app.db, {
        hospital,
        member: request.params.address,
        name: request.body.name,
        namedBy: principalOf(request).address,
        namedAt: await requestLedgerNow(app.chain, request),
      });
      if (!named)
        throw appError(
          "MEMBER_NOT_FOUND",
          `${request.params.address} is neither a member of hospital ${hospital} nor invited by it`,
        );
      return named;
    },
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
