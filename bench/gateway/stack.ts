import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { buildApp } from "../../server/app";
import { logStream } from "../../server/lib/log-stream";
import { migrate, openPglite, openPostgres, type Db, type Engine } from "../../server/db";
import { openChain } from "../../server/plugins/chain";
import { testConfig } from "../../test/server/helpers/config";
import { throwawayDatabase } from "../../test/server/helpers/postgres";
import { procure, startChain, type ChainStack, type Procurement } from "../../test/server/support/chain";
import { login } from "../../test/server/support/gateway";
import type { MatchTolerances } from "../../server/modules/matching/matching.service";
import { partsApp } from "./parts";

/**
 * What the gateway benchmark runs against, on one engine: a local chain with one procurement
 * (bidding, agreement, a funded order and its shipment), the gateway on it with production's
 * logging (info, asynchronously, to a file), and beside it a bare Fastify app on the same
 * database doing one insert or one select a request — the baseline.
 */

const PATIENT_SALT = "bench-patient-salt-".padEnd(32, "x");

export interface BenchStack {
  engine: Engine;
  chain: ChainStack;
  p: Procurement;
  db: Db;
  gateway: FastifyInstance;
  gatewayUrl: string;
  bare: FastifyInstance;
  bareUrl: string;
  /** The usage and receipt routes taken apart (parts.ts). */
  partsUrl: string;
  /** The gateway's matching tolerances, for a bench that runs the receipt service itself. */
  matching: MatchTolerances;
  tokens: { receiver: string; regulator: string };
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  /** Run the indexer and the payment worker (with the hospital's settler key), as `npm run gateway` does. */
  background?: boolean;
}

export async function startBenchStack(engine: Engine, options: BenchStackOptions = {}): Promise<BenchStack> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const chain = await startChain();
    cleanups.push(() => chain.stop());
    const p = await procure(chain, 10);
    const dir = mkdtempSync(join(tmpdir(), "bench-gateway-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let db: Db;
    if (engine === "pglite") {
      db = await openPglite(join(dir, "pglite"));
    } else {
      const database = await throwawayDatabase("bench_gateway");
      cleanups.push(() => database.drop());
      db = await openPostgres({ url: database.url });
    }
    cleanups.push(() => db.close());
    await migrate(db);

    // The chain context as production opens it (openChain: its provider's batching and caching).
    const deploymentFile = join(dir, "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(chain.deployment));
    const config = testConfig({
      CONFIRMATIONS: "0",
      LOG_LEVEL: "info",
      RPC_URL: chain.node.url,
      DEPLOYMENT_FILE: deploymentFile,
      AUTH_SECRET: "bench-secret-".padEnd(40, "x"),
      PATIENT_REF_SALT: PATIENT_SALT,
      ...(options.background ? { PAYMENTS_ENABLED: "true", SETTLER_KEY: chain.cast.settler.privateKey } : {}),
    });
    const chainContext = await openChain(config);
    cleanups.push(() => chainContext.provider.destroy());
    const gateway = buildApp(config, {
      db,
      logStream: logStream(join(dir, "gateway.log")),
      ledger: { chain: chainContext, background: options.background ?? false },
    });
    cleanups.push(() => gateway.close());
    await gateway.ready();
    await gateway.indexer.catchUp();
    const tokens = {
      receiver: await login(gateway, chain.cast.receiver),
      regulator: await login(gateway, chain.cast.regulator),
    };
    const gatewayUrl = await gateway.listen({ host: "127.0.0.1", port: 0 });

    const bare = bareApp(db);
    cleanups.push(() => bare.close());
    await db.exec(`CREATE TABLE bench_bare (k TEXT PRIMARY KEY, body JSONB NOT NULL)`);
    const bareUrl = await bare.listen({ host: "127.0.0.1", port: 0 });
    const actor = { address: chain.cast.receiver.address, hospital: chain.cast.hospital.address };
    // The chain's clock may run ahead of the wall's: keep the distance.
    const ahead = (await chain.now()) * 1000 - Date.now();
    const parts = partsApp(db, PATIENT_SALT, actor, () => new Date(Date.now() + ahead), config.matching);
    cleanups.push(() => parts.close());
    const partsUrl = await parts.listen({ host: "127.0.0.1", port: 0 });
    const matching = config.matching;
    return { engine, chain, p, db, gateway, gatewayUrl, bare, bareUrl, partsUrl, matching, tokens, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The baseline: Fastify with no plugins, one statement a request. */
function bareApp(db: Db): FastifyInstance {
  const app = Fastify();
  app.post<{ Body: Record<string, unknown>; Headers: { "idempotency-key": string } }>(
    "/bare",
    async (request, reply) => {
      await db.query(`INSERT INTO bench_bare (k, body) VALUES ($1, $2)`, [
        request.headers["idempotency-key"],
        JSON.stringify(request.body),
      ]);
      return reply.code(201).send({ stored: request.headers["idempotency-key"] });
    },
  );
  app.get<{ Params: { id: string } }>("/bare/orders/:id", async (request) => {
    const { rows } = await db.query(`SELECT * FROM orders WHERE id = $1`, [request.params.id]);
    return rows;
  });
  return app;
}

/**
 * `count` copies of the procurement's shipment, ids from `firstId`, as the indexer would have
 * written them: each can take one goods receipt, so a benchmark of receipts needs one a request.
 */
export async function cloneShipments(stack: BenchStack, firstId: number, count: number): Promise<void> {
  const { rows } = await stack.db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'shipments' ORDER BY ordinal_position`,
  );
  const columns = rows.map((r) => r.column_name);
  const values = columns.map((c) => (c === "id" ? `$1::bigint + g` : c));
  await stack.db.query(
    `INSERT INTO shipments (${columns.join(", ")})
     SELECT ${values.join(", ")} FROM shipments, generate_series(0, $2::int - 1) g WHERE id = $3`,
    [firstId, count, String(stack.p.shipmentId)],
  );
}
