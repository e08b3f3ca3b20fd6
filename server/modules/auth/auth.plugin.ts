import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";
import { appError } from "../../plugins/error-catalogue";
import { latestBlock, requestHead, type BlockHead } from "../../plugins/chain";
import { CurrentRoles } from "./current-roles";
import { TokenKeys, tokenAudience, type Principal, type Role } from "./tokens";

/**
 * Bearer-token authentication. Every route states who may call it with
 * `onRequest: app.requireRole(...)`: no roles listed means any signed-in account. It runs on
 * request, before the body is parsed and the input validated, so a caller without a token gets
 * 401 and one without the role 403 whatever it sent: a stranger's malformed request never learns
 * the route's schema from a 400. `app.tokens` issues and checks the tokens (the auth routes issue
 * them at sign-in).
 *
 * Reads trust the roles the chain gave at sign-in, carried in the token. Writes (every method but
 * GET, HEAD and OPTIONS) take the roles the chain gives at its latest block (current-roles.ts),
 * so a supplier suspended, or a member removed from its hospital, loses write access at the next
 * block instead of when its token expires. A suspended supplier keeps reading its own records.
 *
 * A write whose token holds the role is checked against the chain once its body has arrived
 * (preValidation, still before validation), at the block the request then works with
 * (`requestHead`: its ledger time, matching's recall and qualification reads). Checked on
 * request, a body sent slowly would have been matched against the chain as it was before the body
 * started: a recall made meanwhile would not hold it. A write whose token lacks the role (granted
 * since sign-in, or never) is asked of the chain on request, so one without it is refused before
 * its body is read.
 */

/** `Bearer <JWS compact serialisation>` and nothing else: no trailing characters or spaces. */
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

declare module "fastify" {
  interface FastifyInstance {
    requireRole(...roles: Role[]): onRequestAsyncHookHandler;
    tokens: TokenKeys;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** A write's roles, to check against the chain once its body has arrived (preValidation). */
    pendingRoles: readonly Role[] | null;
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

/**
 * The parties of an order: a regulator, any account of a hospital or a supplier. Who may read
 * orders, shipments, payments and trails (each then sees only its own, by `scopeOf`).
 */
export const LEDGER_PARTIES: readonly Role[] = [...REGULATOR_OR_HOSPITAL, "supplier"];

/** The caller, for handlers behind `requireRole` (which guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal)
    throw appError("UNAUTHORIZED", "sign in first: POST /v1/auth/nonce, then /v1/auth/login");
  return request.principal;
}

/** Which ledger records a caller may see: all (regulator), its hospital's, or its own as a supplier. */
export interface Scope {
  hospital?: string;
  supplier?: string;
}

export function scopeOf(request: FastifyRequest): Scope {
  const p = principalOf(request);
  if (p.roles.includes("regulator")) return {};
  if (p.hospital) return { hospital: p.hospital };
  if (p.roles.includes("supplier")) return { supplier: p.address };
  throw appError("FORBIDDEN", `${p.address} is neither a regulator, a hospital account nor a supplier`);
}

/** Whether an order (or what belongs to it) with these parties is within `scope`. */
export function visible(scope: Scope, parties: { hospital: string; supplier: string }): boolean {
  return (
    (!scope.hospital || scope.hospital.toLowerCase() === parties.hospital.toLowerCase()) &&
    (!scope.supplier || scope.supplier.toLowerCase() === parties.supplier.toLowerCase())
  );
}

/**
 * The hospital the caller acts for; 403 for an account that belongs to none, and on a gateway
 * that keeps one hospital's back office (HOSPITAL) for another hospital's staff.
 */
export function hospitalOf(request: FastifyRequest): string {
  const p = principalOf(request);
  if (!p.hospital) throw appError("FORBIDDEN", `${p.address} does not belong to a hospital`);
  const served = request.server.config.hospital;
  if (served !== undefined && p.hospital.toLowerCase() !== served) {
    throw appError(
      "FORBIDDEN",
      `this gateway keeps the back office of hospital ${served}; ${p.address} belongs to ${p.hospital}: use that hospital's gateway`,
    );
  }
  return p.hospital;
}

/**
 * Whose back-office records the caller reads: undefined for a regulator (every hospital's),
 * else its own hospital (403 for an account that belongs to none).
 */
export function ownHospital(request: FastifyRequest): string | undefined {
  return principalOf(request).roles.includes("regulator") ? undefined : hospitalOf(request);
}

async function authPlugin(app: FastifyInstance): Promise<void> {
  const { auth } = app.config;
  const tokens = new TokenKeys(
    auth.secret,
    auth.previousSecrets,
    tokenAudience(app.chain.chainId, app.chain.deployment.deploymentId),
  );
  const current = new CurrentRoles(app.chain.ledger);

  /** The token's principal with the roles and hospital the chain gives at `head`. */
  async function withCurrentRoles(principal: Principal, head: Promise<BlockHead>): Promise<Principal> {
    const read = head.then((block) => current.of(principal.address, block.number));
    const now = await read.catch((error: unknown) => {
      // Fail closed, and say nothing of the upstream error (which may name the RPC URL).
      app.log.warn({ err: error }, "could not read the caller's current roles from the chain");
      throw appError(
        "CHAIN_UNAVAILABLE",
        "the chain cannot be reached to check the caller's roles; try again",
      );
    });
    const roles = now.supplierSuspended ? now.roles.filter((r) => r !== "supplier") : now.roles;
    return { ...principal, roles, hospital: now.hospital };
  }

  app.decorate("tokens", tokens);
  app.decorateRequest("principal", null);
  app.decorateRequest("pendingRoles", null);
  app.decorate("requireRole", (...roles: Role[]): onRequestAsyncHookHandler => {
    return async (request: FastifyRequest, _reply: FastifyReply) => {
      const header = request.headers.authorization;
      if (header === undefined || !/^Bearer /i.test(header))
        throw appError("UNAUTHORIZED", "this route needs an Authorization: Bearer <token> header");
      const token = BEARER.exec(header)?.[1];
      const verified = token === undefined ? null : await tokens.verify(token);
      if (!verified)
        throw appError("UNAUTHORIZED", "the bearer token is invalid or has expired; sign in again");
      if (READ_METHODS.has(request.method)) {
        request.principal = requireOneOf(verified, roles);
      } else if (holdsOneOf(verified, roles)) {
        // Checked against the chain once the body has arrived (preValidation, below).
        request.principal = verified;
        request.pendingRoles = roles;
      } else {
        // Not in the token (granted since sign-in, or never): asked of the chain now, so a caller
        // without the role is refused before its body is read.
        const now = await withCurrentRoles(verified, latestBlock(app.chain.provider));
        request.principal = requireOneOf(now, roles);
      }
    };
  });

  app.addHook("preValidation", async (request) => {
    const roles = request.pendingRoles;
    // Undefined, not null, on routes registered before this plugin decorated requests (/metrics).
    if (!roles || !request.principal) return;
    request.pendingRoles = null;
    const atHead = await withCurrentRoles(request.principal, requestHead(app.chain, request));
    request.principal = requireOneOf(atHead, roles);
  });
}

/** Whether the principal holds one of `roles` (no roles listed: any signed-in account). */
function holdsOneOf(principal: Principal, roles: readonly Role[]): boolean {
  return roles.length === 0 || roles.some((r) => principal.roles.includes(r));
}

/** The principal, if it holds one of `roles`; else 403. */
function requireOneOf(principal: Principal, roles: readonly Role[]): Principal {
  if (holdsOneOf(principal, roles)) return principal;
  throw appError(
    "FORBIDDEN",
    `this route needs one of the roles ${roles.join(", ")}; ${principal.address} has ${principal.roles.join(", ") || "none"}`,
  );
}

export default fp(authPlugin, { name: "auth", fastify: "5.x", dependencies: ["chain"] });
