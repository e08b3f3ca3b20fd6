import { Type, type Static } from "typebox";
import { TRACE_STEPS } from "../ledger/enums";
import {
  Address,
  Amount,
  Bytes32,
  DateTime,
  Gtin,
  IdString,
  LastChange,
  Nullable,
  PageOf,
  PaginationQuery,
  PlainText,
  TxHash,
  Units,
} from "./common";

/**
 * /v1/shipments: shipments as indexed (GET / lists them, GET /:id shows one), a shipment's
 * serial manifest (PUT /:id/manifest) and a serial's Merkle proof against the on-chain root
 * (GET /:id/serials/:serial/proof). Visible to the regulator and the shipment's hospital and
 * supplier only.
 */

const closed = { additionalProperties: false } as const;

/**
 * Where a shipment is, from the indexed facts (the chain keeps no status of its own): shipped,
 * then arrived (the supplier's or carrier's Arriving step), received (the hospital took custody
 * on chain), confirmed (settled: the order book paid for it). A later stage wins: a hospital may
 * record receiving without an arrival.
 */
export const SHIPMENT_STATUSES = ["shipped", "arrived", "received", "confirmed"] as const;
export const ShipmentStatus = Type.Enum(SHIPMENT_STATUSES, {
  type: "string",
  description:
    "shipped, arrived (Arriving recorded), received (hospital custody on chain) or confirmed (settled)",
});
export type ShipmentStatus = Static<typeof ShipmentStatus>;

export const ListShipmentsQuery = Type.Object(
  {
    ...PaginationQuery,
    orderId: Type.Optional(IdString),
    supplier: Type.Optional(Address),
    hospital: Type.Optional(Type.With(Address, { description: "the order's hospital" })),
    gtin: Type.Optional(Gtin),
    lot: Type.Optional(PlainText({ minLength: 1, maxLength: 20 })),
    status: Type.Optional(ShipmentStatus),
    claimOpenBefore: Type.Optional(
      Type.With(DateTime, {
        description:
          "only unsettled shipments whose supplier may claim settlement before this time (claimOpensAt)",
      }),
    ),
  },
  closed,
);
export type ListShipmentsQuery = Static<typeof ListShipmentsQuery>;

export const ShipmentParams = Type.Object({ id: IdString }, closed);
export type ShipmentParams = Static<typeof ShipmentParams>;

export const TraceEvent = Type.Object(
  {
    index: Type.Integer({ description: "1-based, in block and log order" }),
    step: Type.Enum(TRACE_STEPS, { type: "string" }),
    actor: Address,
    location: Bytes32,
    eventTime: DateTime,
    sensorDigest: Bytes32,
    excursion: Type.Boolean(),
    txHash: TxHash,
    blockNumber: Type.Integer(),
    logIndex: Type.Integer(),
  },
  closed,
);
export type TraceEvent = Static<typeof TraceEvent>;

export const RecallLift = Type.Object(
  { at: DateTime, by: Address, reasonCode: Type.Integer(), txHash: TxHash, blockNumber: Type.Integer() },
  closed,
);
export type RecallLift = Static<typeof RecallLift>;

export const Recall = Type.Object(
  {
    scope: Type.With(Address, {
      description: "the zero address for a regulator's recall (every supplier), else the recalling supplier",
    }),
    recalledBy: Address,
    reasonCode: Type.Integer(),
    recalledAt: DateTime,
    txHash: TxHash,
    blockNumber: Type.Integer(),
    lifted: Nullable(RecallLift),
  },
  closed,
);
export type Recall = Static<typeof Recall>;

export const Dispute = Type.Object({ units: Units, reasonCode: Type.Integer() }, closed);
export type Dispute = Static<typeof Dispute>;

export const Settlement = Type.Object(
  {
    settledBy: Address,
    accepted: Units,
    rejected: Units,
    deliveredAt: Type.With(DateTime, { description: "the delivery time the settlement was judged at" }),
    gross: Amount,
    penalty: Amount,
    paid: Amount,
    daysLate: Type.Integer(),
    paidAt: DateTime,
    txHash: TxHash,
    blockNumber: Type.Integer(),
  },
  closed,
);
export type Settlement = Static<typeof Settlement>;

const Decimal = Type.String({ pattern: "^[0-9]+$" });

/** A ShipmentRecord as its ShipmentCreated event carried it: integers as decimal strings. */
export const ShipmentRecord = Type.Object(
  {
    orderId: Decimal,
    supplier: Address,
    hospital: Address,
    gtin: Type.With(Decimal, { description: "the GTIN as the chain's uint64 (no leading zeros)" }),
    expiry: Type.With(Decimal, { description: "seconds since the epoch" }),
    quantity: Decimal,
    createdAt: Type.With(Decimal, { description: "seconds since the epoch" }),
    serialRoot: Bytes32,
    noticeHash: Bytes32,
    lot: Type.String(),
  },
  { ...closed, description: "the shipment's ShipmentRecord as its ShipmentCreated event carried it" },
);
export type ShipmentRecord = Static<typeof ShipmentRecord>;

const summary = {
  id: IdString,
  orderId: IdString,
  hospital: Address,
  supplier: Address,
  gtin: Gtin,
  lot: Type.String(),
  lotKey: Bytes32,
  expiry: DateTime,
  quantity: Units,
  serialRoot: Bytes32,
  noticeHash: Bytes32,
  createdAt: DateTime,
  status: ShipmentStatus,
  arrivedAt: Nullable(
    Type.With(DateTime, { description: "block time of the supplier's (or carrier's) first Arriving step" }),
  ),
  chainReceivedAt: Nullable(
    Type.With(DateTime, {
      description: "block time of the hospital's first step from Receiving on, or of the settlement if none",
    }),
  ),
  excursion: Type.Boolean(),
  excursionWaived: Type.Boolean(),
  dispute: Nullable(Dispute),
  confirmed: Type.Boolean(),
  claimOpensAt: Nullable(
    Type.With(DateTime, {
      description:
        "when the supplier may settle the shipment itself (OrderBook.claimSettlement): the agreement's confirmation window after the hospital's receipt; without a receipt, its receiving and confirmation windows after the supplier's arrival. Null once settled, or while neither is recorded",
    }),
  ),
  lastChange: LastChange,
};

/** A shipment as listed: without its manifest, recalls, trace events and settlement (GET /:id has them). */
export const ShipmentSummary = Type.Object(summary, closed);
export type ShipmentSummary = Static<typeof ShipmentSummary>;

export const ShipmentPage = PageOf(ShipmentSummary);
export type ShipmentPage = Static<typeof ShipmentPage>;

export const Shipment = Type.Object(
  {
    ...summary,
    manifestSerials: Nullable(
      Type.Integer({ description: "how many serials the uploaded manifest lists; null before an upload" }),
    ),
    recalled: Type.Boolean({ description: "whether a recall that reaches this shipment is open" }),
    recalls: Type.Array(Recall, { description: "the regulator's recalls of the lot and its supplier's own" }),
    traceEvents: Type.Array(TraceEvent),
    settlement: Nullable(Settlement),
    record: Nullable(
      Type.With(ShipmentRecord, {
        description:
          "the record every act on the shipment passes back (confirm, dispute, claim); null only while its creation event is not in the gateway's event log",
      }),
    ),
  },
  closed,
);
export type Shipment = Static<typeof Shipment>;

export const ManifestUpload = Type.Object(
  { serials: Type.Array(Type.String(), { minItems: 1, maxItems: 100_000 }) },
  closed,
);
export type ManifestUpload = Static<typeof ManifestUpload>;

export const ManifestUploaded = Type.Object(
  {
    shipmentId: IdString,
    root: Bytes32,
    serials: Type.Integer(),
    created: Type.Boolean({ description: "false (200) when the same list was uploaded before" }),
  },
  closed,
);
export type ManifestUploaded = Static<typeof ManifestUploaded>;

export const SerialProofParams = Type.Object(
  { id: IdString, serial: Type.String({ minLength: 1, maxLength: 20 }) },
  closed,
);
export type SerialProofParams = Static<typeof SerialProofParams>;

export const SerialProof = Type.Object(
  {
    shipmentId: IdString,
    serial: Type.String(),
    root: Bytes32,
    leaf: Bytes32,
    proof: Type.Array(Bytes32),
    record: ShipmentRecord,
  },
  {
    ...closed,
    description: "check it on chain with DeliveryTrace.verifySerial(shipmentId, record, serial, proof)",
  },
);
export type SerialProof = Static<typeof SerialProof>;
