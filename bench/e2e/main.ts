import { performance } from "node:perf_hooks";
import * as act from "../../ledger/acts";
import type { Engine } from "../../server/db";
import { mochaGlobalTeardown } from "../../test/server/helpers/postgres";
import { fundedOrder } from "../../test/server/support/api-fixtures";
import { DAY, GTIN, LOT } from "../../test/server/support/chain";
import { enginesFromEnv } from "../lib/engines";
import { writeResults } from "../lib/rounds";
import { startBenchStack, type BenchStack } from "../gateway/stack";

/**
 * npm run bench:e2e — from a goods receipt posted to the gateway to its payment confirmed on
 * chain (the payment worker's job recorded as confirmed after the transaction was mined), one
 * receipt at a time, with automine (BENCH_RECEIPTS, default 980: the test procurement commits 1,000 units and its first order takes 10) and with 1-second blocks
 * (BENCH_BLOCK_RECEIPTS, default 100: each takes a block). Goal: p99 at most one block time + 1 s.
 * Beside it, every tenth receipt, a script's own transaction (a token mint) sent and awaited:
 * what a transaction costs without the gateway. BENCH_ENGINES (default pglite). BENCH_SMOKE=1:
 * 10 and 3 receipts (the test suite's run).
 * Results: bench/out/e2e.json.
 */

const POLL_MS = 2;

interface Distribution {
  mining: string;
  receipts: number;
  ms: { p50: number; p90: number; p99: number; max: number };
  baselineMs: { p50: number; p99: number };
  goalMs: number;
  met: boolean;
}

async function measure(
  stack: BenchStack,
  receipts: number,
  blockSeconds: number | null,
): Promise<Distribution> {
  const { chain, gateway } = stack;
  const orderId = await fundedOrder(chain, stack.p, receipts);
  const expiry = (await chain.now()) + 2 * 365 * DAY;
  const shipments: bigint[] = [];
  for (let i = 0; i < receipts; i++) {
    const { shipmentId } = await act.createShipment(chain.ledger, chain.cast.supplier, {
      orderId,
      gtin: GTIN,
      lot: LOT,
      expiry,
      serials: [`E${blockSeconds ?? 0}-${i}`],
      notice: `E2E-${i}`,
    });
    shipments.push(shipmentId);
  }
  await gateway.indexer.catchUp();
  if (blockSeconds !== null) {
    await chain.provider.send("evm_setAutomine", [false]);
    await chain.provider.send("evm_setIntervalMining", [blockSeconds]);
  }
  const times: number[] = [];
  const baseline: number[] = [];
  try {
    const day = new Date(expiry * 1000).toISOString().slice(0, 10);
    for (const [i, shipmentId] of shipments.entries()) {
      const receivedAt = new Date(((await chain.now()) + 1) * 1000).toISOString();
      const start = performance.now();
      const res = await gateway.inject({
        method: "POST",
        url: "/v1/receipts",
        headers: { authorization: `Bearer ${stack.tokens.receiver}`, "idempotency-key": `e2e-${shipmentId}` },
        payload: {
          receiptNo: `E2E-${shipmentId}`,
          shipmentId: String(shipmentId),
          receivedAt,
          lines: [{ gtin: GTIN, lot: LOT, expiry: day, quantity: 1 }],
        },
      });
      if (res.statusCode !== 201) throw new Error(`receipt ${i}: ${res.statusCode} ${res.body}`);
      await confirmed(stack, shipmentId);
      times.push(performance.now() - start);
      // The baseline every tenth receipt: a script sending one transaction and awaiting it.
      if (i % 10 === 0) {
        const t = performance.now();
        await act.sent(chain.ledger.token.connect(chain.cast.admin).mint(chain.cast.admin.address, 1n));
        baseline.push(performance.now() - t);
      }
    }
  } finally {
    if (blockSeconds !== null) {
      await chain.provider.send("evm_setIntervalMining", [0]);
      await chain.provider.send("evm_setAutomine", [true]);
    }
  }
  const q = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);
  };
  const goalMs = (blockSeconds ?? 0) * 1000 + 1000;
  const ms = { p50: q(times, 0.5), p90: q(times, 0.9), p99: q(times, 0.99), max: q(times, 1) };
  return {
    mining: blockSeconds === null ? "automine" : `${blockSeconds}-second blocks`,
    receipts,
    ms,
    baselineMs: { p50: q(baseline, 0.5), p99: q(baseline, 0.99) },
    goalMs,
    met: ms.p99 <= goalMs,
  };
}

/** Polls the outbox until the shipment's job is confirmed (its transaction mined). */
async function confirmed(stack: BenchStack, shipmentId: bigint): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const { rows } = await stack.db.query<{ status: string }>(
      `SELECT status FROM settlement_jobs WHERE shipment_id = $1`,
      [String(shipmentId)],
    );
    if (rows[0]?.status === "confirmed") return;
    if (rows[0]?.status === "failed") throw new Error(`the payment of shipment ${shipmentId} failed`);
    if (performance.now() > deadline) throw new Error(`shipment ${shipmentId} not paid within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function main(): Promise<void> {
  const smoke = process.env.BENCH_SMOKE === "1";
  const receipts = Number(process.env.BENCH_RECEIPTS ?? (smoke ? 10 : 980));
  const blockReceipts = Number(process.env.BENCH_BLOCK_RECEIPTS ?? (smoke ? 3 : 100));
  const engines = enginesFromEnv(["pglite"]);
  const results: (Distribution & { engine: Engine })[] = [];
  for (const engine of engines) {
    for (const blockSeconds of [null, 1]) {
      const stack = await startBenchStack(engine, { background: true });
      try {
        const d = {
          engine,
          ...(await measure(stack, blockSeconds === null ? receipts : blockReceipts, blockSeconds)),
        };
        results.push(d);
        console.log(
          `${engine.padEnd(8)} ${d.mining.padEnd(16)} ${d.receipts} receipts, posted → paid: ` +
            `p50 ${d.ms.p50} ms, p90 ${d.ms.p90} ms, p99 ${d.ms.p99} ms, max ${d.ms.max} ms ` +
            `(a script's own transaction: p50 ${d.baselineMs.p50} ms, p99 ${d.baselineMs.p99} ms)` +
            (d.met ? `  goal (p99 ≤ ${d.goalMs} ms) met` : `  GOAL (p99 ≤ ${d.goalMs} ms) MISSED`),
        );
      } finally {
        await stack.stop();
      }
    }
  }
  console.log(`written to ${writeResults("e2e", { receipts, blockReceipts, results })}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => mochaGlobalTeardown());
