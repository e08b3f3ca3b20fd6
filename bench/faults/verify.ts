import { Client } from "pg";
import type { DeploymentRecord, Ledger } from "../../ledger/contracts";
import { PROJECTION_TABLES } from "../../server/modules/indexer/indexer.projections";
import type { BenchClient, Outcome } from "./client";
import { poll } from "./poll";
import type { Replica } from "./replica";
import type { Traffic } from "./traffic";

/**
 * After the traffic and the faults: let the system settle (every payment job confirmed or
 * failed, the index at the chain's head), then check what the clients were told against the
 * chain and the database.
 *
 * - A receipt answered 2xx and matched is paid exactly once on chain (one ShipmentSettled for
 *   its shipment), unless the gateway turned it into an exception; one held as an exception is
 *   listed by GET /v1/exceptions and paid never. No shipment is paid twice, and none is paid
 *   that no client receipt matched.
 * - A usage answered 2xx is stored exactly once; none is stored that was refused.
 * - A relayed request that was accepted filed its document exactly once on chain and in the
 *   index; one refused filed nothing.
 * - The index the replicas built through all the faults equals a fresh index of the same chain
 *   (a third gateway on an empty database), table by table: chain_events and every projection.
 */

export interface Settled {
  seconds: number;
  head: number;
  jobs: Record<string, number>;
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function indexedTo(url: string): Promise<number | null> {
  const [row] = await query<{ n: string | null }>(url, "SELECT max(block_number) AS n FROM indexer_blocks");
  return row?.n === null || row === undefined ? null : Number(row.n);
}

/**
 * Polls until both replicas serve, no job is pending or submitted, no relayed transaction waits
 * to be mined (its claim is freed once it is) and the index is at the head.
 */
export async function settle(
  databaseUrl: string,
  replicas: readonly Replica[],
  ledger: Ledger,
  timeoutMs: number,
): Promise<Settled> {
  const started = Date.now();
  const provider = ledger.orderBook.runner!.provider!;
  const head = await poll(
    "the replicas to pay every job, mine every relayed act and index the chain's head",
    async () => {
      for (const r of replicas) if (!(await r.healthy())) return undefined;
      const [open] = await query<{ n: string }>(
        databaseUrl,
        `SELECT (SELECT count(*) FROM settlement_jobs WHERE status IN ('pending', 'submitted'))
           + (SELECT count(*) FROM relay_nonce_claims WHERE tx_hash IS NOT NULL) AS n`,
      );
      if (Number(open.n) > 0) return undefined;
      const head = await provider.getBlockNumber();
      return (await indexedTo(databaseUrl)) === head ? head : undefined;
    },
    { timeoutMs, everyMs: 500 },
  );
  const jobs: Record<string, number> = {};
  for (const row of await query<{ status: string; n: string }>(
    databaseUrl,
    "SELECT status, count(*) AS n FROM settlement_jobs GROUP BY status",
  ))
    jobs[row.status] = Number(row.n);
  return { seconds: (Date.now() - started) / 1000, head, jobs };
}

export interface ReceiptCheck {
  answered2xx: number;
  matched: number;
  heldAsExceptions: number;
  paidOnce: number;
  /** Matched, then turned into an exception by the payment worker (the chain refused it). */
  matchedThenException: number;
  /** Shipments with more than one ShipmentSettled. */
  doublePaid: string[];
  /** 2xx matched receipts neither paid nor an exception. */
  lost: string[];
  /** Shipments paid although no receipt was answered 2xx for them. */
  paidWithoutReceipt: string[];
  /** Receipts held as exceptions that were paid anyway, or not listed as exceptions. */
  exceptionProblems: string[];
  /** Answered otherwise than the receipt's lines called for (matched vs exception). */
  unexpectedMatch: string[];
  /** Final answers other than 2xx, by status and receipt. */
  refused: { receiptNo: string; status: number; ambiguous: boolean; error?: string }[];
  paidTotal: string;
}

async function allExceptions(
  client: BenchClient,
): Promise<{ receiptNo: string | null; shipmentId: string; source: string }[]> {
  const out: { receiptNo: string | null; shipmentId: string; source: string }[] = [];
  let cursor: string | null = null;
  do {
    const page: Outcome<{
      items: { receiptNo: string | null; shipmentId: string; source: string }[];
      nextCursor: string | null;
    }> = await client.request(
      "verify",
      "GET",
      `/v1/exceptions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    if (page.status !== 200)
      throw new Error(`GET /v1/exceptions: ${page.status} ${JSON.stringify(page.body)}`);
    out.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return out;
}

export async function checkReceipts(
  traffic: Traffic,
  ledger: Ledger,
  deployment: DeploymentRecord,
  regulator: BenchClient,
): Promise<ReceiptCheck> {
  const { orderBook } = ledger;
  const logs = await orderBook.queryFilter(orderBook.filters.ShipmentSettled(), deployment.deploymentBlock);
  const settled = new Map<string, number>();
  let paidTotal = 0n;
  for (const log of logs) {
    const id = log.args.shipmentId.toString();
    settled.set(id, (settled.get(id) ?? 0) + 1);
    paidTotal += log.args.payout.paid;
  }
  const exceptions = await allExceptions(regulator);
  const excepted = new Set(exceptions.map((e) => e.shipmentId));

  const check: ReceiptCheck = {
    answered2xx: 0,
    matched: 0,
    heldAsExceptions: 0,
    paidOnce: 0,
    matchedThenException: 0,
    doublePaid: [...settled].filter(([, n]) => n > 1).map(([id]) => id),
    lost: [],
    paidWithoutReceipt: [],
    exceptionProblems: [],
    unexpectedMatch: [],
    refused: [],
    paidTotal: paidTotal.toString(),
  };
  const answered = new Set<string>();
  for (const r of traffic.receipts) {
    if (r.status < 200 || r.status >= 300) {
      check.refused.push({
        receiptNo: r.receiptNo,
        status: r.status,
        ambiguous: r.ambiguous,
        error: r.error,
      });
      continue;
    }
    check.answered2xx++;
    answered.add(r.shipmentId);
    const paid = settled.get(r.shipmentId) ?? 0;
    if (r.match !== r.expected)
      check.unexpectedMatch.push(`${r.receiptNo}: ${r.match} (expected ${r.expected})`);
    if (r.match === "matched") {
      check.matched++;
      if (paid === 1) check.paidOnce++;
      else if (paid === 0 && excepted.has(r.shipmentId)) check.matchedThenException++;
      else if (paid === 0) check.lost.push(r.receiptNo);
    } else {
      check.heldAsExceptions++;
      if (paid > 0) check.exceptionProblems.push(`${r.receiptNo} held as an exception but paid ${paid}×`);
      if (!excepted.has(r.shipmentId)) check.exceptionProblems.push(`${r.receiptNo} not in /v1/exceptions`);
    }
  }
  // Receipts whose client gave up may still have been recorded; those are not "without a receipt".
  const unknown = new Set(traffic.receipts.filter((r) => r.status === 0).map((r) => r.shipmentId));
  for (const id of settled.keys())
    if (!answered.has(id) && !unknown.has(id)) check.paidWithoutReceipt.push(id);
  return check;
}

export interface UsageCheck {
  answered2xx: number;
  stored: number;
  duplicated: string[];
  lost: string[];
  /** Stored although the client was refused (4xx) or gave up. */
  storedUnanswered: string[];
}

export async function checkUsages(traffic: Traffic, databaseUrl: string, runId: string): Promise<UsageCheck> {
  const rows = await query<{ usage_id: string; n: string }>(
    databaseUrl,
    "SELECT usage_id, count(*) AS n FROM usages WHERE usage_id LIKE $1 GROUP BY usage_id",
    [`U-${runId}-%`],
  );
  const stored = new Map(rows.map((r) => [r.usage_id, Number(r.n)]));
  const ok = traffic.usages.filter((u) => u.status >= 200 && u.status < 300);
  const okIds = new Set(ok.map((u) => u.usageId));
  return {
    answered2xx: ok.length,
    stored: rows.reduce((sum, r) => sum + Number(r.n), 0),
    duplicated: rows.filter((r) => Number(r.n) > 1).map((r) => r.usage_id),
    lost: ok.filter((u) => !stored.has(u.usageId)).map((u) => u.usageId),
    storedUnanswered: [...stored.keys()].filter((id) => !okIds.has(id)),
  };
}

export interface RelayCheck {
  accepted: number;
  refused: { status: number; error?: string }[];
  filedOnce: number;
  /** The regulator's relayed rejections of the filed documents that were accepted. */
  rejected: number;
  /** Accepted but not filed, filed more than once, or filed though refused. */
  problems: string[];
}

export async function checkRelays(
  traffic: Traffic,
  ledger: Ledger,
  deployment: DeploymentRecord,
  databaseUrl: string,
): Promise<RelayCheck> {
  const { registry } = ledger;
  const logs = await registry.queryFilter(registry.filters.DocumentFiled(), deployment.deploymentBlock);
  const onChain = new Map<string, number>();
  for (const log of logs) onChain.set(log.args.sha256Digest, (onChain.get(log.args.sha256Digest) ?? 0) + 1);
  const indexed = new Map<string, number>();
  for (const row of await query<{ sha256: string; n: string }>(
    databaseUrl,
    "SELECT sha256, count(*) AS n FROM supplier_documents GROUP BY sha256",
  ))
    indexed.set(row.sha256, Number(row.n));
  const check: RelayCheck = { accepted: 0, refused: [], filedOnce: 0, rejected: 0, problems: [] };
  for (const r of traffic.relays) {
    const chainCount = onChain.get(r.digest) ?? 0;
    const indexCount = indexed.get(r.digest) ?? 0;
    if (r.accepted) {
      check.accepted++;
      if (r.rejected) check.rejected++;
      if (chainCount === 1 && indexCount === 1) check.filedOnce++;
      else
        check.problems.push(
          `${r.digest}: accepted, filed ${chainCount}× on chain, ${indexCount}× in the index; ${await txFate(ledger, r.txHash)}`,
        );
    } else {
      check.refused.push({ status: r.status, error: r.error });
      if (chainCount > 0 && r.status !== 0)
        check.problems.push(`${r.digest}: refused (${r.status}) but filed ${chainCount}× on chain`);
    }
  }
  return check;
}

/** What became of a relaying transaction, for a problem's message. */
async function txFate(ledger: Ledger, txHash: string | undefined): Promise<string> {
  const provider = ledger.registry.runner?.provider;
  if (!txHash || !provider) return "no transaction named";
  const receipt = await provider.getTransactionReceipt(txHash);
  if (!receipt) return `transaction ${txHash} not mined`;
  const block = await provider.getBlock(receipt.blockNumber);
  return `transaction ${txHash} ${receipt.status === 1 ? "succeeded" : "reverted"} in block ${receipt.blockNumber} at chain time ${block?.timestamp}`;
}

export interface IndexCheck {
  head: number;
  tables: number;
  rows: number;
  /** Per table that differs: rows only in the replicas' index, rows only in the fresh one. */
  differences: Record<string, { onlyReplicas: number; onlyFresh: number; example?: string }>;
  freshIndexSeconds: number;
}

async function dump(url: string, table: string): Promise<string[]> {
  return (await query<Record<string, unknown>>(url, `SELECT * FROM ${table}`))
    .map((r) => JSON.stringify(r))
    .sort();
}

/** Starts `fresh` (a gateway on an empty database), waits until it indexed to `head`, compares. */
export async function checkIndex(
  databaseUrl: string,
  fresh: Replica,
  freshUrl: string,
  head: number,
  timeoutMs: number,
): Promise<IndexCheck> {
  const started = Date.now();
  await fresh.start();
  await poll(
    `the fresh indexer to reach block ${head}`,
    async () => ((await indexedTo(freshUrl).catch(() => null)) === head ? true : undefined),
    { timeoutMs, everyMs: 250 },
  );
  const freshIndexSeconds = (Date.now() - started) / 1000;
  await fresh.stop();
  const check: IndexCheck = { head, tables: 0, rows: 0, differences: {}, freshIndexSeconds };
  for (const table of ["chain_events", ...PROJECTION_TABLES]) {
    const [replicas, other] = await Promise.all([dump(databaseUrl, table), dump(freshUrl, table)]);
    check.tables++;
    check.rows += replicas.length;
    const inFresh = new Set(other);
    const inReplicas = new Set(replicas);
    const onlyReplicas = replicas.filter((r) => !inFresh.has(r));
    const onlyFresh = other.filter((r) => !inReplicas.has(r));
    if (onlyReplicas.length + onlyFresh.length > 0) {
      check.differences[table] = {
        onlyReplicas: onlyReplicas.length,
        onlyFresh: onlyFresh.length,
        example: (onlyReplicas[0] ?? onlyFresh[0]).slice(0, 400),
      };
    }
  }
  return check;
}
