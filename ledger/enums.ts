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
