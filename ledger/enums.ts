/**
 * The ledger's Solidity enums by name, in declaration order (index = the value
 * on-chain; see contracts/types/LedgerTypes.sol and HospitalRegistry). One copy for the
 * indexer, the trail, the CLI and the scripts.
 */

export const DOCUMENT_KINDS = [
  "business_licence",
  "device_operating_permit",
  "product_registration",
] as const;

export const DOCUMENT_STATUS = ["none", "pending", "attested", "rejected"] as const;

export const SUPPLIER_STATUS = ["none", "active", "suspended"] as const;

export const ORDER_STATUS = ["none", "placed", "funded", "closed", "cancelled"] as const;

export const TRACE_STEPS = [
  "shipping",
  "departing",
  "arriving",
  "receiving",
  "inspecting",
  "accepting",
  "holding",
  "storing",
] as const;
export type TraceStepName = (typeof TRACE_STEPS)[number];

/** A budget adjustment's life (BudgetBook): proposed by one approver, applied by a second. */
export const ADJUSTMENT_STATUS = ["none", "proposed", "applied", "withdrawn"] as const;

export const TENDER_STATUS = ["none", "open", "awarded", "failed", "cancelled"] as const;

export const TENDER_PHASES = [
  "none",
  "commit",
  "reveal",
  "finalizable",
  "awarded",
  "failed",
  "cancelled",
] as const;

/** For an enum whose 0 is `none` (no such record): the values a record that exists can hold. */
export function existing<T extends readonly ["none", ...string[]]>(
  values: T,
): T extends readonly ["none", ...infer Rest] ? Rest : never {
  return values.slice(1) as never;
}

/**
 * UDI issuing agencies whose device identifiers the ledger binds to a product key
 * (SupplierRegistry.declareDeviceIdentifier); GS1 needs none, its GTIN is the key.
 */
export const ISSUING_AGENCIES = ["none", "MA", "AHM"] as const;
export type IssuingAgency = Exclude<(typeof ISSUING_AGENCIES)[number], "none">;

/**
 * A recall's scope as the indexer stores it (lower-case): a regulator's recall is recorded with
 * the zero address and covers every supplier's shipments of the lot; anyone else's, with its own
 * address, covers only its own (DeliveryTrace.recall).
 */
export const GLOBAL_RECALL_SCOPE = "0x0000000000000000000000000000000000000000";
