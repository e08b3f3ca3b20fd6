import type { EventSpec } from "./event-spec";
import { AGREEMENT_SPECS } from "./events/agreements";
import { BUDGET_SPECS } from "./events/budgets";
import { CAMPUS_TRANSFER_SPECS } from "./events/campus-transfers";
import { DELIVERY_TRACE_SPECS } from "./events/delivery-trace";
import { HOSPITAL_SPECS } from "./events/hospitals";
import { ORDER_BOOK_SPECS } from "./events/order-book";
import { REGISTRY_SPECS } from "./events/registry";
import { TENDER_SPECS } from "./events/tenders";

/**
 * The ledger's events as trail steps: for every event a trail can contain, the figures it carries
 * in the trail's one canonical form (figures.ts) with their schema, the step's id and its
 * sentence — used by the gateway's trail (figures from its database) and by the verifier (figures
 * decoded from the chain's log), which compares the two figure by figure.
 */

/** Every ledger event a trail can contain, keyed `contract.event`. */
export const EVENT_SPECS: ReadonlyMap<string, EventSpec> = new Map([
  ...REGISTRY_SPECS,
  ...TENDER_SPECS,
  ...AGREEMENT_SPECS,
  ...HOSPITAL_SPECS,
  ...ORDER_BOOK_SPECS,
  ...DELIVERY_TRACE_SPECS,
  ...BUDGET_SPECS,
  ...CAMPUS_TRANSFER_SPECS,
]);
