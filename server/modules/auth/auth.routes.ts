import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { LoginRequest, NonceResponse, Session } from "../../../api/auth";
import { errorResponses } from "../../../api/errors";
import { AuthService } from "./auth.service";
import { SignInOrigins } from "./origins";

/** How often expired nonces are deleted. */
const NONCE_PURGE_INTERVAL_MS = 60_000;

/**
 * Sign-In with Ethereum, under /v1/auth: ask for a nonce, sign an EIP-4361 message naming one of
 * this gateway's public origins and the ledger's chain, exchange it for a bearer token whose
 * roles come from the chain.
 */
const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { auth } = app.config;
  const service = new AuthService(app.db, app.chain.ledger, app.chain.provider, app.tokens, {
    chainId: app.chain.chainId,
    tokenTtlSeconds: auth.tokenTtlSeconds,
    // Throws (the gateway does not start) without PUBLIC_ORIGINS outside local development.
    origins: SignInOrigins.of(auth.publicOrigins, app.chain.chainId),
    maxNoncesPerClient: auth.maxNoncesPerClient,
  });

  const purge = setInterval(() => {
    service.purgeExpiredNonces().catch((error: unknown) => {
      // The next tick tries again; the per-client cap bounds the table meanwhile.
      app.log.warn({ err: error }, "could not purge expired sign-in nonces");
    });
  }, NONCE_PURGE_INTERVAL_MS);
  purge.unref();
  app.addHook("onClose", async () => clearInterval(purge));

  app.post(
    "/nonce",
    {
      schema: {
        tags: ["auth"],
        summary: "Issue a one-time nonce for a Sign-In with Ethereum message",
        response: { 200: NonceResponse, 429: errorResponses[429] },
      },
    },
    async (request) => service.issueNonce(request.ip, request.host),
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
      const { token, principal } = await service.login(request.body.message, request.body.signature);
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
