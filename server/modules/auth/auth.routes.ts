import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { LoginRequest, NonceResponse, Session } from "../../../api/auth";
import { errorResponses } from "../../../api/errors";
import { AuthService } from "./auth.service";

/**
 * Sign-In with Ethereum, under /v1/auth: ask for a nonce, sign an EIP-4361 message naming this
 * gateway's host and the ledger's chain, exchange it for a bearer token whose roles come from
 * the chain.
 */
const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new AuthService(app.db, app.chain.ledger, app.chain.provider, app.tokens, {
    chainId: app.chain.chainId,
    tokenTtlSeconds: app.config.auth.tokenTtlSeconds,
  });

  app.post(
    "/nonce",
    {
      schema: {
        tags: ["auth"],
        summary: "Issue a one-time nonce for a Sign-In with Ethereum message",
        response: { 200: NonceResponse },
      },
    },
    async (request) => service.issueNonce(request.host),
  );

  app.post(
    "/login",
    {
      schema: {
        tags: ["auth"],
        summary: "Exchange a signed EIP-4361 message for a bearer token",
        body: LoginRequest,
        response: { 200: Session, 400: errorResponses[400], 401: errorResponses[401] },
      },
    },
    async (request): Promise<Session> => {
      const { token, principal } = await service.login(
        request.body.message,
        request.body.signature,
        request.host,
      );
      return {
        token,
        address: principal.address,
        roles: principal.roles,
        hospital: principal.hospital,
        expiresAt: new Date(principal.expiresAt * 1000).toISOString(),
      };
    },
  );
};

export default authRoutes;
