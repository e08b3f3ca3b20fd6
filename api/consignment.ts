import { Type, type Static } from "typebox";
import {
  Address,
  Amount,
  Bytes32,
  DateTime,
  Gtin,
  IdString,
  Nullable,
  PageOf,
  PaginationQuery,
  TxHash,
} from "./common";
import { SettlementJobStatus } from "./payments";

/**
 * /v1/consignment: consigned stock (ConsignmentBook) as the gateway indexed it, the consumption
 * batches that pay for its use (with their place in the payment outbox) and every movement out
 * of it (consumption, return, expiry write-off). A hospital's accounts see their hospital's, a
 * supplier its own, regulators everything.
 */

const closed = { additionalProperties: false } as const;

export const ConsignmentQuery = Type.Object(
  {
    ...PaginationQuery,
    hospital: Type.Optional(Address),
    supplier: Type.Optional(Address),
  },
  closed,
);
export type ConsignmentQuery = Static<typeof ConsignmentQuery>;

const Units = Type.Integer({ minimum: 0 });

/**
 * A hospital's return of consigned units, off its shelf and waiting for the supplier: confirmed,
 * its value goes back to the hospital; refused, the units are on hand again. The supplier may
 * refuse until `answerBy`; after it the hospital may confirm it itself.
 */
export const PendingReturn = Type.Object(
  {
    units: Units,
    value: Type.With(Amount, { description: "refunded to the hospital on confirmation" }),
    reasonCode: Type.Integer({ minimum: 0 }),
    requestedBy: Address,
    requestedAt: DateTime,
    answerBy: DateTime,
    txHash: TxHash,
  },
  closed,
);
export type PendingReturn = Static<typeof PendingReturn>;

export const ConsignedStock = Type.Object(
  {
    shipmentId: IdString,
    orderId: IdString,
    hospital: Address,
    supplier: Address,
    gtin: Gtin,
    lot: Type.String(),
    expiry: DateTime,
    received: Type.With(Units, { description: "units accepted into the hospital's custody" }),
    used: Type.With(Units, { description: "units paid by consumption batches" }),
    returned: Type.With(Units, { description: "units returned to the supplier" }),
    expired: Type.With(Units, { description: "units written off after expiry" }),
    onHand: Type.With(Units, {
      description: "received − used − returned − expired − the units of a pending return",
    }),
    value: Type.With(Amount, { description: "value held when the units were received" }),
    held: Type.With(Amount, { description: "value of the units on hand, still unpaid" }),
    paid: Type.With(Amount, {
      description: "paid to the supplier (consumption, or expiry the hospital bears)",
    }),
    refunded: Type.With(Amount, {
      description: "given back to the hospital (returns, expiry at the supplier's loss)",
    }),
    consignedAt: DateTime,
    consignedTx: TxHash,
    pendingReturn: Nullable(
      Type.With(PendingReturn, { description: "a return the hospital sent, waiting for the supplier" }),
    ),
  },
  closed,
);
export type ConsignedStock = Static<typeof ConsignedStock>;
export const ConsignedStockPage = PageOf(ConsignedStock);
export type ConsignedStockPage = Static<typeof ConsignedStockPage>;

export const ConsumptionBatch = Type.Object(
  {
    batchId: Bytes32,
    hospital: Address,
    supplier: Address,
    status: Type.With(SettlementJobStatus, {
      description: "its place in the payment outbox; confirmed once paid on chain",
    }),
    units: Units,
    lines: Type.Array(Type.Object({ shipmentId: IdString, units: Units }, closed)),
    amount: Nullable(Type.With(Amount, { description: "paid to the supplier; null until paid" })),
    txHash: Nullable(TxHash),
    confirmedAt: Nullable(DateTime),
    lastError: Nullable(Type.String()),
    errorName: Nullable(
      Type.String({
        description:
          "the ledger's custom error that refused a failed batch (e.g. EnforcedPause), for a sentence in words",
      }),
    ),
  },
  closed,
);
export type ConsumptionBatch = Static<typeof ConsumptionBatch>;
export const ConsumptionBatchPage = PageOf(ConsumptionBatch);
export type ConsumptionBatchPage = Static<typeof ConsumptionBatchPage>;

/**
 * consumption: paid on use; return: the supplier took its stock back after the term;
 * return-requested / -confirmed / -refused: a hospital's return and the supplier's answer (a
 * refused return's units are on hand again); expiry: written off.
 */
export const ConsignmentMovementKind = Type.Enum([
  "consumption",
  "return",
  "return-requested",
  "return-confirmed",
  "return-refused",
  "expiry",
]);
export const ConsignmentMovement = Type.Object(
  {
    kind: ConsignmentMovementKind,
    shipmentId: IdString,
    orderId: IdString,
    hospital: Address,
    supplier: Address,
    batchId: Nullable(Bytes32),
    units: Units,
    amount: Type.With(Amount, {
      description:
        "paid to the supplier, or given back to the hospital; for a requested or refused return, the value it moves",
    }),
    toSupplier: Type.Boolean(),
    actor: Nullable(Type.With(Address, { description: "who returned the units, or answered the return" })),
    reasonCode: Nullable(Type.Integer({ minimum: 0 })),
    at: DateTime,
    txHash: TxHash,
  },
  closed,
);
export type ConsignmentMovement = Static<typeof ConsignmentMovement>;
export const ConsignmentMovementPage = PageOf(ConsignmentMovement);
export type ConsignmentMovementPage = Static<typeof ConsignmentMovementPage>;
