import type { TrailStep } from "../../../api/trail";
import type { TrailContract } from "../../../ledger/trail/event-spec";
import { EVENT_SPECS } from "../../../ledger/trail/event-specs";
import { GLOBAL_SCOPE, type Figures } from "../../../ledger/trail/figures";
import {
  BUDGET_ORDER_EVENTS,
  budgetKeyOf,
  custodyKeyOf,
  hospitalActors,
  ORDER_EVENTS,
  TENDER_EVENTS,
  TRANSFER_EVENTS,
  VOLUME_MOVING_EVENTS,
} from "../../../ledger/trail/trail-rule";
import type { Db } from "../../db";
import * as repo from "./trail.repository";
import { iso, str, unique, uniqueBy } from "./trail.rows";
import type { TrailContext } from "./trail.types";

/**
 * The on-chain steps of a trail, from the gateway's database. Each step's `data` holds exactly the
 * figures its event carries, in the canonical form of ledger/trail/ (plus, for trace events,
 * `eventIndex`: its place among the shipment's trace events in chain order), taken from the read
 * model (the projections: orders, shipments, trace_events, settlements, recalls, …) or, for events
 * without a projection of their own, from the stored event log (chain_events) — i.e. from exactly
 * what the gateway would answer elsewhere. The verifier decodes each log and compares every figure.
 *
 * Which on-chain events belong to a trail follows one rule, written twice: here from the database
 * and in the verifier from the chain (`expectedLogs` in trail.verify.ts), both with the event
 * lists of ledger/trail/trail-rule.ts. Change one, change the other.
 * - the subject's shipments: ShipmentCreated, TraceEventRecorded, ExcursionWaived,
 *   ShipmentDeemedReceived, ShipmentDisputed, ShipmentSettled;
 * - their orders: OrderPlaced, OrderApproved, OrderFunded, ExcessVolumeConsented,
 *   LateShipmentAllowed, SupplierAgreedToCancel, OrderCancelled, OrderClosed; and what they
 *   charged to and returned to their hospitals' budgets: BudgetCharged, BudgetReturned;
 * - their lots: LotRecalled and RecallLifted of the global scope and of each supplier that
 *   shipped the lot in the trail (a supplier's recall covers only its own shipments);
 * - the orders' agreements: AgreementCreated, and AgreementVolumeChanged of the orders'
 *   hospitals logged in the transactions of the trail's fundings, cancellations and
 *   settlements; every event of the agreements' tenders (bids, bonds, award);
 * - up to the block of the last of the above: the setting and the confirmed adjustments
 *   (BudgetSet, BudgetAdjusted) of each budget an order was charged to; the orders' hospitals'
 *   enrolment and approval thresholds, and the membership events of the accounts that acted for
 *   them in the trail (the approvers of those adjustments among them);
 *   the suppliers' registry events (registration, documents, product declarations,
 *   suspensions, RequiredKindsChanged) and the registrations of the GTINs they shipped;
 * - the lots' transfers between the locations of each hospital a shipment of the lot in the
 *   trail went to (CampusTransferRecorded), at any block: custody after receipt moves the bound
 *   of nothing above.
 */

/** The on-chain steps, with the rows other parts of the trail are made from. */
export interface ChainSteps {
  steps: TrailStep[];
  /** ShipmentCreated logs by shipment id. */
  created: Map<string, repo.ChainEventRow>;
  traces: repo.TraceEventRow[];
  settlements: repo.SettlementRow[];
  recalls: repo.RecallRow[];
  agreements: repo.AgreementRow[];
  tenderEvents: repo.ChainEventRow[];
}

/** Where a stored event or a projection row with its own log position (approvals, trace events, …) is. */
type LogRef = { tx_hash: string; block_number: string | number; log_index: number };

function logOf(row: LogRef): LogRef {
  return { tx_hash: row.tx_hash, block_number: row.block_number, log_index: row.log_index };
}

export async function chainSteps(
  db: Db,
  ctx: TrailContext,
  orders: repo.OrderRow[],
  shipments: repo.ShipmentRow[],
): Promise<ChainSteps> {
  const orderIds = orders.map((o) => str(o.id));
  const shipmentIds = shipments.map((s) => str(s.id));
  const hospitals = unique(orders.map((o) => o.hospital));

  const steps: TrailStep[] = [];
  const chainStep = (
    contract: TrailContract,
    event: string,
    figures: Figures,
    time: Date | string,
    log: LogRef | null,
  ) => steps.push(stepOf(ctx, contract, event, figures, time, log));
  const fromEvent = (e: repo.ChainEventRow) => {
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

  // What the orders charged to their hospitals' budgets and what their refunds returned.
  const budgetEvents = await repo.eventsByArg(db, "budgets", BUDGET_ORDER_EVENTS, "orderId", orderIds);
  for (const e of budgetEvents) fromEvent(e);

  // Shipments: creation (figures from `shipments`), trace events, waivers, disputes, payment.
  const shipmentEvents = await repo.eventsByArg(
    db,
    "trace",
    ["ShipmentCreated", "ExcursionWaived", "ShipmentDeemedReceived"],
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
  for (const e of shipmentEvents) if (e.event !== "ShipmentCreated") fromEvent(e);
  const disputes = await repo.eventsByArg(db, "orderBook", ["ShipmentDisputed"], "shipmentId", shipmentIds);
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
    const charged = uniqueBy(
      budgetEvents
        .filter((e) => e.event === "BudgetCharged")
        .map((e) => ({
          hospital: str(e.args.hospital),
          category: str(e.args.category),
          period: str(e.args.period),
        })),
      budgetKeyOf,
    );
    for (const e of await repo.budgetEvents(db, charged, bound)) fromEvent(e);
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

  // Where the units of the lots went inside the hospitals that received them.
  const custody = new Set(shipments.map(custodyKeyOf));
  const transfers = await repo.eventsByArg(
    db,
    "campusTransfers",
    TRANSFER_EVENTS,
    "hospital",
    unique(shipments.map((s) => s.hospital)),
  );
  for (const e of transfers) if (custody.has(custodyKeyOf(e.args))) fromEvent(e);

  return { steps, created, traces, settlements, recalls, agreements, tenderEvents };
}

/**
 * An on-chain step. `log` is null when the gateway has the projection but not the stored
 * event (it should not happen; verify reports it): the step keeps its figures and time.
 */
function stepOf(
  ctx: TrailContext,
  contract: TrailContract,
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
            chainId: ctx.chainId,
            contract: ctx.contracts[contract].toLowerCase(),
            contractName: contract,
            event,
            txHash: log.tx_hash.toLowerCase(),
            ...position,
          }
        : null,
  };
}

/** OrderPlaced's figures, from `orders`. */
function orderFigures(o: repo.OrderRow): Figures {
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

/** ShipmentCreated's figures, from `shipments`. */
export function shipmentFigures(s: repo.ShipmentRow): Figures {
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
function recallScopes(shipments: repo.ShipmentRow[]): repo.LotScope[] {
  return uniqueBy(
    shipments.flatMap((s) => [
      { gtin: s.gtin, lot: s.lot, scope: GLOBAL_SCOPE },
      { gtin: s.gtin, lot: s.lot, scope: s.supplier },
    ]),
    (l) => `${l.gtin}/${l.lot}/${l.scope}`,
  );
}
