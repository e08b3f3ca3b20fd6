import type { DbConfig } from "../config";
import type { Db } from "./db";
import { openPglite } from "./pglite";
import { openPostgres } from "./postgres";

/** Opens the engine the configuration names. Migrations are the caller's next step. */
export function openDb(
  config: DbConfig,
  options: { onIdleClientError?: (error: Error) => void } = {},
): Promise<Db> {
  return config.engine === "postgres"
    ? openPostgres({ url: config.url, onIdleClientError: options.onIdleClientError })
    : openPglite(config.dir);
}
