import { visible } from "../../plugins/auth";
import { decodeBytes32String } from "ethers";
import type { Db } from "../../db";
import type { EventArgs, JsonValue } from "../../chain/ledger-events";
import type { LedgerContractName } from "../../../scripts/lib/ledger";
import { appError } from "../../plugins/error-catalogue";
import { ManifestService, type SerialProof } from "../shipments/manifest.service";
import { buildEpcisDocument, EpcisExportError } from "./epcis.export";
import type { EpcisDocument, EpcisInput, EpcisShipment, EpcisTraceEvent } from "./epcis.types";
import * as repo from "./trail.repository";
import type { ChainEventRow, Lot, OrderRow, ShipmentRow, TrailScope } from "./trail.repository";
import { DOCUMENT_KINDS, ORDER_STATUS, TRACE_STEPS } from "../../../scripts/lib/ledger-enums";

/**
 * The regulator's audit trail: everything that happened to one order, lot or serial, as steps in
 * time order, each on-chain step pointing at its log (chain id, contract, transaction, block, log
 * index) so that it can be checked against the chain without the gateway (trail.verify.ts does
 * it for you; docs/verify-a-trail.md says how to do it yourself).
 *
 * Invariants:
 * - An on-chain step's `data` holds exactly the figures its event carries, in one canonical form
 *   (`EVENT_SPECS[…].figures`): amounts and ids as decimal strings, addresses and hashes lower-case
 *   hex, times ISO-8601, GTINs 14 digits, enums by name. The verifier decodes the log and compares
 *   every one of them, so nothing a step states about the chain goes unchecked.
 * - Those figures come from the gateway's read model (the projections: orders, shipments,
 *   trace_events, settlements, …) or, for events without a projection of their own, from the
 *   stored event log (chain_events) — i.e. from exactly what the gateway would answer elsewhere.
 * - Which on-chain events belong to a trail follows one rule, written twice: here from the
 *   database and in the verifier from the chain (`expectedLogs`). Change one, change the other.
 *   For the subject's shipments: ShipmentCreated, TraceEventRecorded, ExcursionWaived,
 *   ShipmentConfirmed, ShipmentSettled; for their orders: OrderPlaced, OrderApproved, OrderFunded,
 *   SupplierAgreedToCancel, OrderCancelled, OrderClosed; for their lots: LotRecalled; for the
 *   orders' agreements: AgreementCreated and every event of their tenders; for the suppliers: the
 *   registry's events about them (and RequiredKindsChanged) up to the trail's last other event.
 * - Off-chain steps (manifest, receipt, match, exception, resolution, unsent payment, usage) have
 *   `onChain: null` and a `source` naming the gateway table they come from.
 */

export type StepKind =
  | "qualification"
  | "tender"
  | "bid"
  | "agreement"
  | "order"
  | "approval"
  | "funding"
  | "cancellation"
  | "closure"
  | "shipment"
  | "trace"
  | "waiver"
  | "confirmation"
  | "recall"
  | "manifest"
  | "receipt"
  | "match"
  | "exception"
  | "resolution"
  | "payment"
  | "usage";

export const STEP_KINDS: readonly StepKind[] = [
  "qualification",
  "tender",
  "bid",
  "agreement",
  "order",
  "approval",
  "funding",
  "cancellation",
  "closure",
  "shipment",
  "trace",
  "waiver",
  "confirmation",
  "recall",
  "manifest",
  "receipt",
  "match",
  "exception",
  "resolution",
  "payment",
  "usage",
];

export type Figures = Record<string, JsonValue>;

/** Where an on-chain step's log is. */
export interface OnChainRef {
  chainId: number;
  /** The emitting contract's address (from the deployment record, not the database). */
  contract: string;
  contractName: LedgerContractName;
  event: string;
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

export interface TrailStep {
  /** Stable within the ledger: kind and the event's own ids, e.g. `trace:1:2`, `payment:1`. */
  id: string;
  /** ISO-8601: block time, or the time the event states (trace events' eventTime). */
  at: string;
  kind: StepKind;
  summary: string;
  /** "chain", or the gateway table an off-chain step comes from (e.g. "gateway.receipts"). */
  source: string;
  data: Figures;
  /** Null for off-chain steps, and for an on-chain step whose log the gateway has not stored. */
  onChain: OnChainRef | null;
}

export interface QualificationDocumentAt {
  documentId: string;
  kind: string;
  status: "pending" | "attested" | "rejected";
  validFrom: string;
  validUntil: string;
  coversCategory: boolean;
  validAtTime: boolean;
}

/** The supplier's qualification as the registry stood just before one step. */
export interface QualificationAt {
  step: string;
  at: string;
  blockNumber: number;
  supplier: string;
  category: string;
  status: "unregistered" | "active" | "suspended";
  requiredKinds: string[];
  /** What SupplierRegistry.isQualified(supplier, category, at) answered then. */
  qualified: boolean;
  documents: QualificationDocumentAt[];
}

export type TrailSubject =
  | { type: "order"; orderId: string }
  | { type: "lot"; gtin: string; lot: string }
  | { type: "serial"; gtin: string; serial: string };

export interface Trail {
  subject: TrailSubject;
  chainId: number;
  contracts: Record<"registry" | "tenders" | "orderBook" | "trace", string>;
  generatedAt: string;
  orders: string[];
  shipments: string[];
  lots: Lot[];
  qualification: QualificationAt[];
  /** Serial trails: the serial's Merkle proof against each shipment root that contains it. */
  proofs?: SerialProof[];
  steps: TrailStep[];
}

export interface TrailContext {
  chainId: number;
  contracts: Record<LedgerContractName, string>;
}

// ---------------------------------------------------------------------------------------------------
// The ledger's events as trail steps
// ---------------------------------------------------------------------------------------------------

/** A log's position, for the ids of events that can repeat (suspensions, cancellations, …). */
export interface LogPosition {
  blockNumber: number;
  logIndex: number;
}

export interface EventSpec {
  contract: LedgerContractName;
  event: string;
  kind: StepKind;
  /** The event's arguments in the trail's canonical form: what a step states and verify compares. */
  figures(args: EventArgs): Figures;
  id(f: Figures, at: LogPosition): string;
  summary(f: Figures): string;
  /** The figure that is the step's time; the block's time when absent. */
  timeFigure?: string;
}

const dec = (v: JsonValue | undefined): string => String(v);
const hex = (v: JsonValue | undefined): string => String(v).toLowerCase();
const int = (v: JsonValue | undefined): number => Number(v);
const time = (v: JsonValue | undefined): string => new Date(Number(v) * 1000).toISOString();
const gtin14 = (v: JsonValue | undefined): string => String(v).padStart(14, "0");
const obj = (v: JsonValue | undefined): Record<string, JsonValue> => (v ?? {}) as Record<string, JsonValue>;
const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
const tiers = (v: JsonValue | undefined): JsonValue =>
  list(v).map((t) => ({ threshold: dec(obj(t).threshold), unitPrice: dec(obj(t).unitPrice) }));
const volumes = (hospitals: JsonValue | undefined, units: JsonValue | undefined): JsonValue =>
  list(hospitals).map((h, i) => ({ hospital: hex(h), volume: dec(list(units)[i]) }));
const pos = (at: LogPosition) => `@${at.blockNumber}.${at.logIndex}`;

/** A bytes32 that packs short text (names, category codes) as that text; otherwise the hex. */
export function label(word: JsonValue | undefined): string {
  const value = String(word);
  try {
    const text = decodeBytes32String(value);
    if (text.length > 0 && /^[\x20-\x7e]+$/.test(text)) return text;
  } catch {
    // not packed text: a hash
  }
  return value;
}

const spec = (s: EventSpec): [string, EventSpec] => [`${s.contract}.${s.event}`, s];

/** Every ledger event a trail can contain, keyed `contract.event`. */
export const EVENT_SPECS: ReadonlyMap<string, EventSpec> = new Map([
  spec({
    contract: "registry",
    event: "SupplierRegistered",
    kind: "qualification",
    figures: (a) => ({
      supplier: hex(a.supplier),
      name: hex(a.name),
      registrationId: hex(a.registrationId),
      registeredAt: time(a.registeredAt),
    }),
    id: (f) => `registration:${f.supplier}`,
    summary: (f) => `Supplier ${f.supplier} registered as ${label(f.name)} (${label(f.registrationId)})`,
  }),
  spec({
    contract: "registry",
    event: "DocumentFiled",
    kind: "qualification",
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      kind: DOCUMENT_KINDS[int(a.kind)] ?? dec(a.kind),
      sha256Digest: hex(a.sha256Digest),
      validFrom: time(a.validFrom),
      validUntil: time(a.validUntil),
      categories: list(a.categories).map(hex),
    }),
    id: (f) => `document:${f.documentId}`,
    summary: (f) =>
      `Supplier ${f.supplier} filed ${f.kind} document ${f.documentId}, valid ${f.validFrom} to ${f.validUntil}, ` +
      `for ${list(f.categories).map(label).join(", ")}`,
  }),
  spec({
    contract: "registry",
    event: "DocumentAttested",
    kind: "qualification",
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
    }),
    id: (f) => `document:${f.documentId}:attested`,
    summary: (f) => `Regulator ${f.regulator} attested document ${f.documentId} of ${f.supplier}`,
  }),
  spec({
    contract: "registry",
    event: "DocumentRejected",
    kind: "qualification",
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f) => `document:${f.documentId}:rejected`,
    summary: (f) =>
      `Regulator ${f.regulator} rejected document ${f.documentId} of ${f.supplier} (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "registry",
    event: "SupplierSuspended",
    kind: "qualification",
    figures: (a) => ({
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `suspension:${f.supplier}${pos(at)}`,
    summary: (f) => `Regulator ${f.regulator} suspended supplier ${f.supplier} (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "registry",
    event: "SupplierReinstated",
    kind: "qualification",
    figures: (a) => ({
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `reinstatement:${f.supplier}${pos(at)}`,
    summary: (f) => `Regulator ${f.regulator} reinstated supplier ${f.supplier} (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "registry",
    event: "RequiredKindsChanged",
    kind: "qualification",
    figures: (a) => ({ requiredKinds: int(a.requiredKinds), regulator: hex(a.regulator) }),
    id: (_f, at) => `required-kinds${pos(at)}`,
    summary: (f) =>
      `Regulator ${f.regulator} set the required qualification documents to ${kindsOf(int(f.requiredKinds)).join(", ")}`,
  }),
  spec({
    contract: "tenders",
    event: "TenderOpened",
    kind: "tender",
    figures: (a) => {
      const t = obj(a.terms);
      return {
        tenderId: dec(a.tenderId),
        category: hex(t.category),
        reservePrice: dec(t.reservePrice),
        commitDeadline: time(t.commitDeadline),
        revealDeadline: time(t.revealDeadline),
        termSeconds: dec(t.termSeconds),
        leadTimeDays: int(t.leadTimeDays),
        penaltyBpsPerDay: int(t.penaltyBpsPerDay),
        penaltyCapBps: int(t.penaltyCapBps),
        winners: int(t.winners),
        hospitals: volumes(a.hospitals, a.volumes),
        regulator: hex(a.regulator),
      };
    },
    id: (f) => `tender:${f.tenderId}`,
    summary: (f) =>
      `Regulator ${f.regulator} opened tender ${f.tenderId} for ${label(f.category)}: reserve price ${f.reservePrice}, ` +
      `${list(f.hospitals).length} hospital(s) committing volume, bids until ${f.commitDeadline}`,
  }),
  spec({
    contract: "tenders",
    event: "BidCommitted",
    kind: "bid",
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      bidder: hex(a.bidder),
      commitment: hex(a.commitment),
      sequence: dec(a.sequence),
    }),
    id: (f) => `bid:${f.tenderId}:${f.bidder}:commit:${f.sequence}`,
    summary: (f) => `${f.bidder} committed a sealed bid to tender ${f.tenderId}`,
  }),
  spec({
    contract: "tenders",
    event: "BidRevealed",
    kind: "bid",
    figures: (a) => ({ tenderId: dec(a.tenderId), bidder: hex(a.bidder), tiers: tiers(a.tiers) }),
    id: (f) => `bid:${f.tenderId}:${f.bidder}:reveal`,
    summary: (f) =>
      `${f.bidder} revealed its bid to tender ${f.tenderId}: ` +
      list(f.tiers)
        .map((t) => `${obj(t).unitPrice} per unit from ${obj(t).threshold} units`)
        .join(", "),
  }),
  spec({
    contract: "tenders",
    event: "BidderSkipped",
    kind: "bid",
    figures: (a) => ({ tenderId: dec(a.tenderId), bidder: hex(a.bidder) }),
    id: (f) => `bid:${f.tenderId}:${f.bidder}:skipped`,
    summary: (f) => `${f.bidder} was left out of tender ${f.tenderId}'s award: no longer qualified`,
  }),
  spec({
    contract: "tenders",
    event: "TenderAwarded",
    kind: "tender",
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      winners: list(a.winners).map(hex),
      agreementIds: list(a.agreementIds).map(dec),
    }),
    id: (f) => `tender:${f.tenderId}:awarded`,
    summary: (f) => `Tender ${f.tenderId} awarded to ${list(f.winners).join(", ")}`,
  }),
  spec({
    contract: "tenders",
    event: "TenderFailed",
    kind: "tender",
    figures: (a) => ({ tenderId: dec(a.tenderId) }),
    id: (f) => `tender:${f.tenderId}:failed`,
    summary: (f) => `Tender ${f.tenderId} failed: no valid bid`,
  }),
  spec({
    contract: "tenders",
    event: "AgreementCreated",
    kind: "agreement",
    figures: (a) => ({
      agreementId: dec(a.agreementId),
      tenderId: dec(a.tenderId),
      supplier: hex(a.supplier),
      category: hex(a.category),
      start: time(a.start),
      end: time(a.end),
      tiers: tiers(a.tiers),
      hospitals: volumes(a.hospitals, a.volumes),
    }),
    id: (f) => `agreement:${f.agreementId}`,
    summary: (f) =>
      `Agreement ${f.agreementId} from tender ${f.tenderId} with ${f.supplier} for ${label(f.category)}, ` +
      `${f.start} to ${f.end}`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderPlaced",
    kind: "order",
    figures: (a) => ({
      orderId: dec(a.orderId),
      agreementId: dec(a.agreementId),
      hospital: hex(a.hospital),
      placedBy: hex(a.placedBy),
      quantity: dec(a.quantity),
      value: dec(a.value),
      requestedDelivery: time(a.requestedDelivery),
      deliveryDeadline: time(a.deliveryDeadline),
      orderRef: hex(a.orderRef),
    }),
    id: (f) => `order:${f.orderId}`,
    summary: (f) =>
      `Order ${f.orderId} placed by ${f.placedBy} for hospital ${f.hospital} under agreement ${f.agreementId}: ` +
      `${f.quantity} units, value ${f.value}, delivery by ${f.deliveryDeadline}`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderApproved",
    kind: "approval",
    figures: (a) => ({
      orderId: dec(a.orderId),
      approver: hex(a.approver),
      approvals: int(a.approvals),
      required: int(a.required),
    }),
    id: (f) => `approval:${f.orderId}:${f.approver}`,
    summary: (f) => `Order ${f.orderId} approved by ${f.approver} (${f.approvals} of ${f.required})`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderFunded",
    kind: "funding",
    figures: (a) => ({ orderId: dec(a.orderId), hospital: hex(a.hospital), amount: dec(a.amount) }),
    id: (f) => `funding:${f.orderId}`,
    summary: (f) => `Order ${f.orderId} funded: ${f.amount} moved from ${f.hospital} into escrow`,
  }),
  spec({
    contract: "orderBook",
    event: "SupplierAgreedToCancel",
    kind: "cancellation",
    figures: (a) => ({ orderId: dec(a.orderId), supplier: hex(a.supplier) }),
    id: (f) => `cancellation:${f.orderId}:supplier-agreed`,
    summary: (f) => `Supplier ${f.supplier} agreed to cancel the rest of order ${f.orderId}`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderCancelled",
    kind: "cancellation",
    figures: (a) => ({
      orderId: dec(a.orderId),
      by: hex(a.by),
      units: dec(a.units),
      refund: dec(a.refund),
      status: ORDER_STATUS[int(a.status)] ?? dec(a.status),
    }),
    id: (f, at) => `cancellation:${f.orderId}${pos(at)}`,
    summary: (f) =>
      `${f.by} cancelled ${f.units} undelivered units of order ${f.orderId}; ${f.refund} refunded (order ${f.status})`,
  }),
  spec({
    contract: "orderBook",
    event: "ShipmentSettled",
    kind: "payment",
    figures: (a) => {
      const c = obj(a.confirmation);
      const p = obj(a.payout);
      return {
        shipmentId: dec(a.shipmentId),
        orderId: dec(a.orderId),
        supplier: hex(a.supplier),
        accepted: dec(c.accepted),
        rejected: dec(c.rejected),
        receivedAt: time(c.receivedAt),
        receiptHash: hex(c.receiptHash),
        gross: dec(p.gross),
        penalty: dec(p.penalty),
        paid: dec(p.paid),
        daysLate: int(p.daysLate),
      };
    },
    id: (f) => `payment:${f.shipmentId}`,
    summary: (f) =>
      `Shipment ${f.shipmentId} settled: ${f.accepted} accepted, ${f.rejected} rejected; ${f.paid} paid to ` +
      `${f.supplier} (gross ${f.gross}, penalty ${f.penalty}, ${f.daysLate} days late)`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderClosed",
    kind: "closure",
    figures: (a) => ({ orderId: dec(a.orderId), refund: dec(a.refund) }),
    id: (f) => `closure:${f.orderId}`,
    summary: (f) => `Order ${f.orderId} closed; ${f.refund} of escrow returned to the hospital`,
  }),
  spec({
    contract: "trace",
    event: "ShipmentCreated",
    kind: "shipment",
    figures: (a) => ({
      shipmentId: dec(a.shipmentId),
      orderId: dec(a.orderId),
      supplier: hex(a.supplier),
      gtin: gtin14(a.gtin),
      lot: String(a.lot),
      expiry: time(a.expiry),
      quantity: dec(a.quantity),
      serialRoot: hex(a.serialRoot),
      noticeHash: hex(a.noticeHash),
    }),
    id: (f) => `shipment:${f.shipmentId}`,
    summary: (f) =>
      `Shipment ${f.shipmentId} against order ${f.orderId} by ${f.supplier}: ${f.quantity} × GTIN ${f.gtin} ` +
      `lot ${f.lot}, expiry ${f.expiry}`,
  }),
  spec({
    contract: "trace",
    event: "TraceEventRecorded",
    kind: "trace",
    figures: (a) => ({
      shipmentId: dec(a.shipmentId),
      eventIndex: int(a.eventIndex),
      step: TRACE_STEPS[int(a.step)] ?? dec(a.step),
      actor: hex(a.actor),
      location: hex(a.location),
      eventTime: time(a.eventTime),
      sensorDigest: hex(a.sensorDigest),
      excursion: a.excursion === true,
    }),
    id: (f) => `trace:${f.shipmentId}:${f.eventIndex}`,
    summary: (f) =>
      `Shipment ${f.shipmentId} ${f.step} (trace event ${f.eventIndex}) recorded by ${f.actor}` +
      (f.excursion ? "; temperature excursion reported" : ""),
    timeFigure: "eventTime",
  }),
  spec({
    contract: "trace",
    event: "ExcursionWaived",
    kind: "waiver",
    figures: (a) => ({
      shipmentId: dec(a.shipmentId),
      approver: hex(a.approver),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `waiver:${f.shipmentId}${pos(at)}`,
    summary: (f) =>
      `${f.approver} accepted shipment ${f.shipmentId} despite its temperature excursion (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "trace",
    event: "ShipmentConfirmed",
    kind: "confirmation",
    figures: (a) => ({ shipmentId: dec(a.shipmentId) }),
    id: (f) => `confirmation:${f.shipmentId}`,
    summary: (f) => `Shipment ${f.shipmentId} marked confirmed by the order book`,
  }),
  spec({
    contract: "trace",
    event: "LotRecalled",
    kind: "recall",
    figures: (a) => ({
      lotKey: hex(a.lotKey),
      gtin: gtin14(a.gtin),
      lot: String(a.lot),
      by: hex(a.by),
      reasonCode: int(a.reasonCode),
      recalledAt: time(a.recalledAt),
    }),
    id: (f) => `recall:${f.gtin}:${f.lot}`,
    summary: (f) => `Lot ${f.lot} of GTIN ${f.gtin} recalled by ${f.by} (reason ${f.reasonCode})`,
  }),
]);

/** The events a trail takes from each contract for its orders, shipments, lots and tenders. */
export const ORDER_EVENTS = [
  "OrderPlaced",
  "OrderApproved",
  "OrderFunded",
  "SupplierAgreedToCancel",
  "OrderCancelled",
  "OrderClosed",
] as const;
export const SHIPMENT_TRACE_EVENTS = [
  "ShipmentCreated",
  "TraceEventRecorded",
  "ExcursionWaived",
  "ShipmentConfirmed",
] as const;
export const TENDER_EVENTS = [
  "TenderOpened",
  "BidCommitted",
  "BidRevealed",
  "BidderSkipped",
  "TenderAwarded",
  "TenderFailed",
] as const;

export function kindsOf(bitmap: number): string[] {
  return DOCUMENT_KINDS.filter((_, i) => (bitmap & (1 << i)) !== 0);
}

const ALL_KINDS = (1 << DOCUMENT_KINDS.length) - 1;

// ---------------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------------

const iso = (v: Date | string): string => new Date(v).toISOString();
const str = (v: unknown): string => String(v);

/** Everything a trail is made of, read in one snapshot. */
interface TrailData {
  subject: TrailSubject;
  scope: TrailScope;
  orders: OrderRow[];
  shipments: ShipmentRow[];
  lots: Lot[];
  steps: TrailStep[];
  proofs?: SerialProof[];
  serials: Map<string, string[]>;
  /** ShipmentCreated logs by shipment id (for EPCIS provenance). */
  created: Map<string, ChainEventRow>;
  receipts: repo.ReceiptRow[];
  settlements: repo.SettlementRow[];
  traces: repo.TraceEventRow[];
  recalls: repo.RecallRow[];
  categories: Map<string, string>;
}

export class TrailService {
  constructor(
    private readonly db: Db,
    private readonly ctx: TrailContext,
  ) {}

  async orderTrail(orderId: string, scope: TrailScope): Promise<Trail> {
    return this.trailOf(await this.load({ type: "order", orderId }, scope));
  }

  async lotTrail(gtin: string, lot: string, scope: TrailScope): Promise<Trail> {
    return this.trailOf(await this.load({ type: "lot", gtin, lot }, scope));
  }

  async serialTrail(gtin: string, serial: string, scope: TrailScope): Promise<Trail> {
    return this.trailOf(await this.load({ type: "serial", gtin, serial }, scope));
  }

  /** The GS1 EPCIS 2.0 document of an order's or a lot's trail. */
  async epcis(subject: Exclude<TrailSubject, { type: "serial" }>, scope: TrailScope): Promise<EpcisDocument> {
    const data = await this.load(subject, scope);
    try {
      return buildEpcisDocument(this.epcisInput(data));
    } catch (error) {
      if (error instanceof EpcisExportError) {
        // The database contradicts itself (e.g. a shipment without its stored event): no truthful
        // document can be made until it is re-indexed.
        throw appError("CONFLICT", `the trail cannot be exported: ${error.message}`);
      }
      throw error;
    }
  }

  private trailOf(data: TrailData): Trail {
    const c = this.ctx.contracts;
    return {
      subject: data.subject,
      chainId: this.ctx.chainId,
      contracts: {
        registry: c.registry.toLowerCase(),
        tenders: c.tenders.toLowerCase(),
        orderBook: c.orderBook.toLowerCase(),
        trace: c.trace.toLowerCase(),
      },
      generatedAt: new Date().toISOString(),
      orders: data.orders.map((o) => str(o.id)),
      shipments: data.shipments.map((s) => str(s.id)),
      lots: data.lots,
      qualification: qualificationMoments(data),
      ...(data.proofs ? { proofs: data.proofs } : {}),
      steps: data.steps,
    };
  }

  private async load(subject: TrailSubject, scope: TrailScope): Promise<TrailData> {
    return repo.inSnapshot(this.db, async (db) => {
      const { orders, shipments, serialRows } = await this.subjectRows(db, subject, scope);
      const orderIds = orders.map((o) => str(o.id));
      const shipmentIds = shipments.map((s) => str(s.id));
      const lots = distinctLots(shipments);

      const steps: TrailStep[] = [];
      const chainStep = (
        contract: LedgerContractName,
        event: string,
        figures: Figures,
        time: Date | string,
        log: LogRef | null,
      ) => steps.push(this.chainStep(contract, event, figures, time, log));
      const fromEvent = (e: ChainEventRow) => {
        const s = EVENT_SPECS.get(`${e.contract}.${e.event}`);
        if (s) chainStep(s.contract, s.event, s.figures(e.args), e.block_time, logOf(e));
      };

      // Orders: the placement (figures from `orders`), approvals, funding, cancellation, closure.
      const orderEvents = await repo.eventsByArg(db, "orderBook", ORDER_EVENTS, "orderId", orderIds);
      const placed = new Map(
        orderEvents.filter((e) => e.event === "OrderPlaced").map((e) => [str(e.args.orderId), e]),
      );
      for (const o of orders) {
        const e = placed.get(str(o.id));
        chainStep("orderBook", "OrderPlaced", orderFigures(o), o.placed_at, e ? logOf(e) : null);
      }
      for (const a of await repo.approvalsOf(db, orderIds)) {
        chainStep(
          "orderBook",
          "OrderApproved",
          {
            orderId: str(a.order_id),
            approver: a.approver,
            approvals: Number(a.approvals),
            required: Number(a.required),
          },
          a.approved_at,
          logOf(a),
        );
      }
      for (const e of orderEvents) if (e.event !== "OrderPlaced" && e.event !== "OrderApproved") fromEvent(e);

      // Shipments: creation (figures from `shipments`), trace events, waivers, confirmation, payment.
      const shipmentEvents = await repo.eventsByArg(
        db,
        "trace",
        SHIPMENT_TRACE_EVENTS,
        "shipmentId",
        shipmentIds,
      );
      const created = new Map(
        shipmentEvents.filter((e) => e.event === "ShipmentCreated").map((e) => [str(e.args.shipmentId), e]),
      );
      for (const s of shipments) {
        const e = created.get(str(s.id));
        chainStep("trace", "ShipmentCreated", shipmentFigures(s), s.created_at, e ? logOf(e) : null);
      }
      const traces = await repo.traceEventsOf(db, shipmentIds);
      for (const t of traces) {
        chainStep(
          "trace",
          "TraceEventRecorded",
          {
            shipmentId: str(t.shipment_id),
            eventIndex: Number(t.event_index),
            step: t.step,
            actor: t.actor,
            location: t.location,
            eventTime: iso(t.event_time),
            sensorDigest: t.sensor_digest,
            excursion: t.excursion,
          },
          t.event_time,
          logOf(t),
        );
      }
      for (const e of shipmentEvents)
        if (e.event === "ExcursionWaived" || e.event === "ShipmentConfirmed") fromEvent(e);
      const settlements = await repo.settlementsOf(db, shipmentIds);
      for (const p of settlements) {
        chainStep(
          "orderBook",
          "ShipmentSettled",
          {
            shipmentId: str(p.shipment_id),
            orderId: str(p.order_id),
            supplier: p.supplier,
            accepted: str(p.accepted),
            rejected: str(p.rejected),
            receivedAt: iso(p.received_at),
            receiptHash: p.receipt_hash,
            gross: str(p.gross),
            penalty: str(p.penalty),
            paid: str(p.paid),
            daysLate: Number(p.days_late),
          },
          p.paid_at,
          logOf(p),
        );
      }

      // Recalls of the lots.
      const recalls = await repo.recallsOf(db, lots);
      for (const r of recalls) {
        chainStep(
          "trace",
          "LotRecalled",
          {
            lotKey: r.lot_key,
            gtin: r.gtin,
            lot: r.lot,
            by: r.recalled_by,
            reasonCode: Number(r.reason_code),
            recalledAt: iso(r.recalled_at),
          },
          r.recalled_at,
          logOf(r),
        );
      }

      // The orders' agreements and the tenders that awarded them.
      const agreements = await repo.agreementsById(db, unique(orders.map((o) => str(o.agreement_id))));
      const agreementEvents = await repo.eventsByArg(
        db,
        "tenders",
        ["AgreementCreated"],
        "agreementId",
        agreements.map((a) => str(a.id)),
      );
      const tenderEvents = await repo.eventsByArg(
        db,
        "tenders",
        TENDER_EVENTS,
        "tenderId",
        unique(agreements.map((a) => str(a.tender_id))),
      );
      for (const e of [...tenderEvents, ...agreementEvents]) fromEvent(e);

      // The suppliers' qualification up to the trail's last other on-chain event.
      const bound = Math.max(-1, ...steps.flatMap((s) => (s.onChain ? [s.onChain.blockNumber] : [])));
      const suppliers = unique([
        ...agreements.map((a) => a.supplier),
        ...shipments.map((s) => s.supplier),
        ...orders.map((o) => o.supplier),
      ]);
      if (bound >= 0 && suppliers.length > 0) {
        for (const e of await repo.registryEvents(db, suppliers, bound)) fromEvent(e);
      }

      // What the gateway itself holds: manifests, receipts, matches, exceptions, unsent payments, usages.
      const serials = await repo.manifestSerialsOf(db, shipmentIds);
      const receipts = await this.offChainSteps(db, steps, subject, scope, shipments, settlements);
      steps.push(...(await usageSteps(db, subject, scope, orders, shipments, serials)));

      let proofs: SerialProof[] | undefined;
      if (subject.type === "serial") {
        proofs = [];
        const manifests = new ManifestService(db);
        for (const s of serialRows) proofs.push(await manifests.proof(str(s.id), subject.serial));
        if (shipments.length === 0 && steps.length === 0) {
          throw appError(
            "SERIAL_NOT_FOUND",
            `serial ${subject.serial} of GTIN ${subject.gtin} is in no manifest, receipt or usage visible to you`,
          );
        }
      }

      steps.sort(byTime);
      return {
        subject,
        scope,
        orders,
        shipments,
        lots,
        steps,
        proofs,
        serials,
        created,
        receipts,
        settlements,
        traces,
        recalls,
        categories: new Map(
          orders.map((o) => [
            str(o.id),
            agreements.find((a) => str(a.id) === str(o.agreement_id))?.category ?? "",
          ]),
        ),
      };
    });
  }

  /** The subject's orders and shipments within the caller's scope; 404 when there are none. */
  private async subjectRows(
    db: Db,
    subject: TrailSubject,
    scope: TrailScope,
  ): Promise<{
    orders: OrderRow[];
    shipments: ShipmentRow[];
    serialRows: (ShipmentRow & { leaf_index: number })[];
  }> {
    if (subject.type === "order") {
      const [order] = await repo.ordersById(db, [subject.orderId]);
      if (!order || !visible(scope, order)) {
        throw appError("ORDER_NOT_FOUND", `no order ${subject.orderId} visible to you`);
      }
      return { orders: [order], shipments: await repo.shipmentsOfOrder(db, subject.orderId), serialRows: [] };
    }
    if (subject.type === "lot") {
      const shipments = await repo.shipmentsOfLot(db, subject, scope);
      if (shipments.length === 0) {
        throw appError(
          "LOT_NOT_FOUND",
          `no shipment of GTIN ${subject.gtin} lot ${subject.lot} visible to you`,
        );
      }
      const orders = await repo.ordersById(db, unique(shipments.map((s) => str(s.order_id))));
      return { orders, shipments, serialRows: [] };
    }
    const serialRows = await repo.shipmentsOfSerial(db, subject.gtin, subject.serial, scope);
    const orders = await repo.ordersById(db, unique(serialRows.map((s) => str(s.order_id))));
    return { orders, shipments: serialRows, serialRows };
  }

  /**
   * An on-chain step. `log` is null when the gateway has the projection but not the stored
   * event (it should not happen; verify reports it): the step keeps its figures and time.
   */
  private chainStep(
    contract: LedgerContractName,
    event: string,
    figures: Figures,
    time: Date | string,
    log: LogRef | null,
  ): TrailStep {
    const s = EVENT_SPECS.get(`${contract}.${event}`)!;
    const position = log ? { blockNumber: Number(log.block_number), logIndex: Number(log.log_index) } : null;
    return {
      id: s.id(figures, position ?? { blockNumber: 0, logIndex: 0 }),
      at: s.timeFigure ? String(figures[s.timeFigure]) : iso(time),
      kind: s.kind,
      summary: s.summary(figures),
      source: "chain",
      data: figures,
      onChain:
        log && position
          ? {
              chainId: this.ctx.chainId,
              contract: this.ctx.contracts[contract].toLowerCase(),
              contractName: contract,
              event,
              txHash: log.tx_hash.toLowerCase(),
              ...position,
            }
          : null,
    };
  }

  /** Manifests, receipts, matches, exceptions and payments not (yet) on chain; returns the receipts. */
  private async offChainSteps(
    db: Db,
    steps: TrailStep[],
    subject: TrailSubject,
    scope: TrailScope,
    shipments: ShipmentRow[],
    settlements: repo.SettlementRow[],
  ): Promise<repo.ReceiptRow[]> {
    const shipmentIds = shipments.map((s) => str(s.id));
    for (const m of await repo.manifestsOf(db, shipmentIds)) {
      steps.push({
        id: `manifest:${m.shipment_id}`,
        at: iso(m.uploaded_at),
        kind: "manifest",
        summary: `Serial list of shipment ${m.shipment_id} uploaded by ${m.uploaded_by}: ${m.serial_count} serials, Merkle root ${m.serial_root}`,
        source: "gateway.manifests",
        data: {
          shipmentId: str(m.shipment_id),
          serialRoot: m.serial_root,
          serialCount: Number(m.serial_count),
          uploadedBy: m.uploaded_by,
        },
        onChain: null,
      });
    }

    // Goods receipts: of the trail's shipments, or (serial trails) every receipt that scanned the item.
    let receipts = await repo.receiptsOf(db, shipmentIds);
    const scannedLines = new Map<string, Figures[]>();
    if (subject.type === "serial") {
      const hits = await repo.receiptLinesOfSerial(db, subject.gtin, subject.serial, scope.hospital ?? null);
      const own = new Set(shipmentIds);
      const visibleHits = scope.supplier ? hits.filter((h) => own.has(str(h.shipment_id))) : hits;
      const byNo = new Map<string, repo.ReceiptRow>();
      for (const h of visibleHits) {
        byNo.set(h.receipt_no, h);
        const lines = scannedLines.get(h.receipt_no) ?? [];
        lines.push({
          line: Number(h.line_no),
          gtin: h.gtin,
          lot: h.lot,
          serial: h.serial,
          quantity: str(h.quantity),
          rejected: str(h.rejected),
          rejectReason: h.reject_reason,
        });
        scannedLines.set(h.receipt_no, lines);
      }
      receipts = [...byNo.values()];
    }
    for (const r of receipts) {
      const accepted = BigInt(r.received_qty) - BigInt(r.rejected_qty);
      const data: Figures = {
        receiptNo: r.receipt_no,
        shipmentId: str(r.shipment_id),
        hospital: r.hospital,
        receivedBy: r.received_by,
        receivedAt: iso(r.received_at),
        received: str(r.received_qty),
        rejected: str(r.rejected_qty),
        receiptHash: r.receipt_hash,
      };
      const scanned = scannedLines.get(r.receipt_no);
      if (scanned) data.lines = scanned;
      steps.push({
        id: `receipt:${r.receipt_no}`,
        at: iso(r.received_at),
        kind: "receipt",
        summary:
          `Goods receipt ${r.receipt_no} for shipment ${r.shipment_id} at ${r.hospital}: ${r.received_qty} received, ` +
          `${accepted} accepted, ${r.rejected_qty} rejected (its hash is what the settlement states on chain)`,
        source: "gateway.receipts",
        data,
        onChain: null,
      });
    }

    const receiptNos = receipts.map((r) => r.receipt_no);
    for (const m of await repo.matchesOf(db, receiptNos)) {
      steps.push({
        id: `match:${m.receipt_no}`,
        at: iso(m.matched_at),
        kind: "match",
        summary:
          `Three-way match of receipt ${m.receipt_no} with shipment ${m.shipment_id} and its order: ${m.status}, ` +
          `${m.accepted} accepted, ${m.rejected} rejected`,
        source: "gateway.matches",
        data: {
          receiptNo: m.receipt_no,
          shipmentId: str(m.shipment_id),
          status: m.status,
          accepted: str(m.accepted),
          rejected: str(m.rejected),
          reasons: (m.reasons ?? []) as JsonValue,
        },
        onChain: null,
      });
    }

    const exceptionShipments = unique([...shipmentIds, ...receipts.map((r) => str(r.shipment_id))]);
    const receiptSet = new Set(receiptNos);
    for (const x of await repo.exceptionsOf(db, exceptionShipments)) {
      if (!shipmentIds.includes(str(x.shipment_id)) && !(x.receipt_no && receiptSet.has(x.receipt_no)))
        continue;
      const codes = Array.isArray(x.reasons)
        ? (x.reasons as { code?: string }[]).map((r) => r.code ?? "?").join(", ")
        : "";
      steps.push({
        id: `exception:${x.id}`,
        at: iso(x.created_at),
        kind: "exception",
        summary: `Exception ${x.id} on shipment ${x.shipment_id} (${x.source}): ${codes || "see reasons"}; ${x.status}`,
        source: "gateway.exceptions",
        data: {
          exceptionId: str(x.id),
          receiptNo: x.receipt_no,
          shipmentId: str(x.shipment_id),
          source: x.source,
          reasons: (x.reasons ?? []) as JsonValue,
          proposedAccepted: str(x.proposed_accepted),
          status: x.status,
        },
        onChain: null,
      });
      if (x.resolved_at) {
        steps.push({
          id: `resolution:${x.id}`,
          at: iso(x.resolved_at),
          kind: "resolution",
          summary: `Exception ${x.id} resolved by ${x.resolved_by}: ${x.resolution}, ${x.resolved_accepted ?? "0"} accepted`,
          source: "gateway.exceptions",
          data: {
            exceptionId: str(x.id),
            resolution: x.resolution,
            resolvedAccepted: x.resolved_accepted === null ? null : str(x.resolved_accepted),
            resolvedBy: x.resolved_by,
            note: x.note,
          },
          onChain: null,
        });
      }
    }

    // A payment the gateway queued but the chain has not (yet) recorded.
    const settled = new Set(settlements.map((s) => str(s.shipment_id)));
    for (const j of await repo.settlementJobsOf(db, shipmentIds)) {
      if (settled.has(str(j.shipment_id))) continue;
      steps.push({
        id: `payment-job:${j.shipment_id}`,
        at: iso(j.submitted_at ?? j.created_at),
        kind: "payment",
        summary: `Payment of shipment ${j.shipment_id} (${j.accepted} accepted) queued by the gateway: ${j.status}`,
        source: "gateway.settlement_jobs",
        data: {
          shipmentId: str(j.shipment_id),
          receiptNo: j.receipt_no,
          accepted: str(j.accepted),
          rejected: str(j.rejected),
          status: j.status,
          txHash: j.tx_hash,
          attempts: Number(j.attempts),
          lastError: j.last_error,
        },
        onChain: null,
      });
    }
    return receipts;
  }

  private epcisInput(data: TrailData): EpcisInput {
    const orderOf = new Map(data.orders.map((o) => [str(o.id), o]));
    const shipments: EpcisShipment[] = data.shipments.map((s) => {
      const id = str(s.id);
      const order = orderOf.get(str(s.order_id));
      const created = data.created.get(id);
      if (!order || !created) {
        throw appError(
          "CONFLICT",
          `shipment ${id} has no indexed ShipmentCreated event or order; the database needs re-indexing`,
        );
      }
      const receipt = data.receipts.find((r) => str(r.shipment_id) === id);
      const settlement = data.settlements.find((p) => str(p.shipment_id) === id);
      return {
        id,
        orderId: str(s.order_id),
        orderRef: order.order_ref,
        supplier: s.supplier,
        hospital: order.hospital,
        gtin: s.gtin,
        lot: s.lot,
        expiry: iso(s.expiry),
        quantity: str(s.quantity),
        noticeHash: s.notice_hash,
        createdAt: iso(s.created_at),
        txHash: created.tx_hash,
        blockNumber: Number(created.block_number),
        logIndex: Number(created.log_index),
        serials: data.serials.get(id) ?? null,
        traceEvents: data.traces
          .filter((t) => str(t.shipment_id) === id)
          .map((t): EpcisTraceEvent => ({
            index: Number(t.event_index),
            step: t.step as EpcisTraceEvent["step"],
            actor: t.actor,
            location: t.location,
            eventTime: iso(t.event_time),
            sensorDigest: t.sensor_digest,
            excursion: t.excursion,
            txHash: t.tx_hash,
            blockNumber: Number(t.block_number),
            logIndex: Number(t.log_index),
          })),
        receipt: receipt
          ? {
              receiptNo: receipt.receipt_no,
              receivedAt: iso(receipt.received_at),
              accepted: (BigInt(receipt.received_qty) - BigInt(receipt.rejected_qty)).toString(),
              rejected: str(receipt.rejected_qty),
            }
          : null,
        settlement: settlement
          ? {
              paidAt: iso(settlement.paid_at),
              txHash: settlement.tx_hash,
              accepted: str(settlement.accepted),
            }
          : null,
      };
    });
    return {
      chainId: this.ctx.chainId,
      traceContract: this.ctx.contracts.trace,
      orderBookContract: this.ctx.contracts.orderBook,
      creationDate: new Date().toISOString(),
      shipments,
      recalls: data.recalls.map((r) => ({
        gtin: r.gtin,
        lot: r.lot,
        recalledAt: iso(r.recalled_at),
        reasonCode: Number(r.reason_code),
        by: r.recalled_by,
        txHash: r.tx_hash,
        blockNumber: Number(r.block_number),
        logIndex: Number(r.log_index),
      })),
    };
  }
}

/**
 * Usage records from the hospitals' billing (table `usages`, migration 0005), as off-chain steps:
 * - an order trail: its hospital's usages of the order's lots, attributed by serial when the item
 *   is in one of the order's manifests, by lot when the usage names no serial or the order's
 *   shipments of that lot have no manifest (a serial shipped under another order is left out);
 * - a lot or serial trail: every usage of the lot or item by the hospitals in the caller's scope —
 *   including hospitals the lot was never shipped to, which is the finding a regulator looks for.
 * Suppliers see no usages (billing is the hospital's). On a database without the table (migrated
 * before 0005) there are none.
 */
export async function usageSteps(
  db: Db,
  subject: TrailSubject,
  scope: TrailScope,
  orders: OrderRow[],
  shipments: ShipmentRow[],
  serials: Map<string, string[]>,
): Promise<TrailStep[]> {
  if (scope.supplier) return [];
  if (!(await repo.usagesTableExists(db))) return [];
  const hospitals = scope.hospital ? [scope.hospital.toLowerCase()] : null;

  let rows: (repo.UsageRow & { attribution: "serial" | "lot" })[];
  if (subject.type === "serial") {
    rows = (await repo.usagesOfSerial(db, subject.gtin, subject.serial, hospitals)).map((u) => ({
      ...u,
      attribution: "serial" as const,
    }));
  } else if (subject.type === "lot") {
    rows = (await repo.usagesOfLots(db, [{ gtin: subject.gtin, lot: subject.lot }], hospitals)).map((u) => ({
      ...u,
      attribution: u.serial ? ("serial" as const) : ("lot" as const),
    }));
  } else {
    const hospital = orders[0]?.hospital;
    if (!hospital || (hospitals && !hospitals.includes(hospital))) return [];
    const lots = distinctLots(shipments);
    const shipped = new Map<string, Set<string> | null>();
    for (const l of lots) {
      const ofLot = shipments.filter((s) => s.gtin === l.gtin && s.lot === l.lot);
      const lists = ofLot.map((s) => serials.get(str(s.id)));
      shipped.set(
        `${l.gtin}/${l.lot}`,
        lists.every((x) => x === undefined) ? null : new Set(lists.flatMap((x) => x ?? [])),
      );
    }
    rows = [];
    for (const u of await repo.usagesOfLots(db, lots, [hospital])) {
      const manifest = shipped.get(`${u.gtin}/${u.lot}`);
      if (u.serial && manifest) {
        if (manifest.has(u.serial)) rows.push({ ...u, attribution: "serial" });
      } else {
        rows.push({ ...u, attribution: "lot" });
      }
    }
  }

  return rows.map((u) => ({
    id: `usage:${u.hospital}:${u.usage_id}`,
    at: iso(u.used_at),
    kind: "usage" as const,
    summary:
      u.quantity < 0
        ? `Hospital ${u.hospital} billed a return of ${-u.quantity} × GTIN ${u.gtin} lot ${u.lot}` +
          `${u.serial ? ` serial ${u.serial}` : ""} (corrects usage ${u.corrects_usage_id}), amount ${u.billed_amount}`
        : `Hospital ${u.hospital} (${u.department}) billed the use of ${u.quantity} × GTIN ${u.gtin} lot ${u.lot}` +
          `${u.serial ? ` serial ${u.serial}` : ""} on a patient, code ${u.billing_code}, amount ${u.billed_amount}`,
    source: "gateway.usages",
    data: {
      hospital: u.hospital,
      usageId: u.usage_id,
      gtin: u.gtin,
      lot: u.lot,
      serial: u.serial,
      department: u.department,
      patientHash: u.patient_hash,
      billingCode: u.billing_code,
      billedAmount: str(u.billed_amount),
      quantity: Number(u.quantity),
      correctsUsageId: u.corrects_usage_id,
      recordedBy: u.recorded_by,
      attribution: u.attribution,
    },
    onChain: null,
  }));
}

// ---------------------------------------------------------------------------------------------------
// Qualification at the time
// ---------------------------------------------------------------------------------------------------

/**
 * The supplier's qualification just before each moment the ledger relies on it: an order's
 * placement, a shipment's creation (DeliveryTrace checks it) and a payment (OrderBook checks it) —
 * replayed from the trail's own qualification steps, exactly as SupplierRegistry.isQualified
 * would have answered at that block.
 */
function qualificationMoments(data: TrailData): QualificationAt[] {
  const registry = data.steps
    .filter((s) => s.kind === "qualification" && s.onChain)
    .sort(
      (a, b) => a.onChain!.blockNumber - b.onChain!.blockNumber || a.onChain!.logIndex - b.onChain!.logIndex,
    );
  const categoryOfShipment = (shipmentId: string) => {
    const s = data.shipments.find((x) => str(x.id) === shipmentId);
    return s ? (data.categories.get(str(s.order_id)) ?? "") : "";
  };
  const out: QualificationAt[] = [];
  for (const step of data.steps) {
    if (!step.onChain) continue;
    let supplier: string | undefined;
    let category = "";
    if (step.kind === "order") {
      supplier = data.orders.find((o) => str(o.id) === step.data.orderId)?.supplier;
      category = data.categories.get(String(step.data.orderId)) ?? "";
    } else if (
      step.kind === "shipment" ||
      (step.kind === "payment" && step.onChain.event === "ShipmentSettled")
    ) {
      supplier = String(step.data.supplier);
      category = categoryOfShipment(String(step.data.shipmentId));
    } else {
      continue;
    }
    if (!supplier) continue;
    out.push(qualificationAt(registry, step, supplier, category));
  }
  return out;
}

function qualificationAt(
  registry: TrailStep[],
  moment: TrailStep,
  supplier: string,
  category: string,
): QualificationAt {
  const at = moment.onChain!;
  let status: QualificationAt["status"] = "unregistered";
  let required = ALL_KINDS;
  const documents = new Map<string, QualificationDocumentAt & { categories: string[] }>();
  const t = Date.parse(moment.at);
  for (const s of registry) {
    const o = s.onChain!;
    if (o.blockNumber > at.blockNumber || (o.blockNumber === at.blockNumber && o.logIndex >= at.logIndex))
      break;
    const f = s.data;
    if (o.event === "RequiredKindsChanged") required = Number(f.requiredKinds);
    if (f.supplier !== supplier) continue;
    switch (o.event) {
      case "SupplierRegistered":
      case "SupplierReinstated":
        status = "active";
        break;
      case "SupplierSuspended":
        status = "suspended";
        break;
      case "DocumentFiled":
        documents.set(String(f.documentId), {
          documentId: String(f.documentId),
          kind: String(f.kind),
          status: "pending",
          validFrom: String(f.validFrom),
          validUntil: String(f.validUntil),
          categories: list(f.categories).map(String),
          coversCategory: false,
          validAtTime: false,
        });
        break;
      case "DocumentAttested":
      case "DocumentRejected": {
        const doc = documents.get(String(f.documentId));
        if (doc) doc.status = o.event === "DocumentAttested" ? "attested" : "rejected";
        break;
      }
    }
  }
  const docs = [...documents.values()].map(({ categories, ...d }) => ({
    ...d,
    coversCategory: categories.includes(category),
    validAtTime: Date.parse(d.validFrom) <= t && t <= Date.parse(d.validUntil),
  }));
  const requiredKinds = kindsOf(required);
  const qualified =
    status === "active" &&
    requiredKinds.every((kind) =>
      docs.some((d) => d.kind === kind && d.status === "attested" && d.coversCategory && d.validAtTime),
    );
  return {
    step: moment.id,
    at: moment.at,
    blockNumber: at.blockNumber,
    supplier,
    category,
    status,
    requiredKinds,
    qualified,
    documents: docs,
  };
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

function orderFigures(o: OrderRow): Figures {
  return {
    orderId: str(o.id),
    agreementId: str(o.agreement_id),
    hospital: o.hospital,
    placedBy: o.placed_by,
    quantity: str(o.quantity),
    value: str(o.value),
    requestedDelivery: iso(o.requested_delivery),
    deliveryDeadline: iso(o.delivery_deadline),
    orderRef: o.order_ref,
  };
}

function shipmentFigures(s: ShipmentRow): Figures {
  return {
    shipmentId: str(s.id),
    orderId: str(s.order_id),
    supplier: s.supplier,
    gtin: s.gtin,
    lot: s.lot,
    expiry: iso(s.expiry),
    quantity: str(s.quantity),
    serialRoot: s.serial_root,
    noticeHash: s.notice_hash,
  };
}

/** Where a stored event or a projection row with its own log position (approvals, trace events, …) is. */
type LogRef = { tx_hash: string; block_number: string | number; log_index: number };

function logOf(row: LogRef): LogRef {
  return { tx_hash: row.tx_hash, block_number: row.block_number, log_index: row.log_index };
}

function distinctLots(shipments: ShipmentRow[]): Lot[] {
  const seen = new Map<string, Lot>();
  for (const s of shipments) seen.set(`${s.gtin}/${s.lot}`, { gtin: s.gtin, lot: s.lot });
  return [...seen.values()];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Time order; within one instant, chain order (block, log), then off-chain steps by id. */
function byTime(a: TrailStep, b: TrailStep): number {
  return (
    Date.parse(a.at) - Date.parse(b.at) ||
    (a.onChain?.blockNumber ?? Number.MAX_SAFE_INTEGER) -
      (b.onChain?.blockNumber ?? Number.MAX_SAFE_INTEGER) ||
    (a.onChain?.logIndex ?? 0) - (b.onChain?.logIndex ?? 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
