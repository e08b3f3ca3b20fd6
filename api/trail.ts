import { Type, type Static, type TProperties } from "typebox";
import { PRODUCT_NUMBER_PATTERN } from "../ledger/product-key";
import type { JsonValue } from "../ledger/events";
import { STEP_KINDS, TRAIL_CONTRACTS, type TrailContract } from "../ledger/trail/event-spec";
import { EVENT_SPECS } from "../ledger/trail/event-specs";
import { HospitalVolumeFigure, TierFigure, type Figures } from "../ledger/trail/figures";
import { QualificationAt, QualificationWindow } from "../ledger/trail/qualification";
import { ShipmentRecordView } from "../ledger/trail/shipment-record";
import { Address, Amount, Bytes32, DateTime, Gtin, IdString, Nullable, TxHash, Units } from "./common";
import { ExceptionReason } from "./exceptions";
import { SerialProof } from "./shipments";

/**
 * The regulator's audit trail (GET /v1/trail/orders/:id, /lots/:gtin/:lot, /serials/:gtin/:serial):
 * the trail document, its verification against the chain (…/verify) and, in api/epcis.ts, its
 * EPCIS export (…/epcis). An on-chain step's `data` holds the figures of its event in the ledger's
 * canonical form (ledger/trail/), which is also what a verifier decodes from the log and compares.
 */

// ---------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------

const GtinParam = Type.String({
  pattern: PRODUCT_NUMBER_PATTERN,
  description:
    "GTIN-14 with its check digit, or the product key (15 to 20 digits, ≥ 10^14) of another agency's device identifier",
});

export const OrderTrailParams = Type.Object({ id: IdString }, { additionalProperties: false });
export type OrderTrailParams = Static<typeof OrderTrailParams>;

export const LotTrailParams = Type.Object(
  {
    gtin: GtinParam,
    lot: Type.String({ minLength: 1, maxLength: 20, description: "GS1 AI (10) batch/lot" }),
  },
  { additionalProperties: false },
);
export type LotTrailParams = Static<typeof LotTrailParams>;

export const SerialTrailParams = Type.Object(
  {
    gtin: GtinParam,
    serial: Type.String({ minLength: 1, maxLength: 20, description: "GS1 AI (21) serial" }),
  },
  { additionalProperties: false },
);
export type SerialTrailParams = Static<typeof SerialTrailParams>;

// ---------------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------------

export const TrailSubject = Type.Union([
  Type.Object({ type: Type.Literal("order"), orderId: IdString }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal("lot"), gtin: Gtin, lot: Type.String() }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal("serial"), gtin: Gtin, serial: Type.String() },
    { additionalProperties: false },
  ),
]);
export type TrailSubject = Static<typeof TrailSubject>;

export const TrailContractName = Type.Enum(TRAIL_CONTRACTS);

/** Where an on-chain step's log is. */
export const OnChainRef = Type.Object(
  {
    chainId: Type.Integer(),
    contract: Type.With(Address, {
      description: "the emitting contract's address (from the deployment record, not the database)",
    }),
    contractName: TrailContractName,
    event: Type.String(),
    txHash: TxHash,
    blockNumber: Type.Integer({ minimum: 0 }),
    logIndex: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, description: "where the step's log is" },
);
export type OnChainRef = Static<typeof OnChainRef>;

const offChain = <P extends TProperties>(title: string, source: string, properties: P) =>
  Type.Object(properties, {
    additionalProperties: false,
    title,
    description: `an off-chain step's data (${source})`,
  });

/** A line of a goods receipt that scanned the serial (serial trails). */
export const ScannedLine = Type.Object(
  {
    line: Type.Integer({ minimum: 1 }),
    gtin: Gtin,
    lot: Nullable(Type.String()),
    serial: Nullable(Type.String()),
    quantity: Units,
    rejected: Units,
    rejectReason: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type ScannedLine = Static<typeof ScannedLine>;

export const ManifestStepData = offChain("manifest", "gateway.manifests", {
  shipmentId: IdString,
  serialRoot: Bytes32,
  serialCount: Type.Integer({ minimum: 0 }),
  uploadedBy: Address,
});
export type ManifestStepData = Static<typeof ManifestStepData>;

export const ReceiptStepData = offChain("receipt", "gateway.receipts", {
  receiptNo: Type.String(),
  shipmentId: IdString,
  hospital: Address,
  receivedBy: Address,
  receivedAt: DateTime,
  received: Units,
  rejected: Units,
  receiptHash: Type.With(Bytes32, { description: "what the shipment's settlement states on chain" }),
  lines: Type.Optional(
    Type.Array(ScannedLine, { description: "serial trails: the lines that scanned the serial" }),
  ),
});
export type ReceiptStepData = Static<typeof ReceiptStepData>;

export const MatchStepData = offChain("match", "gateway.matches", {
  receiptNo: Type.String(),
  shipmentId: IdString,
  status: Type.String({ description: "matched or exception" }),
  accepted: Units,
  rejected: Units,
  reasons: Type.Array(ExceptionReason),
});
export type MatchStepData = Static<typeof MatchStepData>;

export const ExceptionStepData = offChain("exception", "gateway.exceptions", {
  exceptionId: IdString,
  receiptNo: Nullable(Type.String()),
  shipmentId: IdString,
  source: Type.String({ description: "what raised it: the receipt's match or the settlement" }),
  reasons: Type.Array(ExceptionReason),
  proposedAccepted: Units,
  status: Type.String(),
});
export type ExceptionStepData = Static<typeof ExceptionStepData>;

export const ResolutionStepData = offChain("resolution", "gateway.exceptions", {
  exceptionId: IdString,
  resolution: Nullable(Type.String()),
  resolvedAccepted: Nullable(Units),
  resolvedBy: Nullable(Address),
  note: Nullable(Type.String()),
});
export type ResolutionStepData = Static<typeof ResolutionStepData>;

export const PaymentJobStepData = offChain("payment job", "gateway.settlement_jobs", {
  shipmentId: IdString,
  receiptNo: Type.String(),
  accepted: Units,
  rejected: Units,
  status: Type.String(),
  txHash: Nullable(TxHash),
  attempts: Type.Integer({ minimum: 0 }),
  lastError: Nullable(Type.String()),
});
export type PaymentJobStepData = Static<typeof PaymentJobStepData>;

export const UsageStepData = offChain("usage", "gateway.usages", {
  hospital: Address,
  usageId: Type.String(),
  gtin: Gtin,
  lot: Type.String(),
  serial: Nullable(Type.String()),
  department: Type.String(),
  patientHash: Type.String({ description: "the salted hash of the patient's reference" }),
  billingCode: Type.String(),
  billedAmount: Amount,
  quantity: Type.Integer({ description: "negative on a return, which corrects an earlier usage" }),
  correctsUsageId: Nullable(Type.String()),
  recordedBy: Address,
  attribution: Type.Enum(["serial", "lot"], {
    description: "whether the usage belongs to the trail by its serial or by its lot",
  }),
});
export type UsageStepData = Static<typeof UsageStepData>;

/**
 * A step's `data`: an on-chain step's figures (one schema per event, titled by it), or an
 * off-chain step's. Typed as Figures: the event table builds them by event name.
 */
export const StepData = Type.Unsafe<Figures>(
  Type.Union([
    ...[...EVENT_SPECS.values()].map((s) => s.stepSchema),
    ManifestStepData,
    ReceiptStepData,
    MatchStepData,
    ExceptionStepData,
    ResolutionStepData,
    PaymentJobStepData,
    UsageStepData,
  ]),
);

export const TrailStep = Type.Object(
  {
    id: Type.String({
      description: "stable within the ledger: kind and the event's own ids, e.g. trace:1:2, payment:1",
    }),
    at: Type.With(DateTime, {
      description:
        "block time, or the time the event states (trace events' eventTime, a receipt's or usage's time); the gateway's own steps at its ledger time when it recorded them (the end of the latest block's second)",
    }),
    kind: Type.Enum(STEP_KINDS),
    summary: Type.String(),
    source: Type.String({
      description: '"chain", or the gateway table an off-chain step comes from, e.g. "gateway.receipts"',
    }),
    data: StepData,
    onChain: Nullable(OnChainRef),
  },
  {
    additionalProperties: false,
    description:
      "onChain is null for off-chain steps, and for an on-chain step whose log the gateway has not stored",
  },
);
export type TrailStep = Static<typeof TrailStep>;

// ---------------------------------------------------------------------------------------------------
// The ledger's state as the gateway holds it
// ---------------------------------------------------------------------------------------------------

/** A shipment as DeliveryTrace holds it: the hash of its record, and one slot of state. */
export const ShipmentState = Type.Object(
  {
    shipmentId: IdString,
    record: ShipmentRecordView,
    recordHash: Type.With(Bytes32, {
      description: "keccak256(abi.encode(record)): DeliveryTrace.shipmentHash(id)",
    }),
    lotKey: Bytes32,
    arrivedAt: Nullable(
      Type.With(DateTime, { description: "block time of the supplier's first Arriving step" }),
    ),
    receivedAt: Nullable(
      Type.With(DateTime, {
        description: "block time of the hospital's first step from Receiving on, or of the settlement",
      }),
    ),
    excursion: Type.Boolean(),
    excursionWaived: Type.Boolean(),
    confirmed: Type.Boolean(),
    disputedUnits: Type.With(Units, { description: "OrderBook.disputedUnits" }),
    recalled: Type.Boolean({
      description:
        "DeliveryTrace.isRecalled(gtin, lot, supplier): a recall of the global or the supplier's scope is in force",
    }),
  },
  { additionalProperties: false },
);
export type ShipmentState = Static<typeof ShipmentState>;

/** An order as OrderBook.order(orderId) holds it. */
export const OrderState = Type.Object(
  {
    orderId: IdString,
    agreementId: IdString,
    hospital: Address,
    status: Type.String({ description: "none, placed, funded, closed or cancelled" }),
    quantity: Units,
    shipped: Units,
    accepted: Units,
    cancelled: Units,
    escrow: Amount,
    excessConsented: Type.Boolean(),
    lateShipmentAllowed: Type.Boolean(),
    fundingExpiresAt: DateTime,
    deliveryDeadline: DateTime,
  },
  { additionalProperties: false },
);
export type OrderState = Static<typeof OrderState>;

/** A hospital's volumes under an agreement. */
export const AgreementHospitalState = Type.Object(
  {
    hospital: Address,
    committed: Units,
    funded: Units,
    accepted: Type.With(Units, {
      description: "the ShipmentSettled accepted units of its orders under the agreement",
    }),
  },
  { additionalProperties: false },
);
export type AgreementHospitalState = Static<typeof AgreementHospitalState>;

/**
 * An agreement as AgreementBook.agreement(id) and hospitalVolume(id, hospital) hold it. The book
 * keeps no agreement-wide funded volume (it is the sum of its hospitals') and no accepted units per
 * hospital (they are the sum of the ShipmentSettled of the hospital's orders under it).
 */
export const AgreementState = Type.Object(
  {
    agreementId: IdString,
    tenderId: IdString,
    supplier: Address,
    category: Bytes32,
    start: DateTime,
    end: DateTime,
    fundedVolume: Units,
    acceptedVolume: Units,
    hospitals: Type.Array(AgreementHospitalState, {
      description: "the volumes of the hospitals whose orders are in the trail",
    }),
  },
  { additionalProperties: false },
);
export type AgreementState = Static<typeof AgreementState>;

export const TrailState = Type.Object(
  {
    shipments: Type.Array(ShipmentState),
    orders: Type.Array(OrderState),
    agreements: Type.Array(AgreementState),
  },
  {
    additionalProperties: false,
    description:
      "the ledger's state of the trail's shipments, orders and agreements as the gateway holds it; verify reads it back from the contracts",
  },
);
export type TrailState = Static<typeof TrailState>;

// ---------------------------------------------------------------------------------------------------
// The trail
// ---------------------------------------------------------------------------------------------------

const contractAddresses = {
  registry: Address,
  tenders: Address,
  agreements: Address,
  hospitals: Address,
  orderBook: Address,
  trace: Address,
  budgets: Address,
  campusTransfers: Address,
} satisfies Record<TrailContract, typeof Address>;

export const TrailContracts = Type.Object(contractAddresses, {
  additionalProperties: false,
  description: "the addresses of the contracts whose events make up the trail",
});
export type TrailContracts = Static<typeof TrailContracts>;

export const Lot = Type.Object({ gtin: Gtin, lot: Type.String() }, { additionalProperties: false });
export type Lot = Static<typeof Lot>;

export const Trail = Type.Object(
  {
    subject: TrailSubject,
    chainId: Type.Integer(),
    contracts: TrailContracts,
    generatedAt: DateTime,
    orders: Type.Array(IdString),
    shipments: Type.Array(IdString),
    lots: Type.Array(Lot),
    qualification: Type.Array(QualificationAt, {
      description:
        "the supplier's qualification at each moment the ledger checked it: its bids, the award, its shipments, its paid settlements",
    }),
    state: TrailState,
    proofs: Type.Optional(
      Type.Array(SerialProof, {
        description: "serial trails: the serial's Merkle proof against each shipment root",
      }),
    ),
    steps: Type.Array(TrailStep, { description: "in time order; within one instant, in chain order" }),
  },
  { additionalProperties: false },
);
export type Trail = Static<typeof Trail>;

// ---------------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------------

/**
 * A value the trail states or the chain holds: a figure, a state field, a qualification's windows.
 * Typed as any JSON value: the verifier compares figures by name.
 */
export const MismatchValue = Type.Unsafe<JsonValue>(
  Type.Union([
    Type.String(),
    Type.Number(),
    Type.Boolean(),
    Type.Null(),
    Type.Array(Type.String()),
    Type.Array(TierFigure),
    Type.Array(HospitalVolumeFigure),
    Type.Array(QualificationWindow),
  ]),
);
export type MismatchValue = Static<typeof MismatchValue>;

/** What is wrong with a step, beyond a figure that differs: one code each, with its English `problem`. */
export const MISMATCH_PROBLEMS = [
  "MISSING_FROM_TRAIL",
  "NOT_AMONG_CHAIN_EVENTS",
  "NO_TRANSACTION_STORED",
  "TX_HASH_MALFORMED",
  "TX_NOT_ON_CHAIN",
  "TX_REVERTED",
  "BLOCK_NOT_CANONICAL",
  "LOG_NOT_IN_TX",
  "SHIPMENT_NOT_ON_CHAIN",
  "RECORD_HASH_WRONG",
  "ORDER_NOT_ON_CHAIN",
  "AGREEMENT_NOT_ON_CHAIN",
  "QUALIFICATION_REPLAYS_UNQUALIFIED",
  "QUALIFICATION_NOT_STATED",
  "QUALIFICATION_NOT_CHECKED",
] as const;
export type MismatchProblem = (typeof MISMATCH_PROBLEMS)[number];

export const Mismatch = Type.Object(
  {
    step: Type.String({ description: "the id of the step (or of the step the trail lacks)" }),
    field: Type.Optional(Type.String()),
    database: Type.Optional(Type.With(MismatchValue, { description: "what the trail states" })),
    chain: Type.Optional(Type.With(MismatchValue, { description: "what the chain holds" })),
    problem: Type.Optional(Type.String({ description: "the problem in an English sentence" })),
    problemCode: Type.Optional(
      Type.Enum(MISMATCH_PROBLEMS, {
        description: "the problem's code, for a reader to word it in its language",
      }),
    ),
    supplier: Type.Optional(
      Type.With(Address, {
        description: "the supplier whose qualification the problem is about (QUALIFICATION_*)",
      }),
    ),
    event: Type.Optional(Type.String()),
    txHash: Type.Optional(
      Type.String({ description: "as stated or found (a malformed one is reported as such)" }),
    ),
    blockNumber: Type.Optional(Type.Integer()),
    logIndex: Type.Optional(Type.Integer()),
  },
  {
    additionalProperties: false,
    description:
      "a figure that differs ({ step, field, database, chain }), or a problem with a step or an event the trail lacks",
  },
);
export type Mismatch = Static<typeof Mismatch>;

export const ProofCheck = Type.Object(
  { shipmentId: IdString, proofValid: Type.Boolean({ description: "DeliveryTrace.verifySerial's answer" }) },
  { additionalProperties: false },
);
export type ProofCheck = Static<typeof ProofCheck>;

export const Verification = Type.Object(
  {
    verified: Type.Boolean({ description: "true only when there are no mismatches" }),
    checked: Type.Integer({ description: "on-chain steps checked against their logs" }),
    figures: Type.Integer({
      description:
        "figures compared (every argument of every checked event, each step's time, state and anchors)",
    }),
    expectedEvents: Type.Integer({
      description: "events the chain has for this trail (the completeness check)",
    }),
    mismatches: Type.Array(Mismatch),
    proofs: Type.Optional(Type.Array(ProofCheck)),
    chainId: Type.Integer(),
    toBlock: Type.Integer({
      description: "the chain was read up to this block (head minus the gateway's confirmations)",
    }),
    checkedAt: DateTime,
  },
  { additionalProperties: false },
);
export type Verification = Static<typeof Verification>;
