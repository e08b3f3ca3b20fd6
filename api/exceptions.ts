import { Type, type Static } from "typebox";
import { Address, DateTime, IdString, Nullable, PageOf, PaginationQuery, UINT32_MAX, Units } from "./common";
import { SettlementJobStatus } from "./payments";
import { MatchReason } from "./receipts";

/**
 * Exceptions (GET /v1/exceptions, POST /v1/exceptions/:id/resolve): receipts that did not
 * match, and settlements the chain refused, each decided by a hospital approver.
 */

/** A settlement the contract refused: its custom error, decoded. */
export const SettlementReason = Type.Object(
  {
    code: Type.Literal("CHAIN_REVERT"),
    error: Type.String({ description: "the contract's custom error, e.g. TraceLotRecalled" }),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export type SettlementReason = Static<typeof SettlementReason>;

/** A stocktake difference: units the ledger and the gateway expect on the shelf against those scanned. */
export const StocktakeReason = Type.Object(
  {
    code: Type.Enum(["STOCK_MISSING", "STOCK_EXTRA"], {
      description:
        "missing: fewer units on the shelf than received − used − returned ± transfers (used without a usage record, or lost); extra: more (received without a receipt)",
    }),
    message: Type.String(),
    details: Type.Object(
      {
        stocktakeId: IdString,
        campus: Type.String({ description: "the campus's GLN" }),
        gtin: Type.String(),
        lot: Type.String(),
        expected: Type.Integer({
          description: "units by the records (their balance: below zero where more was used than held)",
        }),
        counted: Type.Integer({ minimum: 0, description: "units scanned on the shelf" }),
        received: Units,
        used: Units,
        returned: Units,
        transferredIn: Units,
        transferredOut: Units,
        serials: Type.Array(Type.String(), { description: "the serials scanned of the lot, if any" }),
      },
      { additionalProperties: false, description: "the evidence: the records' figures and the count" },
    ),
  },
  { additionalProperties: false },
);
export type StocktakeReason = Static<typeof StocktakeReason>;

export const ExceptionReason = Type.Union([MatchReason, SettlementReason, StocktakeReason]);
export type ExceptionReason = Static<typeof ExceptionReason>;

export const ExceptionSource = Type.Enum(["match", "settlement", "stocktake"]);
export type ExceptionSource = Static<typeof ExceptionSource>;

export const ExceptionStatus = Type.Enum(["open", "resolved"]);
export type ExceptionStatus = Static<typeof ExceptionStatus>;

export const Resolution = Type.Enum(["accept_all", "accept_part", "reject"], {
  description: "accept what matching proposed, accept part, or reject everything",
});
export type Resolution = Static<typeof Resolution>;

/**
 * What a held receipt withholds on the ledger: the payment worker disputes those units
 * (OrderBook.disputeShipment, reason 34 receipt_held), so a supplier's claim after the
 * confirmation window is paid only for the rest.
 */
export const LedgerHold = Type.Object(
  {
    units: Type.With(Units, { description: "the units disputed on the ledger" }),
    status: Type.With(SettlementJobStatus, {
      description:
        "pending or submitted: on its way; confirmed: on the ledger; failed: the ledger refused it",
    }),
    error: Nullable(Type.String({ description: "the ledger's refusal (its custom error) when failed" })),
  },
  { additionalProperties: false },
);
export type LedgerHold = Static<typeof LedgerHold>;

const LEDGER_CLOCK =
  "on the ledger's clock (the gateway's for exceptions recorded before it kept the ledger's), as the trail and the payments are";

export const Exception = Type.Object(
  {
    id: IdString,
    shipmentId: IdString,
    orderId: IdString,
    hospital: Address,
    receiptNo: Nullable(Type.String()),
    source: ExceptionSource,
    reasons: Type.Array(ExceptionReason),
    proposedAccepted: Type.With(Units, { description: "the units matching would pay for" }),
    shipped: Units,
    status: ExceptionStatus,
    resolution: Nullable(Resolution),
    resolvedAccepted: Nullable(Units),
    note: Nullable(Type.String()),
    resolvedBy: Nullable(Address),
    resolvedAt: Type.With(Nullable(DateTime), { description: LEDGER_CLOCK }),
    createdAt: Type.With(DateTime, { description: `when it was raised, ${LEDGER_CLOCK}` }),
    settledOnLedger: Type.With(
      Nullable(Type.Object({ accepted: Units, rejected: Units }, { additionalProperties: false })),
      {
        description:
          "the shipment's settlement on the ledger once made, by whoever made it (a supplier's claim after the confirmation window settles it without a decision: one then answers 409)",
      },
    ),
    ledgerHold: Type.With(Nullable(LedgerHold), {
      description:
        "the shipment's units withheld on the ledger while its receipt is held; null when none are, or once the shipment is settled",
    }),
    claimOpensAt: Type.With(Nullable(DateTime), {
      description:
        "when the supplier may settle the shipment itself if nobody decides (OrderBook.claimSettlement): its claim then pays every unit not withheld, whatever the reasons (an undecided excursion included), unless the lot is recalled or the supplier not qualified. Null once settled, for a stocktake, or while neither a receipt nor an arrival is on the ledger",
    }),
  },
  { additionalProperties: false },
);
export type Exception = Static<typeof Exception>;

export const ListExceptionsQuery = Type.Object(
  {
    ...PaginationQuery,
    status: Type.Optional(ExceptionStatus),
    reason: Type.Optional(
      Type.String({ pattern: "^[A-Z0-9_]{1,64}$", description: "only those with this reason code" }),
    ),
  },
  { additionalProperties: false },
);
export type ListExceptionsQuery = Static<typeof ListExceptionsQuery>;

/** A page of exceptions, oldest first; `nextCursor` fetches the next (null on the last). */
export const ExceptionList = PageOf(Exception);
export type ExceptionList = Static<typeof ExceptionList>;

export const ExceptionParams = Type.Object({ id: IdString }, { additionalProperties: false });
export type ExceptionParams = Static<typeof ExceptionParams>;

export const ResolveRequest = Type.Object(
  {
    action: Resolution,
    acceptedQuantity: Type.Optional(
      Type.Integer({ minimum: 1, maximum: UINT32_MAX, description: "with accept_part" }),
    ),
    note: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export type ResolveRequest = Static<typeof ResolveRequest>;
