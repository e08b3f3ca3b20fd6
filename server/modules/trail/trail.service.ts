import { visible } from "../auth/auth.plugin";
import type { Db } from "../../db";
import type { JsonValue } from "../../../ledger/events";
import type { LedgerContractName } from "../../../ledger/contracts";
import { appError } from "../../plugins/error-catalogue";
import { ManifestService, type SerialProof } from "../shipments/manifest.service";
import { buildEpcisDocument, EpcisExportError } from "./epcis.export";
import type { EpcisDocument, EpcisInput, EpcisShipment, EpcisTraceEvent } from "./epcis.types";
import * as repo from "./trail.repository";
import type { ChainEventRow, Lot, OrderRow, ShipmentRow, TrailScope } from "./trail.repository";
import {
  EVENT_SPECS,
  GLOBAL_SCOPE,
  hospitalActors,
  ORDER_EVENTS,
  recordHash,
  recordOf,
  TENDER_EVENTS,
  VOLUME_MOVING_EVENTS,
  type Figures,
  type ShipmentRecordView,
  type StepKind,
} from "../../../ledger/trail/event-specs";
import {
  QUALIFICATION_EVENTS,
  qualificationAt,
  qualificationMoments,
  type QualificationAt,
} from "../../../ledger/trail/qualification";

/**
 * The regulator's audit trail: everything that happened to one order, lot or serial, as steps in
 * time order, each on-chain step pointing at its log (chain id, contract, transaction, block, log
 * index) so that it can be checked against the chain without the gateway (trail.verify.ts does
 * it for you; docs/verify-a-trail.md says how to do it yourself), and the ledger's state of the
 * trail's shipments, orders and agreements as the gateway holds it (`state`), which the verifier
 * reads back from the contracts.
 *
 * Invariants:
 * - An on-chain step's `data` holds exactly the figures its event carries, in one canonical form
 *   (trail.events.ts), plus, for trace events, `eventIndex` (its place among the shipment's trace
 *   events in chain order). The verifier decodes the log and compares every one of them.
 * - Those figures come from the gateway's read model (the projections: orders, shipments,
 *   trace_events, settlements, recalls, …) or, for events without a projection of their own, from
 *   the stored event log (chain_events) — i.e. from exactly what the gateway would answer elsewhere.
 * - Which on-chain events belong to a trail follows one rule, written twice: here from the
 *   database and in the verifier from the chain (`expectedLogs`). Change one, change the other.
 *   - the subject's shipments: ShipmentCreated, TraceEventRecorded, ExcursionWaived,
 *     ShipmentDisputed, ShipmentSettled;
 *   - their orders: OrderPlaced, OrderApproved, OrderFunded, ExcessVolumeConsented,
 *     LateShipmentAllowed, SupplierAgreedToCancel, OrderCancelled, OrderClosed;
 *   - their lots: LotRecalled and RecallLifted of the global scope and of each supplier that
 *     shipped the lot in the trail (a supplier's recall covers only its own shipments);
 *   - the orders' agreements: AgreementCreated, and AgreementVolumeChanged of the orders'
 *     hospitals logged in the transactions of the trail's fundings, cancellations and
 *     settlements; every event of the agreements' tenders (bids, bonds, award);
 *   - up to the block of the last of the above: the orders' hospitals' enrolment and approval
 *     thresholds, and the membership events of the accounts that acted for them in the trail;
 *     the suppliers' registry events (registration, documents, product declarations,
 *     suspensions, RequiredKindsChanged) and the registrations of the GTINs they shipped.
 * - Off-chain steps (manifest, receipt, match, exception, resolution, unsent payment, usage) have
 *   `onChain: null` and a `source` naming the gateway table they come from.
 */

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

export type TrailSubject =
  | { type: "order"; orderId: string }
  | { type: "lot"; gtin: string; lot: string }
  | { type: "serial"; gtin: string; serial: string };

/** A shipment as DeliveryTrace holds it: the hash of its record, and one slot of state. */
export interface ShipmentState {
  shipmentId: string;
  record: ShipmentRecordView;
  /** keccak256(abi.encode(record)): DeliveryTrace.shipmentHash(shipmentId). */
  recordHash: string;
  lotKey: string;
  /** Block time of the supplier's first Arriving step. */
  arrivedAt: string | null;
  /** Block time of the hospital's first step from Receiving on, or of the settlement. */
  receivedAt: string | null;
  excursion: boolean;
  excursionWaived: boolean;
  confirmed: boolean;
  /** Units the hospital disputes (OrderBook.disputedUnits). */
  disputedUnits: string;
  /** DeliveryTrace.isRecalled(gtin, lot, supplier): a recall of the global or the supplier's scope is in force. */
  recalled: boolean;
}

/** An order as OrderBook.order(orderId) holds it. */
export interface OrderState {
  orderId: string;
  agreementId: string;
  hospital: string;
  status: string;
  quantity: string;
  shipped: string;
  accepted: string;
  cancelled: string;
  escrow: string;
  excessConsented: boolean;
  lateShipmentAllowed: boolean;
  fundingExpiresAt: string;
  deliveryDeadline: string;
}

/**
 * An agreement as AgreementBook.agreement(id) and hospitalVolume(id, hospital) hold it. The book
 * keeps no agreement-wide funded volume (it is the sum of its hospitals') and no accepted units per
 * hospital (they are the sum of the ShipmentSettled of the hospital's orders under it).
 */
export interface AgreementState {
  agreementId: string;
  tenderId: string;
  supplier: string;
  category: string;
  start: string;
  end: string;
  fundedVolume: string;
  acceptedVolume: string;
  /** The volumes of the hospitals whose orders are in the trail. */
  hospitals: { hospital: string; committed: string; funded: string; accepted: string }[];
}

export interface TrailState {
  shipments: ShipmentState[];
  orders: OrderState[];
  agreements: AgreementState[];
}

export interface Trail {
  subject: TrailSubject;
  chainId: number;
  contracts: Record<TrailContract, string>;
  generatedAt: string;
  orders: string[];
  shipments: string[];
  lots: Lot[];
  /** The supplier's qualification at each moment the ledger checked it (bids, award, shipments, payments). */
  qualification: QualificationAt[];
  /** What the gateway holds of the ledger's state now; the verifier reads it back from the contracts. */
  state: TrailState;
  /** Serial trails: the serial's Merkle proof against each shipment root that contains it. */
  proofs?: SerialProof[];
  steps: TrailStep[];
}

export const TRAIL_CONTRACTS = [
  "registry",
  "tenders",
  "agreements",
  "hospitals",
  "orderBook",
  "trace",
] as const;
export type TrailContract = (typeof TRAIL_CONTRACTS)[number];

export interface TrailContext {
  chainId: number;
  contracts: Record<LedgerContractName, string>;
}

// ---------------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------------

const iso = (v: Date | string): string => new Date(v).toISOString();
const isoOrNull = (v: Date | string | null): string | null => (v === null ? null : iso(v));
const str = (v: unknown): string => String(v);

/** Everything a trail is made of, read in one snapshot. */
interface TrailData {
  subject: TrailSubject;
  scope: TrailScope;
  orders: OrderRow[];
  shipments: ShipmentRow[];
  lots: Lot[];
  steps: TrailStep[];
  qualification: QualificationAt[];
  state: TrailState;
  proofs?: SerialProof[];
  serials: Map<string, string[]>;
  /** ShipmentCreated logs by shipment id (for EPCIS provenance). */
  created: Map<string, ChainEventRow>;
  receipts: repo.ReceiptRow[];
  settlements: repo.SettlementRow[];
  traces: repo.TraceEventRow[];
  recalls: repo.RecallRow[];
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
      contracts: Object.fromEntries(TRAIL_CONTRACTS.map((name) => [name, c[name].toLowerCase()])) as Record<
        TrailContract,
        string
      >,
      generatedAt: new Date().toISOString(),
      orders: data.orders.map((o) => str(o.id)),
      shipments: data.shipments.map((s) => str(s.id)),
      lots: data.lots,
      qualification: data.qualification,
      state: data.state,
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
      const hospitals = unique(orders.map((o) => o.hospital));

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

      // Orders: the placement and funding (figures from `orders`), approvals, consents,
      // cancellation, closure.
      const orderEvents = await repo.eventsByArg(db, "orderBook", ORDER_EVENTS, "orderId", orderIds);
      const orderOf = new Map(orders.map((o) => [str(o.id), o]));
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
      for (const e of orderEvents) {
        const o = orderOf.get(str(e.args.orderId));
        if (e.event === "OrderFunded" && o) {
          chainStep(
            "orderBook",
            "OrderFunded",
            { orderId: str(o.id), hospital: o.hospital, amount: str(o.value) },
            e.block_time,
            logOf(e),
          );
        } else if (e.event !== "OrderPlaced" && e.event !== "OrderApproved") {
          fromEvent(e);
        }
      }

      // Shipments: creation (figures from `shipments`), trace events, waivers, disputes, payment.
      const shipmentEvents = await repo.eventsByArg(
        db,
        "trace",
        ["ShipmentCreated", "ExcursionWaived"],
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
      for (const e of shipmentEvents) if (e.event === "ExcursionWaived") fromEvent(e);
      const disputes = await repo.eventsByArg(
        db,
        "orderBook",
        ["ShipmentDisputed"],
        "shipmentId",
        shipmentIds,
      );
      for (const e of disputes) fromEvent(e);
      const settlements = await repo.settlementsOf(db, shipmentIds);
      for (const p of settlements) {
        chainStep(
          "orderBook",
          "ShipmentSettled",
          {
            shipmentId: str(p.shipment_id),
            orderId: str(p.order_id),
            supplier: p.supplier,
            settledBy: p.settled_by,
            accepted: str(p.accepted),
            rejected: str(p.rejected),
            receiptHash: p.receipt_hash,
            gross: str(p.gross),
            penalty: str(p.penalty),
            paid: str(p.paid),
            daysLate: Number(p.days_late),
            deliveredAt: iso(p.delivered_at),
          },
          p.paid_at,
          logOf(p),
        );
      }

      // Recalls of the lots, in the global scope and in the scope of each supplier that shipped
      // them here, and their lifts.
      const recalls = await repo.recallsOf(db, recallScopes(shipments));
      for (const r of recalls) {
        const lot = { lotKey: r.lot_key, gtin: r.gtin, lot: r.lot, scope: r.scope };
        chainStep(
          "trace",
          "LotRecalled",
          {
            ...lot,
            by: r.recalled_by,
            reasonCode: Number(r.reason_code),
            recalledAt: iso(r.recalled_at),
          },
          r.recalled_at,
          logOf(r),
        );
        if (r.lifted_at !== null) {
          chainStep(
            "trace",
            "RecallLifted",
            { ...lot, regulator: str(r.lifted_by), reasonCode: Number(r.lift_reason_code) },
            r.lifted_at,
            r.lift_tx_hash === null
              ? null
              : {
                  tx_hash: r.lift_tx_hash,
                  block_number: str(r.lift_block_number),
                  log_index: Number(r.lift_log_index),
                },
          );
        }
      }

      // The orders' agreements, the volume the trail's own acts moved, and the tenders that
      // awarded them.
      const agreements = await repo.agreementsById(db, unique(orders.map((o) => str(o.agreement_id))));
      const agreementIds = agreements.map((a) => str(a.id));
      for (const e of await repo.eventsByArg(
        db,
        "agreements",
        ["AgreementCreated"],
        "agreementId",
        agreementIds,
      )) {
        fromEvent(e);
      }
      const volumeTxs = unique(
        steps.flatMap((s) =>
          s.onChain && (VOLUME_MOVING_EVENTS as readonly string[]).includes(s.onChain.event)
            ? [s.onChain.txHash]
            : [],
        ),
      );
      const volumes = await repo.eventsInTransactions(
        db,
        "agreements",
        ["AgreementVolumeChanged"],
        "agreementId",
        agreementIds,
        volumeTxs,
      );
      for (const e of volumes) if (hospitals.includes(str(e.args.hospital))) fromEvent(e);
      const tenderEvents = await repo.eventsByArg(
        db,
        "tenders",
        TENDER_EVENTS,
        "tenderId",
        unique(agreements.map((a) => str(a.tender_id))),
      );
      for (const e of tenderEvents) fromEvent(e);

      // Up to the trail's last such event: the hospitals and the membership of those who acted
      // for them, and the suppliers' qualification and product registrations.
      const bound = Math.max(-1, ...steps.flatMap((s) => (s.onChain ? [s.onChain.blockNumber] : [])));
      const suppliers = unique([
        ...agreements.map((a) => a.supplier),
        ...shipments.map((s) => s.supplier),
        ...orders.map((o) => o.supplier),
      ]);
      if (bound >= 0 && suppliers.length > 0) {
        const actors = hospitalActors(
          steps.flatMap((s) => (s.onChain ? [{ event: s.onChain.event, figures: s.data }] : [])),
        ).filter((a) => !hospitals.includes(a));
        for (const e of await repo.membershipEvents(db, hospitals, actors, bound)) fromEvent(e);
        const gtins = uniqueBy(
          shipments.map((s) => ({ supplier: s.supplier, gtin: s.gtin })),
          (g) => `${g.supplier}/${g.gtin}`,
        );
        for (const e of await repo.registryEvents(db, suppliers, gtins, bound)) fromEvent(e);
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
      const volumeRows = await repo.agreementHospitals(db, agreementIds, hospitals);
      return {
        subject,
        scope,
        orders,
        shipments,
        lots,
        steps,
        qualification: qualificationOf(steps, tenderEvents, agreements, orders),
        state: {
          shipments: shipments.map((s) => shipmentState(s, recalls)),
          orders: orders.map(orderState),
          agreements: agreements.map((a) => agreementState(a, volumeRows)),
        },
        proofs,
        serials,
        created,
        receipts,
        settlements,
        traces,
        recalls,
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
        hospital: s.hospital,
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
              deliveredAt: iso(settlement.delivered_at),
              settledBy: settlement.settled_by,
              txHash: settlement.tx_hash,
              blockNumber: Number(settlement.block_number),
              logIndex: Number(settlement.log_index),
              accepted: str(settlement.accepted),
              rejected: str(settlement.rejected),
            }
          : null,
      };
    });
    const lift = (r: repo.RecallRow) =>
      r.lifted_at === null || r.lift_tx_hash === null
        ? null
        : {
            liftedAt: iso(r.lifted_at),
            by: str(r.lifted_by),
            reasonCode: Number(r.lift_reason_code),
            txHash: r.lift_tx_hash,
            blockNumber: Number(r.lift_block_number),
            logIndex: Number(r.lift_log_index),
          };
    return {
      chainId: this.ctx.chainId,
      traceContract: this.ctx.contracts.trace,
      orderBookContract: this.ctx.contracts.orderBook,
      creationDate: new Date().toISOString(),
      shipments,
      recalls: data.recalls.map((r) => ({
        gtin: r.gtin,
        lot: r.lot,
        scope: r.scope,
        recalledAt: iso(r.recalled_at),
        reasonCode: Number(r.reason_code),
        by: r.recalled_by,
        txHash: r.tx_hash,
        blockNumber: Number(r.block_number),
        logIndex: Number(r.log_index),
        lift: lift(r),
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
// Qualification and state
// ---------------------------------------------------------------------------------------------------

/**
 * The supplier's qualification at each moment the ledger checked it, replayed from the trail's
 * own registry steps (trail.qualification.ts).
 */
function qualificationOf(
  steps: TrailStep[],
  tenderEvents: ChainEventRow[],
  agreements: repo.AgreementRow[],
  orders: OrderRow[],
): QualificationAt[] {
  const onChain = steps.flatMap((s) =>
    s.onChain
      ? [
          {
            id: s.id,
            at: s.at,
            event: s.onChain.event,
            figures: s.data,
            blockNumber: s.onChain.blockNumber,
            logIndex: s.onChain.logIndex,
          },
        ]
      : [],
  );
  const registry = onChain
    .filter((s) => QUALIFICATION_EVENTS.has(s.event))
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  const tenderCategory = new Map(
    tenderEvents
      .filter((e) => e.event === "TenderOpened")
      .map((e) => [
        str(e.args.tenderId),
        EVENT_SPECS.get("tenders.TenderOpened")!.figures(e.args).category as string,
      ]),
  );
  const orderCategory = new Map(
    orders.map((o) => [str(o.id), agreements.find((a) => str(a.id) === str(o.agreement_id))?.category]),
  );
  const suppliers = new Set(agreements.map((a) => a.supplier));
  return qualificationMoments(
    onChain,
    { tender: (id) => tenderCategory.get(id), order: (id) => orderCategory.get(id) },
    suppliers,
  ).map((m) => qualificationAt(registry, m));
}

function shipmentState(s: ShipmentRow, recalls: repo.RecallRow[]): ShipmentState {
  const record = recordOf(shipmentFigures(s));
  return {
    shipmentId: str(s.id),
    record,
    recordHash: recordHash(record),
    lotKey: s.lot_key,
    arrivedAt: isoOrNull(s.arrived_at),
    receivedAt: isoOrNull(s.chain_received_at),
    excursion: s.excursion,
    excursionWaived: s.excursion_waived,
    confirmed: s.confirmed,
    disputedUnits: s.disputed_units === null ? "0" : str(s.disputed_units),
    recalled: recalls.some(
      (r) =>
        r.gtin === s.gtin &&
        r.lot === s.lot &&
        (r.scope === GLOBAL_SCOPE || r.scope === s.supplier) &&
        r.lifted_at === null,
    ),
  };
}

function orderState(o: OrderRow): OrderState {
  return {
    orderId: str(o.id),
    agreementId: str(o.agreement_id),
    hospital: o.hospital,
    status: o.status,
    quantity: str(o.quantity),
    shipped: str(o.shipped),
    accepted: str(o.accepted),
    cancelled: str(o.cancelled),
    escrow: str(o.escrow),
    excessConsented: o.excess_consented,
    lateShipmentAllowed: o.late_shipment_allowed,
    fundingExpiresAt: iso(o.funding_expires_at),
    deliveryDeadline: iso(o.delivery_deadline),
  };
}

function agreementState(a: repo.AgreementRow, volumes: repo.AgreementHospitalRow[]): AgreementState {
  return {
    agreementId: str(a.id),
    tenderId: str(a.tender_id),
    supplier: a.supplier,
    category: a.category,
    start: iso(a.start_at),
    end: iso(a.end_at),
    fundedVolume: str(a.funded_volume),
    acceptedVolume: str(a.accepted_volume),
    hospitals: volumes
      .filter((v) => str(v.agreement_id) === str(a.id))
      .map((v) => ({
        hospital: v.hospital,
        committed: str(v.committed),
        funded: str(v.ordered),
        accepted: str(v.accepted),
      })),
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
    requestedDelivery: iso(o.requested_delivery),
    deliveryDeadline: iso(o.delivery_deadline),
    fundingExpiresAt: iso(o.funding_expires_at),
    orderRef: o.order_ref,
  };
}

function shipmentFigures(s: ShipmentRow): Figures {
  return {
    shipmentId: str(s.id),
    orderId: str(s.order_id),
    supplier: s.supplier,
    hospital: s.hospital,
    lotKey: s.lot_key,
    gtin: s.gtin,
    lot: s.lot,
    expiry: iso(s.expiry),
    quantity: str(s.quantity),
    createdAt: iso(s.created_at),
    serialRoot: s.serial_root,
    noticeHash: s.notice_hash,
  };
}

/** Each lot of the trail in the global scope and in the scope of each supplier that shipped it. */
function recallScopes(shipments: ShipmentRow[]): repo.LotScope[] {
  return uniqueBy(
    shipments.flatMap((s) => [
      { gtin: s.gtin, lot: s.lot, scope: GLOBAL_SCOPE },
      { gtin: s.gtin, lot: s.lot, scope: s.supplier },
    ]),
    (l) => `${l.gtin}/${l.lot}/${l.scope}`,
  );
}

/** Where a stored event or a projection row with its own log position (approvals, trace events, …) is. */
type LogRef = { tx_hash: string; block_number: string | number; log_index: number };

function logOf(row: LogRef): LogRef {
  return { tx_hash: row.tx_hash, block_number: row.block_number, log_index: row.log_index };
}

function distinctLots(shipments: ShipmentRow[]): Lot[] {
  return uniqueBy(
    shipments.map((s) => ({ gtin: s.gtin, lot: s.lot })),
    (l) => `${l.gtin}/${l.lot}`,
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function uniqueBy<T>(values: T[], key: (value: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const v of values) if (!seen.has(key(v))) seen.set(key(v), v);
  return [...seen.values()];
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
