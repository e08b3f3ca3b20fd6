import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { expect } from "chai";
import { Client } from "pg";
import { migrate, openPglite, openPostgres, type Db } from "../../../../server/db";
import { ethers } from "ethers";
import * as act from "../../../../ledger/acts";
import type { NewBatch, NewJob } from "../../../../server/modules/payments/settlement.repository";
import { postgresAdminUrl, postgresSkipped } from "../../helpers/postgres";
import { tempDir } from "../../helpers/temp-dir";
import { procure, startChain, type ChainStack } from "../../support/chain";
import { indexLedger } from "../../support/indexer";
import {
  fullAcceptance,
  settledLogs,
  settlerNonces,
  shipOrder,
  supplierBalance,
  type ShippedOrder,
  type ShippedUnit,
} from "./support";

/**
 * The crash test: a real worker process (worker-child.ts) is SIGKILLed again and again — at a
 * named point of the payment path (job committed with its signed transaction; sent; receipt
 * seen but not recorded) or after a random delay, wherever that lands — with new jobs queued
 * on the way, then a last clean run drains the outbox. Afterwards the chain and the database
 * must agree that every shipment was paid exactly once: one ShipmentSettled each, every job
 * confirmed, the supplier richer by exactly what the events paid — the schedule's value of the
 * units accepted — and the order book holding exactly the escrow its orders still owe.
 *
 * Consumption batches ride the same outbox: consigned shipments (confirmed into the hospital's
 * custody before the campaign, paying nothing) are paid one unit per batch, the batches queued
 * among the settlements. Each batch must be paid exactly once (one ConsumptionBatchConfirmed,
 * its job confirmed), every consigned unit used and paid, nothing left held.
 *
 * CRASH_SEED=<n> replays a run's kill schedule; CRASH_RUNS=<n> changes the number of runs (by
 * default 24 on PostgreSQL, eight at each kill point and eight at random times, and 12 on PGlite:
 * `npm test`'s share of the machine; a long campaign is CRASH_RUNS=200).
 */

const CHILD = path.join(__dirname, "worker-child.ts");
const REGISTER = path.join(__dirname, "../../helpers/ts-register.js");
const POINTS = ["signed", "broadcast", "mined"] as const;
type Point = (typeof POINTS)[number];
type Kill = Point | "delay" | "unreached";

/** Where a hook kill was asked for but the worker never got there, the parent kills after this. */
const HOOK_WAIT_MS = 3_000;
const INITIAL_JOBS = 6;
/** Consigned orders per campaign, each of one shipment of CONSIGNED_UNITS, paid one unit a batch. */
const CONSIGNED_ORDERS = 2;
const CONSIGNED_UNITS = 3;

/** A job for the child to queue: a settlement or a consumption batch. */
type Queued = { settlement: NewJob } | { batch: NewBatch };

/** mulberry32: a small seeded generator, so a failing kill schedule can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Half the runs die at a hook point, the three points taking turns; the other half after a
 * random 0–800 ms of work, wherever that lands. The order is shuffled.
 */
function schedule(runs: number, next: () => number): { killAt?: Point; killAfterMs?: number }[] {
  const plans = Array.from({ length: runs }, (_, i) =>
    i % 2 === 0 ? { killAt: POINTS[(i / 2) % POINTS.length] } : { killAfterMs: Math.floor(next() * 800) },
  );
  for (let i = plans.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [plans[i], plans[j]] = [plans[j], plans[i]];
  }
  return plans;
}

type Target = { engine: "postgres"; url: string } | { engine: "pglite"; dir: string };

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  kill: Kill | null;
  stdout: string[];
  stderr: string;
}

function serialise(job: NewJob): Record<string, string> {
  return {
    shipmentId: job.shipmentId,
    receiptNo: job.receiptNo,
    accepted: job.accepted.toString(),
    rejected: job.rejected.toString(),
    receiptHash: job.receiptHash,
  };
}

function runChild(
  chain: ChainStack,
  target: Target,
  options: { jobs: Queued[]; killAt?: Point; killAfterMs?: number; drain?: boolean },
): Promise<ChildRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RPC_URL: chain.node.url,
    ORDER_BOOK: chain.deployment.contracts.orderBook,
    TRACE: chain.deployment.contracts.trace,
    CONSIGNMENT: chain.deployment.contracts.consignment,
    SETTLER_KEY: chain.cast.settler.privateKey,
    ENQUEUE: JSON.stringify(
      options.jobs.flatMap((q) => ("settlement" in q ? [serialise(q.settlement)] : [])),
    ),
    ENQUEUE_BATCHES: JSON.stringify(options.jobs.flatMap((q) => ("batch" in q ? [q.batch] : []))),
    KILL_AT: options.killAt ?? "",
    MODE: options.drain ? "drain" : "run",
    RECEIPT_TIMEOUT_MS: "1000",
  };
  delete env.DATABASE_URL;
  delete env.PGLITE_DIR;
  if (target.engine === "postgres") env.DATABASE_URL = target.url;
  else env.PGLITE_DIR = target.dir;

  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", REGISTER, CHILD], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: string[] = [];
    let stderr = "";
    let kill: Kill | null = null;
    const timers: NodeJS.Timeout[] = [];
    const killAfter = (ms: number, reason: Kill) =>
      timers.push(
        setTimeout(() => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          kill ??= reason;
          child.kill("SIGKILL");
        }, ms),
      );
    // Nothing may hang the suite: a child that never gets ready is killed and reported.
    timers.push(
      setTimeout(() => {
        if (!stdout.includes("ready")) child.kill("SIGKILL");
      }, 60_000),
    );
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        stdout.push(line);
        if (line.startsWith("kill ")) kill = line.slice(5) as Point;
        if (line !== "ready" || options.drain) continue;
        if (options.killAfterMs !== undefined) killAfter(options.killAfterMs, "delay");
        if (options.killAt) killAfter(HOOK_WAIT_MS, "unreached");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      timers.forEach(clearTimeout);
      resolve({ code, signal, kill, stdout, stderr });
    });
  });
}

async function openTarget(target: Target): Promise<Db> {
  return target.engine === "postgres" ? openPostgres({ url: target.url }) : openPglite(target.dir);
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("settlement crash test: SIGKILLed workers pay every shipment exactly once", function () {
  this.timeout(300_000);
  let chain: ChainStack;
  let agreementId: bigint;

  before(async function () {
    chain = await startChain();
    ({ agreementId } = await procure(chain, 1));
    await act.offerConsignment(chain.ledger, chain.cast.supplier, agreementId);
  });

  after(async function () {
    await chain?.stop();
  });

  /** Tokens the order book holds, and the escrow its orders say it holds (every order, all time). */
  async function escrowBook(): Promise<{ held: bigint; escrow: bigint; total: bigint }> {
    const { orderBook, token } = chain.ledger;
    let escrow = 0n;
    for (let id = 1n; id <= (await orderBook.orderCount()); id++)
      escrow += (await orderBook.order(id)).escrow;
    return {
      held: await token.balanceOf(await orderBook.getAddress()),
      escrow,
      total: await orderBook.totalEscrow(),
    };
  }

  /**
   * Queues INITIAL_JOBS jobs, then `runs` killed child runs each queuing one more, then a clean
   * run that drains; returns what happened for the assertions.
   */
  async function campaign(target: Target, runs: number, seed: number) {
    const started = Date.now();
    const next = random(seed);
    // Orders of 3 units shipped as 1 + 2: each order is paid in two parts, so along the way
    // there are partly paid orders whose escrow the order book must still hold exactly.
    const orders: ShippedOrder[] = [];
    while (orders.length * 2 < INITIAL_JOBS + runs) orders.push(await shipOrder(chain, agreementId, [1, 2]));
    const units: ShippedUnit[] = orders.flatMap((o) => o.shipments);
    // Consigned stock, confirmed into custody now (paying nothing), to be paid by the batches.
    const consigned: ShippedUnit[] = [];
    for (let i = 0; i < CONSIGNED_ORDERS; i++) {
      const order = await shipOrder(chain, agreementId, [CONSIGNED_UNITS], undefined, true);
      for (const s of order.shipments) {
        await act.confirmShipment(chain.ledger, chain.cast.settler, s.shipmentId, {
          accepted: s.quantity,
          rejected: 0,
          receiptHash: ethers.id(`receipt-${s.shipmentId}`),
        });
        consigned.push(s);
      }
    }
    const batches: NewBatch[] = consigned.flatMap((s) =>
      Array.from({ length: s.quantity }, (_, k) => ({
        batchId: ethers.id(`crash batch ${s.shipmentId}-${k}`),
        hospital: chain.cast.hospital.address.toLowerCase(),
        supplier: chain.cast.supplier.address.toLowerCase(),
        lines: [{ shipmentId: s.shipmentId.toString(), units: 1 }],
        usageIds: [],
      })),
    );
    let consignedValue = 0n;
    for (const s of consigned) consignedValue += (await chain.ledger.consignment.stock(s.shipmentId)).held;
    // Settlements and batches interleaved: one worker, one nonce sequence for both.
    const queue: Queued[] = units.map((unit) => ({ settlement: fullAcceptance(unit) }));
    for (const [i, batch] of batches.entries()) queue.splice(3 * i + 1, 0, { batch });
    const balanceBefore = await supplierBalance(chain);
    // Accepted units are paid at the tier of the agreement's accepted volume when each is
    // accepted, so all of them together earn the schedule's value from where it stands now.
    const acceptedUnits = units.reduce((sum, u) => sum + BigInt(u.quantity), 0n);
    const scheduleValue = await chain.ledger.agreements.quote(agreementId, acceptedUnits);
    // The gateway queues a job only for a shipment it has indexed.
    const indexed = await openTarget(target);
    try {
      await indexLedger(indexed, chain);
    } finally {
      await indexed.close();
    }

    const kills: Record<Kill, number> = { signed: 0, broadcast: 0, mined: 0, delay: 0, unreached: 0 };
    for (const [run, plan] of schedule(runs, next).entries()) {
      const jobs = queue.splice(0, run === 0 ? INITIAL_JOBS : 1);
      const result = await runChild(chain, target, { jobs, ...plan });
      if (result.signal !== "SIGKILL" || result.kill === null) {
        expect.fail(
          `run ${run} ended with code ${result.code} / ${result.signal} instead of a kill:\n` +
            `${result.stdout.join("\n")}\n${result.stderr}`,
        );
      }
      kills[result.kill]++;
      if (run % 10 === 9) {
        const book = await escrowBook();
        expect(book.held, `order book balance after run ${run}`).to.equal(book.escrow);
        expect(book.total).to.equal(book.escrow);
      }
    }
    const last = await runChild(chain, target, { jobs: queue.splice(0), drain: true });
    expect(last.code, `the clean run failed:\n${last.stderr}`).to.equal(0);
    expect(last.stdout).to.include("drained");

    return {
      units,
      orders,
      batches,
      consigned,
      consignedValue,
      kills,
      balanceBefore,
      scheduleValue,
      seconds: (Date.now() - started) / 1000,
    };
  }

  async function verify(target: Target, runs: number, outcome: Awaited<ReturnType<typeof campaign>>) {
    const { units, orders, kills, balanceBefore, scheduleValue, batches, consigned, consignedValue } =
      outcome;
    const db = await openTarget(target);
    let rows: {
      shipment_id: string | null;
      batch_id: string | null;
      status: string;
      tx_hash: string | null;
    }[];
    try {
      ({ rows } = await db.query("SELECT shipment_id, batch_id, status, tx_hash FROM settlement_jobs"));
    } finally {
      await db.close();
    }
    const jobs = new Map(rows.filter((r) => r.shipment_id).map((r) => [BigInt(r.shipment_id!), r]));
    const batchJobs = new Map(rows.filter((r) => r.batch_id).map((r) => [r.batch_id!, r]));
    const logs = await settledLogs(chain);

    let doublePayments = 0;
    let lostPayments = 0;
    let paid = 0n;
    let withoutHash = 0;
    for (const unit of units) {
      const settled = logs.get(unit.shipmentId) ?? [];
      const job = jobs.get(unit.shipmentId);
      if (settled.length > 1) doublePayments += settled.length - 1;
      if (settled.length === 0 || job?.status !== "confirmed") lostPayments++;
      for (const log of settled) paid += log.paid;
      // A recorded hash is the transaction that paid. It is absent where a job was re-checked
      // as pending and found already paid on-chain.
      if (job?.tx_hash && settled.length === 1) expect(job.tx_hash).to.equal(settled[0].txHash);
      if (job && !job.tx_hash) withoutHash++;
    }
    // Consumption batches: each paid once, none lost.
    const { consignment } = chain.ledger;
    const batchLogs = await consignment.queryFilter(
      consignment.filters.ConsumptionBatchConfirmed(),
      chain.deployment.deploymentBlock,
    );
    let consumptionPaid = 0n;
    for (const batch of batches) {
      const logs = batchLogs.filter((l) => l.args.batchId === batch.batchId);
      const job = batchJobs.get(batch.batchId);
      if (logs.length > 1) doublePayments += logs.length - 1;
      if (logs.length === 0 || job?.status !== "confirmed") lostPayments++;
      for (const log of logs) consumptionPaid += log.args.amount;
      if (job?.tx_hash && logs.length === 1) expect(job.tx_hash).to.equal(logs[0].transactionHash);
    }
    for (const s of consigned) {
      const stock = await consignment.stock(s.shipmentId);
      expect([stock.used, stock.held], `consigned shipment ${s.shipmentId}`).to.deep.equal([
        BigInt(s.quantity),
        0n,
      ]);
    }
    const { held, escrow, total } = await escrowBook();
    const supplierDelta = (await supplierBalance(chain)) - balanceBefore;

    console.log(
      `      crash test on ${target.engine}: ${runs} killed runs + 1 clean run in ${outcome.seconds.toFixed(1)} s; ` +
        `kills ${JSON.stringify(kills)}; ${units.length} jobs; ` +
        `${batches.length} consumption batches paying ${consumptionPaid}; ` +
        `double payments ${doublePayments}, lost payments ${lostPayments}; ` +
        `confirmed without a recorded hash ${withoutHash}; ` +
        `supplier +${supplierDelta} = events ${paid}; order book holds ${held} = escrow ${escrow}`,
    );

    expect(rows, "a job row per shipment and per batch").to.have.lengthOf(units.length + batches.length);
    expect(doublePayments, "double payments").to.equal(0);
    expect(lostPayments, "lost payments").to.equal(0);
    expect(supplierDelta).to.equal(paid + consumptionPaid);
    // The consigned units were paid exactly the value held for them, and nothing is left held.
    expect(consumptionPaid).to.equal(consignedValue);
    expect(await chain.ledger.token.balanceOf(await consignment.getAddress())).to.equal(0n);
    // Every unit was received and accepted on time: the supplier got exactly their schedule value
    // (funding escrowed at least that; what it reserved above came back when each order closed).
    expect(paid).to.equal(scheduleValue);
    expect(held).to.equal(escrow);
    expect(total).to.equal(escrow);
    for (const o of orders) expect((await chain.ledger.orderBook.order(o.orderId)).escrow).to.equal(0n);
    // Nothing signed by a dead worker is left waiting in the node's pool.
    const nonces = await settlerNonces(chain);
    expect(nonces.pending).to.equal(nonces.latest);
    // Every window was really hit (a hook point the worker did not reach counts as "unreached").
    for (const point of POINTS) expect(kills[point], `kills at "${point}"`).to.be.above(0);
    expect(kills.delay, "kills after a random delay").to.be.above(0);
  }

  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);

  if (!postgresSkipped) {
    describe("on postgres", function () {
      const runs = Number(process.env.CRASH_RUNS ?? 24);
      let target: { engine: "postgres"; url: string; adminUrl: string; name: string } | undefined;

      before(async function () {
        const adminUrl = await postgresAdminUrl();
        const name = `crash_${randomBytes(6).toString("hex")}`;
        await admin(adminUrl, `CREATE DATABASE ${name}`);
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        target = { engine: "postgres", url: url.toString(), adminUrl, name };
        const db = await openPostgres({ url: target.url });
        try {
          await migrate(db);
        } finally {
          await db.close();
        }
      });

      after(async function () {
        if (target) await admin(target.adminUrl, `DROP DATABASE IF EXISTS ${target.name} WITH (FORCE)`);
      });

      it(`pays each shipment exactly once across ${runs} SIGKILLed worker runs (seed ${seed})`, async function () {
        const outcome = await campaign(target!, runs, seed);
        await verify(target!, runs, outcome);
      });
    });
  }

  describe("on pglite with a data folder", function () {
    // Each PGlite start loads the data folder into memory (2–3 s): fewer runs keep the file
    // within its time budget, PostgreSQL above takes the longer campaign.
    const runs = Number(process.env.CRASH_RUNS ?? 12);
    const target: Target = { engine: "pglite", dir: path.join(tempDir("settlement-crash"), "pgdata") };

    before(async function () {
      const db = await openPglite(target.dir);
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
    });

    it(`pays each shipment exactly once across ${runs} SIGKILLed worker runs (seed ${seed + 1})`, async function () {
      const outcome = await campaign(target, runs, seed + 1);
      await verify(target, runs, outcome);
    });
  });
});
