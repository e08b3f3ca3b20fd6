import {
  AbiCoder,
  isError,
  isHexString,
  keccak256,
  toBeHex,
  zeroPadValue,
  type Block,
  type Interface,
  type Log,
  type Provider,
  type TransactionReceipt,
} from "ethers";
import {
  DeliveryTrace__factory,
  OrderBook__factory,
  SupplierRegistry__factory,
  TenderHouse__factory,
} from "../../../typechain-types";
import type { LedgerContractName } from "../../../scripts/lib/ledger";
import { LedgerEventDecoder, type EventArgs, type JsonValue } from "../../chain/ledger-events";
import { AppError, appError } from "../../plugins/error-catalogue";
import type { TrailScope } from "./trail.repository";
import {
  EVENT_SPECS,
  ORDER_EVENTS,
  SHIPMENT_TRACE_EVENTS,
  TENDER_EVENTS,
  type EventSpec,
  type Trail,
  type TrailStep,
} from "./trail.service";

/**
 * Re-verifies a trail against the chain, trusting nothing the gateway's database says:
 *
 * 1. Every on-chain step: fetch its transaction receipt by hash from the node, take the log at
 *    the step's log index, check that it comes from the deployment's contract (the deployment
 *    record, not the database), that the receipt is in the stated block and that block is still
 *    canonical (`getBlock(n).hash`), decode the log and compare EVERY figure the event carries with
 *    what the step states, and the step's time with the block's (or the event's own time).
 * 2. Completeness: starting from the subject alone (the order id, the GTIN and lot, or the serial's
 *    proven shipments), query the chain's logs by their indexed topics — the same rule the trail is
 *    built by (trail.service.ts) — and report every event the trail lacks ("missing from the
 *    trail": a deleted row) and every step whose log is not one of them.
 * 3. Serials: each Merkle proof is checked by calling DeliveryTrace.verifySerial on chain.
 * 4. Anchors: a goods receipt (off-chain) must have the hash its on-chain settlement states.
 *
 * The result is `{ verified, checked, figures, mismatches[] }`; `verified` is true only when
 * there are no mismatches.
 */

export interface Mismatch {
  step: string;
  field?: string;
  database?: JsonValue;
  chain?: JsonValue;
  problem?: string;
  event?: string;
  txHash?: string;
  blockNumber?: number;
  logIndex?: number;
}

export interface Verification {
  verified: boolean;
  /** On-chain steps checked against their logs. */
  checked: number;
  /** Figures compared (every argument of every checked event, and each step's time). */
  figures: number;
  /** Events the chain has for this trail (the completeness check). */
  expectedEvents: number;
  mismatches: Mismatch[];
  proofs?: { shipmentId: string; proofValid: boolean }[];
  chainId: number;
  /** The chain was read up to this block (head minus the gateway's confirmations). */
  toBlock: number;
  checkedAt: string;
}

export interface VerifierDeployment {
  chainId: number;
  deploymentBlock: number;
  contracts: Record<LedgerContractName, string>;
}

export interface VerifierOptions {
  /** Blocks a log is buried under before the trail counts it (the indexer's setting). */
  confirmations: number;
  /** Widest block range per eth_getLogs call. */
  logRange?: number;
}

interface ChainLog {
  contract: LedgerContractName;
  event: string;
  args: EventArgs;
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

const DEFAULT_LOG_RANGE = 10_000;
/** Ids per topic OR-list, to keep each eth_getLogs request small. */
const TOPIC_BATCH = 100;
const CONCURRENCY = 8;

const INTERFACES: Partial<Record<LedgerContractName, Interface>> = {
  registry: SupplierRegistry__factory.createInterface(),
  tenders: TenderHouse__factory.createInterface(),
  orderBook: OrderBook__factory.createInterface(),
  trace: DeliveryTrace__factory.createInterface(),
};

export class TrailVerifier {
  private readonly decoder: LedgerEventDecoder;
  private readonly trace;

  constructor(
    private readonly provider: Provider,
    private readonly deployment: VerifierDeployment,
    private readonly options: VerifierOptions,
  ) {
    this.decoder = new LedgerEventDecoder(deployment.contracts);
    this.trace = DeliveryTrace__factory.connect(deployment.contracts.trace, provider);
  }

  async verify(trail: Trail, scope: TrailScope): Promise<Verification> {
    try {
      return await this.run(trail, scope);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw appError("CHAIN_UNAVAILABLE", `the chain could not be read: ${(error as Error).message}`);
    }
  }

  private async run(trail: Trail, scope: TrailScope): Promise<Verification> {
    const head = await this.provider.getBlockNumber();
    const toBlock = head - this.options.confirmations;
    const mismatches: Mismatch[] = [];
    const receipts = new Cached<string, TransactionReceipt | null>((tx) =>
      this.provider.getTransactionReceipt(tx),
    );
    const blocks = new Cached<number, Block | null>((n) => this.provider.getBlock(n));

    // 3. Proofs first: for a serial, the proven shipments are what completeness starts from.
    let proofs: { shipmentId: string; proofValid: boolean; root?: string }[] | undefined;
    if (trail.subject.type === "serial") {
      const serial = trail.subject.serial;
      proofs = await mapLimit(trail.proofs ?? [], CONCURRENCY, async (p) => {
        const proofValid = await this.trace.verifySerial(p.shipmentId, serial, p.proof).catch((error) => {
          // A revert (no such shipment) is a failed proof; an unreachable node is not.
          if (isError(error, "CALL_EXCEPTION")) return false;
          throw error;
        });
        return { shipmentId: p.shipmentId, proofValid, root: p.root };
      });
      for (const p of proofs.filter((x) => !x.proofValid)) {
        mismatches.push({
          step: `shipment:${p.shipmentId}`,
          field: "serialProof",
          database: `serial ${serial} under root ${p.root}`,
          chain: "DeliveryTrace.verifySerial returned false",
        });
      }
      proofs = proofs.map(({ shipmentId, proofValid }) => ({ shipmentId, proofValid }));
    }

    // 1. Every on-chain step against its own log.
    const chainSteps = trail.steps.filter((s) => s.source === "chain");
    let figures = 0;
    const results = await mapLimit(chainSteps, CONCURRENCY, (step) => this.checkStep(step, receipts, blocks));
    for (const found of results) {
      figures += found.figures;
      mismatches.push(...found.mismatches);
    }

    // 2. Completeness against the chain's own index of events.
    const expected = await this.expectedLogs(trail, scope, proofs, toBlock);
    const key = (txHash: string, logIndex: number) => `${txHash.toLowerCase()}:${logIndex}`;
    const inTrail = new Set(
      chainSteps.flatMap((s) => (s.onChain ? [key(s.onChain.txHash, s.onChain.logIndex)] : [])),
    );
    const onChain = new Set(expected.map((l) => key(l.txHash, l.logIndex)));
    for (const l of expected) {
      if (inTrail.has(key(l.txHash, l.logIndex))) continue;
      const spec = specOf(l);
      mismatches.push({
        step: spec ? spec.id(spec.figures(l.args), l) : `${l.contract}.${l.event}`,
        problem: "missing from the trail",
        event: l.event,
        txHash: l.txHash,
        blockNumber: l.blockNumber,
        logIndex: l.logIndex,
      });
    }
    for (const s of chainSteps) {
      if (s.onChain && !onChain.has(key(s.onChain.txHash, s.onChain.logIndex))) {
        mismatches.push({
          step: s.id,
          problem: "not among the chain's events for this trail",
          event: s.onChain.event,
          txHash: s.onChain.txHash,
          blockNumber: s.onChain.blockNumber,
          logIndex: s.onChain.logIndex,
        });
      }
    }

    // 4. Off-chain receipts against the hash their settlement put on chain.
    const settledHash = new Map(
      expected
        .filter((l) => l.event === "ShipmentSettled")
        .map((l) => [
          String(l.args.shipmentId),
          String(EVENT_SPECS.get("orderBook.ShipmentSettled")!.figures(l.args).receiptHash),
        ]),
    );
    for (const s of trail.steps) {
      if (s.kind !== "receipt") continue;
      const chainHash = settledHash.get(String(s.data.shipmentId));
      if (chainHash === undefined) continue;
      figures++;
      if (String(s.data.receiptHash).toLowerCase() !== chainHash) {
        mismatches.push({ step: s.id, field: "receiptHash", database: s.data.receiptHash, chain: chainHash });
      }
    }

    return {
      verified: mismatches.length === 0,
      checked: chainSteps.length,
      figures,
      expectedEvents: expected.length,
      mismatches,
      ...(proofs ? { proofs } : {}),
      chainId: this.deployment.chainId,
      toBlock,
      checkedAt: new Date().toISOString(),
    };
  }

  private async checkStep(
    step: TrailStep,
    receipts: Cached<string, TransactionReceipt | null>,
    blocks: Cached<number, Block | null>,
  ): Promise<{ figures: number; mismatches: Mismatch[] }> {
    const out: Mismatch[] = [];
    const where = step.onChain;
    if (!where) {
      out.push({ step: step.id, problem: "the gateway holds no transaction and log for this on-chain step" });
      return { figures: 0, mismatches: out };
    }
    const ref = {
      event: where.event,
      txHash: where.txHash,
      blockNumber: where.blockNumber,
      logIndex: where.logIndex,
    };
    if (!isHexString(where.txHash, 32)) {
      out.push({ step: step.id, problem: "the stated transaction hash is not a 32-byte hash", ...ref });
      return { figures: 0, mismatches: out };
    }
    const receipt = await receipts.get(where.txHash);
    if (!receipt) {
      out.push({ step: step.id, problem: "no such transaction on the chain", ...ref });
      return { figures: 0, mismatches: out };
    }
    if (receipt.status !== 1) out.push({ step: step.id, problem: "the transaction reverted", ...ref });
    if (receipt.blockNumber !== where.blockNumber) {
      out.push({
        step: step.id,
        field: "blockNumber",
        database: where.blockNumber,
        chain: receipt.blockNumber,
      });
    }
    const block = await blocks.get(receipt.blockNumber);
    if (!block || block.hash !== receipt.blockHash) {
      out.push({
        step: step.id,
        problem: `block ${receipt.blockNumber} of the transaction is no longer canonical`,
        ...ref,
      });
    }
    if (where.chainId !== this.deployment.chainId) {
      out.push({ step: step.id, field: "chainId", database: where.chainId, chain: this.deployment.chainId });
    }
    const expectedAddress = this.deployment.contracts[where.contractName]?.toLowerCase();
    if (where.contract.toLowerCase() !== expectedAddress) {
      out.push({
        step: step.id,
        field: "contract",
        database: where.contract,
        chain: expectedAddress ?? null,
      });
    }

    const log: Log | undefined = receipt.logs.find((l) => l.index === where.logIndex);
    if (!log) {
      out.push({ step: step.id, problem: `the transaction has no log ${where.logIndex}`, ...ref });
      return { figures: 0, mismatches: out };
    }
    if (log.address.toLowerCase() !== expectedAddress) {
      out.push({
        step: step.id,
        field: "contract",
        database: expectedAddress ?? null,
        chain: log.address.toLowerCase(),
      });
      return { figures: 0, mismatches: out };
    }
    const decoded = this.decoder.decode(log);
    const spec = decoded ? EVENT_SPECS.get(`${decoded.contract}.${decoded.event}`) : undefined;
    if (!decoded || !spec || decoded.event !== where.event) {
      out.push({ step: step.id, field: "event", database: where.event, chain: decoded?.event ?? null });
      return { figures: 0, mismatches: out };
    }

    let figures = 0;
    const chain = spec.figures(decoded.args);
    for (const [field, value] of Object.entries(chain)) {
      figures++;
      const stated = step.data[field];
      if (!same(stated, value)) out.push({ step: step.id, field, database: stated ?? null, chain: value });
    }
    figures++;
    const chainAt = spec.timeFigure
      ? String(chain[spec.timeFigure])
      : block
        ? new Date(block.timestamp * 1000).toISOString()
        : null;
    if (chainAt !== null && step.at !== chainAt) {
      out.push({ step: step.id, field: "at", database: step.at, chain: chainAt });
    }
    return { figures, mismatches: out };
  }

  /**
   * The chain's events that belong to the trail, found from the subject by indexed topics: the
   * rule of trail.service.ts, applied to the chain instead of the database.
   */
  private async expectedLogs(
    trail: Trail,
    scope: TrailScope,
    proofs: Verification["proofs"],
    toBlock: number,
  ): Promise<ChainLog[]> {
    const subject = trail.subject;
    const ids = (values: string[]) => values.map((v) => zeroPadValue(toBeHex(BigInt(v)), 32));

    let created: ChainLog[];
    if (subject.type === "order") {
      created = await this.logs("trace", [["ShipmentCreated"]], [null, ids([subject.orderId])], toBlock);
    } else if (subject.type === "lot") {
      created = (await this.logs("trace", [["ShipmentCreated"]], [], toBlock)).filter(
        (l) => String(l.args.gtin).padStart(14, "0") === subject.gtin && l.args.lot === subject.lot,
      );
    } else {
      const proven = (proofs ?? []).filter((p) => p.proofValid).map((p) => p.shipmentId);
      created = await this.logs("trace", [["ShipmentCreated"]], [ids(proven)], toBlock);
    }

    let orderIds =
      subject.type === "order" ? [subject.orderId] : unique(created.map((l) => String(l.args.orderId)));
    let orderLogs = await this.logs("orderBook", [ORDER_EVENTS], [ids(orderIds)], toBlock);
    if (subject.type !== "order" && (scope.hospital || scope.supplier)) {
      const hospitalOf = new Map(
        orderLogs
          .filter((l) => l.event === "OrderPlaced")
          .map((l) => [String(l.args.orderId), String(l.args.hospital)]),
      );
      created = created.filter(
        (l) =>
          (!scope.hospital || hospitalOf.get(String(l.args.orderId)) === scope.hospital.toLowerCase()) &&
          (!scope.supplier || String(l.args.supplier) === scope.supplier.toLowerCase()),
      );
      orderIds = unique(created.map((l) => String(l.args.orderId)));
      orderLogs = orderLogs.filter((l) => orderIds.includes(String(l.args.orderId)));
    }

    const shipmentIds = unique(created.map((l) => String(l.args.shipmentId)));
    const shipmentLogs = [
      ...(await this.logs("trace", [SHIPMENT_TRACE_EVENTS], [ids(shipmentIds)], toBlock)),
      ...(await this.logs("orderBook", [["ShipmentSettled"]], [ids(shipmentIds)], toBlock)),
    ];

    const lotKeys = unique(
      created.map((l) =>
        keccak256(
          AbiCoder.defaultAbiCoder().encode(
            ["uint64", "string"],
            [BigInt(String(l.args.gtin)), String(l.args.lot)],
          ),
        ),
      ),
    );
    const recallLogs = await this.logs("trace", [["LotRecalled"]], [lotKeys], toBlock);

    const agreementIds = unique(
      orderLogs.filter((l) => l.event === "OrderPlaced").map((l) => String(l.args.agreementId)),
    );
    const agreementLogs = await this.logs("tenders", [["AgreementCreated"]], [ids(agreementIds)], toBlock);
    const tenderIds = unique(agreementLogs.map((l) => String(l.args.tenderId)));
    const tenderLogs = await this.logs("tenders", [TENDER_EVENTS], [ids(tenderIds)], toBlock);

    const found = [...created, ...orderLogs, ...shipmentLogs, ...recallLogs, ...agreementLogs, ...tenderLogs];
    const byKey = new Map(found.map((l) => [`${l.txHash}:${l.logIndex}`, l]));
    const bound = Math.max(-1, ...[...byKey.values()].map((l) => l.blockNumber));
    const suppliers = unique([
      ...agreementLogs.map((l) => String(l.args.supplier)),
      ...created.map((l) => String(l.args.supplier)),
    ]);
    if (bound >= 0 && suppliers.length > 0) {
      const who = suppliers.map((s) => zeroPadValue(s, 32));
      const registry = [
        ...(await this.logs(
          "registry",
          [["SupplierRegistered", "SupplierSuspended", "SupplierReinstated"]],
          [who],
          bound,
        )),
        ...(await this.logs(
          "registry",
          [["DocumentFiled", "DocumentAttested", "DocumentRejected"]],
          [null, who],
          bound,
        )),
        ...(await this.logs("registry", [["RequiredKindsChanged"]], [], bound)),
      ];
      for (const l of registry) byKey.set(`${l.txHash}:${l.logIndex}`, l);
    }
    return [...byKey.values()].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  }

  /**
   * Decoded logs of `contract` with one of `events` and the given indexed topics (each an OR-list,
   * null for any), from the deployment block to `toBlock`, in ranges of `logRange` blocks.
   */
  private async logs(
    contract: LedgerContractName,
    events: readonly (readonly string[])[],
    topics: (string[] | null)[],
    toBlock: number,
  ): Promise<ChainLog[]> {
    const iface = INTERFACES[contract]!;
    const eventTopics = events.flat().map((e) => iface.getEvent(e)!.topicHash);
    // An empty OR-list of ids means "none of them", not "any": nothing to ask for.
    if (topics.some((t) => t !== null && t.length === 0)) return [];
    const address = this.deployment.contracts[contract];
    const range = this.options.logRange ?? DEFAULT_LOG_RANGE;
    const out: ChainLog[] = [];
    const idPosition = topics.findIndex((t) => t !== null && t.length > TOPIC_BATCH);
    const batches =
      idPosition < 0
        ? [topics]
        : chunk(topics[idPosition]!, TOPIC_BATCH).map((part) =>
            topics.map((t, i) => (i === idPosition ? part : t)),
          );
    for (const batch of batches) {
      for (let from = this.deployment.deploymentBlock; from <= toBlock; from += range) {
        const logs = await this.provider.getLogs({
          address,
          topics: [eventTopics, ...batch],
          fromBlock: from,
          toBlock: Math.min(toBlock, from + range - 1),
        });
        for (const log of logs) {
          if (log.removed) continue;
          const decoded = this.decoder.decode(log);
          if (!decoded) continue;
          out.push({
            contract: decoded.contract,
            event: decoded.event,
            args: decoded.args,
            txHash: log.transactionHash.toLowerCase(),
            blockNumber: log.blockNumber,
            logIndex: log.index,
          });
        }
      }
    }
    return out;
  }
}

function specOf(l: ChainLog): EventSpec | undefined {
  return EVENT_SPECS.get(`${l.contract}.${l.event}`);
}

/** Equal figures: numbers compare as their decimal strings, objects key by key. */
function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "null";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(typeof v === "number" ? String(v) : v);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function chunk<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

/** One RPC call per key for the whole verification (a transaction may hold several steps). */
class Cached<K, V> {
  private readonly values = new Map<K, Promise<V>>();

  constructor(private readonly load: (key: K) => Promise<V>) {}

  get(key: K): Promise<V> {
    let value = this.values.get(key);
    if (!value) {
      value = this.load(key);
      this.values.set(key, value);
    }
    return value;
  }
}
