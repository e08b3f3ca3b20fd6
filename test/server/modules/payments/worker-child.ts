import { writeSync } from "node:fs";
import { JsonRpcProvider, Network, Wallet } from "ethers";
import type { Db } from "../../../../server/db/db";
import {
  enqueue,
  enqueueBatch,
  outboxDepth,
  type NewBatch,
} from "../../../../server/modules/payments/settlement.repository";
import { SettlementWorker } from "../../../../server/modules/payments/settlement.worker";
import {
  ConsignmentBook__factory,
  DeliveryTrace__factory,
  OrderBook__factory,
} from "../../../../typechain-types";

/**
 * One gateway process as far as payments go, for settlement.crash.test.ts: opens the database
 * (which the parent has indexed: the worker sends each shipment's record from the event log),
 * queues the jobs it is handed, then runs the settlement worker with the settler key until it is
 * killed. It may kill itself with SIGKILL the first time the worker reaches a named point of the
 * payment path; otherwise the parent kills it whenever it likes.
 *
 * Environment:
 *   DATABASE_URL or PGLITE_DIR   the database (PostgreSQL, or a PGlite data folder)
 *   RPC_URL, ORDER_BOOK, TRACE, CONSIGNMENT   the node and the contracts
 *   SETTLER_KEY                  the hospital settler's private key
 *   ENQUEUE                      JSON list of jobs to queue first (ids and amounts as strings)
 *   ENQUEUE_BATCHES              JSON list of consumption batches to queue after them
 *   KILL_AT                      signed | broadcast | mined: SIGKILL itself there
 *   MODE                         run (until killed; default) | drain (until the outbox is empty, then exit 0)
 *   RECEIPT_TIMEOUT_MS           the worker's receipt wait (default 1000)
 *
 * It reports on stdout, one line each, written synchronously so a line is out before a kill:
 * `ready` (database open, jobs queued), `reached <point>`, `kill <point>`, `drained`.
 */

interface QueuedJob {
  shipmentId: string;
  receiptNo: string;
  accepted: string;
  rejected: string;
  receiptHash: string;
}

type Point = "signed" | "broadcast" | "mined";

function say(line: string): void {
  writeSync(1, `${line}\n`);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function openDatabase(): Promise<Db> {
  // Only the engine in use is loaded: PGlite's WebAssembly costs a start it need not pay.
  if (process.env.DATABASE_URL) {
    const { openPostgres } = await import("../../../../server/db/postgres");
    return openPostgres({ url: process.env.DATABASE_URL });
  }
  const { openPglite } = await import("../../../../server/db/pglite");
  return openPglite(required("PGLITE_DIR"));
}

async function main(): Promise<void> {
  const killAt = (process.env.KILL_AT || undefined) as Point | undefined;
  const mode = process.env.MODE ?? "run";
  const db = await openDatabase();
  const jobs = JSON.parse(process.env.ENQUEUE ?? "[]") as QueuedJob[];
  for (const job of jobs) {
    await enqueue(db, {
      ...job,
      accepted: BigInt(job.accepted),
      rejected: BigInt(job.rejected),
      ledgerTime: new Date(),
    });
  }
  for (const batch of JSON.parse(process.env.ENQUEUE_BATCHES ?? "[]") as NewBatch[]) {
    await db.transaction((tx) => enqueueBatch(tx, batch));
  }

  const provider = new JsonRpcProvider(required("RPC_URL"), undefined, {
    staticNetwork: Network.from(31337),
    cacheTimeout: -1,
    pollingInterval: 20,
  });
  const wallet = new Wallet(required("SETTLER_KEY"), provider);
  const worker = new SettlementWorker(
    db,
    provider,
    wallet,
    OrderBook__factory.connect(required("ORDER_BOOK"), wallet),
    DeliveryTrace__factory.connect(required("TRACE"), provider),
    ConsignmentBook__factory.connect(required("CONSIGNMENT"), wallet),
    { pollMs: 20, receiptTimeoutMs: Number(process.env.RECEIPT_TIMEOUT_MS ?? 1000), confirmations: 0 },
    {
      info: () => undefined,
      warn: (obj, msg) => process.stderr.write(`${msg}: ${String((obj as { err?: unknown }).err)}\n`),
      error: (obj, msg) => process.stderr.write(`${msg}: ${String((obj as { err?: unknown }).err)}\n`),
    },
    {
      at(point) {
        say(`reached ${point}`);
        if (point !== killAt) return;
        say(`kill ${point}`);
        process.kill(process.pid, "SIGKILL");
      },
    },
  );
  say("ready");

  if (mode !== "drain") {
    await worker.start(); // never stopped: this process ends by SIGKILL
    return;
  }
  // A tick that finds nothing due is not the end: a job may be waiting out a receipt timeout.
  const deadline = Date.now() + 60_000;
  while ((await outboxDepth(db)) > 0) {
    if (Date.now() > deadline) throw new Error("the outbox did not drain within 60 s");
    if (!(await worker.tick())) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await db.close();
  provider.destroy();
  say("drained");
}

main().catch((error: unknown) => {
  process.stderr.write(`worker-child failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
