import type { Figures } from "./figures";

/**
 * Which on-chain events belong to a trail, as the event lists both sides query with: the gateway
 * from its database (server/modules/trail/trail.chain-steps.ts, which writes the rule out in full)
 * and a verifier from the chain's logs by their indexed topics (trail.verify.ts, `expectedLogs`).
 * Change one side, change the other.
 */

/** OrderBook events by `orderId` (topic 1). */
export const ORDER_EVENTS = [
  "OrderPlaced",
  "OrderApproved",
  "OrderFunded",
  "ExcessVolumeConsented",
  "LateShipmentAllowed",
  "SupplierAgreedToCancel",
  "OrderCancelled",
  "OrderClosed",
] as const;
/** DeliveryTrace events by `shipmentId` (topic 1). */
export const SHIPMENT_TRACE_EVENTS = [
  "ShipmentCreated",
  "TraceEventRecorded",
  "ExcursionWaived",
  "ShipmentDeemedReceived",
] as const;
/** OrderBook events by `shipmentId` (topic 1). */
export const SHIPMENT_ORDER_EVENTS = ["ShipmentDisputed", "ShipmentSettled"] as const;
/** DeliveryTrace events by `lotKey` (topic 1) and `scope` (topic 2). */
export const RECALL_EVENTS = ["LotRecalled", "RecallLifted"] as const;
/** TenderHouse events by `tenderId` (topic 1). */
export const TENDER_EVENTS = [
  "TenderOpened",
  "BidCommitted",
  "BidRevealed",
  "BidderSkipped",
  "TenderAwarded",
  "TenderFailed",
  "TenderCancelled",
  "BondsForfeited",
  "BondWithdrawn",
  "ForfeitClaimed",
] as const;
/** BudgetBook events by `orderId` (topic 1): what an order charged to its budget and returned. */
export const BUDGET_ORDER_EVENTS = ["BudgetCharged", "BudgetReturned"] as const;
/**
 * BudgetBook events that make up a budget an order was charged to, by `hospital` and `category`
 * (topics 1 and 2 of BudgetSet, 2 and 3 of BudgetAdjusted) and the period among their figures.
 */
export const BUDGET_EVENTS = ["BudgetSet", "BudgetAdjusted"] as const;

/** The (hospital, category, period) key of a budget, from a budget step's figures. */
export const budgetKeyOf = (f: Figures): string => `${f.hospital}/${f.category}/${f.period}`;

/**
 * CampusTransfers events of the trail's lots, by `hospital` and `gtin` (topics 2 and 3) and the
 * lot among their figures: each at a hospital a shipment of that lot in the trail went to.
 */
export const TRANSFER_EVENTS = ["CampusTransferRecorded"] as const;

/** The (hospital, GTIN-14, lot) custody key of a transfer's figures or a shipment. */
export const custodyKeyOf = (f: { hospital?: unknown; gtin?: unknown; lot?: unknown }): string =>
  `${String(f.hospital).toLowerCase()}/${String(f.gtin).padStart(14, "0")}/${String(f.lot)}`;

/** OrderBook events whose transactions move an agreement's volume (AgreementVolumeChanged). */
export const VOLUME_MOVING_EVENTS = ["OrderFunded", "OrderCancelled", "ShipmentSettled"] as const;
/** SupplierRegistry events by `supplier` (topic 1). */
export const SUPPLIER_EVENTS = ["SupplierRegistered", "SupplierSuspended", "SupplierReinstated"] as const;
/** SupplierRegistry events by `supplier` (topic 2). */
export const DOCUMENT_EVENTS = [
  "DocumentFiled",
  "ProductsDeclared",
  "DocumentAttested",
  "DocumentRejected",
  "DeviceIdentifierDeclared",
] as const;
/** HospitalRegistry events by `hospital` (topic 1). */
export const HOSPITAL_EVENTS = ["HospitalEnrolled", "ApprovalThresholdChanged"] as const;
/** HospitalRegistry events by `hospital` (topic 1) and `member` (topic 2). */
export const MEMBER_EVENTS = [
  "MemberInvited",
  "HospitalMemberChanged",
  "MemberLeft",
  "MemberUnbound",
] as const;

/**
 * The accounts that acted for a hospital in a trail, from its steps' figures: whose membership
 * (invitation, acceptance, role changes, leaving, unbinding) the trail shows.
 */
export function hospitalActors(steps: { event: string; figures: Figures }[]): string[] {
  const actors = new Set<string>();
  for (const { event, figures: f } of steps) {
    const who =
      event === "OrderPlaced"
        ? f.placedBy
        : event === "OrderApproved" || event === "LateShipmentAllowed" || event === "ExcursionWaived"
          ? f.approver
          : event === "OrderCancelled" || event === "ShipmentDisputed"
            ? f.by
            : event === "TraceEventRecorded"
              ? f.actor
              : event === "ShipmentSettled" && f.settledBy !== f.supplier
                ? f.settledBy
                : undefined;
    if (typeof who === "string") actors.add(who);
    // A budget adjustment is two approvers' act.
    if (event === "BudgetAdjusted") for (const a of [f.proposer, f.confirmer]) actors.add(String(a));
  }
  return [...actors].sort();
}
