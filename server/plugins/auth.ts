import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";
import { appError } from "./error-catalogue";
import { verifyToken, type Principal, type Role } from "../modules/auth/tokens";

/**
 * Bearer-token authentication. Every route states who may call it with
 * `preHandler: app.requireRole(...)`: no roles listed means any signed-in account; the
 * principal's roles were read from the chain when it signed in.
 */

declare module "fastify" {
  interface FastifyInstance {
    requireRole(...roles: Role[]): preHandlerAsyncHookHandler;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Every role a hospital's own accounts can hold. */
export const HOSPITAL_ROLES: readonly Role[] = [
  "hospital-admin",
  "hospital-approver",
  "hospital-settler",
  "hospital-receiver",
];

/** A regulator or any account of a hospital: who may read a hospital's back office. */
export const REGULATOR_OR_HOSPITAL: readonly Role[] = ["regulator", ...HOSPITAL_ROLES];

/** The caller, for handlers behind `requireRole` (which guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal)
    throw appError("UNAUTHORIZED", "sign in first: POST /v1/auth/nonce, then /v1/auth/login");
  return request.principal;
}

/** The hospital the caller acts for; 403 for an account that belongs to none. */
export function hospitalOf(request: FastifyRequest): string {
  const p = principalOf(request);
  if (!p.hospital) throw appError("FORBIDDEN", `${p.address} does not belong to a hospital`);
  return p.hospital;
}

async function authPlugin(app: FastifyInstance): Promise<void> {
  const secret = app.config.auth.secret;
  app.decorateRequest("principal", null);
  app.decorate("requireRole", (...roles: Role[]): preHandlerAsyncHookHandler => {
    return async (request: FastifyRequest, _reply: FastifyReply) => {
      const header = request.headers.authorization;
      const token = header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : undefined;
      if (!token) throw appError("UNAUTHORIZED", "this route needs an Authorization: Bearer <token> header");
      const principal = verifyToken(token, secret);
      if (!principal)
        throw appError("UNAUTHORIZED", "the bearer token is invalid or has expired; sign in again");
      if (roles.length > 0 && !roles.some((r) => principal.roles.includes(r))) {
        throw appError(
          "FORBIDDEN",
          `this route needs one of the roles ${roles.join(", ")}; ${principal.address} has ${principal.roles.join(", ") || "none"}`,
        );
      }
      request.principal = principal;
    };
  });
}

export default fp(authPlugin, { name: "auth", fastify: "5.x" });
