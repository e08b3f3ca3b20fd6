import { decodeBytes32String, ZeroAddress } from "ethers";
import type { EventArgs, JsonValue } from "../events";
import { shipmentRecordHash, type LedgerContractName } from "../contracts";
import { DOCUMENT_KINDS, HOSPITAL_ROLES, ORDER_STATUS, TRACE_STEPS } from "../enums";

/**
 * The ledger's events as trail steps: for every event a trail can contain, the figures it carries
 * in the trail's one canonical form, the step's id and its sentence — used by the trail service
 * (figures from the database) and by the verifier (figures decoded from the chain's log), which
 * compares the two figure by figure. Also the rule of which events belong to a trail, as event
 * lists both sides query with (trail.service.ts from the database, trail.verify.ts from the chain).
 *
 * Canonical form: amounts, units and ids as decimal strings; addresses and hashes lower-case hex;
 * times ISO-8601 UTC; GTINs 14 digits; enums by name; small counts, windows (seconds), role bits
 * and reason codes as JSON numbers; struct arguments flattened into their fields.
 */

export type StepKind =
  | "qualification"
  | "product"
  | "tender"
  | "bid"
  | "bond"
  | "agreement"
  | "membership"
  | "order"
  | "approval"
  | "funding"
  | "consent"
  | "cancellation"
  | "closure"
  | "shipment"
  | "trace"
  | "waiver"
  | "dispute"
  | "recall"
  | "manifest"
  | "receipt"
  | "match"
  | "exception"
  | "resolution"
  | "payment"
  | "usage";

export const STEP_KINDS: readonly StepKind[] = [
  "qualification",
  "product",
  "tender",
  "bid",
  "bond",
  "agreement",
  "membership",
  "order",
  "approval",
  "funding",
  "consent",
  "cancellation",
  "closure",
  "shipment",
  "trace",
  "waiver",
  "dispute",
  "recall",
  "manifest",
  "receipt",
  "match",
  "exception",
  "resolution",
  "payment",
  "usage",
];

export type Figures = Record<string, JsonValue>;

/** A log's position, for the ids of events that can repeat (suspensions, cancellations, …). */
export interface LogPosition {
  blockNumber: number;
  logIndex: number;
}

export interface EventSpec {
  contract: LedgerContractName;
  event: string;
  kind: StepKind;
  /** The event's arguments in the trail's canonical form: what a step states and verify compares. */
  figures(args: EventArgs): Figures;
  id(f: Figures, at: LogPosition): string;
  summary(f: Figures): string;
  /** The figure that is the step's time; the block's time when absent. */
  timeFigure?: string;
}

/** The scope of a regulator's recall, which covers every supplier's shipments of the lot. */
export const GLOBAL_SCOPE = ZeroAddress.toLowerCase();

const dec = (v: JsonValue | undefined): string => String(v);
const hex = (v: JsonValue | undefined): string => String(v).toLowerCase();
const int = (v: JsonValue | undefined): number => Number(v);
const time = (v: JsonValue | undefined): string => new Date(Number(v) * 1000).toISOString();
const gtin14 = (v: JsonValue | undefined): string => String(v).padStart(14, "0");
const obj = (v: JsonValue | undefined): Record<string, JsonValue> => (v ?? {}) as Record<string, JsonValue>;
const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
const tiers = (v: JsonValue | undefined): JsonValue =>
  list(v).map((t) => ({ threshold: dec(obj(t).threshold), unitPrice: dec(obj(t).unitPrice) }));
const volumes = (hospitals: JsonValue | undefined, units: JsonValue | undefined): JsonValue =>
  list(hospitals).map((h, i) => ({ hospital: hex(h), volume: dec(list(units)[i]) }));
const pos = (at: LogPosition) => `@${at.blockNumber}.${at.logIndex}`;
const scopeLabel = (scope: JsonValue | undefined) =>
  scope === GLOBAL_SCOPE ? "every supplier's shipments" : `the shipments of ${scope}`;

/** A bytes32 that packs short text (names, category codes) as that text; otherwise the hex. */
export function label(word: JsonValue | undefined): string {
  const value = String(word);
  try {
    const text = decodeBytes32String(value);
    if (text.length > 0 && /^[\x20-\x7e]+$/.test(text)) return text;
  } catch {
    // not packed text: a hash
  }
  return value;
}

export function kindsOf(bitmap: number): string[] {
  return DOCUMENT_KINDS.filter((_, i) => (bitmap & (1 << i)) !== 0);
}

/** Hospital role bits by name (approver, settler, receiver). */
export function rolesOf(bits: number): string[] {
  return Object.entries(HOSPITAL_ROLES)
    .filter(([, bit]) => (bits & bit) !== 0)
    .map(([name]) => name);
}

const spec = (s: EventSpec): [string, EventSpec] => [`${s.contract}.${s.event}`, s];

/** Every ledger event a trail can contain, keyed `contract.event`. */
export const EVENT_SPECS: ReadonlyMap<string, EventSpec> = new Map([
  // ---------------------------------------------------------------- supplier registry
  spec({
    contract: "registry",
    event: "SupplierRegistered",
    kind: "qualification",
    figures: (a) => ({
      supplier: hex(a.supplier),
      name: hex(a.name),
      registrationId: hex(a.registrationId),
      registeredAt: time(a.registeredAt),
    }),
    id: (f) => `registration:${f.supplier}`,
    summary: (f) => `Supplier ${f.supplier} registered as ${label(f.name)} (${label(f.registrationId)})`,
  }),
  spec({
    contract: "registry",
    event: "DocumentFiled",
    kind: "qualification",
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      kind: DOCUMENT_KINDS[int(a.kind)] ?? dec(a.kind),
      sha256Digest: hex(a.sha256Digest),
      validFrom: time(a.validFrom),
      validUntil: time(a.validUntil),
      categories: list(a.categories).map(hex),
    }),
    id: (f) => `document:${f.documentId}`,
    summary: (f) =>
      `Supplier ${f.supplier} filed ${f.kind} document ${f.documentId}, valid ${f.validFrom} to ${f.validUntil}, ` +
      `for ${list(f.categories).map(label).join(", ")}`,
  }),
  spec({
    contract: "registry",
    event: "ProductsDeclared",
    kind: "product",
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      gtins: list(a.gtins).map(gtin14),
    }),
    id: (f) => `products:${f.documentId}`,
    summary: (f) =>
      `Supplier ${f.supplier}'s product registration ${f.documentId} lists GTIN ${list(f.gtins).join(", ")}`,
  }),
  spec({
    contract: "registry",
    event: "DocumentAttested",
    kind: "qualification",
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
    }),
    id: (f) => `document:${f.documentId}:attested`,
    summary: (f) => `Regulator ${f.regulator} attested document ${f.documentId} of ${f.supplier}`,
  }),
  spec({
    contract: "registry",
    event: "GtinRegistered",
    kind: "product",
    figures: (a) => ({
      supplier: hex(a.supplier),
      gtin: gtin14(a.gtin),
      documentId: dec(a.documentId),
      validFrom: time(a.validFrom),
      validUntil: time(a.validUntil),
    }),
    id: (f) => `gtin:${f.supplier}:${f.gtin}:${f.documentId}`,
    summary: (f) =>
      `GTIN ${f.gtin} registered to supplier ${f.supplier} from ${f.validFrom} to ${f.validUntil} ` +
      `(product registration ${f.documentId})`,
  }),
  spec({
    contract: "registry",
    event: "DocumentRejected",
    kind: "qualification",
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f) => `document:${f.documentId}:rejected`,
    summary: (f) =>
      `Regulator ${f.regulator} rejected document ${f.documentId} of ${f.supplier} (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "registry",
    event: "SupplierSuspended",
    kind: "qualification",
    figures: (a) => ({
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `suspension:${f.supplier}${pos(at)}`,
    summary: (f) => `Regulator ${f.regulator} suspended supplier ${f.supplier} (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "registry",
    event: "SupplierReinstated",
    kind: "qualification",
    figures: (a) => ({
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `reinstatement:${f.supplier}${pos(at)}`,
    summary: (f) => `Regulator ${f.regulator} reinstated supplier ${f.supplier} (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "registry",
    event: "RequiredKindsChanged",
    kind: "qualification",
    figures: (a) => ({ requiredKinds: int(a.requiredKinds), regulator: hex(a.regulator) }),
    id: (_f, at) => `required-kinds${pos(at)}`,
    summary: (f) =>
      `Regulator ${f.regulator} set the required qualification documents to ${kindsOf(int(f.requiredKinds)).join(", ")}`,
  }),

  // ---------------------------------------------------------------- tenders and bid bonds
  spec({
    contract: "tenders",
    event: "TenderOpened",
    kind: "tender",
    figures: (a) => {
      const t = obj(a.terms);
      return {
        tenderId: dec(a.tenderId),
        category: hex(t.category),
        reservePrice: dec(t.reservePrice),
        commitDeadline: time(t.commitDeadline),
        revealDeadline: time(t.revealDeadline),
        termSeconds: dec(t.termSeconds),
        leadTimeDays: int(t.leadTimeDays),
        penaltyBpsPerDay: int(t.penaltyBpsPerDay),
        penaltyCapBps: int(t.penaltyCapBps),
        winners: int(t.winners),
        bidBond: dec(t.bidBond),
        fundingWindow: int(t.fundingWindow),
        receivingWindow: int(t.receivingWindow),
        confirmWindow: int(t.confirmWindow),
        hospitals: volumes(a.hospitals, a.volumes),
        regulator: hex(a.regulator),
      };
    },
    id: (f) => `tender:${f.tenderId}`,
    summary: (f) =>
      `Regulator ${f.regulator} opened tender ${f.tenderId} for ${label(f.category)}: reserve price ${f.reservePrice}, ` +
      `bid bond ${f.bidBond}, ${list(f.hospitals).length} hospital(s) committing volume, bids until ${f.commitDeadline}`,
  }),
  spec({
    contract: "tenders",
    event: "BidCommitted",
    kind: "bid",
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      bidder: hex(a.bidder),
      commitment: hex(a.commitment),
      bond: dec(a.bond),
    }),
    // A bidder may commit again before the deadline (only the first escrows the bond).
    id: (f, at) => `bid:${f.tenderId}:${f.bidder}:commit${pos(at)}`,
    summary: (f) =>
      `${f.bidder} committed a sealed bid to tender ${f.tenderId}` +
      (f.bond === "0" ? " (bond already held)" : `, escrowing a bid bond of ${f.bond}`),
  }),
  spec({
    contract: "tenders",
    event: "BidRevealed",
    kind: "bid",
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      bidder: hex(a.bidder),
      tiers: tiers(a.tiers),
      bondReturned: dec(a.bondReturned),
    }),
    id: (f) => `bid:${f.tenderId}:${f.bidder}:reveal`,
    summary: (f) =>
      `${f.bidder} revealed its bid to tender ${f.tenderId} (bond of ${f.bondReturned} returned): ` +
      list(f.tiers)
        .map((t) => `${obj(t).unitPrice} per unit from ${obj(t).threshold} units`)
        .join(", "),
  }),
  spec({
    contract: "tenders",
    event: "BidderSkipped",
    kind: "bid",
    figures: (a) => ({ tenderId: dec(a.tenderId), bidder: hex(a.bidder) }),
    id: (f) => `bid:${f.tenderId}:${f.bidder}:skipped`,
    summary: (f) => `${f.bidder} was left out of tender ${f.tenderId}'s award: no longer qualified`,
  }),
  spec({
    contract: "tenders",
    event: "TenderAwarded",
    kind: "tender",
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      winners: list(a.winners).map(hex),
      agreementIds: list(a.agreementIds).map(dec),
    }),
    id: (f) => `tender:${f.tenderId}:awarded`,
    summary: (f) => `Tender ${f.tenderId} awarded to ${list(f.winners).join(", ")}`,
  }),
  spec({
    contract: "tenders",
    event: "TenderFailed",
    kind: "tender",
    figures: (a) => ({ tenderId: dec(a.tenderId) }),
    id: (f) => `tender:${f.tenderId}:failed`,
    summary: (f) => `Tender ${f.tenderId} failed: no valid bid; every bond can be withdrawn`,
  }),
  spec({
    contract: "tenders",
    event: "TenderCancelled",
    kind: "tender",
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f) => `tender:${f.tenderId}:cancelled`,
    summary: (f) =>
      `Regulator ${f.regulator} cancelled tender ${f.tenderId} before award (reason ${f.reasonCode}); ` +
      `every bond can be withdrawn`,
  }),
  spec({
    contract: "tenders",
    event: "BondsForfeited",
    kind: "bond",
    figures: (a) => ({
      tenderId: dec(a.tenderId),
      bidders: list(a.bidders).map(hex),
      amount: dec(a.amount),
    }),
    id: (f) => `bond:${f.tenderId}:forfeited`,
    summary: (f) =>
      `Bid bonds of ${list(f.bidders).join(", ")} (${f.amount} in all) forfeited to tender ${f.tenderId}'s ` +
      `hospitals: they never revealed`,
  }),
  spec({
    contract: "tenders",
    event: "BondWithdrawn",
    kind: "bond",
    figures: (a) => ({ tenderId: dec(a.tenderId), bidder: hex(a.bidder), amount: dec(a.amount) }),
    id: (f) => `bond:${f.tenderId}:${f.bidder}:withdrawn`,
    summary: (f) => `${f.bidder} withdrew its bid bond of ${f.amount} from tender ${f.tenderId}`,
  }),
  spec({
    contract: "tenders",
    event: "ForfeitClaimed",
    kind: "bond",
    figures: (a) => ({ tenderId: dec(a.tenderId), hospital: hex(a.hospital), amount: dec(a.amount) }),
    id: (f) => `bond:${f.tenderId}:${f.hospital}:claimed`,
    summary: (f) => `Hospital ${f.hospital} claimed ${f.amount} of tender ${f.tenderId}'s forfeited bonds`,
  }),

  // ---------------------------------------------------------------- agreements
  spec({
    contract: "agreements",
    event: "AgreementCreated",
    kind: "agreement",
    figures: (a) => ({
      agreementId: dec(a.agreementId),
      tenderId: dec(a.tenderId),
      supplier: hex(a.supplier),
      category: hex(a.category),
      start: time(a.start),
      end: time(a.end),
      tiers: tiers(a.tiers),
      hospitals: volumes(a.hospitals, a.volumes),
    }),
    id: (f) => `agreement:${f.agreementId}`,
    summary: (f) =>
      `Agreement ${f.agreementId} from tender ${f.tenderId} with ${f.supplier} for ${label(f.category)}, ` +
      `${f.start} to ${f.end}`,
  }),
  spec({
    contract: "agreements",
    event: "AgreementVolumeChanged",
    kind: "agreement",
    figures: (a) => ({
      agreementId: dec(a.agreementId),
      hospital: hex(a.hospital),
      hospitalFunded: dec(a.hospitalFunded),
      acceptedVolume: dec(a.acceptedVolume),
    }),
    id: (f, at) => `volume:${f.agreementId}:${f.hospital}${pos(at)}`,
    summary: (f) =>
      `Hospital ${f.hospital} now has ${f.hospitalFunded} units funded under agreement ${f.agreementId}, ` +
      `which has ${f.acceptedVolume} units accepted; prices follow the accepted volume`,
  }),

  // ---------------------------------------------------------------- hospitals and their members
  spec({
    contract: "hospitals",
    event: "HospitalEnrolled",
    kind: "membership",
    figures: (a) => ({ hospital: hex(a.hospital), nameHash: hex(a.nameHash), regulator: hex(a.regulator) }),
    id: (f) => `hospital:${f.hospital}`,
    summary: (f) => `Regulator ${f.regulator} enrolled hospital ${f.hospital}`,
  }),
  spec({
    contract: "hospitals",
    event: "ApprovalThresholdChanged",
    kind: "membership",
    figures: (a) => ({ hospital: hex(a.hospital), threshold: dec(a.threshold) }),
    id: (f, at) => `threshold:${f.hospital}${pos(at)}`,
    summary: (f) =>
      `Hospital ${f.hospital} set its approval threshold to ${f.threshold}: an order placed while its approved ` +
      `value under the agreement (draining one threshold per 30 days) would pass it needs two approvers`,
  }),
  spec({
    contract: "hospitals",
    event: "MemberInvited",
    kind: "membership",
    figures: (a) => ({ hospital: hex(a.hospital), member: hex(a.member), roles: int(a.roles) }),
    id: (f, at) => `member:${f.hospital}:${f.member}:invited${pos(at)}`,
    summary: (f) =>
      int(f.roles) === 0
        ? `Hospital ${f.hospital} withdrew its invitation to ${f.member}`
        : `Hospital ${f.hospital} invited ${f.member} as ${rolesOf(int(f.roles)).join(", ")}`,
  }),
  spec({
    contract: "hospitals",
    event: "HospitalMemberChanged",
    kind: "membership",
    figures: (a) => ({ hospital: hex(a.hospital), member: hex(a.member), roles: int(a.roles) }),
    id: (f, at) => `member:${f.hospital}:${f.member}${pos(at)}`,
    summary: (f) =>
      int(f.roles) === 0
        ? `${f.member} is no longer a member of hospital ${f.hospital}`
        : `${f.member} is a member of hospital ${f.hospital} as ${rolesOf(int(f.roles)).join(", ")}`,
  }),
  spec({
    contract: "hospitals",
    event: "MemberLeft",
    kind: "membership",
    figures: (a) => ({ hospital: hex(a.hospital), member: hex(a.member) }),
    id: (f, at) => `member:${f.hospital}:${f.member}:left${pos(at)}`,
    summary: (f) => `${f.member} left hospital ${f.hospital}`,
  }),
  spec({
    contract: "hospitals",
    event: "MemberUnbound",
    kind: "membership",
    figures: (a) => ({
      hospital: hex(a.hospital),
      member: hex(a.member),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `member:${f.hospital}:${f.member}:unbound${pos(at)}`,
    summary: (f) =>
      `Regulator ${f.regulator} unbound ${f.member} from hospital ${f.hospital} (reason ${f.reasonCode})`,
  }),

  // ---------------------------------------------------------------- orders and settlement
  spec({
    contract: "orderBook",
    event: "OrderPlaced",
    kind: "order",
    figures: (a) => ({
      orderId: dec(a.orderId),
      agreementId: dec(a.agreementId),
      hospital: hex(a.hospital),
      placedBy: hex(a.placedBy),
      quantity: dec(a.quantity),
      requestedDelivery: time(a.requestedDelivery),
      deliveryDeadline: time(a.deliveryDeadline),
      fundingExpiresAt: time(a.fundingExpiresAt),
      orderRef: hex(a.orderRef),
    }),
    id: (f) => `order:${f.orderId}`,
    summary: (f) =>
      `Order ${f.orderId} placed by ${f.placedBy} for hospital ${f.hospital} under agreement ${f.agreementId}: ` +
      `${f.quantity} units, delivery by ${f.deliveryDeadline}, to be funded by ${f.fundingExpiresAt}`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderApproved",
    kind: "approval",
    figures: (a) => ({
      orderId: dec(a.orderId),
      approver: hex(a.approver),
      approvals: int(a.approvals),
      required: int(a.required),
    }),
    id: (f) => `approval:${f.orderId}:${f.approver}`,
    summary: (f) => `Order ${f.orderId} approved by ${f.approver} (${f.approvals} of ${f.required})`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderFunded",
    kind: "funding",
    figures: (a) => ({ orderId: dec(a.orderId), hospital: hex(a.hospital), amount: dec(a.amount) }),
    id: (f) => `funding:${f.orderId}`,
    summary: (f) =>
      `Order ${f.orderId} funded: ${f.amount} moved from ${f.hospital} into escrow ` +
      `(its units priced at the agreement's accepted volume)`,
  }),
  spec({
    contract: "orderBook",
    event: "ExcessVolumeConsented",
    kind: "consent",
    figures: (a) => ({ orderId: dec(a.orderId), supplier: hex(a.supplier) }),
    id: (f, at) => `consent:${f.orderId}:excess${pos(at)}`,
    summary: (f) =>
      `Supplier ${f.supplier} consented to deliver order ${f.orderId} beyond the hospital's committed volume`,
  }),
  spec({
    contract: "orderBook",
    event: "LateShipmentAllowed",
    kind: "consent",
    figures: (a) => ({ orderId: dec(a.orderId), approver: hex(a.approver) }),
    id: (f, at) => `consent:${f.orderId}:late${pos(at)}`,
    summary: (f) => `${f.approver} allowed shipments of order ${f.orderId} after its delivery deadline`,
  }),
  spec({
    contract: "orderBook",
    event: "SupplierAgreedToCancel",
    kind: "cancellation",
    figures: (a) => ({ orderId: dec(a.orderId), supplier: hex(a.supplier) }),
    id: (f) => `cancellation:${f.orderId}:supplier-agreed`,
    summary: (f) => `Supplier ${f.supplier} agreed to cancel the rest of order ${f.orderId}`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderCancelled",
    kind: "cancellation",
    figures: (a) => ({
      orderId: dec(a.orderId),
      by: hex(a.by),
      units: dec(a.units),
      refund: dec(a.refund),
      status: ORDER_STATUS[int(a.status)] ?? dec(a.status),
    }),
    id: (f, at) => `cancellation:${f.orderId}${pos(at)}`,
    summary: (f) =>
      `${f.by} cancelled ${f.units} undelivered units of order ${f.orderId}; ${f.refund} refunded (order ${f.status})`,
  }),
  spec({
    contract: "orderBook",
    event: "ShipmentDisputed",
    kind: "dispute",
    figures: (a) => ({
      shipmentId: dec(a.shipmentId),
      orderId: dec(a.orderId),
      by: hex(a.by),
      units: dec(a.units),
      reasonCode: int(a.reasonCode),
    }),
    // A later dispute replaces an earlier one.
    id: (f, at) => `dispute:${f.shipmentId}${pos(at)}`,
    summary: (f) =>
      `${f.by} disputed ${f.units} units of shipment ${f.shipmentId} (reason ${f.reasonCode}): ` +
      `a supplier's claim can only settle the others`,
  }),
  spec({
    contract: "orderBook",
    event: "ShipmentSettled",
    kind: "payment",
    figures: (a) => {
      const c = obj(a.confirmation);
      const p = obj(a.payout);
      return {
        shipmentId: dec(a.shipmentId),
        orderId: dec(a.orderId),
        supplier: hex(a.supplier),
        settledBy: hex(a.settledBy),
        accepted: dec(c.accepted),
        rejected: dec(c.rejected),
        receiptHash: hex(c.receiptHash),
        gross: dec(p.gross),
        penalty: dec(p.penalty),
        paid: dec(p.paid),
        daysLate: int(p.daysLate),
        deliveredAt: time(p.deliveredAt),
      };
    },
    id: (f) => `payment:${f.shipmentId}`,
    summary: (f) =>
      `Shipment ${f.shipmentId} settled ` +
      (f.settledBy === f.supplier ? `on the supplier's claim` : `by ${f.settledBy}`) +
      `: ${f.accepted} accepted, ${f.rejected} rejected, delivered ${f.deliveredAt}; ${f.paid} paid to ` +
      `${f.supplier} (gross ${f.gross}, penalty ${f.penalty}, ${f.daysLate} days late)`,
  }),
  spec({
    contract: "orderBook",
    event: "OrderClosed",
    kind: "closure",
    figures: (a) => ({ orderId: dec(a.orderId), refund: dec(a.refund) }),
    id: (f) => `closure:${f.orderId}`,
    summary: (f) => `Order ${f.orderId} closed; ${f.refund} of escrow returned to the hospital`,
  }),

  // ---------------------------------------------------------------- shipments, trace, recalls
  spec({
    contract: "trace",
    event: "ShipmentCreated",
    kind: "shipment",
    figures: (a) => {
      const r = obj(a.record);
      return {
        shipmentId: dec(a.shipmentId),
        orderId: dec(r.orderId),
        supplier: hex(a.supplier),
        hospital: hex(r.hospital),
        lotKey: hex(a.lotKey),
        gtin: gtin14(r.gtin),
        lot: String(r.lot),
        expiry: time(r.expiry),
        quantity: dec(r.quantity),
        createdAt: time(r.createdAt),
        serialRoot: hex(r.serialRoot),
        noticeHash: hex(r.noticeHash),
      };
    },
    id: (f) => `shipment:${f.shipmentId}`,
    summary: (f) =>
      `Shipment ${f.shipmentId} against order ${f.orderId} by ${f.supplier} to ${f.hospital}: ${f.quantity} × ` +
      `GTIN ${f.gtin} lot ${f.lot}, expiry ${f.expiry}`,
  }),
  spec({
    contract: "trace",
    event: "TraceEventRecorded",
    kind: "trace",
    figures: (a) => ({
      shipmentId: dec(a.shipmentId),
      step: TRACE_STEPS[int(a.step)] ?? dec(a.step),
      actor: hex(a.actor),
      location: hex(a.location),
      eventTime: time(a.eventTime),
      sensorDigest: hex(a.sensorDigest),
      excursion: a.excursion === true,
    }),
    // `eventIndex` is not in the event: it is the step's place among the shipment's trace
    // events in chain order (block, log), which the verifier counts itself.
    id: (f, at) => `trace:${f.shipmentId}:${f.eventIndex ?? pos(at)}`,
    summary: (f) =>
      `Shipment ${f.shipmentId} ${f.step} (trace event ${f.eventIndex}) recorded by ${f.actor}` +
      (f.excursion ? "; temperature excursion reported" : ""),
    timeFigure: "eventTime",
  }),
  spec({
    contract: "trace",
    event: "ExcursionWaived",
    kind: "waiver",
    figures: (a) => ({
      shipmentId: dec(a.shipmentId),
      approver: hex(a.approver),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `waiver:${f.shipmentId}${pos(at)}`,
    summary: (f) =>
      `${f.approver} accepted shipment ${f.shipmentId} despite its temperature excursion (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "trace",
    event: "LotRecalled",
    kind: "recall",
    figures: (a) => ({
      lotKey: hex(a.lotKey),
      gtin: gtin14(a.gtin),
      lot: String(a.lot),
      scope: hex(a.scope),
      by: hex(a.by),
      reasonCode: int(a.reasonCode),
      recalledAt: time(a.recalledAt),
    }),
    // A lot may be recalled, lifted and recalled again, in more than one scope.
    id: (f, at) => `recall:${f.gtin}:${f.lot}${pos(at)}`,
    summary: (f) =>
      `Lot ${f.lot} of GTIN ${f.gtin} recalled by ${f.by} (reason ${f.reasonCode}), covering ${scopeLabel(f.scope)}`,
  }),
  spec({
    contract: "trace",
    event: "RecallLifted",
    kind: "recall",
    figures: (a) => ({
      lotKey: hex(a.lotKey),
      gtin: gtin14(a.gtin),
      lot: String(a.lot),
      scope: hex(a.scope),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `lift:${f.gtin}:${f.lot}${pos(at)}`,
    summary: (f) =>
      `Regulator ${f.regulator} lifted the recall of lot ${f.lot} of GTIN ${f.gtin} covering ${scopeLabel(f.scope)} ` +
      `(reason ${f.reasonCode})`,
  }),
]);

// ---------------------------------------------------------------------------------------------------
// Which events belong to a trail (both sides query with these lists; see trail.service.ts)
// ---------------------------------------------------------------------------------------------------

/** OrderBook events by `orderId` (topic 1). */
export const ORDER_EVENTS = [
  "OrderPlaced",
  "OrderApproved",
  "OrderFunded",
  "ExcessVolumeConsented",
  "LateShipmentAllowed",
  "SupplierAgreedToCancel",
  "OrderCancelled",
  "OrderClosed",
] as const;
/** DeliveryTrace events by `shipmentId` (topic 1). */
export const SHIPMENT_TRACE_EVENTS = ["ShipmentCreated", "TraceEventRecorded", "ExcursionWaived"] as const;
/** OrderBook events by `shipmentId` (topic 1). */
export const SHIPMENT_ORDER_EVENTS = ["ShipmentDisputed", "ShipmentSettled"] as const;
/** DeliveryTrace events by `lotKey` (topic 1) and `scope` (topic 2). */
export const RECALL_EVENTS = ["LotRecalled", "RecallLifted"] as const;
/** TenderHouse events by `tenderId` (topic 1). */
export const TENDER_EVENTS = [
  "TenderOpened",
  "BidCommitted",
  "BidRevealed",
  "BidderSkipped",
  "TenderAwarded",
  "TenderFailed",
  "TenderCancelled",
  "BondsForfeited",
  "BondWithdrawn",
  "ForfeitClaimed",
] as const;
/** OrderBook events whose transactions move an agreement's volume (AgreementVolumeChanged). */
export const VOLUME_MOVING_EVENTS = ["OrderFunded", "OrderCancelled", "ShipmentSettled"] as const;
/** SupplierRegistry events by `supplier` (topic 1). */
export const SUPPLIER_EVENTS = ["SupplierRegistered", "SupplierSuspended", "SupplierReinstated"] as const;
/** SupplierRegistry events by `supplier` (topic 2). */
export const DOCUMENT_EVENTS = [
  "DocumentFiled",
  "ProductsDeclared",
  "DocumentAttested",
  "DocumentRejected",
] as const;
/** HospitalRegistry events by `hospital` (topic 1). */
export const HOSPITAL_EVENTS = ["HospitalEnrolled", "ApprovalThresholdChanged"] as const;
/** HospitalRegistry events by `hospital` (topic 1) and `member` (topic 2). */
export const MEMBER_EVENTS = [
  "MemberInvited",
  "HospitalMemberChanged",
  "MemberLeft",
  "MemberUnbound",
] as const;

/**
 * The accounts that acted for a hospital in a trail, from its steps' figures: whose membership
 * (invitation, acceptance, role changes, leaving, unbinding) the trail shows.
 */
export function hospitalActors(steps: { event: string; figures: Figures }[]): string[] {
  const actors = new Set<string>();
  for (const { event, figures: f } of steps) {
    const who =
      event === "OrderPlaced"
        ? f.placedBy
        : event === "OrderApproved" || event === "LateShipmentAllowed" || event === "ExcursionWaived"
          ? f.approver
          : event === "OrderCancelled" || event === "ShipmentDisputed"
            ? f.by
            : event === "TraceEventRecorded"
              ? f.actor
              : event === "ShipmentSettled" && f.settledBy !== f.supplier
                ? f.settledBy
                : undefined;
    if (typeof who === "string") actors.add(who);
  }
  return [...actors].sort();
}

// ---------------------------------------------------------------------------------------------------
// Shipment records
// ---------------------------------------------------------------------------------------------------

/** A ShipmentRecord in the trail's canonical form: what DeliveryTrace stores the hash of. */
export interface ShipmentRecordView {
  orderId: string;
  supplier: string;
  hospital: string;
  gtin: string;
  expiry: string;
  quantity: string;
  createdAt: string;
  serialRoot: string;
  noticeHash: string;
  lot: string;
}

/** The record's fields out of a ShipmentCreated step's figures. */
export function recordOf(f: Figures): ShipmentRecordView {
  return {
    orderId: String(f.orderId),
    supplier: String(f.supplier),
    hospital: String(f.hospital),
    gtin: String(f.gtin),
    expiry: String(f.expiry),
    quantity: String(f.quantity),
    createdAt: String(f.createdAt),
    serialRoot: String(f.serialRoot),
    noticeHash: String(f.noticeHash),
    lot: String(f.lot),
  };
}

/** The record as the contract's calldata: what `verifySerial` and the acts on a shipment take. */
export function recordStruct(r: ShipmentRecordView) {
  const seconds = (iso: string) => BigInt(Math.floor(Date.parse(iso) / 1000));
  return {
    orderId: BigInt(r.orderId),
    supplier: r.supplier,
    hospital: r.hospital,
    gtin: BigInt(r.gtin),
    expiry: seconds(r.expiry),
    quantity: BigInt(r.quantity),
    createdAt: seconds(r.createdAt),
    serialRoot: r.serialRoot,
    noticeHash: r.noticeHash,
    lot: r.lot,
  };
}

/** keccak256(abi.encode(record)): what `DeliveryTrace.shipmentHash(id)` must return. */
export function recordHash(r: ShipmentRecordView): string {
  return shipmentRecordHash(recordStruct(r));
}
