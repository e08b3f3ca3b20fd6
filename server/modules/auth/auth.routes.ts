import type { FastifyInstance } from "fastify";
import { address, errorResponses } from "../../lib/schemas";
import { AuthService } from "./auth.service";

/**
 * Sign-In with Ethereum: ask for a nonce, sign an EIP-4361 message naming this gateway's host
 * and the ledger's chain, exchange it for a bearer token whose roles come from the chain.
 */
export default async function authRoutes(app: FastifyInstance): Promise<void> {
  const service = new AuthService(app.db, app.chain.ledger, {
    chainId: app.chain.chainId,
    secret: app.config.auth.secret,
    tokenTtlSeconds: app.config.auth.tokenTtlSeconds,
  });

  app.post(
    "/v1/auth/nonce",
    {
      schema: {
        tags: ["auth"],
        summary: "Issue a one-time nonce for a Sign-In with Ethereum message",
        response: {
          200: {
            type: "object",
            properties: {
              nonce: { type: "string" },
              expiresAt: { type: "string" },
              domain: { type: "string", description: "what the message's first line must name" },
              chainId: { type: "integer" },
            },
          },
        },
      },
    },
    async (request) => service.issueNonce(request.host),
  );

  app.post<{ Body: { message: string; signature: string } }>(
    "/v1/auth/login",
    {
      schema: {
        tags: ["auth"],
        summary: "Exchange a signed EIP-4361 message for a bearer token",
        body: {
          type: "object",
          required: ["message", "signature"],
          additionalProperties: false,
          properties: {
            message: { type: "string", minLength: 1, maxLength: 4000 },
            signature: { type: "string", pattern: "^0x[0-9a-fA-F]{130}$" },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              token: { type: "string" },
              address,
              roles: { type: "array", items: { type: "string" } },
              hospital: { type: ["string", "null"] },
              expiresAt: { type: "string" },
            },
          },
          400: errorResponses[400],
          401: errorResponses[401],
        },
      },
    },
    async (request) => {
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
}
