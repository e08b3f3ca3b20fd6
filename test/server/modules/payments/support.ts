import { ethers, JsonRpcProvider, Network, Wallet, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import type { Db } from "../../../../server/db";
import {
  enqueue,
  type NewJob,
  type SettlementJob,
} from "../../../../server/modules/payments/settlement.repository";
import {
  SettlementWorker,
  type WorkerHooks,
  type WorkerLogger,
} from "../../../../server/modules/payments/settlement.worker";
import {
  ConsignmentBook__factory,
  DeliveryTrace__factory,
  OrderBook__factory,
} from "../../../../typechain-types";
import * as act from "../../../../ledger/acts";
import { DAY, GTIN, LOT, type ChainStack } from "../../support/chain";
import { indexLedger } from "../../support/indexer";
import { Counter } from "../../helpers/latch";

/**
 * Shared by the settlement tests: more funded orders and shipments on a chain that `procure()`
 * has set up (it registers the supplier and hospital, which can happen only once), the jobs
 * that pay them (queued, as in the gateway, only once the shipments are indexed: the worker
 * sends each shipment's record from the indexed event log), workers wired the way the gateway
 * wires them, and the on-chain evidence (ShipmentSettled logs) every "exactly once" assertion is
 * made against.
 */

export const CHAIN_ID = 31337;

export interface ShippedUnit {
  shipmentId: bigint;
  quantity: number;
}

export interface ShippedOrder {
  orderId: bigint;
  /** The escrow funding took: what the supplier is paid for the whole order on time. */
  value: bigint;
  shipments: ShippedUnit[];
}

let orderSeq = 0;

/**
 * A new order under `agreementId`, approved (so its value sits in escrow) and shipped in one
 * shipment per entry of `quantities`, all of lot `lot`. Its units are priced at the agreement's
 * first tier (the tests accept far fewer units than the second tier's threshold), so each
 * shipment, accepted in full, pays its share of the escrow exactly. With `consign` the hospital
 * elects consignment before approving (the agreement must be offered on consignment).
 */
export async function shipOrder(
  chain: ChainStack,
  agreementId: bigint,
  quantities: number[],
  lot = LOT,
  consign = false,
): Promise<ShippedOrder> {
  const { ledger, cast } = chain;
  const ref = `PO-S${++orderSeq}`;
  const orderId = await act.placeOrder(ledger, cast.hospital, {
    agreementId,
    quantity: BigInt(quantities.reduce((a, b) => a + b, 0)),
    requestedDelivery: (await chain.now()) + 20 * DAY,
    reference: ref,
  });
  if (consign) await act.electConsignment(ledger, cast.hospital, orderId);
  await act.approveOrder(ledger, cast.approver, orderId);
  const shipments: ShippedUnit[] = [];
  for (const [i, quantity] of quantities.entries()) {
    const serials = Array.from({ length: quantity }, (_, k) => `${ref}-${i}-${k}`);
    const { shipmentId } = await act.createShipment(ledger, cast.supplier, {
      orderId,
      gtin: GTIN,
      lot,
      expiry: (await chain.now()) + 2 * 365 * DAY,
      serials,
      notice: `DESADV-${ref}-${i}`,
    });
    shipments.push({ shipmentId, quantity });
  }
  return { orderId, value: (await ledger.orderBook.order(orderId)).escrow, shipments };
}

/** The job the matching service queues for a shipment received in full and accepted. */
export function fullAcceptance(unit: ShippedUnit, accepted = unit.quantity): NewJob {
  return {
    shipmentId: unit.shipmentId.toString(),
    receiptNo: `GRN-${unit.shipmentId}`,
    accepted: BigInt(accepted),
    rejected: BigInt(unit.quantity - accepted),
    receiptHash: ethers.id(`receipt-${unit.shipmentId}`),
    ledgerTime: new Date(),
  };
}

/** Indexes the chain, then queues `jobs`: a job is only ever queued for an indexed shipment. */
export async function queueJobs(db: Db, chain: ChainStack, jobs: NewJob[]): Promise<void> {
  await indexLedger(db, chain);
  for (const job of jobs) await enqueue(db, job);
}

/** A provider on `url` that knows its chain, so it never probes the network on its own. */
export function providerFor(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, {
    staticNetwork: Network.from(CHAIN_ID),
    cacheTimeout: -1,
    pollingInterval: 20,
    batchMaxCount: 1,
  });
}

export interface Fault {
  /** How many calls of the method fail before it works again. */
  times: number;
  /**
   * "request": the call never reaches the node (connection refused). "reply": the node acts on
   * it and the answer is lost (connection reset), the nastiest case for a broadcast.
   */
  lose: "request" | "reply";
}

/** A provider whose first calls of chosen JSON-RPC methods fail with a network error. */
export class FlakyProvider extends JsonRpcProvider {
  readonly injected: string[] = [];
  /** Calls per method, failed ones included. */
  readonly calls = new Map<string, number>();

  constructor(
    url: string,
    private readonly faults: Record<string, Fault>,
  ) {
    super(url, undefined, {
      staticNetwork: Network.from(CHAIN_ID),
      cacheTimeout: -1,
      pollingInterval: 20,
      batchMaxCount: 1,
    });
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const method = Array.isArray(payload) ? payload[0].method : payload.method;
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    const fault = this.faults[method];
    if (!fault || fault.times <= 0) return super._send(payload);
    fault.times--;
    this.injected.push(`${method}:${fault.lose}`);
    if (fault.lose === "reply") await super._send(payload);
    throw Object.assign(new Error(`socket hang up (injected fault on ${method})`), { code: "ECONNRESET" });
  }
}

export interface WorkerSetup {
  /** Every chain call of the worker (reads, nonce, gas, broadcast, receipts) goes here. */
  provider?: JsonRpcProvider;
  hooks?: WorkerHooks;
  receiptTimeoutMs?: number;
  pollMs?: number;
  /** Blocks a payment's block must be buried under before it is recorded (default 0). */
  confirmations?: number;
  log?: WorkerLogger;
  preflight?: () => Promise<string | null>;
}

/** A worker with the hospital settler's key, wired as settlement.plugin.ts wires it. */
export function settlementWorker(db: Db, chain: ChainStack, setup: WorkerSetup = {}): SettlementWorker {
  const provider = setup.provider ?? chain.provider;
  const wallet = new Wallet(chain.cast.settler.privateKey, provider);
  const { contracts } = chain.deployment;
  return new SettlementWorker(
    db,
    provider,
    wallet,
    OrderBook__factory.connect(contracts.orderBook, wallet),
    DeliveryTrace__factory.connect(contracts.trace, provider),
    ConsignmentBook__factory.connect(contracts.consignment, wallet),
    {
      pollMs: setup.pollMs ?? 10,
      receiptTimeoutMs: setup.receiptTimeoutMs ?? 2_000,
      confirmations: setup.confirmations ?? 0,
      preflight: setup.preflight,
    },
    setup.log ?? silentLog(),
    setup.hooks,
  );
}

export interface RecordingLog extends WorkerLogger {
  warnings: { obj: object; msg: string }[];
  errors: { obj: object; msg: string }[];
  /** Resolves once `msg` has been logged `times` times, at any level. */
  logged(msg: string, times?: number): Promise<void>;
}

/**
 * Silent, but keeps warnings and errors, and counts every message so tests can wait on one.
 * Logs given the same `counters` count together (several replicas' messages).
 */
export function silentLog(counters = new Map<string, Counter>()): RecordingLog {
  const warnings: RecordingLog["warnings"] = [];
  const errors: RecordingLog["errors"] = [];
  const counter = (msg: string) => {
    if (!counters.has(msg)) counters.set(msg, new Counter());
    return counters.get(msg)!;
  };
  return {
    info: (_obj, msg) => counter(msg).increment(),
    warn: (obj, msg) => {
      warnings.push({ obj, msg });
      counter(msg).increment();
    },
    error: (obj, msg) => {
      errors.push({ obj, msg });
      counter(msg).increment();
    },
    warnings,
    errors,
    logged: (msg, times = 1) => counter(msg).reach(times),
  };
}

/** A settlement_jobs row, with the columns the repository's type leaves out. */
export type JobRow = SettlementJob & { error_name: string | null; last_error: string | null };

export async function jobOf(db: Db, shipmentId: bigint): Promise<JobRow> {
  const { rows } = await db.query<JobRow>("SELECT * FROM settlement_jobs WHERE shipment_id = $1", [
    shipmentId.toString(),
  ]);
  if (!rows[0]) throw new Error(`no settlement job for shipment ${shipmentId}`);
  return rows[0];
}

/**
 * Ticks `worker` until every listed job is confirmed or failed. A tick that finds nothing due
 * does not mean done: a job may be deferred (waiting out a receipt timeout), so the table is
 * the judge, with a deadline.
 */
export async function settle(
  worker: SettlementWorker,
  db: Db,
  shipmentIds: bigint[],
  deadlineMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  const ids = shipmentIds.map(String);
  for (;;) {
    if (!(await worker.tick())) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM settlement_jobs
         WHERE shipment_id = ANY($1::bigint[]) AND status IN ('pending', 'submitted')`,
        [ids],
      );
      if (rows[0].n === 0) return;
      if (Date.now() > deadline) {
        const open = await db.query("SELECT * FROM settlement_jobs WHERE shipment_id = ANY($1::bigint[])", [
          ids,
        ]);
        throw new Error(`jobs still open after ${deadlineMs} ms: ${JSON.stringify(open.rows)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

export interface SettledLog {
  shipmentId: bigint;
  orderId: bigint;
  paid: bigint;
  txHash: string;
}

/** Every ShipmentSettled the order book has emitted, grouped by shipment id. */
export async function settledLogs(chain: ChainStack): Promise<Map<bigint, SettledLog[]>> {
  const { orderBook } = chain.ledger;
  const logs = await orderBook.queryFilter(
    orderBook.filters.ShipmentSettled(),
    chain.deployment.deploymentBlock,
  );
  const byShipment = new Map<bigint, SettledLog[]>();
  for (const log of logs) {
    const entry: SettledLog = {
      shipmentId: log.args.shipmentId,
      orderId: log.args.orderId,
      paid: log.args.payout.paid,
      txHash: log.transactionHash,
    };
    byShipment.set(entry.shipmentId, [...(byShipment.get(entry.shipmentId) ?? []), entry]);
  }
  return byShipment;
}

export function supplierBalance(chain: ChainStack): Promise<bigint> {
  return chain.ledger.token.balanceOf(chain.cast.supplier.address);
}

/** The settler account's next nonce as mined, and as the node's pool would assign it. */
export async function settlerNonces(chain: ChainStack): Promise<{ latest: number; pending: number }> {
  const address = chain.cast.settler.address;
  const [latest, pending] = await Promise.all([
    chain.provider.getTransactionCount(address, "latest"),
    chain.provider.getTransactionCount(address, "pending"),
  ]);
  return { latest, pending };
}

export interface Broadcast {
  replica: string;
  hash: string;
  nonce: number;
  shipmentId: bigint;
}

/** A provider that notes every transaction the worker broadcasts through it (into `log`). */
export class RecordingProvider extends JsonRpcProvider {
  /** Transactions this provider has broadcast. */
  readonly sent = new Counter();

  constructor(
    url: string,
    private readonly replica: string,
    private readonly log: Broadcast[],
  ) {
    super(url, undefined, {
      staticNetwork: Network.from(CHAIN_ID),
      cacheTimeout: -1,
      pollingInterval: 20,
    });
  }

  override async broadcastTransaction(signedTx: string): Promise<ethers.TransactionResponse> {
    const tx = ethers.Transaction.from(signedTx);
    const call = OrderBook__factory.createInterface().parseTransaction({ data: tx.data });
    this.log.push({
      replica: this.replica,
      hash: tx.hash!,
      nonce: tx.nonce,
      shipmentId: call?.args[0] as bigint,
    });
    try {
      return await super.broadcastTransaction(signedTx);
    } finally {
      this.sent.increment();
    }
  }
}
