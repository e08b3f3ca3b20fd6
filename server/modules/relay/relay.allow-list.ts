import type { Interface } from "ethers";
import {
  BudgetBook__factory,
  ConsignmentBook__factory,
  CampusTransfers__factory,
  DeliveryTrace__factory,
  FundBook__factory,
  HospitalRegistry__factory,
  LedgerRoles__factory,
  OrderBook__factory,
  SupplierRegistry__factory,
  TenderHouse__factory,
} from "../../../typechain-types";
import type { DeploymentRecord } from "../../../ledger/contracts";
import { PERMIT_SPENDERS, type PermitSpenderName } from "../../../api/relay";
import type { Role } from "../auth/tokens";

/**
 * Which ledger functions the relay pays for, and for whom. The relayer's gas is the hospital's
 * money: it pays only for the acts a caller's role exists to perform, so a signed-in account
 * cannot spend it on anything else. The contract still checks every call (and the relay
 * simulates it first); this table only bounds what the gateway is willing to pay for.
 *
 * `signed-in`: any signed-in account, even one without a role yet (how one gets a role).
 * Anything not listed is refused with 403 RELAY_FUNCTION_NOT_ALLOWED: pausing (an emergency
 * act the pauser pays for itself), contract-to-contract hooks (bind*, recordShipment,
 * markConfirmed, the AgreementBook's functions), the admin's settings and the token (whose
 * allowances only the permits below set).
 */

export type Relayer = Role | "signed-in";

type Table = Record<string, readonly Relayer[]>;

const ROLES: Table = {
  // A regulator makes an account the fund's payer or takes the role back: LedgerRoles lets a
  // regulator administer PAYER_ROLE and no other role.
  grantRole: ["regulator"],
  revokeRole: ["regulator"],
};

const REGISTRY: Table = {
  // Becoming a supplier: the account has no role until this succeeds.
  register: ["signed-in"],
  // A supplier's qualification documents and product registrations.
  fileDocument: ["supplier"],
  fileProductRegistration: ["supplier"],
  declareDeviceIdentifier: ["supplier"],
  // The regulator reviews documents and suspends or reinstates suppliers.
  attestDocument: ["regulator"],
  rejectDocument: ["regulator"],
  suspend: ["regulator"],
  reinstate: ["regulator"],
};

const TENDERS: Table = {
  // The regulator opens and cancels tenders.
  openTender: ["regulator"],
  cancelTender: ["regulator"],
  // Sealed bids: a supplier commits, then reveals.
  commitBid: ["supplier"],
  revealBid: ["supplier"],
  // Awarding is open to anyone on chain; the parties (and the regulator) are the ones who care.
  finalize: ["regulator", "supplier", "hospital-admin", "hospital-approver"],
  // A supplier takes back the bond of a failed or cancelled tender.
  withdrawBond: ["supplier"],
  // A tender's hospital takes its share of forfeited bonds.
  claimForfeit: ["hospital-admin"],
};

const HOSPITALS: Table = {
  // The regulator enrols hospitals and unbinds members.
  enrolHospital: ["regulator"],
  unbindMember: ["regulator"],
  // The hospital account manages its members and its approval threshold.
  setMemberRoles: ["hospital-admin"],
  setApprovalThreshold: ["hospital-admin"],
  // An invited account has no role until it accepts.
  acceptMembership: ["signed-in"],
  // A member gives up its access.
  leaveHospital: ["hospital-approver", "hospital-settler", "hospital-receiver"],
};

const ORDER_BOOK: Table = {
  // The hospital or its approver places orders.
  placeOrder: ["hospital-admin", "hospital-approver"],
  // Approvers fund orders (the permit variant carries the hospital's EIP-2612 permit).
  approveOrder: ["hospital-approver"],
  approveOrderWithPermit: ["hospital-approver"],
  // Hospital staff cancel what was not shipped.
  cancelOrder: ["hospital-admin", "hospital-approver", "hospital-settler"],
  // An approver lets the supplier ship late.
  allowLateShipment: ["hospital-approver"],
  // The supplier's consents: early cancellation, volume beyond the commitment.
  agreeToCancel: ["supplier"],
  consentToExcess: ["supplier"],
  // The settler confirms; approver or settler dispute units first.
  confirmShipment: ["hospital-settler"],
  disputeShipment: ["hospital-approver", "hospital-settler"],
  // The supplier settles what the hospital left unconfirmed past the window.
  claimSettlement: ["supplier"],
  // Deferred refunds go to the hospital.
  withdrawRefund: ["hospital-admin"],
};

const TRACE: Table = {
  // The supplier ships, appoints carriers and recalls its own lots.
  createShipment: ["supplier"],
  setCarrier: ["supplier"],
  // EPCIS steps: the supplier until arrival, the hospital's staff from receiving on.
  recordTraceEvent: [
    "supplier",
    "hospital-admin",
    "hospital-receiver",
    "hospital-approver",
    "hospital-settler",
  ],
  // An approver waives a temperature excursion.
  waiveExcursion: ["hospital-approver"],
  // Recalls: a supplier's covers its own shipments, a regulator's everyone's; only a regulator lifts.
  recall: ["supplier", "regulator"],
  liftRecall: ["regulator"],
};

const BUDGETS: Table = {
  // The hospital account sets a budget once; two of its approvers change it.
  setBudget: ["hospital-admin"],
  proposeAdjustment: ["hospital-approver"],
  confirmAdjustment: ["hospital-approver"],
  withdrawAdjustment: ["hospital-approver"],
};

const CONSIGNMENT: Table = {
  // A supplier offers its agreement on consignment; the hospital elects it for an order.
  offerConsignment: ["supplier"],
  electConsignment: ["hospital-admin", "hospital-approver"],
  // Unused stock goes back: the hospital at any time, the supplier after the term.
  returnStock: ["hospital-admin", "hospital-approver", "supplier"],
  // A hospital's return waits for the supplier's answer; silence past its window lets the
  // hospital confirm it.
  confirmReturn: ["supplier", "hospital-admin", "hospital-approver"],
  refuseReturn: ["supplier"],
  // Expired stock is written off by either party.
  writeOffExpired: ["hospital-admin", "hospital-approver", "supplier"],
};

const CAMPUS_TRANSFERS: Table = {
  // The hospital's warehouse (its receivers) moves stock between campuses; the account may too.
  recordTransfer: ["hospital-admin", "hospital-receiver"],
};

const FUND: Table = {
  // The fund covers tenders and pays in; after the term anyone may send back what was not drawn
  // (the payer, or a regulator closing the books).
  setCover: ["payer"],
  prepay: ["payer"],
  depositEscrow: ["payer"],
  returnUndrawn: ["payer", "regulator"],
};

/** One relayable function: which contract, which function, who may have it relayed. */
export interface AllowedCall {
  contract: string;
  fn: string;
  relayers: readonly Relayer[];
}

/** Target address (lower case) → 4-byte selector → the allowed call. */
export type AllowList = ReadonlyMap<string, ReadonlyMap<string, AllowedCall>>;

/** The table above, keyed by the deployment's addresses and the functions' selectors from the ABIs. */
export function allowList(contracts: DeploymentRecord["contracts"]): AllowList {
  const entries: [string, string, Interface, Table][] = [
    ["roles", contracts.roles, LedgerRoles__factory.createInterface(), ROLES],
    ["registry", contracts.registry, SupplierRegistry__factory.createInterface(), REGISTRY],
    ["tenders", contracts.tenders, TenderHouse__factory.createInterface(), TENDERS],
    ["hospitals", contracts.hospitals, HospitalRegistry__factory.createInterface(), HOSPITALS],
    ["orderBook", contracts.orderBook, OrderBook__factory.createInterface(), ORDER_BOOK],
    ["trace", contracts.trace, DeliveryTrace__factory.createInterface(), TRACE],
    ["budgets", contracts.budgets, BudgetBook__factory.createInterface(), BUDGETS],
    ["consignment", contracts.consignment, ConsignmentBook__factory.createInterface(), CONSIGNMENT],
    ["fund", contracts.fund, FundBook__factory.createInterface(), FUND],
    [
      "campusTransfers",
      contracts.campusTransfers,
      CampusTransfers__factory.createInterface(),
      CAMPUS_TRANSFERS,
    ],
  ];
  const list = new Map<string, Map<string, AllowedCall>>();
  for (const [contract, address, abi, table] of entries) {
    const bySelector = new Map<string, AllowedCall>();
    for (const [fn, relayers] of Object.entries(table)) {
      // getFunction throws on a name the ABI lacks, so a renamed function fails at start.
      const fragment = abi.getFunction(fn);
      if (!fragment) throw new Error(`relay allow-list: ${contract} has no function ${fn}`);
      bySelector.set(fragment.selector, { contract, fn, relayers });
    }
    list.set(address.toLowerCase(), bySelector);
  }
  return list;
}

/** Whether an account with `roles` may have `call` relayed. */
export function mayRelay(call: AllowedCall, roles: readonly Role[]): boolean {
  return call.relayers.some((r) => r === "signed-in" || roles.includes(r));
}

/**
 * Whose EIP-2612 permits the relay pays to send, by spender: the allowance each role's own acts
 * draw on. A supplier's first sealed bid escrows its bond through the tender house
 * (TenderHouse.commitBid takes it from the bidder); an order is funded through the order book
 * from the hospital account (OrderBook.approveOrder takes the escrow from the order's hospital,
 * never from the approver who approves). These are the only ledger contracts that take the
 * token from anyone, and nobody else's acts need an allowance: an approver cannot give its
 * hospital's (the permit must be the hospital account's own signature), a regulator has nothing
 * to allow. The fund book takes the payer's prepayments and escrow (FundBook.prepay and
 * depositEscrow take them from the payer). An account with several roles may permit each spender.
 */
const PERMITS: Record<PermitSpenderName, readonly Role[]> = {
  tenders: ["supplier"],
  orderBook: ["hospital-admin"],
  fund: ["payer"],
};

/** One ledger contract that takes the token, and the roles whose permits for it the relay sends. */
export interface PermitSpender {
  spender: PermitSpenderName;
  address: string;
  relayers: readonly Role[];
}

/** The table above with the deployment's addresses, in PERMIT_SPENDERS order. */
export function permitSpenders(contracts: DeploymentRecord["contracts"]): PermitSpender[] {
  return PERMIT_SPENDERS.map((spender) => ({
    spender,
    address: contracts[spender],
    relayers: PERMITS[spender],
  }));
}

/** Whether an account with `roles` may have a permit for `spender` relayed. */
export function mayPermit(spender: PermitSpender, roles: readonly Role[]): boolean {
  return spender.relayers.some((r) => roles.includes(r));
}
