/**
 * Types of the EPCIS export: the ledger trail that goes in (`EpcisInput`, as the trail module reads it
 * from the indexed chain events and the gateway's own documents) and the GS1 EPCIS 2.0 JSON-LD document
 * that comes out (`EpcisDocument`, plain JSON, checked against GS1's EPCIS 2.0 JSON schema in the tests).
 */

// ---------------------------------------------------------------------------------------------------
// Input: one lot's or one order's trail
// ---------------------------------------------------------------------------------------------------

/** A `TraceEventRecorded` log of DeliveryTrace. */
export interface EpcisTraceEvent {
  index: number;
  step:
    "shipping" | "departing" | "arriving" | "receiving" | "inspecting" | "accepting" | "holding" | "storing";
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

export interface EpcisInput {
  chainId: number;
  traceContract: string;
  orderBookContract: string;
  creationDate: string;
  shipments: EpcisShipment[];
  recalls: EpcisRecall[];
  timeZoneOffset?: string /* default "+08:00" */;
}

// ---------------------------------------------------------------------------------------------------
// Output: the EPCIS 2.0 JSON-LD document (only the parts this export emits)
// ---------------------------------------------------------------------------------------------------

/** The CBV 2.0 business steps this export emits (bare words, as the EPCIS JSON-LD context expects). */
export type EpcisBizStep = EpcisTraceEvent["step"];

/** The CBV 2.0 dispositions this export emits. */
export type EpcisDisposition = "in_transit" | "in_progress" | "conformant" | "recalled";

export type EpcisBizTransactionType = "po" | "desadv" | "recadv";

/** Extension fields in the project's own namespace: the "sl" prefix of the document's context. */
export type SlExtensions = { [key: `sl:${string}`]: string | number | boolean };

export interface EpcisQuantityElement {
  /** The lot as a GS1 Digital Link URI: https://id.gs1.org/01/<gtin>/10/<lot>. */
  epcClass: string;
  /** Omitted when the event names the whole class (a recall covers the lot, whatever its size). */
  quantity?: number;
  // No `uom`: the quantities are counts of trade items ("each").
}

export interface EpcisBizTransaction {
  type: EpcisBizTransactionType;
  bizTransaction: string;
}

export interface EpcisSensorReport {
  type: "Temperature";
  uom?: "CEL";
  value?: number;
  minValue?: number;
  maxValue?: number;
  exception?: "ALARM_CONDITION";
}

export interface EpcisSensorElement {
  sensorReport: EpcisSensorReport[];
}

/** Dispositions that hold until unset (EPCIS 2.0 persistentDisposition). */
export interface EpcisPersistentDisposition {
  set?: EpcisDisposition[];
  unset?: EpcisDisposition[];
}

export interface EpcisObjectEvent extends SlExtensions {
  type: "ObjectEvent";
  eventID: string;
  eventTime: string;
  eventTimeZoneOffset: string;
  /** Always OBSERVE: the ledger sees goods that already exist (see epcis.export.ts). */
  action: "OBSERVE";
  epcList?: string[];
  quantityList?: EpcisQuantityElement[];
  bizStep?: EpcisBizStep;
  /** Absent only on a recall lift, which says nothing of the goods' condition. */
  disposition?: EpcisDisposition;
  persistentDisposition?: EpcisPersistentDisposition;
  readPoint?: { id: string };
  bizLocation?: { id: string };
  bizTransactionList?: EpcisBizTransaction[];
  sourceList?: { type: "owning_party"; source: string }[];
  destinationList?: { type: "owning_party"; destination: string }[];
  sensorElementList?: EpcisSensorElement[];
}

/** A CBV master data attribute of a lot (EPCClass vocabulary element). */
export interface EpcisMasterDataAttribute {
  id: string;
  attribute: string;
}

export interface EpcisMasterData {
  vocabularyList: {
    type: "urn:epcglobal:epcis:vtype:EPCClass";
    vocabularyElementList: { id: string; attributes: EpcisMasterDataAttribute[] }[];
  }[];
}

export interface EpcisDocument {
  "@context": [string, { sl: string }];
  type: "EPCISDocument";
  schemaVersion: "2.0";
  creationDate: string;
  /** Present when the document names at least one lot: the lots' number and expiry date. */
  epcisHeader?: { epcisMasterData: EpcisMasterData };
  epcisBody: { eventList: EpcisObjectEvent[] };
}
