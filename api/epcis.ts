import { Type, type Static } from "typebox";
import { TRACE_STEPS } from "../ledger/enums";

/**
 * The GS1 EPCIS 2.0 JSON-LD document the trail exports (GET /v1/trail/…/epcis): only the parts of
 * the standard the export emits, each field as it produces it (server/modules/trail/epcis.export.ts
 * says how a ledger event maps to an ObjectEvent). The tests check the documents against GS1's own
 * EPCIS 2.0 JSON schema as well.
 */

/** The CBV 2.0 business steps the export emits (bare words, as the EPCIS JSON-LD context expects). */
export const EpcisBizStep = Type.Enum(TRACE_STEPS);
export type EpcisBizStep = Static<typeof EpcisBizStep>;

/** The CBV 2.0 dispositions the export emits. */
export const EpcisDisposition = Type.Enum(["in_transit", "in_progress", "conformant", "recalled"]);
export type EpcisDisposition = Static<typeof EpcisDisposition>;

export const EpcisQuantityElement = Type.Object(
  {
    epcClass: Type.String({
      description: "the lot as a GS1 Digital Link URI: https://id.gs1.org/01/<gtin>/10/<lot>",
    }),
    // No `uom`: the quantities are counts of trade items ("each").
    quantity: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          "omitted when the event names the whole class (a recall covers the lot, whatever its size)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type EpcisQuantityElement = Static<typeof EpcisQuantityElement>;

export const EpcisBizTransaction = Type.Object(
  {
    type: Type.Enum(["po", "desadv", "recadv"]),
    bizTransaction: Type.String({ description: "a URN of the order, the shipment or the goods receipt" }),
  },
  { additionalProperties: false },
);
export type EpcisBizTransaction = Static<typeof EpcisBizTransaction>;

export const EpcisSensorReport = Type.Object(
  {
    type: Type.Literal("Temperature"),
    uom: Type.Optional(Type.Literal("CEL")),
    value: Type.Optional(Type.Number()),
    minValue: Type.Optional(Type.Number()),
    maxValue: Type.Optional(Type.Number()),
    exception: Type.Optional(Type.Literal("ALARM_CONDITION")),
  },
  { additionalProperties: false },
);
export type EpcisSensorReport = Static<typeof EpcisSensorReport>;

export const EpcisSensorElement = Type.Object(
  { sensorReport: Type.Array(EpcisSensorReport) },
  { additionalProperties: false },
);
export type EpcisSensorElement = Static<typeof EpcisSensorElement>;

/** Dispositions that hold until unset (EPCIS 2.0 persistentDisposition). */
export const EpcisPersistentDisposition = Type.Object(
  { set: Type.Optional(Type.Array(EpcisDisposition)), unset: Type.Optional(Type.Array(EpcisDisposition)) },
  { additionalProperties: false },
);
export type EpcisPersistentDisposition = Static<typeof EpcisPersistentDisposition>;

const Location = Type.Object(
  { id: Type.String({ description: "a GLN's Digital Link URI, or a URN of a location's hash" }) },
  { additionalProperties: false },
);
const OwningParty = Type.Literal("owning_party");
/** A campus transfer's source and destination are locations (CBV source/destination type "location"). */
const LocationType = Type.Literal("location");
const GlnUri = Type.String({ description: "a GLN's Digital Link URI: https://id.gs1.org/414/<gln>" });
const Account = Type.String({
  description: "a URN of a ledger account: urn:sunshine-ledger:<chainId>:account:<address>",
});

/**
 * An ObjectEvent as the export writes it. Extension fields carry the ledger's provenance in the
 * project's own namespace (the "sl" prefix of the document's context).
 */
export const EpcisObjectEvent = Type.Object(
  {
    type: Type.Literal("ObjectEvent"),
    eventID: Type.String({
      description: "a URN of the chain id and the log (tx hash and log index), or of the receipt",
    }),
    eventTime: Type.String({ description: "ISO-8601 in the document's time zone" }),
    eventTimeZoneOffset: Type.String({ pattern: "^([+-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$" }),
    /** Always OBSERVE: the ledger sees goods that already exist (see epcis.export.ts). */
    action: Type.Literal("OBSERVE"),
    epcList: Type.Optional(Type.Array(Type.String({ description: "an item's GS1 Digital Link URI" }))),
    quantityList: Type.Optional(Type.Array(EpcisQuantityElement)),
    bizStep: Type.Optional(EpcisBizStep),
    disposition: Type.Optional(
      Type.With(EpcisDisposition, {
        description: "absent only on a recall lift, which says nothing of the goods' condition",
      }),
    ),
    persistentDisposition: Type.Optional(EpcisPersistentDisposition),
    readPoint: Type.Optional(Location),
    bizLocation: Type.Optional(Location),
    bizTransactionList: Type.Optional(Type.Array(EpcisBizTransaction)),
    sourceList: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Object({ type: OwningParty, source: Account }, { additionalProperties: false }),
          Type.Object({ type: LocationType, source: GlnUri }, { additionalProperties: false }),
        ]),
      ),
    ),
    destinationList: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Object({ type: OwningParty, destination: Account }, { additionalProperties: false }),
          Type.Object({ type: LocationType, destination: GlnUri }, { additionalProperties: false }),
        ]),
      ),
    ),
    sensorElementList: Type.Optional(Type.Array(EpcisSensorElement)),

    // Provenance: enough to find the log on chain.
    "sl:chainId": Type.Optional(Type.Integer()),
    "sl:contract": Type.Optional(Type.String({ description: "the emitting contract (checksummed)" })),
    "sl:ledgerEvent": Type.Optional(
      Type.Enum([
        "ShipmentCreated",
        "TraceEventRecorded",
        "ShipmentSettled",
        "LotRecalled",
        "RecallLifted",
        "CampusTransferRecorded",
      ]),
    ),
    "sl:txHash": Type.Optional(Type.String()),
    "sl:blockNumber": Type.Optional(Type.Integer({ minimum: 0 })),
    "sl:logIndex": Type.Optional(Type.Integer({ minimum: 0 })),
    // Shipments, receipts and settlements.
    "sl:shipmentId": Type.Optional(Type.String()),
    "sl:orderRef": Type.Optional(Type.String()),
    "sl:declaredQuantity": Type.Optional(Type.String()),
    "sl:declaredExpiry": Type.Optional(
      Type.String({ description: "YYYY-MM-DD, as this shipment declared it" }),
    ),
    "sl:noticeHash": Type.Optional(Type.String()),
    "sl:receiptNo": Type.Optional(Type.String()),
    "sl:acceptedQuantity": Type.Optional(Type.String()),
    "sl:rejectedQuantity": Type.Optional(Type.String()),
    "sl:settledBy": Type.Optional(Type.String()),
    "sl:supplierClaim": Type.Optional(
      Type.Boolean({ description: "the supplier claimed the settlement itself" }),
    ),
    "sl:ledgerDeliveryTime": Type.Optional(
      Type.Boolean({
        description: "the event is at the delivery time the chain derived (payout.deliveredAt)",
      }),
    ),
    // Trace events.
    "sl:traceIndex": Type.Optional(Type.Integer({ minimum: 1 })),
    "sl:actor": Type.Optional(Type.String()),
    "sl:excursion": Type.Optional(Type.Boolean()),
    "sl:sensorDigest": Type.Optional(Type.String()),
    // Recalls and lifts.
    "sl:recallScope": Type.Optional(
      Type.String({
        description: '"global" for a regulator\'s recall, else the account of the supplier it covers',
      }),
    ),
    "sl:recalledBy": Type.Optional(Type.String()),
    "sl:liftedBy": Type.Optional(Type.String()),
    "sl:reasonCode": Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    // Transfers between a hospital's campuses.
    "sl:transferId": Type.Optional(Type.String()),
    "sl:transferredBy": Type.Optional(Type.String()),
    "sl:serialRoot": Type.Optional(
      Type.String({ description: "Merkle root of the moved units' serials, when they are known" }),
    ),
  },
  { additionalProperties: false },
);
export type EpcisObjectEvent = Static<typeof EpcisObjectEvent>;

/** A CBV master data attribute of a lot (EPCClass vocabulary element). */
export const EpcisMasterDataAttribute = Type.Object(
  { id: Type.String(), attribute: Type.String() },
  { additionalProperties: false },
);
export type EpcisMasterDataAttribute = Static<typeof EpcisMasterDataAttribute>;

export const EpcisMasterData = Type.Object(
  {
    vocabularyList: Type.Array(
      Type.Object(
        {
          type: Type.Literal("urn:epcglobal:epcis:vtype:EPCClass"),
          vocabularyElementList: Type.Array(
            Type.Object(
              {
                id: Type.String({ description: "the lot's Digital Link URI" }),
                attributes: Type.Array(EpcisMasterDataAttribute),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type EpcisMasterData = Static<typeof EpcisMasterData>;

export const EpcisDocument = Type.Object(
  {
    // A pair, written as a bounded array: OpenAPI 3.0 has no tuples.
    "@context": Type.Array(
      Type.Union([Type.String(), Type.Object({ sl: Type.String() }, { additionalProperties: false })]),
      {
        minItems: 2,
        maxItems: 2,
        description: 'GS1\'s EPCIS 2.0 JSON-LD context, then the namespace of the "sl" prefix',
      },
    ),
    type: Type.Literal("EPCISDocument"),
    schemaVersion: Type.Literal("2.0"),
    creationDate: Type.String(),
    epcisHeader: Type.Optional(
      Type.Object(
        { epcisMasterData: EpcisMasterData },
        {
          additionalProperties: false,
          description: "present when the document names at least one lot: the lots' number and expiry date",
        },
      ),
    ),
    epcisBody: Type.Object({ eventList: Type.Array(EpcisObjectEvent) }, { additionalProperties: false }),
  },
  { additionalProperties: false, description: "a GS1 EPCIS 2.0 EPCISDocument (JSON-LD)" },
);
export type EpcisDocument = Static<typeof EpcisDocument>;
