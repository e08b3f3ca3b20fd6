import type { Engine } from "../../server/db";
import { mochaGlobalTeardown } from "../../test/server/helpers/postgres";
import { GTIN, LOT } from "../../test/server/support/chain";
import { runLoad, type LoadResult, type LoadSpec } from "../lib/load";
import { enginesFromEnv } from "../lib/engines";
import { alternate, formatSpread, ratios, spread, writeResults, type Spread } from "../lib/rounds";
import { cloneShipments, startBenchStack, type BenchStack } from "./stack";

/**
 * npm run bench:gateway — the gateway's busiest routes against a bare Fastify route doing one
 * insert (writes) or one select (reads) on the same engine, with autocannon on loopback,
 * baseline and subject alternating. Goals: every write route at least half the bare insert's
 * throughput, p99 at most 50 ms at 10 connections. Results go to bench/out/gateway.json.
 *
 * BENCH_SMOKE=1: 60 requests a round (the test suite's run). BENCH_ENGINES=pglite or
 * postgres: one engine (default both; PostgreSQL is left out with SKIP_POSTGRES=1).
 */

export interface GatewayBenchOptions {
  engines: Engine[];
  rounds: number;
  /** Requests a round. */
  amount: number;
  connections: number;
  /** Only the scenarios whose name contains this. */
  only?: string;
}

export interface ScenarioResult {
  engine: Engine;
  scenario: string;
  baseline: string;
  perSecond: { subject: Spread; baseline: Spread; ratio: Spread };
  p99: { subject: Spread; baseline: Spread };
  /** Requests not answered 2xx, or failed, over every round: a correct run has none. */
  failures: number;
  goal: { ratio: number; p99: number } | null;
  met: boolean | null;
}

const WRITE_GOAL = { ratio: 0.5, p99: 50 };

type Request = Omit<LoadSpec, "connections" | "amount" | "first">;

interface Scenario {
  name: string;
  baseline: "insert" | "select";
  goal: typeof WRITE_GOAL | null;
  /** Makes ready for the requests numbered first … first + count - 1 and returns their shape. */
  prepare(stack: BenchStack, first: number, count: number): Promise<Request>;
}

/** Every request of a run has its own number `{{n}}`; a receipt's is also its shipment's id. */
const FIRST_NUMBER = 1_000_000;

/** `part`: the route taken apart (parts.ts), a measure and not a goal. */
function receipts(lines: number, part?: { name: string; path: string }): Scenario {
  return {
    name: `POST /v1/receipts, ${lines} line${lines === 1 ? "" : "s"}${part ? `, ${part.name}` : ""}`,
    baseline: "insert",
    goal: part ? null : WRITE_GOAL,
    async prepare(stack, first, count) {
      await cloneShipments(stack, first, count);
      const expiry = new Date(stack.p.expiry * 1000).toISOString().slice(0, 10);
      const receivedAt = new Date(((await stack.chain.now()) + 60) * 1000).toISOString();
      // The lines add up to the shipment's 10 units: every receipt matches and is queued.
      const body = {
        receiptNo: "BENCH-{{n}}",
        shipmentId: "{{n}}",
        receivedAt,
        lines: Array.from({ length: lines }, () => ({ gtin: GTIN, lot: LOT, expiry, quantity: 10 / lines })),
      };
      const request = write(stack, part?.path ?? "/v1/receipts", body);
      return part ? { ...request, url: stack.partsUrl } : request;
    },
  };
}

const usages: Scenario = {
  name: "POST /v1/usages",
  baseline: "insert",
  goal: WRITE_GOAL,
  prepare: (stack) => usage(stack, stack.gatewayUrl, "/v1/usages"),
};

/**
 * The usage route taken apart (parts.ts): what its statement, one a usage, and its service cost
 * on their own, against the same bare insert. Measures, not goals.
 */
const usageParts: Scenario[] = [
  ["one statement a usage", "/parts/usage-statement"],
  ["its service alone", "/parts/usage-service"],
].map(([part, path]) => ({
  name: `POST /v1/usages, ${part}`,
  baseline: "insert",
  goal: null,
  prepare: (stack) => usage(stack, stack.partsUrl, path),
}));

async function usage(stack: BenchStack, url: string, path: string): Promise<Request> {
  const usedAt = new Date(((await stack.chain.now()) - 60) * 1000).toISOString();
  return {
    ...write(stack, path, {
      usageId: "U-{{n}}",
      gtin: GTIN,
      lot: LOT,
      department: "Cardiology",
      patientRef: "P-{{n}}",
      usedAt,
      billingCode: "C-1",
      billedAmount: "75000",
    }),
    url,
  };
}

const ordersRead: Scenario = {
  name: "GET /v1/orders as a regulator",
  baseline: "select",
  goal: null,
  async prepare(stack) {
    return {
      url: stack.gatewayUrl,
      method: "GET",
      path: "/v1/orders",
      headers: { authorization: `Bearer ${stack.tokens.regulator}` },
    };
  },
};

function write(stack: BenchStack, path: string, body: unknown): Request {
  return {
    url: stack.gatewayUrl,
    method: "POST",
    path,
    headers: {
      authorization: `Bearer ${stack.tokens.receiver}`,
      "content-type": "application/json",
      "idempotency-key": "bench-{{n}}",
    },
    body: JSON.stringify(body),
  };
}

function baselineRequest(stack: BenchStack, kind: "insert" | "select", like: Request): Request {
  if (kind === "select") {
    return { url: stack.bareUrl, method: "GET", path: `/bare/orders/${stack.p.orderId}`, headers: {} };
  }
  // The same body as the subject's, so both parse and store as much.
  return {
    url: stack.bareUrl,
    method: "POST",
    path: "/bare",
    headers: { "content-type": "application/json", "idempotency-key": "bare-{{n}}" },
    body: like.body,
  };
}

/** The receipt route taken apart (parts.ts): its read alone and its service alone, 1 line. */
const receiptParts = [
  { name: "its read alone", path: "/parts/receipt-read" },
  { name: "its service alone", path: "/parts/receipt-service" },
].map((part) => receipts(1, part));

const SCENARIOS = [receipts(1), receipts(10), ...receiptParts, usages, ...usageParts, ordersRead];

export async function benchGateway(options: GatewayBenchOptions): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const engine of options.engines) {
    const stack = await startBenchStack(engine);
    try {
      let next = FIRST_NUMBER;
      for (const scenario of SCENARIOS.filter(
        (s) => options.only === undefined || s.name.includes(options.only),
      )) {
        const run = async (request: (first: number) => Promise<Request>): Promise<LoadResult> => {
          const first = next;
          next += options.amount;
          const shape = await request(first);
          return runLoad({ ...shape, connections: options.connections, amount: options.amount, first });
        };
        // The baseline's requests carry the subject's body (prepared for no request at all).
        const like = baselineRequest(stack, scenario.baseline, await scenario.prepare(stack, 0, 0));
        const series = await alternate(
          options.rounds,
          () => run(async () => like),
          () => run((first) => scenario.prepare(stack, first, options.amount)),
        );
        results.push(summarise(engine, scenario, series));
        console.log(describe(results[results.length - 1]));
      }
    } finally {
      await stack.stop();
    }
  }
  return results;
}

function summarise(
  engine: Engine,
  scenario: Scenario,
  series: { baseline: LoadResult[]; subject: LoadResult[] },
): ScenarioResult {
  const rate = (r: LoadResult[]) => r.map((x) => x.perSecond);
  const p99 = (r: LoadResult[]) => r.map((x) => x.p99);
  const ratio = ratios(rate(series.subject), rate(series.baseline));
  const subjectP99 = spread(p99(series.subject));
  const failures = [...series.subject, ...series.baseline].reduce((n, r) => n + r.non2xx + r.errors, 0);
  const goal = scenario.goal;
  return {
    engine,
    scenario: scenario.name,
    baseline:
      scenario.baseline === "insert" ? "bare Fastify route, one INSERT" : "bare Fastify route, one SELECT",
    perSecond: { subject: spread(rate(series.subject)), baseline: spread(rate(series.baseline)), ratio },
    p99: { subject: subjectP99, baseline: spread(p99(series.baseline)) },
    failures,
    goal,
    met: goal === null ? null : ratio.median >= goal.ratio && subjectP99.median <= goal.p99,
  };
}

function describe(r: ScenarioResult): string {
  const goal = r.goal === null ? "" : r.met ? "  goal met" : "  GOAL MISSED";
  return (
    `${r.engine.padEnd(8)} ${r.scenario.padEnd(34)} ${formatSpread(r.perSecond.subject)} req/s ` +
    `vs ${formatSpread(r.perSecond.baseline)} (${r.baseline}): ratio ${formatSpread(r.perSecond.ratio, 2)}, ` +
    `p99 ${formatSpread(r.p99.subject)} ms (min / median / max)` +
    (r.failures > 0 ? `, ${r.failures} FAILED REQUESTS` : "") +
    goal
  );
}

function optionsFromEnv(): GatewayBenchOptions {
  const smoke = process.env.BENCH_SMOKE === "1";
  return {
    engines: enginesFromEnv(),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    amount: Number(process.env.BENCH_REQUESTS ?? (smoke ? 60 : 3000)),
    connections: 10,
    only: process.env.BENCH_ONLY,
  };
}

if (require.main === module) {
  const options = optionsFromEnv();
  benchGateway(options)
    .then((results) => {
      console.log(`written to ${writeResults("gateway", { options, results })}`);
      if (results.some((r) => r.failures > 0)) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(() => mochaGlobalTeardown());
}
