import { createHash } from "node:crypto";
import {
  isError,
  isHexString,
  toBeHex,
  zeroPadValue,
  type Block,
  type Interface,
  type Log,
  type Provider,
  type TransactionReceipt,
} from "ethers";
import { chunk, mapLimit } from "../../lib/batches";
import {
  AgreementBook__factory,
  BudgetBook__factory,
  CampusTransfers__factory,
  ConsignmentBook__factory,
  DeliveryTrace__factory,
  HospitalRegistry__factory,
  OrderBook__factory,
  SupplierRegistry__factory,
  TenderHouse__factory,
} from "../../../typechain-types";
import { lotKeyOf, type LedgerContractName } from "../../../ledger/contracts";
import { ORDER_STATUS } from "../../../ledger/enums";
import { LedgerEventDecoder, type EventArgs, type JsonValue } from "../../../ledger/events";
import type { Mismatch, ProofCheck, Trail, TrailStep, Verification } from "../../../api/trail";
import type { EventSpec } from "../../../ledger/trail/event-spec";
import { EVENT_SPECS } from "../../../ledger/trail/event-specs";
import { GLOBAL_SCOPE, type Figures } from "../../../ledger/trail/figures";
import {
  QUALIFICATION_EVENTS,
  qualificationAt,
  qualificationMoments,
  type RegistryFact,
} from "../../../ledger/trail/qualification";
import {
  recordHash,
  recordOf,
  recordStruct,
  type ShipmentRecordView,
} from "../../../ledger/trail/shipment-record";
import {
  BUDGET_ORDER_EVENTS,
  budgetKeyOf,
  custodyKeyOf,
  DOCUMENT_EVENTS,
  HOSPITAL_EVENTS,
  hospitalActors,
  MEMBER_EVENTS,
  ORDER_EVENTS,
  RECALL_EVENTS,
  SHIPMENT_ORDER_EVENTS,
  SHIPMENT_TRACE_EVENTS,
  SUPPLIER_EVENTS,
  TENDER_EVENTS,
  TRANSFER_EVENTS,
  VOLUME_MOVING_EVENTS,
} from "../../../ledger/trail/trail-rule";
import { AppError, appError } from "../../plugins/error-catalogue";
import { problem } from "./trail.problems";
import type { TrailScope } from "./trail.repository";

/**
 * Re-verifies a trail against the chain, trusting nothing the gateway's database says:
 *
 * 1. Every on-chain step: fetch its transaction receipt by hash from the node, take the log at
 *    the step's log index, check that it comes from the deployment's contract (the deployment
 *    record, not the database), that the receipt is in the stated block and that block is still
 *    canonical (`getBlock(n).hash`), decode the log and compare EVERY figure the event carries with
 *    what the step states, and the step's time with the block's (or the event's own time).
 * 2. Completeness: starting from the subject alone (the order id, the lot's key, or the serial's
 *    proven shipments), query the chain's logs by their indexed topics — the same rule the trail is
 *    built by (trail.chain-steps.ts) — and report every event the trail lacks ("missing from the
 *    trail": a deleted row) and every step whose log is not one of them. A trace step's
 *    `eventIndex` must be its place among the shipment's trace logs.
 * 3. Serials: each Merkle proof is checked by calling DeliveryTrace.verifySerial on chain with the
 *    shipment's record as its ShipmentCreated log carries it.
 * 4. Anchors: a goods receipt (off-chain) must have the hash its on-chain settlement states.
 * 5. State, read from the contracts at the same block: each shipment's record must hash to
 *    DeliveryTrace.shipmentHash(id), and its state (shipmentState), disputed units
 *    (OrderBook.disputedUnits) and recall status (isRecalled(gtin, lot, supplier)) be the trail's;
 *    each order must be OrderBook.order(id); each agreement AgreementBook.agreement(id) with
 *    hospitalVolume(id, h). What the book keeps no figure of is summed from the chain: the
 *    agreement's funded volume over its parties' hospitalVolume, a hospital's accepted units over
 *    the ShipmentSettled logs of its plain orders under the agreement and the consignment book's
 *    use and expiry at its cost of its consigned ones.
 * 6. Qualification: the moments the ledger checked the supplier are derived from the chain's logs
 *    and replayed from the chain's registry logs (ledger/trail/qualification.ts); each must be the
 *    trail's, and qualified — the chain accepted the act.
 *
 * The result is `{ verified, checked, figures, mismatches[] }`; `verified` is true only when
 * there are no mismatches.
 */

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
/** Verifications kept per block; beyond this the cache starts over (memory stays bounded). */
const CACHE_ENTRIES = 256;

const INTERFACES: Partial<Record<LedgerContractName, Interface>> = {
  registry: SupplierRegistry__factory.createInterface(),
  tenders: TenderHouse__factory.createInterface(),
  agreements: AgreementBook__factory.createInterface(),
  hospitals: HospitalRegistry__factory.createInterface(),
  orderBook: OrderBook__factory.createInterface(),
  trace: DeliveryTrace__factory.createInterface(),
  budgets: BudgetBook__factory.createInterface(),
  campusTransfers: CampusTransfers__factory.createInterface(),
  consignment: ConsignmentBook__factory.createInterface(),
};

const figuresOf = (l: ChainLog): Figures => EVENT_SPECS.get(`${l.contract}.${l.event}`)!.figures(l.args);
const logKey = (txHash: string, logIndex: number) => `${txHash.toLowerCase()}:${logIndex}`;
const byChainOrder = (a: ChainLog, b: ChainLog) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex;
const isoOrNull = (seconds: bigint) =>
  seconds === 0n ? null : new Date(Number(seconds) * 1000).toISOString();
const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString();

export class TrailVerifier {
  private readonly decoder: LedgerEventDecoder;
  private readonly trace;
  private readonly orderBook;
  private readonly agreements;

  constructor(
    private readonly provider: Provider,
    private readonly deployment: VerifierDeployment,
    private readonly options: VerifierOptions,
  ) {
    this.decoder = new LedgerEventDecoder(deployment.contracts);
    this.trace = DeliveryTrace__factory.connect(deployment.contracts.trace, provider);
    this.orderBook = OrderBook__factory.connect(deployment.contracts.orderBook, provider);
    this.agreements = AgreementBook__factory.connect(deployment.contracts.agreements, provider);
  }

  /**
   * Verifications of the current confirmed block, by block hash and request: a verification reads
   * hundreds of logs and receipts, and its answer cannot change until the block does, so a
   * repeated request (or a burst of them) costs one. A new block, or a reorg that replaces it,
   * empties the cache.
   */
  private cache: { blockHash: string | null; results: Map<string, Promise<Verification>> } = {
    blockHash: null,
    results: new Map(),
  };

  async verify(trail: Trail, scope: TrailScope): Promise<Verification> {
    try {
      const head = await this.provider.getBlockNumber();
      const toBlock = head - this.options.confirmations;
      const block = await this.provider.getBlock(toBlock);
      const blockHash = block?.hash ?? `#${toBlock}`;
      if (this.cache.blockHash !== blockHash) this.cache = { blockHash, results: new Map() };
      const key = createHash("sha256")
        .update(JSON.stringify([trail, scope]))
        .digest("hex");
      let result = this.cache.results.get(key);
      if (result === undefined) {
        if (this.cache.results.size >= CACHE_ENTRIES) this.cache.results.clear();
        const results = this.cache.results;
        result = this.run(trail, scope, toBlock);
        results.set(key, result);
        // A failure is not an answer: the next request tries again.
        result.catch(() => results.delete(key));
      }
      return await result;
    } catch (error) {
      if (error instanceof AppError) throw error;
      // A fixed message: the upstream one may quote the RPC URL and its key. The cause goes
      // to the log only, redacted (lib/redact.ts).
      throw appError("CHAIN_UNAVAILABLE", "the chain could not be read", undefined, { cause: error });
    }
  }

  private async run(trail: Trail, scope: TrailScope, toBlock: number): Promise<Verification> {
    const mismatches: Mismatch[] = [];
    const receipts = new Cached<string, TransactionReceipt | null>((tx) =>
      this.provider.getTransactionReceipt(tx),
    );
    const blocks = new Cached<number, Block | null>((n) => this.provider.getBlock(n));
    const count = { figures: 0 };

    // 3. Proofs first: for a serial, the proven shipments are what completeness starts from.
    let proofs: ProofCheck[] | undefined;
    let proven: ChainLog[] = [];
    if (trail.subject.type === "serial") {
      ({ proofs, proven } = await this.checkProofs(trail, trail.subject.serial, toBlock, mismatches));
    }

    // 1. Every on-chain step against its own log.
    const chainSteps = trail.steps.filter((s) => s.source === "chain");
    const results = await mapLimit(chainSteps, CONCURRENCY, (step) => this.checkStep(step, receipts, blocks));
    for (const found of results) {
      count.figures += found.figures;
      mismatches.push(...found.mismatches);
    }

    // 2. Completeness against the chain's own index of events.
    const expected = await this.expectedLogs(trail, scope, proven, toBlock);
    const ordinals = traceOrdinals(expected);
    const inTrail = new Set(
      chainSteps.flatMap((s) => (s.onChain ? [logKey(s.onChain.txHash, s.onChain.logIndex)] : [])),
    );
    const onChain = new Map(expected.map((l) => [logKey(l.txHash, l.logIndex), l]));
    for (const l of expected) {
      if (inTrail.has(logKey(l.txHash, l.logIndex))) continue;
      mismatches.push({
        step: stepIdOf(l, ordinals),
        ...problem("MISSING_FROM_TRAIL"),
        event: l.event,
        txHash: l.txHash,
        blockNumber: l.blockNumber,
        logIndex: l.logIndex,
      });
    }
    for (const s of chainSteps) {
      if (!s.onChain) continue;
      const key = logKey(s.onChain.txHash, s.onChain.logIndex);
      if (!onChain.has(key)) {
        mismatches.push({
          step: s.id,
          ...problem("NOT_AMONG_CHAIN_EVENTS"),
          event: s.onChain.event,
          txHash: s.onChain.txHash,
          blockNumber: s.onChain.blockNumber,
          logIndex: s.onChain.logIndex,
        });
      } else if (s.onChain.event === "TraceEventRecorded") {
        count.figures++;
        const index = ordinals.get(key)!;
        if (s.data.eventIndex !== index) {
          mismatches.push({
            step: s.id,
            field: "eventIndex",
            database: s.data.eventIndex ?? null,
            chain: index,
          });
        }
      }
    }

    // 4. Off-chain receipts against the hash their settlement put on chain.
    const settledHash = new Map(
      expected
        .filter((l) => l.event === "ShipmentSettled")
        .map((l) => [String(l.args.shipmentId), String(figuresOf(l).receiptHash)]),
    );
    for (const s of trail.steps) {
      if (s.kind !== "receipt") continue;
      const chainHash = settledHash.get(String(s.data.shipmentId));
      if (chainHash === undefined) continue;
      count.figures++;
      if (String(s.data.receiptHash).toLowerCase() !== chainHash) {
        mismatches.push({ step: s.id, field: "receiptHash", database: s.data.receiptHash, chain: chainHash });
      }
    }

    // 5. The state the trail states, read from the contracts at the same block.
    const compare = (step: string, field: string, database: JsonValue, chain: JsonValue) => {
      count.figures++;
      if (!same(database, chain)) mismatches.push({ step, field, database, chain });
    };
    const records = new Map(
      expected
        .filter((l) => l.event === "ShipmentCreated")
        .map((l) => [String(l.args.shipmentId), recordOf(figuresOf(l))]),
    );
    await this.checkShipments(trail, records, toBlock, compare, mismatches);
    await this.checkOrders(trail, toBlock, compare, mismatches);
    await this.checkAgreements(trail, toBlock, compare, mismatches);

    // 6. Qualification at each moment the ledger checked it, replayed from the chain's logs.
    await this.checkQualification(trail, expected, blocks, compare, mismatches);

    return {
      verified: mismatches.length === 0,
      checked: chainSteps.length,
      figures: count.figures,
      expectedEvents: expected.length,
      mismatches,
      ...(proofs ? { proofs } : {}),
      chainId: this.deployment.chainId,
      toBlock,
      checkedAt: new Date().toISOString(),
    };
  }

  /**
   * Each serial proof against the shipment's own record (from its ShipmentCreated log, not the
   * trail): the proven shipments' logs are where a serial trail's completeness starts.
   */
  private async checkProofs(
    trail: Trail,
    serial: string,
    toBlock: number,
    mismatches: Mismatch[],
  ): Promise<{ proofs: ProofCheck[]; proven: ChainLog[] }> {
    const given = trail.proofs ?? [];
    const created = await this.logs(
      "trace",
      [["ShipmentCreated"]],
      [ids(given.map((p) => p.shipmentId))],
      toBlock,
    );
    const byId = new Map(created.map((l) => [String(l.args.shipmentId), l]));
    const proofs = await mapLimit(given, CONCURRENCY, async (p) => {
      const log = byId.get(p.shipmentId);
      if (!log) return { shipmentId: p.shipmentId, proofValid: false, root: p.root };
      const record = recordStruct(recordOf(figuresOf(log)));
      const proofValid = await this.trace
        .verifySerial(p.shipmentId, record, serial, p.proof, { blockTag: toBlock })
        .catch((error: unknown) => {
          // A revert is a failed proof; an unreachable node is not.
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
    const valid = new Set(proofs.filter((p) => p.proofValid).map((p) => p.shipmentId));
    return {
      proofs: proofs.map(({ shipmentId, proofValid }) => ({ shipmentId, proofValid })),
      proven: created.filter((l) => valid.has(String(l.args.shipmentId))),
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
      out.push({ step: step.id, ...problem("NO_TRANSACTION_STORED") });
      return { figures: 0, mismatches: out };
    }
    const ref = {
      event: where.event,
      txHash: where.txHash,
      blockNumber: where.blockNumber,
      logIndex: where.logIndex,
    };
    if (!isHexString(where.txHash, 32)) {
      out.push({ step: step.id, ...problem("TX_HASH_MALFORMED"), ...ref });
      return { figures: 0, mismatches: out };
    }
    const receipt = await receipts.get(where.txHash);
    if (!receipt) {
      out.push({ step: step.id, ...problem("TX_NOT_ON_CHAIN"), ...ref });
      return { figures: 0, mismatches: out };
    }
    if (receipt.status !== 1) out.push({ step: step.id, ...problem("TX_REVERTED"), ...ref });
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
        ...problem("BLOCK_NOT_CANONICAL", { block: receipt.blockNumber }),
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
      out.push({ step: step.id, ...problem("LOG_NOT_IN_TX", { logIndex: where.logIndex }), ...ref });
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
   * Each shipment's record must hash to what DeliveryTrace holds, and its state, dispute and
   * recall status be the contracts'.
   */
  private async checkShipments(
    trail: Trail,
    records: Map<string, ShipmentRecordView>,
    blockTag: number,
    compare: Compare,
    mismatches: Mismatch[],
  ): Promise<void> {
    await mapLimit(trail.state.shipments, CONCURRENCY, async (s) => {
      const step = `shipment:${s.shipmentId}`;
      const [hash, state, disputed] = await Promise.all([
        orNotFound(this.trace.shipmentHash(s.shipmentId, { blockTag })),
        orNotFound(this.trace.shipmentState(s.shipmentId, { blockTag })),
        this.orderBook.disputedUnits(s.shipmentId, { blockTag }),
      ]);
      if (hash === null || state === null) {
        mismatches.push({ step, ...problem("SHIPMENT_NOT_ON_CHAIN") });
        return;
      }
      // The trail's record, hashed here: a changed row no longer hashes to the chain's.
      compare(step, "recordHash", recordHash(s.record), hash.toLowerCase());
      if (s.recordHash !== recordHash(s.record)) {
        mismatches.push({
          step,
          field: "recordHash",
          database: s.recordHash,
          ...problem("RECORD_HASH_WRONG"),
        });
      }
      compare(step, "state.arrivedAt", s.arrivedAt, isoOrNull(state.arrivedAt));
      compare(step, "state.receivedAt", s.receivedAt, isoOrNull(state.receivedAt));
      compare(step, "state.excursion", s.excursion, state.excursion);
      compare(step, "state.excursionWaived", s.excursionWaived, state.excursionWaived);
      compare(step, "state.confirmed", s.confirmed, state.confirmed);
      compare(step, "state.disputedUnits", s.disputedUnits, disputed.toString());
      // Asked of the shipment's record as its log has it, not as the trail states it.
      const r = records.get(s.shipmentId) ?? s.record;
      const recalled = await this.trace.isRecalled(BigInt(r.gtin), r.lot, r.supplier, { blockTag });
      compare(step, "state.recalled", s.recalled, recalled);
    });
  }

  private async checkOrders(trail: Trail, blockTag: number, compare: Compare, mismatches: Mismatch[]) {
    await mapLimit(trail.state.orders, CONCURRENCY, async (o) => {
      const step = `order:${o.orderId}`;
      const chain = await orNotFound(this.orderBook.order(o.orderId, { blockTag }));
      if (chain === null) {
        mismatches.push({ step, ...problem("ORDER_NOT_ON_CHAIN") });
        return;
      }
      compare(step, "state.agreementId", o.agreementId, chain.agreementId.toString());
      compare(step, "state.hospital", o.hospital, chain.hospital.toLowerCase());
      compare(step, "state.status", o.status, ORDER_STATUS[Number(chain.status)] ?? String(chain.status));
      compare(step, "state.quantity", o.quantity, chain.quantity.toString());
      compare(step, "state.shipped", o.shipped, chain.shipped.toString());
      compare(step, "state.accepted", o.accepted, chain.accepted.toString());
      compare(step, "state.cancelled", o.cancelled, chain.cancelled.toString());
      compare(step, "state.escrow", o.escrow, chain.escrow.toString());
      compare(step, "state.excessConsented", o.excessConsented, chain.excessConsented);
      compare(step, "state.lateShipmentAllowed", o.lateShipmentAllowed, chain.lateShipmentAllowed);
      compare(step, "state.fundingExpiresAt", o.fundingExpiresAt, iso(chain.fundingExpiresAt));
      compare(step, "state.deliveryDeadline", o.deliveryDeadline, iso(chain.deliveryDeadline));
    });
  }

  private async checkAgreements(trail: Trail, blockTag: number, compare: Compare, mismatches: Mismatch[]) {
    await mapLimit(trail.state.agreements, CONCURRENCY, async (a) => {
      const step = `agreement:${a.agreementId}`;
      const chain = await orNotFound(this.agreements.agreement(a.agreementId, { blockTag }));
      if (chain === null) {
        mismatches.push({ step, ...problem("AGREEMENT_NOT_ON_CHAIN") });
        return;
      }
      const t = chain.terms;
      compare(step, "state.tenderId", a.tenderId, t.tenderId.toString());
      compare(step, "state.supplier", a.supplier, t.supplier.toLowerCase());
      compare(step, "state.category", a.category, t.category.toLowerCase());
      compare(step, "state.start", a.start, iso(t.start));
      compare(step, "state.end", a.end, iso(t.end));
      compare(step, "state.fundedVolume", a.fundedVolume, await this.fundedVolume(a.agreementId, blockTag));
      compare(step, "state.acceptedVolume", a.acceptedVolume, chain.acceptedVolume.toString());
      for (const h of a.hospitals) {
        const v = await this.agreements.hospitalVolume(a.agreementId, h.hospital, { blockTag });
        const field = (name: string) => `state.hospitals.${h.hospital}.${name}`;
        compare(step, field("committed"), h.committed, v.committed.toString());
        compare(step, field("funded"), h.funded, v.funded.toString());
        compare(
          step,
          field("accepted"),
          h.accepted,
          await this.acceptedUnits(a.agreementId, h.hospital, blockTag),
        );
      }
    });
  }

  /**
   * An agreement's funded volume, which the book does not keep: only the hospitals of its tender
   * (its AgreementCreated log's) fund under it, so it is their funded volumes summed.
   */
  private async fundedVolume(agreementId: string, blockTag: number): Promise<string> {
    const [created] = await this.logs("agreements", [["AgreementCreated"]], [ids([agreementId])], blockTag);
    const parties = created ? (created.args.hospitals as string[]) : [];
    const positions = await Promise.all(
      parties.map((h) => this.agreements.hospitalVolume(agreementId, h, { blockTag })),
    );
    return sum(positions.map((v) => v.funded));
  }

  /**
   * A hospital's units counted toward an agreement's tier position, which the book does not keep
   * per hospital (the rule of ledger/volumes.ts, here from the logs up to `toBlock`): a plain
   * order's accepted units when its deliveries settle; a consigned order's only when used or
   * expired at the hospital's cost, never when taken into custody.
   */
  private async acceptedUnits(agreementId: string, hospital: string, toBlock: number): Promise<string> {
    const byHospital = [null, ids([agreementId]), [addressTopic(hospital)]];
    const [placed, elected] = await Promise.all([
      this.logs("orderBook", [["OrderPlaced"]], byHospital, toBlock),
      this.logs("consignment", [["OrderConsigned"]], byHospital, toBlock),
    ]);
    const consigned = new Set(elected.map((l) => String(l.args.orderId)));
    const plain = placed.map((l) => String(l.args.orderId)).filter((id) => !consigned.has(id));
    const [settled, used, expired] = await Promise.all([
      this.logs("orderBook", [["ShipmentSettled"]], [null, ids(plain)], toBlock),
      this.logs("consignment", [["ConsumptionConfirmed"]], [null, null, ids([...consigned])], toBlock),
      this.logs("consignment", [["ConsignedStockExpired"]], [null, ids([...consigned])], toBlock),
    ]);
    return sum([
      ...settled.map((l) => BigInt(String(figuresOf(l).accepted))),
      ...used.map((l) => BigInt(String(l.args.units))),
      ...expired.filter((l) => l.args.paidToSupplier === true).map((l) => BigInt(String(l.args.units))),
    ]);
  }

  /**
   * The moments the chain checked the supplier's qualification, derived from the chain's logs,
   * each replayed from the chain's registry logs: they must be the trail's moments with the
   * trail's verdicts, and every one qualified (the chain accepted the act).
   */
  private async checkQualification(
    trail: Trail,
    expected: ChainLog[],
    blocks: Cached<number, Block | null>,
    compare: Compare,
    mismatches: Mismatch[],
  ): Promise<void> {
    const candidates = expected.filter((l) =>
      ["BidCommitted", "TenderAwarded", "ShipmentCreated", "ShipmentSettled"].includes(l.event),
    );
    const times = new Map<number, string>();
    for (const l of candidates) {
      const block = await blocks.get(l.blockNumber);
      if (block) times.set(l.blockNumber, new Date(block.timestamp * 1000).toISOString());
    }
    const steps = candidates.map((l) => ({
      id: stepIdOf(l, new Map()),
      at: times.get(l.blockNumber) ?? "",
      event: l.event,
      figures: figuresOf(l),
      blockNumber: l.blockNumber,
      logIndex: l.logIndex,
    }));
    const tenderCategory = new Map(
      expected
        .filter((l) => l.event === "TenderOpened")
        .map((l) => [String(l.args.tenderId), String(figuresOf(l).category)]),
    );
    const agreementCategory = new Map(
      expected
        .filter((l) => l.event === "AgreementCreated")
        .map((l) => [String(l.args.agreementId), String(figuresOf(l).category)]),
    );
    const orderAgreement = new Map(
      expected
        .filter((l) => l.event === "OrderPlaced")
        .map((l) => [String(l.args.orderId), String(l.args.agreementId)]),
    );
    const suppliers = new Set(
      expected.filter((l) => l.event === "AgreementCreated").map((l) => String(figuresOf(l).supplier)),
    );
    const registry: RegistryFact[] = expected
      .filter((l) => l.contract === "registry" && QUALIFICATION_EVENTS.has(l.event))
      .map((l) => ({
        event: l.event,
        figures: figuresOf(l),
        blockNumber: l.blockNumber,
        logIndex: l.logIndex,
      }));
    const moments = qualificationMoments(
      steps,
      {
        tender: (id) => tenderCategory.get(id),
        order: (id) => {
          const agreement = orderAgreement.get(id);
          return agreement === undefined ? undefined : agreementCategory.get(agreement);
        },
      },
      suppliers,
    ).map((m) => qualificationAt(registry, m));

    const key = (m: { step: string; supplier: string }) => `${m.step}/${m.supplier}`;
    const stated = new Map(trail.qualification.map((q) => [key(q), q]));
    for (const m of moments) {
      const step = m.step;
      if (!m.qualified) {
        mismatches.push({
          step,
          field: "qualified",
          chain: false,
          ...problem("QUALIFICATION_REPLAYS_UNQUALIFIED", { supplier: m.supplier }),
        });
      }
      const q = stated.get(key(m));
      stated.delete(key(m));
      if (!q) {
        mismatches.push({
          step,
          field: "qualification",
          ...problem("QUALIFICATION_NOT_STATED", { supplier: m.supplier }),
        });
        continue;
      }
      compare(step, "qualification.category", q.category, m.category);
      compare(step, "qualification.status", q.status, m.status);
      compare(step, "qualification.qualified", q.qualified, m.qualified);
      compare(
        step,
        "qualification.windows",
        q.windows as unknown as JsonValue,
        m.windows as unknown as JsonValue,
      );
    }
    for (const q of stated.values()) {
      mismatches.push({
        step: q.step,
        field: "qualification",
        ...problem("QUALIFICATION_NOT_CHECKED", { supplier: q.supplier }),
      });
    }
  }

  /**
   * The chain's events that belong to the trail, found from the subject by indexed topics: the
   * rule of trail.chain-steps.ts, applied to the chain instead of the database.
   */
  private async expectedLogs(
    trail: Trail,
    scope: TrailScope,
    proven: ChainLog[],
    toBlock: number,
  ): Promise<ChainLog[]> {
    const subject = trail.subject;
    const record = (l: ChainLog) => figuresOf(l);

    let created: ChainLog[];
    let orderLogs: ChainLog[] = [];
    if (subject.type === "order") {
      // ShipmentCreated is not indexed by order: find the order's supplier, then its shipments.
      orderLogs = await this.logs("orderBook", [ORDER_EVENTS], [ids([subject.orderId])], toBlock);
      const agreementIds = unique(
        orderLogs.filter((l) => l.event === "OrderPlaced").map((l) => String(l.args.agreementId)),
      );
      const agreements = await this.logs("agreements", [["AgreementCreated"]], [ids(agreementIds)], toBlock);
      const suppliers = unique(agreements.map((l) => String(l.args.supplier)));
      created = (
        await this.logs("trace", [["ShipmentCreated"]], [null, suppliers.map(addressTopic)], toBlock)
      ).filter((l) => record(l).orderId === subject.orderId);
    } else if (subject.type === "lot") {
      // A lot's history is one topic filter: ShipmentCreated's third indexed argument.
      const lotKey = lotKeyOf(subject.gtin, subject.lot);
      created = await this.logs("trace", [["ShipmentCreated"]], [null, null, [lotKey]], toBlock);
    } else {
      created = proven;
    }
    if (subject.type !== "order") {
      created = created.filter(
        (l) =>
          (!scope.hospital || record(l).hospital === scope.hospital.toLowerCase()) &&
          (!scope.supplier || record(l).supplier === scope.supplier.toLowerCase()),
      );
      const orderIds = unique(created.map((l) => String(record(l).orderId)));
      orderLogs = await this.logs("orderBook", [ORDER_EVENTS], [ids(orderIds)], toBlock);
    }

    const shipmentIds = unique(created.map((l) => String(l.args.shipmentId)));
    const shipmentLogs = [
      ...(await this.logs("trace", [SHIPMENT_TRACE_EVENTS], [ids(shipmentIds)], toBlock)),
      ...(await this.logs("orderBook", [SHIPMENT_ORDER_EVENTS], [ids(shipmentIds)], toBlock)),
    ];

    // Each lot in the global scope and in the scope of each supplier that shipped it.
    const scopes = new Set(
      created.flatMap((l) => {
        const r = record(l);
        return [`${r.lotKey}/${GLOBAL_SCOPE}`, `${r.lotKey}/${r.supplier}`];
      }),
    );
    const recallLogs = (
      await this.logs(
        "trace",
        [RECALL_EVENTS],
        [
          unique(created.map((l) => String(record(l).lotKey))),
          unique([GLOBAL_SCOPE, ...created.map((l) => String(record(l).supplier))]).map(addressTopic),
        ],
        toBlock,
      )
    ).filter((l) => scopes.has(`${record(l).lotKey}/${record(l).scope}`));

    const placed = orderLogs.filter((l) => l.event === "OrderPlaced");
    const agreementIds = unique(placed.map((l) => String(l.args.agreementId)));
    const hospitals = unique(placed.map((l) => String(l.args.hospital)));
    const agreementLogs = await this.logs("agreements", [["AgreementCreated"]], [ids(agreementIds)], toBlock);
    const volumeTxs = new Set(
      [...orderLogs, ...shipmentLogs]
        .filter((l) => (VOLUME_MOVING_EVENTS as readonly string[]).includes(l.event))
        .map((l) => l.txHash),
    );
    const volumeLogs = (
      await this.logs(
        "agreements",
        [["AgreementVolumeChanged"]],
        [ids(agreementIds), hospitals.map(addressTopic)],
        toBlock,
      )
    ).filter((l) => volumeTxs.has(l.txHash));
    const tenderIds = unique(agreementLogs.map((l) => String(l.args.tenderId)));
    const tenderLogs = await this.logs("tenders", [TENDER_EVENTS], [ids(tenderIds)], toBlock);
    const budgetLogs = await this.logs(
      "budgets",
      [BUDGET_ORDER_EVENTS],
      [ids(unique(placed.map((l) => String(l.args.orderId))))],
      toBlock,
    );

    const found = [
      ...created,
      ...orderLogs,
      ...shipmentLogs,
      ...recallLogs,
      ...agreementLogs,
      ...volumeLogs,
      ...tenderLogs,
      ...budgetLogs,
    ];
    const byKey = new Map(found.map((l) => [logKey(l.txHash, l.logIndex), l]));
    const bound = Math.max(-1, ...[...byKey.values()].map((l) => l.blockNumber));
    const suppliers = unique([
      ...agreementLogs.map((l) => String(l.args.supplier)),
      ...created.map((l) => String(record(l).supplier)),
    ]);
    if (bound >= 0 && suppliers.length > 0) {
      // The setting and adjustments of the budgets the orders were charged to, before the
      // actors: an adjustment's approvers are among them.
      const charges = budgetLogs.filter((l) => l.event === "BudgetCharged").map(figuresOf);
      const charged = new Set(charges.map(budgetKeyOf));
      const budgetTopics = [
        unique(charges.map((f) => String(f.hospital))).map(addressTopic),
        unique(charges.map((f) => String(f.category))),
      ];
      const budgetLogsOf = async (event: string, topics: (string[] | null)[]) =>
        charged.size === 0 ? [] : this.logs("budgets", [[event]], topics, bound);
      for (const l of [
        ...(await budgetLogsOf("BudgetSet", budgetTopics)),
        ...(await budgetLogsOf("BudgetAdjusted", [null, ...budgetTopics])),
      ]) {
        if (charged.has(budgetKeyOf(figuresOf(l)))) byKey.set(logKey(l.txHash, l.logIndex), l);
      }
      const actors = hospitalActors(
        [...byKey.values()].map((l) => ({ event: l.event, figures: figuresOf(l) })),
      ).filter((a) => !hospitals.includes(a));
      const hospitalTopics = hospitals.map(addressTopic);
      const who = suppliers.map(addressTopic);
      const gtinPairs = new Set(created.map((l) => `${record(l).supplier}/${record(l).gtin}`));
      const more = [
        ...(await this.logs("hospitals", [HOSPITAL_EVENTS], [hospitalTopics], bound)),
        ...(await this.logs("hospitals", [MEMBER_EVENTS], [hospitalTopics, actors.map(addressTopic)], bound)),
        ...(await this.logs("registry", [SUPPLIER_EVENTS], [who], bound)),
        ...(await this.logs("registry", [DOCUMENT_EVENTS], [null, who], bound)),
        ...(await this.logs("registry", [["RequiredKindsChanged"]], [], bound)),
        ...(
          await this.logs(
            "registry",
            [["GtinRegistered"]],
            [
              who,
              unique(created.map((l) => String(record(l).gtin))).map((g) =>
                zeroPadValue(toBeHex(BigInt(g)), 32),
              ),
            ],
            bound,
          )
        ).filter((l) => gtinPairs.has(`${record(l).supplier}/${record(l).gtin}`)),
      ];
      for (const l of more) byKey.set(logKey(l.txHash, l.logIndex), l);
    }
    // The lots' transfers inside the hospitals their shipments went to, at any block.
    const custody = new Set(created.map((l) => custodyKeyOf(record(l))));
    const transferLogs = await this.logs(
      "campusTransfers",
      [TRANSFER_EVENTS],
      [
        null,
        unique(created.map((l) => String(record(l).hospital))).map(addressTopic),
        unique(created.map((l) => String(record(l).gtin))).map((g) => zeroPadValue(toBeHex(BigInt(g)), 32)),
      ],
      toBlock,
    );
    for (const l of transferLogs)
      if (custody.has(custodyKeyOf(figuresOf(l)))) byKey.set(logKey(l.txHash, l.logIndex), l);
    return [...byKey.values()].sort(byChainOrder);
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

type Compare = (step: string, field: string, database: JsonValue, chain: JsonValue) => void;

/** Each trace log's place (1, 2, …) among its shipment's trace logs, in chain order. */
function traceOrdinals(logs: ChainLog[]): Map<string, number> {
  const next = new Map<string, number>();
  const out = new Map<string, number>();
  for (const l of [...logs].sort(byChainOrder)) {
    if (l.event !== "TraceEventRecorded") continue;
    const shipment = String(l.args.shipmentId);
    const index = (next.get(shipment) ?? 0) + 1;
    next.set(shipment, index);
    out.set(logKey(l.txHash, l.logIndex), index);
  }
  return out;
}

/** The id a step of this log has (a trace step's with its place among the shipment's). */
function stepIdOf(l: ChainLog, ordinals: Map<string, number>): string {
  const spec: EventSpec | undefined = EVENT_SPECS.get(`${l.contract}.${l.event}`);
  if (!spec) return `${l.contract}.${l.event}`;
  const index = ordinals.get(logKey(l.txHash, l.logIndex));
  return spec.id({ ...spec.figures(l.args), ...(index === undefined ? {} : { eventIndex: index }) }, l);
}

/** The call's result, or null when the contract reverted (no such shipment, order, agreement). */
async function orNotFound<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isError(error, "CALL_EXCEPTION")) return null;
    throw error;
  }
}

const ids = (values: string[]) => values.map((v) => zeroPadValue(toBeHex(BigInt(v)), 32));
const addressTopic = (address: string) => zeroPadValue(address, 32);

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

/** The decimal string of the sum. */
function sum(values: bigint[]): string {
  return values.reduce((total, v) => total + v, 0n).toString();
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
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
