import type { Db, Engine } from "../../server/db";
import type { ReceiptRequest } from "../../api/receipts";
import { ReceiptsService, type LedgerView } from "../../server/modules/receipts/receipts.service";
import { mochaGlobalTeardown } from "../../test/server/helpers/postgres";
import { GTIN, LOT } from "../../test/server/support/chain";
import { enginesFromEnv } from "../lib/engines";
import { alternate, formatSpread, ratios, spread, writeResults, type Spread } from "../lib/rounds";
import { cloneShipments, startBenchStack, type BenchStack } from "../gateway/stack";

/**
 * npm run bench:receipt-groups — what sending receipts' write statements together would buy,
 * measured before building it (docs/performance.md, "What grouping receipts would save").
 *
 * The receipt service runs on a database wrapper that keeps each receipt's write statement
 * (receipt, lines, match, payment job, idempotency key) instead of sending it, so the writes
 * are those the gateway would send. They are then sent one client, one after another, the way
 * a single connection sees them: one by one (the baseline, as the gateway does), and
 * concatenated `BENCH_GROUP` at a time into one statement, each receipt's names and parameters
 * renumbered, once prepared (one text for every group, as a multi-row form of each insert
 * would have) and once planned afresh (a text per group, as concatenating whatever receipts
 * arrive would give). Rounds alternate; figures are the database's milliseconds a receipt.
 *
 * BENCH_SMOKE=1: 60 receipts a round. BENCH_RECEIPTS (default 2,000), BENCH_ROUNDS (3),
 * BENCH_GROUP (5), BENCH_LINES (1), BENCH_ENGINES as the other benches.
 */

interface Write {
  sql: string;
  params: readonly unknown[];
}

interface Options {
  engines: Engine[];
  rounds: number;
  receipts: number;
  group: number;
  lines: number;
}

interface Result {
  engine: Engine;
  lines: number;
  group: number;
  msPerReceipt: { oneByOne: Spread; groupedPrepared: Spread; groupedUnprepared: Spread };
  /** Grouped time over one-by-one time, round by round: below 1 is a gain. */
  ratio: { prepared: Spread; unprepared: Spread };
}

/** The names `ReceiptsService` and `insertOnce` give the parts of a receipt's write. */
const NAMES =
  /\b(receipt_row|line_rows|match_row|serial_rows|job_row|exception_row|dispute_row|effect|stored)\b/g;
/** Where `insertOnce`'s answer begins, after the statement's parts. */
const ANSWER = "SELECT true AS fresh";

/** One statement doing the writes' work, each answering its own row, in order. */
function concatenate(writes: Write[]): Write {
  const parts: string[] = [];
  const answers: string[] = [];
  const params: unknown[] = [];
  writes.forEach((w, i) => {
    const offset = params.length;
    const sql = w.sql
      .replace(NAMES, (name) => `${name}_${i}`)
      .replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    const at = sql.indexOf(ANSWER);
    if (!sql.startsWith("WITH ") || at < 0) throw new Error(`not a receipt's write: ${sql.slice(0, 60)}`);
    parts.push(sql.slice("WITH ".length, at).trim().replace(/,$/, ""));
    answers.push(sql.slice(at));
    params.push(...w.params);
  });
  return { sql: `WITH ${parts.join(",\n")}\n${answers.join("\nUNION ALL\n")}`, params };
}

/** `count` receipts' write statements, for shipments `first` onwards, none sent. */
async function captureWrites(
  stack: BenchStack,
  first: number,
  count: number,
  lines: number,
): Promise<Write[]> {
  await cloneShipments(stack, first, count);
  const writes: Write[] = [];
  const recording: Db = {
    engine: stack.db.engine,
    query: (sql, params, options) => {
      if (!sql.startsWith("WITH receipt_row")) return stack.db.query(sql, params, options);
      // Every receipt here matches: one held would measure another statement's shape.
      if (!sql.includes("job_row AS")) throw new Error("a bench receipt did not match its shipment");
      writes.push({ sql, params: params ?? [] });
      // What insertOnce reads as its statement's fresh answer.
      return Promise.resolve({ rows: [{ fresh: true, status_code: 201, response: {} }] } as never);
    },
    exec: (sql) => stack.db.exec(sql),
    transaction: (fn) => stack.db.transaction(fn),
    close: () => stack.db.close(),
  };
  const service = new ReceiptsService(recording, stack.matching);
  const chainNow = await stack.chain.now();
  const ledger: LedgerView = {
    now: new Date((chainNow + 120) * 1000),
    isQualified: async () => true,
    isRecalled: async () => false,
  };
  const actor = { address: stack.chain.cast.receiver.address, hospital: stack.chain.cast.hospital.address };
  const expiry = new Date(stack.p.expiry * 1000).toISOString().slice(0, 10);
  for (let n = first; n < first + count; n++) {
    const request: ReceiptRequest = {
      receiptNo: `GROUPS-${n}`,
      shipmentId: String(n),
      receivedAt: new Date((chainNow + 60) * 1000).toISOString(),
      // The lines add up to the shipment's 10 units: every receipt matches and is queued.
      lines: Array.from({ length: lines }, () => ({ gtin: GTIN, lot: LOT, expiry, quantity: 10 / lines })),
    };
    await service.submit(request, actor, `groups-${n}`, ledger);
  }
  return writes;
}

/** Sends the statements one after another; milliseconds a receipt. Checks each stored its receipt. */
async function send(db: Db, statements: Write[], receipts: number, prepared: boolean): Promise<number> {
  const started = performance.now();
  let answered = 0;
  for (const s of statements) {
    const { rows } = await db.query<{ fresh: boolean }>(s.sql, s.params, { prepared });
    answered += rows.filter((r) => r.fresh).length;
  }
  const ms = (performance.now() - started) / receipts;
  if (answered !== receipts) throw new Error(`${answered} of ${receipts} receipts stored`);
  return ms;
}

export async function benchReceiptGroups(options: Options): Promise<Result[]> {
  const results: Result[] = [];
  for (const engine of options.engines) {
    const stack = await startBenchStack(engine);
    try {
      let next = 1_000_000;
      const writes = async () => {
        const first = next;
        next += options.receipts;
        return captureWrites(stack, first, options.receipts, options.lines);
      };
      const groups = (ws: Write[]) => {
        const out: Write[] = [];
        for (let i = 0; i < ws.length; i += options.group)
          out.push(concatenate(ws.slice(i, i + options.group)));
        return out;
      };
      // Warm both forms' plans and caches first, as a running gateway's are.
      await send(stack.db, await writes(), options.receipts, true);
      await send(stack.db, groups(await writes()), options.receipts, true);
      const { baseline, subject } = await alternate(
        options.rounds,
        async () => [await send(stack.db, await writes(), options.receipts, true)],
        async () => [
          await send(stack.db, groups(await writes()), options.receipts, true),
          await send(stack.db, groups(await writes()), options.receipts, false),
        ],
      );
      const oneByOne = baseline.map(([b]) => b);
      const prepared = subject.map(([p]) => p);
      const unprepared = subject.map(([, u]) => u);
      results.push({
        engine,
        lines: options.lines,
        group: options.group,
        msPerReceipt: {
          oneByOne: spread(oneByOne),
          groupedPrepared: spread(prepared),
          groupedUnprepared: spread(unprepared),
        },
        ratio: { prepared: ratios(prepared, oneByOne), unprepared: ratios(unprepared, oneByOne) },
      });
      console.log(describe(results[results.length - 1]));
    } finally {
      await stack.stop();
    }
  }
  return results;
}

function describe(r: Result): string {
  const ms = (s: Spread) => `${formatSpread(s, 2)} ms`;
  return (
    `${r.engine.padEnd(8)} ${r.lines} line${r.lines === 1 ? "" : "s"}, groups of ${r.group}: ` +
    `one by one ${ms(r.msPerReceipt.oneByOne)}; grouped, prepared ${ms(r.msPerReceipt.groupedPrepared)} ` +
    `(ratio ${formatSpread(r.ratio.prepared, 2)}); grouped, planned afresh ${ms(r.msPerReceipt.groupedUnprepared)} ` +
    `(ratio ${formatSpread(r.ratio.unprepared, 2)}) a receipt (min / median / max)`
  );
}

function optionsFromEnv(): Options {
  const smoke = process.env.BENCH_SMOKE === "1";
  const options = {
    engines: enginesFromEnv(),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    receipts: Number(process.env.BENCH_RECEIPTS ?? (smoke ? 60 : 2000)),
    group: Number(process.env.BENCH_GROUP ?? 5),
    lines: Number(process.env.BENCH_LINES ?? 1),
  };
  // A shipment holds 10 units, shared evenly between the lines.
  if (![1, 2, 5, 10].includes(options.lines))
    throw new Error(`BENCH_LINES must divide 10, not ${options.lines}`);
  return options;
}

if (require.main === module) {
  const options = optionsFromEnv();
  benchReceiptGroups(options)
    .then((results) => console.log(`written to ${writeResults("receipt-groups", { options, results })}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(() => mochaGlobalTeardown());
}
