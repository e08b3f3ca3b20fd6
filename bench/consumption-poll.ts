import { performance } from "node:perf_hooks";
import { migrate, openPostgres, type Db } from "../server/db";
import { cutBatches } from "../server/modules/consignment/consumption.batcher";
import { mochaGlobalTeardown, throwawayDatabase } from "../test/server/helpers/postgres";

/**
 * Times one poll of the consumption batcher on PostgreSQL when most usages are of ordinary
 * (paid on receipt) stock: a poll should read the usages of consigned lots, not every usage.
 *
 *   npx ts-node --transpile-only bench/consumption-poll.ts
 *
 * Uses DATABASE_URL if set (its user must be allowed to CREATE DATABASE), otherwise starts the
 * tests' throw-away cluster; the data goes into a new database, dropped at the end.
 * Data: USAGES ordinary usages over 10 hospitals × 100 lots, and one consigned shipment of one
 * of those hospitals with CONSIGNED_USES usages waiting. The rules never cut a batch, so each
 * poll does all its reading and writes nothing.
 */

const USAGES = 500_000;
const CONSIGNED_USES = 50;
const RUNS = 15;
const WARM_UP = 2;
// Thirty years: no usage waits that long, and the refusal window still starts after year 0.
const NEVER = { batchIntervalMs: 1e12, batchUnits: 1e9 };

async function main(): Promise<void> {
  const database = await throwawayDatabase("bench");
  const db = await openPostgres({ url: database.url });
  try {
    await migrate(db);
    await load(db);
    await db.exec("VACUUM ANALYZE");
    const samples: number[] = [];
    for (let run = 0; run < WARM_UP + RUNS; run++) {
      const start = performance.now();
      const cut = await cutBatches(db, NEVER);
      const ms = performance.now() - start;
      if (cut.length !== 0) throw new Error("the bench's rules must never cut a batch");
      if (run >= WARM_UP) samples.push(ms);
    }
    samples.sort((a, b) => a - b);
    const at = (q: number) =>
      samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(1);
    console.log(
      `one batcher poll over ${USAGES.toLocaleString("en")} ordinary usages and ${CONSIGNED_USES} consigned ones: ` +
        `min ${at(0)} ms, median ${at(0.5)} ms, max ${at(1)} ms (${RUNS} runs)`,
    );
  } finally {
    await db.close();
    await database.drop();
    await mochaGlobalTeardown();
  }
}

async function load(db: Db): Promise<void> {
  const tx = `0x${"ff".repeat(32)}`;
  const hospital = (h: string) => `'0x' || lpad(to_hex(${h}), 40, '0')`;
  await db.query(
    `INSERT INTO usages (hospital, usage_id, gtin, lot, department, patient_hash, used_at, billing_code,
       billed_amount, quantity, recorded_by)
     SELECT ${hospital("1 + i % 10")}, 'U-' || i, '09520123456788', 'LOT-' || (i % 100), 'Cardiology', $1,
       timestamptz '2026-01-01' + i * interval '1 minute', 'B1', 75000, 1, ${hospital("1 + i % 10")}
     FROM generate_series(1, ${USAGES}) i`,
    ["0".repeat(64)],
  );
  // The consigned shipment: lot CONSIGNED at hospital 1, in custody before its usages.
  await db.query(
    `INSERT INTO shipments (id, order_id, supplier, hospital, gtin, lot, expiry, quantity, serial_root, notice_hash,
       created_at, chain_received_at, last_tx, last_block)
     VALUES (1, 1, $1, ${hospital("1")}, '09520123456788', 'CONSIGNED', '2028-01-01', 100, $2, $2,
       '2026-01-01', '2026-01-02', $2, 1)`,
    [`0x${"aa".repeat(20)}`, tx],
  );
  await db.query(
    `INSERT INTO consigned_stock (shipment_id, order_id, hospital, supplier, expiry, received, value, held,
       consigned_at, consigned_tx, last_tx, last_block)
     VALUES (1, 1, ${hospital("1")}, $1, '2028-01-01', 100, 7500000, 7500000, '2026-01-02', $2, $2, 1)`,
    [`0x${"aa".repeat(20)}`, tx],
  );
  await db.query(
    `INSERT INTO usages (hospital, usage_id, gtin, lot, department, patient_hash, used_at, billing_code,
       billed_amount, quantity, recorded_by)
     SELECT ${hospital("1")}, 'C-' || i, '09520123456788', 'CONSIGNED', 'Cardiology', $1,
       timestamptz '2026-02-01' + i * interval '1 hour', 'B1', 75000, 1, ${hospital("1")}
     FROM generate_series(1, ${CONSIGNED_USES}) i`,
    ["0".repeat(64)],
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
