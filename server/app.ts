import Fastify, { type FastifyInstance } from "fastify";
import type { Config } from "./config";
import type { Db } from "./db";
import healthRoutes from "./modules/health/health.routes";
import dbPlugin from "./plugins/db";
import errorsPlugin, { frameworkErrorHandler } from "./plugins/errors";
import metricsPlugin from "./plugins/metrics";
import openapiPlugin from "./plugins/openapi";
import readinessPlugin from "./plugins/readiness";

/**
 * Builds the gateway without listening, so tests drive it with `app.inject()`. Plugins load on
 * `ready()`/`listen()`; until then a caller may still add routes and hooks. Infrastructure
 * comes first (errors, metrics, readiness, db, then OpenAPI, which must see every route
 * registered after it), then the modules.
 */

declare module "fastify" {
  interface FastifyInstance {
    config: Config;
  }
}

export interface AppDeps {
  /** A database opened by the caller (tests); it is migrated but not closed with the app. */
  db?: Db;
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: { write(line: string): void };
}

export function buildApp(config: Config, deps: AppDeps = {}): FastifyInstance {
  const app = Fastify({
    logger: { level: config.logLevel, stream: deps.logStream },
    frameworkErrors: frameworkErrorHandler,
    // Fastify strips properties a schema forbids by default; rejecting them instead turns a
    // client's misspelt field into a 400 naming it rather than a value silently ignored.
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.decorate("config", config);

  app.register(errorsPlugin);
  app.register(metricsPlugin);
  app.register(readinessPlugin);
  app.register(dbPlugin, { config: config.db, db: deps.db });
  app.register(openapiPlugin);

  app.register(healthRoutes);
  return app;
}
