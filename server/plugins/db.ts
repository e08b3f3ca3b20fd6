import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { DbConfig } from "../config";
import { migrate, openDb, type Db } from "../db";

/**
 * `app.db`: the database, migrated to the current schema before the app serves anything, and
 * a readiness check that it answers. A handle passed in (tests) stays open on close: whoever
 * opened it closes it.
 */

declare module "fastify" {
  interface FastifyInstance {
    db: Db;
  }
}

export interface DbPluginOptions {
  config: DbConfig;
  db?: Db;
}

async function dbPlugin(app: FastifyInstance, options: DbPluginOptions): Promise<void> {
  const owned = options.db === undefined;
  const db =
    options.db ??
    (await openDb(options.config, {
      onIdleClientError: (error) => app.log.warn({ err: error }, "idle PostgreSQL connection failed"),
    }));
  try {
    for (const migration of await migrate(db))
      app.log.info({ migration: migration.name }, "migration applied");
  } catch (error) {
    if (owned) await db.close();
    throw error;
  }
  if (owned) app.addHook("onClose", () => db.close());
  app.decorate("db", db);

  app.readiness.register("database", async () => {
    const started = performance.now();
    await db.query("SELECT 1");
    return { ok: true, engine: db.engine, latencyMs: Math.round(performance.now() - started) };
  });
}

export default fp(dbPlugin, { name: "db", fastify: "5.x", dependencies: ["readiness"] });
