import type { EpcisBizStep } from "../../../api/epcis";

/**
 * The input of the EPCIS export: the ledger trail that goes in (`EpcisInput`, as the trail module
 * reads it from the indexed chain events and the gateway's own documents; epcis.input.ts). The
 * GS1 EPCIS 2.0 JSON-LD document that comes out is the API's: api/epcis.ts.
 */

// ---------------------------------------------------------------------------------------------------
// Input: one lot's or one order's trail
// ---------------------------------------------------------------------------------------------------

/** A `TraceEventRecorded` log of DeliveryTrace. */
export interface EpcisTraceEvent {
  index: number;
  step: EpcisBizStep;
  actor: string;
  location: string /* bytes32 hex: GLN packed or its hash */;
  eventTime: string /* ISO */;
  sensorDigest: string /* bytes32, 0x00..0 when none */;
  excursion: boolean;
  txHash: string;
  blockNumber: number;
  logIndex: number;
  temperature?: { minValue?: number; maxValue?: number; value?: number };
}

/** A `ShipmentCreated` log of DeliveryTrace with what followed it: trace events, receipt, settlement. */
export interface EpcisShipment {
  id: string;
  orderId: string;
  orderRef: string;
  supplier: string;
  hospital: string;
  gtin: string /* 14 digits */;
  lot: string;
  expiry: string /* ISO */;
  quantity: string;
  noticeHash: string;
  createdAt: string;
  txHash: string;
  blockNumber: number;
  logIndex: number;
  serials: string[] | null /* manifest, if uploaded */;
  traceEvents: EpcisTraceEvent[];
  /** The hospital's goods receipt (kept by the gateway, not on chain). */
  receipt: { receiptNo: string; receivedAt: string; accepted: string; rejected: string } | null;
  settlement: EpcisSettlement | null;
}

/** A `ShipmentSettled` log of OrderBook. */
export interface EpcisSettlement {
  /** Block time of the settlement. */
  paidAt: string;
  /** The delivery time the chain derived from the arrival and receiving records (payout.deliveredAt). */
  deliveredAt: string;
  /** The hospital's settler, or the supplier when it claimed the settlement. */
  settledBy: string;
  txHash: string;
  blockNumber: number;
  logIndex: number;
  accepted: string;
  rejected: string;
}

/** A `LotRecalled` log of DeliveryTrace, with the `RecallLifted` log that ended it, if any. */
export interface EpcisRecall {
  gtin: string;
  lot: string;
  /** The zero address for a regulator's recall of every supplier's shipments, else the supplier's. */
  scope: string;
  recalledAt: string;
  reasonCode: number;
  by: string;
  txHash: string;
  blockNumber: number;
  logIndex: number;
  lift: EpcisRecallLift | null;
}

/** A `RecallLifted` log of DeliveryTrace. */
export interface EpcisRecallLift {
  liftedAt: string;
  by: string;
  reasonCode: number;
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

/** A `CampusTransferRecorded` log of CampusTransfers. */
export interface EpcisTransfer {
  transferId: string;
  gtin: string;
  lot: string;
  fromGln: string;
  toGln: string;
  quantity: string;
  serialRoot: string;
  recordedBy: string;
  at: string;
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

export interface EpcisInput {
  chainId: number;
  traceContract: string;
  orderBookContract: string;
  /** Needed once `transfers` has any. */
  transferContract?: string;
  transfers?: EpcisTransfer[];
  creationDate: string;
  shipments: EpcisShipment[];
  recalls: EpcisRecall[];
  timeZoneOffset?: string /* default "+08:00" */;
  /**
   * The declared device identifier of every product key (a number ≥ 10^14 in a gtin field) in the
   * trail: an item of another agency has no GS1 key, so it is exported under a private identifier.
   */
  deviceIdentifiers?: Record<string, { agency: string; deviceIdentifier: string }>;
}
