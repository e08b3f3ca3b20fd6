import Fastify, { type FastifyInstance } from "fastify";
import type { Config } from "./config";
import { AccessLog } from "./lib/access-log";
import { REDACTED, serializeError } from "./lib/redact";
import type { Db } from "./db";
import agreementsRoutes from "./modules/agreements/agreements.routes";
import fulfilmentRoutes from "./modules/agreements/fulfilment.routes";
import authRoutes from "./modules/auth/auth.routes";
import barcodesRoutes from "./modules/barcodes/barcodes.routes";
import budgetsRoutes from "./modules/budgets/budgets.routes";
import consignmentRoutes from "./modules/consignment/consignment.routes";
import campusesRoutes from "./modules/campuses/campuses.routes";
import membersRoutes from "./modules/members/members.routes";
import stockRoutes from "./modules/stock/stock.routes";
import consoleRoutes from "./modules/console/console.routes";
import consoleStatic from "./modules/console/console.static";
import departmentBudgetsMetrics from "./modules/department-budgets/department-budgets.metrics";
import departmentBudgetsRoutes from "./modules/department-budgets/department-budgets.routes";
import replenishmentRoutes from "./modules/replenishment/replenishment.routes";
import exceptionsRoutes from "./modules/exceptions/exceptions.routes";
import healthRoutes from "./modules/health/health.routes";
import indexerPlugin from "./modules/indexer/indexer.plugin";
import matchingMetrics from "./modules/matching/matching.metrics";
import ordersRoutes from "./modules/orders/orders.routes";
import paymentsRoutes from "./modules/payments/payments.routes";
import receiptsRoutes from "./modules/receipts/receipts.routes";
import hospitalsRoutes from "./modules/hospitals/hospitals.routes";
import reasonCodesRoutes from "./modules/reason-codes/reason-codes.routes";
import sunshineRoutes from "./modules/sunshine/sunshine.routes";
import claimsRoutes from "./modules/claims/claims.routes";
import fundRoutes from "./modules/fund/fund.routes";
import recallsRoutes from "./modules/recalls/recalls.routes";
import reconciliationRoutes from "./modules/reconciliation/reconciliation.routes";
import relayRoutes from "./modules/relay/relay.routes";
import settlementPlugin from "./modules/payments/settlement.plugin";
import shipmentsRoutes from "./modules/shipments/shipments.routes";
import suppliersRoutes from "./modules/suppliers/suppliers.routes";
import tendersRoutes from "./modules/tenders/tenders.routes";
import trailRoutes from "./modules/trail/trail.routes";
import usagesRoutes from "./modules/usages/usages.routes";
import authPlugin from "./modules/auth/auth.plugin";
import chainPlugin, { type ChainContext } from "./plugins/chain";
import dbPlugin from "./plugins/db";
import edgePlugin from "./plugins/edge";
import errorsPlugin, { clientErrorHandler, frameworkErrorHandler } from "./plugins/errors";
import metricsPlugin from "./plugins/metrics";
import openapiPlugin from "./plugins/openapi";
import inputGuard from "./plugins/input-guard";
import readinessPlugin from "./plugins/readiness";
import { schemaKeywords } from "./plugins/schema-keywords";

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

const LOG_REDACTIONS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-ops-token"]',
  "rpcUrl",
  "*.rpcUrl",
  "*.password",
  "*.privateKey",
  "*.secret",
];

export interface AppDeps {
  /** A database opened by the caller (tests); it is migrated but not closed with the app. */
  db?: Db;
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: { write(line: string): void };
  /**
   * The ledger side (chain, indexer, payments and every /v1 route). `false` builds only the
   * infrastructure (tests of it need no chain); a ChainContext replaces the configured one.
   */
  ledger?: false | { chain?: ChainContext; background?: boolean };
}

export function buildApp(config: Config, deps: AppDeps = {}): FastifyInstance {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      stream: deps.logStream,
      // No secret reaches a log line: tokens and cookies are censored, and an error's message
      // and stack lose any URL (the RPC URL often carries a provider key), see lib/redact.ts.
      redact: { paths: LOG_REDACTIONS, censor: REDACTED },
      serializers: { err: serializeError },
    },
    logController: new AccessLog(),
    // Behind a reverse proxy every request comes from the proxy: without this, one client could
    // exhaust the IP limits and quotas of all. Only the configured proxies are believed, so a
    // client cannot name itself someone else with its own X-Forwarded-For.
    trustProxy: config.edge.trustProxy.length > 0 ? config.edge.trustProxy : false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Fastify strips properties a schema forbids by default; rejecting them instead turns a
    // client's misspelt field into a 400 naming it rather than a value silently ignored.
    ajv: { customOptions: { removeAdditional: false }, plugins: [schemaKeywords] },
    // No limit on a plugin's start (Fastify's default is 10 s): the database plugin applies the
    // migrations, and one that rewrites a large table (0027 adds up ten million usages) takes
    // minutes; cut short, its transaction rolls back and every restart would try again in vain.
    // A gateway still starting does not listen yet: a load balancer sends it nothing, and an
    // orchestrator's start-up probe decides how long to wait for it.
    pluginTimeout: 0,
  });
  app.decorate("config", config);

  app.register(errorsPlugin);
  app.register(edgePlugin, { config });
  app.register(inputGuard);
  app.register(metricsPlugin);
  app.register(readinessPlugin);
  app.register(dbPlugin, { config: config.db, db: deps.db });
  app.register(openapiPlugin);

  app.register(healthRoutes);
  app.register(barcodesRoutes, { prefix: "/v1/barcodes" });
  app.register(reasonCodesRoutes, { prefix: "/v1/reason-codes" });
  if (deps.ledger === false) return app;

  // The indexer, the payment worker and the relay's resender run in the background unless a test
  // steps them itself.
  const background = deps.ledger?.background ?? true;
  app.register(chainPlugin, { config, chain: deps.ledger?.chain });
  app.register(authPlugin);
  app.register(indexerPlugin, { run: background });
  app.register(settlementPlugin, { run: background });
  app.register(matchingMetrics);
  app.register(departmentBudgetsMetrics);
  app.register(authRoutes, { prefix: "/v1/auth" });
  app.register(relayRoutes, { prefix: "/v1/relay", run: background });
  app.register(suppliersRoutes, { prefix: "/v1/suppliers" });
  app.register(hospitalsRoutes, { prefix: "/v1/hospitals" });
  app.register(tendersRoutes, { prefix: "/v1/tenders" });
  app.register(sunshineRoutes, { prefix: "/v1/sunshine" });
  app.register(claimsRoutes, { prefix: "/v1/claims" });
  app.register(fundRoutes, { prefix: "/v1/fund" });
  app.register(agreementsRoutes, { prefix: "/v1/agreements" });
  app.register(fulfilmentRoutes, { prefix: "/v1/agreements" });
  app.register(ordersRoutes, { prefix: "/v1/orders" });
  app.register(budgetsRoutes, { prefix: "/v1/budgets" });
  app.register(consignmentRoutes, { prefix: "/v1/consignment" });
  app.register(shipmentsRoutes, { prefix: "/v1/shipments" });
  app.register(receiptsRoutes, { prefix: "/v1/receipts" });
  app.register(exceptionsRoutes, { prefix: "/v1/exceptions" });
  app.register(paymentsRoutes, { prefix: "/v1/payments" });
  app.register(usagesRoutes, { prefix: "/v1/usages" });
  app.register(reconciliationRoutes, { prefix: "/v1/reconciliation" });
  app.register(departmentBudgetsRoutes, { prefix: "/v1/department-budgets" });
  app.register(replenishmentRoutes, { prefix: "/v1/replenishment" });
  app.register(recallsRoutes, { prefix: "/v1/recalls" });
  app.register(trailRoutes, { prefix: "/v1/trail" });
  app.register(consoleRoutes, { prefix: "/v1/console" });
  app.register(campusesRoutes, { prefix: "/v1/campuses" });
  // Two collections, /v1/members and /v1/invitations, of one module.
  app.register(membersRoutes, { prefix: "/v1" });
  app.register(stockRoutes, { prefix: "/v1/stock" });
  // Last: its fallback answers every GET no route above claims.
  app.register(consoleStatic);
  return app;
}
