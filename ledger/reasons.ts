/**
 * The catalogue of the ledger's reason codes (served at GET /v1/reason-codes, api/reason-codes.ts). The acts of REASON_ACTS record
 * a `uint16 reasonCode` in their event (contracts/interfaces); the chain keeps only the number, so
 * this catalogue is what says what a number means. A code keeps its meaning forever: a new
 * reason gets a new code (the demo year's codes 1, 2, 7, 31, 41 and 42 among them), and a code
 * the catalogue lacks reads as "reason N" wherever it is shown.
 *
 * Codes are grouped by tens: 1–9 the goods' quality and safety, 11–19 qualification documents,
 * 21–29 a supplier's status, 31–39 deliveries, 41–49 recalls, 51–59 tenders, 61–69 hospital
 * members, 301–309 budget adjustments, 401–409 consigned stock returned to its supplier, 411–419
 * a supplier's refusal of such a return. The
 * console's Chinese labels are keyed by `key` (console/src/i18n/reasons.ts).
 */

/** The acts that record a reason code, by their contract function's name. */
export const REASON_ACTS = [
  "rejectDocument",
  "suspend",
  "reinstate",
  "cancelTender",
  "unbindMember",
  "waiveExcursion",
  "disputeShipment",
  "recall",
  "liftRecall",
  "proposeAdjustment",
  "returnStock",
  "refuseReturn",
] as const;
export type ReasonAct = (typeof REASON_ACTS)[number];

interface Entry {
  code: number;
  /** English, for the CLI, the API and the console's English pages. */
  label: string;
  acts: readonly ReasonAct[];
}

export const REASONS = {
  // The CLI's default when no reason is given; every act may record it.
  unspecified: { code: 0, label: "No reason stated", acts: REASON_ACTS },
  excursion_within_stability: {
    code: 1,
    label: "Temperature excursion within the product's stability data",
    acts: ["waiveExcursion"],
  },
  quality_defect: { code: 2, label: "Quality defect in the lot", acts: ["recall"] },
  excursion_logger_fault: {
    code: 3,
    label: "Temperature logger fault; the cold chain was kept",
    acts: ["waiveExcursion"],
  },
  safety_investigation: {
    code: 7,
    label: "Product safety investigation under way",
    acts: ["suspend", "recall"],
  },
  document_unreadable: {
    code: 11,
    label: "Document unreadable or incomplete",
    acts: ["rejectDocument"],
  },
  document_not_valid: {
    code: 12,
    label: "Document expired or not yet in force",
    acts: ["rejectDocument"],
  },
  document_mismatch: {
    code: 13,
    label: "Document names another company, product or category",
    acts: ["rejectDocument"],
  },
  document_not_authentic: {
    code: 14,
    label: "Document not authentic",
    acts: ["rejectDocument", "suspend"],
  },
  licence_revoked: { code: 21, label: "Licence revoked or lapsed", acts: ["suspend"] },
  procurement_misconduct: {
    code: 22,
    label: "Misconduct in procurement (collusion, bribery)",
    acts: ["suspend", "cancelTender", "unbindMember"],
  },
  corrective_action_completed: {
    code: 25,
    label: "Corrective action completed and verified",
    acts: ["reinstate", "liftRecall"],
  },
  investigation_closed: {
    code: 26,
    label: "Investigation closed without a finding",
    acts: ["reinstate", "liftRecall"],
  },
  decided_in_error: {
    code: 27,
    label: "The earlier decision was made in error",
    acts: ["reinstate", "liftRecall"],
  },
  units_damaged: { code: 31, label: "Units damaged in transit", acts: ["disputeShipment"] },
  units_missing: { code: 32, label: "Units missing from the delivery", acts: ["disputeShipment"] },
  wrong_product: { code: 33, label: "Wrong product or lot delivered", acts: ["disputeShipment"] },
  receipt_held: {
    code: 34,
    label: "Goods receipt held until the hospital decides",
    acts: ["disputeShipment"],
  },
  field_safety_notice: { code: 41, label: "Field safety notice", acts: ["recall"] },
  field_action_completed: {
    code: 42,
    label: "Field safety corrective action completed",
    acts: ["liftRecall"],
  },
  counterfeit_suspected: { code: 43, label: "Counterfeit suspected", acts: ["recall", "suspend"] },
  tender_specification_error: {
    code: 51,
    label: "Error in the tender's specification",
    acts: ["cancelTender"],
  },
  demand_withdrawn: { code: 52, label: "The hospitals' demand was withdrawn", acts: ["cancelTender"] },
  member_left: { code: 61, label: "The member left the hospital", acts: ["unbindMember"] },
  member_key_compromised: {
    code: 62,
    label: "The member's key was lost or compromised",
    acts: ["unbindMember"],
  },
  // A hospital's budget adjustments (BudgetBook.proposeAdjustment), raised or cut by two approvers.
  demand_above_plan: { code: 301, label: "Demand above plan", acts: ["proposeAdjustment"] },
  plan_reduced: {
    code: 302,
    label: "Plan reduced; the unneeded budget returned",
    acts: ["proposeAdjustment"],
  },
  price_change: { code: 303, label: "Price change under a new agreement", acts: ["proposeAdjustment"] },
  emergency_demand: {
    code: 304,
    label: "Emergency or outbreak demand",
    acts: ["proposeAdjustment"],
  },
  // Consigned stock given back to its supplier (ConsignmentBook.returnStock), by either party.
  unused_at_term_end: {
    code: 401,
    label: "Unused at the end of the consignment term",
    acts: ["returnStock"],
  },
  near_expiry_returned: {
    code: 402,
    label: "Near expiry; returned before it expires",
    acts: ["returnStock"],
  },
  overstocked: { code: 403, label: "More on hand than the hospital uses", acts: ["returnStock"] },
  product_discontinued: {
    code: 404,
    label: "Product discontinued or replaced",
    acts: ["returnStock"],
  },
  // A supplier refuses a hospital's return of consigned stock (ConsignmentBook.refuseReturn).
  return_not_received: {
    code: 411,
    label: "The returned units never arrived",
    acts: ["refuseReturn"],
  },
  return_short: {
    code: 412,
    label: "Fewer units arrived than the return declared",
    acts: ["refuseReturn"],
  },
  return_damaged: {
    code: 413,
    label: "The returned units arrived opened or damaged",
    acts: ["refuseReturn"],
  },
} as const satisfies Record<string, Entry>;

export type ReasonKey = keyof typeof REASONS;

export interface Reason extends Entry {
  key: ReasonKey;
}

/** Every reason, in code order. */
export const REASON_LIST: readonly Reason[] = (Object.entries(REASONS) as [ReasonKey, Entry][])
  .map(([key, entry]) => ({ key, ...entry }))
  .sort((a, b) => a.code - b.code);

const BY_CODE = new Map(REASON_LIST.map((r) => [r.code, r]));

/** The catalogue's reason of `code`; undefined for a code it lacks (the chain takes any uint16). */
export function reasonOf(code: number): Reason | undefined {
  return BY_CODE.get(code);
}

/** The reasons `act` may record, in code order. */
export function reasonsFor(act: ReasonAct): Reason[] {
  return REASON_LIST.filter((r) => r.acts.includes(act));
}
