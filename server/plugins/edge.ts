import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import type { Config } from "../config";
import { appError } from "./error-catalogue";

/**
 * What every request meets before its route: security headers (helmet), CORS for the configured
 * origins only, a body limit per route and rate limits per caller. Register before the routes:
 * the limits are set on each route as it is added (onRoute).
 */

const KiB = 1024;

/** A route's group: its body limit and its rate limit, by URL (prefix included). */
interface RouteClass {
  name: string;
  matches: (url: string, method: string) => boolean;
  bodyLimit: (c: Config["edge"]) => number;
  perMinute: (c: Config["edge"]) => number;
}

const ROUTE_CLASSES: readonly RouteClass[] = [
  {
    // A SIWE message is a few hundred bytes; sign-in is what a password sprayer would hammer.
    name: "sign-in",
    matches: (url) => url.startsWith("/v1/auth/"),
    bodyLimit: () => 4 * KiB,
    perMinute: (c) => c.signInPerMinute,
  },
  {
    // Each relayed call costs the relayer gas.
    name: "relay",
    matches: (url) => url.startsWith("/v1/relay"),
    bodyLimit: () => 64 * KiB,
    perMinute: (c) => c.relayPerMinute,
  },
  {
    // Verification reads the chain's logs and receipts: the dearest read there is.
    name: "verify",
    matches: (url) => url.startsWith("/v1/trail/") && url.endsWith("/verify"),
    bodyLimit: (c) => c.bodyLimit,
    perMinute: (c) => c.verifyPerMinute,
  },
  {
    // A manifest lists up to 100 000 serials, and a receipt may scan as many.
    name: "large-body",
    matches: (url, method) =>
      (method === "PUT" && /^\/v1\/shipments\/:[^/]+\/manifest$/.test(url)) ||
      (method === "POST" && url === "/v1/receipts"),
    bodyLimit: (c) => c.largeBodyLimit,
    perMinute: (c) => c.perMinute,
  },
];

/** The caller a rate limit counts against: the signed-in account, else the client's address. */
function callerKey(request: FastifyRequest): string {
  // Set by the auth plugin's requireRole (onRequest), which runs before the limit (preValidation).
  const principal = (request as { principal?: { address?: string } | null }).principal;
  return principal?.address ? `account:${principal.address.toLowerCase()}` : `ip:${request.ip}`;
}

function classify(route: RouteOptions): RouteClass | undefined {
  const methods = [route.method].flat().map(String);
  return ROUTE_CLASSES.find((c) => methods.some((m) => c.matches(route.url, m)));
}

async function edgePlugin(app: FastifyInstance, { config }: { config: Config }): Promise<void> {
  const edge = config.edge;

  // Defaults: a JSON API needs no script, style or frame; /docs (swagger-ui) loads its own
  // files from 'self', which helmet's default policy allows.
  await app.register(helmet, { global: true });

  // No origin configured: no CORS headers, so browsers refuse every cross-origin read.
  await app.register(cors, {
    origin: edge.corsOrigins.length > 0 ? edge.corsOrigins : false,
    methods: ["GET", "POST", "PUT"],
    allowedHeaders: ["authorization", "content-type", "idempotency-key"],
    exposedHeaders: ["idempotent-replayed", "retry-after", "x-ratelimit-limit", "x-ratelimit-remaining"],
    maxAge: 600,
  });

  app.addHook("onRoute", (route) => {
    const routeClass = classify(route);
    route.bodyLimit ??= routeClass?.bodyLimit(edge) ?? edge.bodyLimit;
    if (routeClass && routeClass.perMinute(edge) !== edge.perMinute) {
      route.config = {
        ...route.config,
        rateLimit: { max: routeClass.perMinute(edge), timeWindow: 60_000, groupId: routeClass.name },
      };
    }
  });

  await app.register(rateLimit, {
    global: true,
    max: edge.perMinute,
    timeWindow: 60_000,
    // After requireRole (onRequest), so a signed-in caller is counted as itself wherever it
    // connects from, and an anonymous one by address; before validation, so a flood of
    // malformed requests counts too.
    hook: "preValidation",
    keyGenerator: callerKey,
    errorResponseBuilder: (_request, context) =>
      appError(
        "RATE_LIMITED",
        `too many requests: at most ${context.max} a minute; retry in ${context.after}`,
        {
          limit: context.max,
          retryAfterSeconds: Math.ceil(context.ttl / 1000),
        },
      ),
  });
}

export default fp(edgePlugin, { name: "edge", fastify: "5.x", dependencies: ["errors"] });
