import type { FastifyInstance } from "fastify";
import { buildApp, type AppDeps } from "../../../server/app";
import type { Db } from "../../../server/db";
import { testConfig } from "./config";

export interface TestAppOptions {
  /** Settings on top of testConfig's. */
  env?: Record<string, string>;
  logStream?: AppDeps["logStream"];
}

/**
 * The gateway's infrastructure (no chain, no /v1 ledger routes) on a database the test owns (opening PGlite takes seconds: share one per file).
 * Add routes or hooks before the first `inject()`; close the app in an after hook.
 */
export function buildTestApp(db: Db, options: TestAppOptions = {}): FastifyInstance {
  return buildApp(testConfig(options.env), { db, logStream: options.logStream, ledger: false });
}
