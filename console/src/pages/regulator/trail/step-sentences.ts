import { ZeroAddress } from "ethers";
import type { ReactNode } from "react";
import type { TrailStep } from "../../../../../api/trail";
import { kindsOf, rolesOf } from "../../../../../ledger/trail/figures";
import type { MessageKey } from "../../../i18n/en";

/**
 * The trail's step sentences, by ledger event and off-chain record: which message and which of
 * the step's figures fill it. Formatting is step-sentence.tsx's (the `Show` it passes).
 */

/**
 * A step's figures as a sentence reads them: scalars (amounts and ids as decimal strings, times
 * ISO, small counts as numbers); a list figure is read through `list`.
 */
type Figure = string | number | boolean | null;
export type Figures = Record<string, Figure>;
export type Values = Record<string, ReactNode>;

/** How a figure reads: the formatters a sentence fills its values with (step-sentence.tsx). */
export interface Show {
  account: (v: unknown) => ReactNode;
  accounts: (v: unknown) => ReactNode;
  yuan: (v: unknown) => ReactNode;
  time: (v: unknown) => ReactNode;
  day: (v: unknown) => ReactNode;
  expiry: (v: unknown) => ReactNode;
  text: (v: unknown) => ReactNode;
  /** A ledger reason code in words, from the catalogue. */
  reason: (v: unknown) => ReactNode;
  join: (items: ReactNode[]) => ReactNode;
  t: (key: MessageKey, values?: Record<string, string | number>) => string;
  tn: (key: MessageKey, values: Values) => ReactNode;
}

type Sentence = (f: Figures, show: Show) => [MessageKey, Values];

export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const scope = (f: Figures, s: Show) =>
  f.scope === ZeroAddress
    ? s.t("trail.scope.everyone")
    : s.tn("trail.scope.supplier", { supplier: s.account(f.scope) });
const item = (f: Figures): [MessageKey, Record<string, string>] =>
  f.serial
    ? ["trail.itemSerial", { gtin: String(f.gtin), lot: String(f.lot), serial: String(f.serial) }]
    : ["trail.item", { gtin: String(f.gtin), lot: String(f.lot) }];

/**
 * A ledger event's sentence, by `contract.event` (ledger/trail/events/): each names the figures
 * it shows, formatted for the reader.
 */
export const ON_CHAIN: Record<string, Sentence> = {
  "registry.SupplierRegistered": (f, s) => [
    "trail.step.registry.SupplierRegistered",
    { supplier: s.account(f.supplier), name: s.text(f.name), registrationId: s.text(f.registrationId) },
  ],
  "registry.DocumentFiled": (f, s) => [
    "trail.step.registry.DocumentFiled",
    {
      supplier: s.account(f.supplier),
      documentId: f.documentId,
      kind: s.t(`regulator.documents.kind.${f.kind}` as MessageKey),
      validFrom: s.day(f.validFrom),
      validUntil: s.day(f.validUntil),
      categories: s.join(list(f.categories).map(s.text)),
    },
  ],
  "registry.ProductsDeclared": (f, s) => [
    "trail.step.registry.ProductsDeclared",
    { supplier: s.account(f.supplier), documentId: f.documentId, gtins: s.join(list(f.gtins).map(String)) },
  ],
  "registry.DeviceIdentifierDeclared": (f, s) => [
    "trail.step.registry.DeviceIdentifierDeclared",
    {
      supplier: s.account(f.supplier),
      agency: String(f.agency),
      deviceIdentifier: String(f.deviceIdentifier),
      productKey: String(f.productKey),
    },
  ],
  "registry.DocumentAttested": (f, s) => [
    "trail.step.registry.DocumentAttested",
    { regulator: s.account(f.regulator), documentId: f.documentId, supplier: s.account(f.supplier) },
  ],
  "registry.GtinRegistered": (f, s) => [
    "trail.step.registry.GtinRegistered",
    {
      gtin: f.gtin,
      supplier: s.account(f.supplier),
      validFrom: s.day(f.validFrom),
      validUntil: s.day(f.validUntil),
      documentId: f.documentId,
    },
  ],
  "registry.DocumentRejected": (f, s) => [
    "trail.step.registry.DocumentRejected",
    {
      regulator: s.account(f.regulator),
      documentId: f.documentId,
      supplier: s.account(f.supplier),
      reason: s.reason(f.reasonCode),
    },
  ],
  "registry.SupplierSuspended": (f, s) => [
    "trail.step.registry.SupplierSuspended",
    { regulator: s.account(f.regulator), supplier: s.account(f.supplier), reason: s.reason(f.reasonCode) },
  ],
  "registry.SupplierReinstated": (f, s) => [
    "trail.step.registry.SupplierReinstated",
    { regulator: s.account(f.regulator), supplier: s.account(f.supplier), reason: s.reason(f.reasonCode) },
  ],
  "registry.RequiredKindsChanged": (f, s) => [
    "trail.step.registry.RequiredKindsChanged",
    {
      regulator: s.account(f.regulator),
      kinds: s.join(
        kindsOf(Number(f.requiredKinds)).map((k) => s.t(`regulator.documents.kind.${k}` as MessageKey)),
      ),
    },
  ],
  "tenders.TenderOpened": (f, s) => [
    "trail.step.tenders.TenderOpened",
    {
      regulator: s.account(f.regulator),
      tenderId: f.tenderId,
      category: s.text(f.category),
      reservePrice: s.yuan(f.reservePrice),
      bidBond: s.yuan(f.bidBond),
      hospitals: list(f.hospitals).length,
      commitDeadline: s.time(f.commitDeadline),
    },
  ],
  "tenders.BidCommitted": (f, s) => [
    f.bond === "0" ? "trail.step.tenders.BidCommittedBondHeld" : "trail.step.tenders.BidCommitted",
    { bidder: s.account(f.bidder), tenderId: f.tenderId, bond: s.yuan(f.bond) },
  ],
  "tenders.BidRevealed": (f, s) => [
    "trail.step.tenders.BidRevealed",
    {
      bidder: s.account(f.bidder),
      tenderId: f.tenderId,
      bond: s.yuan(f.bondReturned),
      tiers: s.join(
        list(f.tiers).map((tier) => {
          const { unitPrice, threshold } = tier as Figures;
          return s.t("trail.tier", { price: String(s.yuan(unitPrice)), threshold: String(threshold) });
        }),
      ),
    },
  ],
  "tenders.BidderSkipped": (f, s) => [
    "trail.step.tenders.BidderSkipped",
    { bidder: s.account(f.bidder), tenderId: f.tenderId },
  ],
  "tenders.TenderAwarded": (f, s) => [
    "trail.step.tenders.TenderAwarded",
    {
      tenderId: f.tenderId,
      winners: s.accounts(f.winners),
      agreements: s.join(list(f.agreementIds).map(String)),
    },
  ],
  "tenders.TenderFailed": (f) => ["trail.step.tenders.TenderFailed", { tenderId: f.tenderId }],
  "tenders.TenderCancelled": (f, s) => [
    "trail.step.tenders.TenderCancelled",
    { regulator: s.account(f.regulator), tenderId: f.tenderId, reason: s.reason(f.reasonCode) },
  ],
  "tenders.BondsForfeited": (f, s) => [
    "trail.step.tenders.BondsForfeited",
    { bidders: s.accounts(f.bidders), amount: s.yuan(f.amount), tenderId: f.tenderId },
  ],
  "tenders.BondWithdrawn": (f, s) => [
    "trail.step.tenders.BondWithdrawn",
    { bidder: s.account(f.bidder), amount: s.yuan(f.amount), tenderId: f.tenderId },
  ],
  "tenders.ForfeitClaimed": (f, s) => [
    "trail.step.tenders.ForfeitClaimed",
    { hospital: s.account(f.hospital), amount: s.yuan(f.amount), tenderId: f.tenderId },
  ],
  "agreements.AgreementCreated": (f, s) => [
    "trail.step.agreements.AgreementCreated",
    {
      agreementId: f.agreementId,
      tenderId: f.tenderId,
      supplier: s.account(f.supplier),
      category: s.text(f.category),
      start: s.time(f.start),
      end: s.time(f.end),
    },
  ],
  "agreements.AgreementVolumeChanged": (f, s) => [
    "trail.step.agreements.AgreementVolumeChanged",
    {
      hospital: s.account(f.hospital),
      funded: f.hospitalFunded,
      agreementId: f.agreementId,
      accepted: f.acceptedVolume,
    },
  ],
  "hospitals.HospitalEnrolled": (f, s) => [
    "trail.step.hospitals.HospitalEnrolled",
    { regulator: s.account(f.regulator), hospital: s.account(f.hospital) },
  ],
  "hospitals.ApprovalThresholdChanged": (f, s) => [
    "trail.step.hospitals.ApprovalThresholdChanged",
    { hospital: s.account(f.hospital), threshold: s.yuan(f.threshold) },
  ],
  "hospitals.MemberInvited": (f, s) => [
    Number(f.roles) === 0
      ? "trail.step.hospitals.MemberInvitationWithdrawn"
      : "trail.step.hospitals.MemberInvited",
    { hospital: s.account(f.hospital), member: s.account(f.member), roles: roles(f, s) },
  ],
  "hospitals.HospitalMemberChanged": (f, s) => [
    Number(f.roles) === 0
      ? "trail.step.hospitals.HospitalMemberRemoved"
      : "trail.step.hospitals.HospitalMemberChanged",
    { hospital: s.account(f.hospital), member: s.account(f.member), roles: roles(f, s) },
  ],
  "hospitals.MemberLeft": (f, s) => [
    "trail.step.hospitals.MemberLeft",
    { hospital: s.account(f.hospital), member: s.account(f.member) },
  ],
  "hospitals.MemberUnbound": (f, s) => [
    "trail.step.hospitals.MemberUnbound",
    {
      regulator: s.account(f.regulator),
      member: s.account(f.member),
      hospital: s.account(f.hospital),
      reason: s.reason(f.reasonCode),
    },
  ],
  "orderBook.OrderPlaced": (f, s) => [
    "trail.step.orderBook.OrderPlaced",
    {
      orderId: f.orderId,
      placedBy: s.account(f.placedBy),
      hospital: s.account(f.hospital),
      agreementId: f.agreementId,
      quantity: f.quantity,
      deliveryDeadline: s.time(f.deliveryDeadline),
      fundingExpiresAt: s.time(f.fundingExpiresAt),
    },
  ],
  "orderBook.OrderApproved": (f, s) => [
    "trail.step.orderBook.OrderApproved",
    { orderId: f.orderId, approver: s.account(f.approver), approvals: f.approvals, required: f.required },
  ],
  "orderBook.OrderFunded": (f, s) => [
    "trail.step.orderBook.OrderFunded",
    { orderId: f.orderId, amount: s.yuan(f.amount), hospital: s.account(f.hospital) },
  ],
  "orderBook.ExcessVolumeConsented": (f, s) => [
    "trail.step.orderBook.ExcessVolumeConsented",
    { supplier: s.account(f.supplier), orderId: f.orderId },
  ],
  "orderBook.LateShipmentAllowed": (f, s) => [
    "trail.step.orderBook.LateShipmentAllowed",
    { approver: s.account(f.approver), orderId: f.orderId },
  ],
  "orderBook.SupplierAgreedToCancel": (f, s) => [
    "trail.step.orderBook.SupplierAgreedToCancel",
    { supplier: s.account(f.supplier), orderId: f.orderId },
  ],
  "orderBook.OrderCancelled": (f, s) => [
    "trail.step.orderBook.OrderCancelled",
    {
      by: s.account(f.by),
      units: f.units,
      orderId: f.orderId,
      refund: s.yuan(f.refund),
      status: s.t(`hospital.orderStatus.${f.status}` as MessageKey),
    },
  ],
  "orderBook.ShipmentDisputed": (f, s) => [
    "trail.step.orderBook.ShipmentDisputed",
    { by: s.account(f.by), units: f.units, shipmentId: f.shipmentId, reason: s.reason(f.reasonCode) },
  ],
  "orderBook.ShipmentSettled": (f, s) => [
    f.settledBy === f.supplier
      ? "trail.step.orderBook.ShipmentSettledOnClaim"
      : "trail.step.orderBook.ShipmentSettled",
    {
      shipmentId: f.shipmentId,
      settledBy: s.account(f.settledBy),
      accepted: f.accepted,
      rejected: f.rejected,
      deliveredAt: s.time(f.deliveredAt),
      paid: s.yuan(f.paid),
      supplier: s.account(f.supplier),
      gross: s.yuan(f.gross),
      penalty: s.yuan(f.penalty),
      daysLate: f.daysLate,
    },
  ],
  "orderBook.OrderClosed": (f, s) => [
    "trail.step.orderBook.OrderClosed",
    { orderId: f.orderId, refund: s.yuan(f.refund) },
  ],
  "trace.ShipmentCreated": (f, s) => [
    "trail.step.trace.ShipmentCreated",
    {
      shipmentId: f.shipmentId,
      orderId: f.orderId,
      supplier: s.account(f.supplier),
      hospital: s.account(f.hospital),
      quantity: f.quantity,
      item: s.t(...item(f)),
      expiry: s.expiry(f.expiry),
    },
  ],
  "trace.TraceEventRecorded": (f, s) => [
    f.excursion ? "trail.step.trace.TraceEventRecordedExcursion" : "trail.step.trace.TraceEventRecorded",
    {
      shipmentId: f.shipmentId,
      step: s.t(`hospital.step.${f.step}` as MessageKey),
      index: f.eventIndex,
      actor: s.account(f.actor),
    },
  ],
  "trace.ShipmentDeemedReceived": (f, s) => [
    "trail.step.trace.ShipmentDeemedReceived",
    { shipmentId: f.shipmentId, receivedAt: s.time(f.receivedAt) },
  ],
  "trace.ExcursionWaived": (f, s) => [
    "trail.step.trace.ExcursionWaived",
    { approver: s.account(f.approver), shipmentId: f.shipmentId, reason: s.reason(f.reasonCode) },
  ],
  "budgets.BudgetSet": (f, s) => [
    "trail.step.budgets.BudgetSet",
    {
      hospital: s.account(f.hospital),
      period: f.period,
      category: s.text(f.category),
      amount: s.yuan(f.amount),
    },
  ],
  "budgets.BudgetAdjusted": (f, s) => [
    "trail.step.budgets.BudgetAdjusted",
    {
      proposer: s.account(f.proposer),
      confirmer: s.account(f.confirmer),
      hospital: s.account(f.hospital),
      period: f.period,
      category: s.text(f.category),
      delta: s.yuan(f.delta),
      newAmount: s.yuan(f.newAmount),
      reason: s.reason(f.reasonCode),
    },
  ],
  "budgets.BudgetCharged": (f, s) => [
    "trail.step.budgets.BudgetCharged",
    {
      orderId: f.orderId,
      amount: s.yuan(f.amount),
      hospital: s.account(f.hospital),
      period: f.period,
      category: s.text(f.category),
      spent: s.yuan(f.spent),
    },
  ],
  "budgets.BudgetReturned": (f, s) => [
    "trail.step.budgets.BudgetReturned",
    {
      amount: s.yuan(f.amount),
      orderId: f.orderId,
      hospital: s.account(f.hospital),
      period: f.period,
      category: s.text(f.category),
      spent: s.yuan(f.spent),
    },
  ],
  "campusTransfers.CampusTransferRecorded": (f, s) => [
    "trail.step.campusTransfers.CampusTransferRecorded",
    {
      quantity: f.quantity,
      lot: f.lot,
      gtin: f.gtin,
      from: s.text(f.fromGln),
      to: s.text(f.toGln),
      hospital: s.account(f.hospital),
      by: s.account(f.recordedBy),
    },
  ],
  "trace.LotRecalled": (f, s) => [
    "trail.step.trace.LotRecalled",
    { lot: f.lot, gtin: f.gtin, by: s.account(f.by), reason: s.reason(f.reasonCode), scope: scope(f, s) },
  ],
  "trace.RecallLifted": (f, s) => [
    "trail.step.trace.RecallLifted",
    {
      regulator: s.account(f.regulator),
      lot: f.lot,
      gtin: f.gtin,
      scope: scope(f, s),
      reason: s.reason(f.reasonCode),
    },
  ],
};

function roles(f: Figures, s: Show): ReactNode {
  return s.join(rolesOf(Number(f.roles)).map((r) => s.t(`role.hospital-${r}` as MessageKey)));
}

/** An off-chain record's sentence, by the gateway table it comes from (and its kind). */
export function offChain(step: TrailStep, f: Figures, s: Show): [MessageKey, Values] | null {
  switch (step.source) {
    case "gateway.manifests":
      return [
        "trail.step.manifest",
        {
          shipmentId: f.shipmentId,
          uploadedBy: s.account(f.uploadedBy),
          count: f.serialCount,
          root: s.account(f.serialRoot),
        },
      ];
    case "gateway.receipts":
      return [
        "trail.step.receipt",
        {
          receiptNo: f.receiptNo,
          shipmentId: f.shipmentId,
          hospital: s.account(f.hospital),
          received: f.received,
          accepted: (BigInt(String(f.received)) - BigInt(String(f.rejected))).toString(),
          rejected: f.rejected,
        },
      ];
    case "gateway.matches":
      return [
        "trail.step.match",
        {
          receiptNo: f.receiptNo,
          shipmentId: f.shipmentId,
          status: s.t(`trail.match.${f.status}` as MessageKey),
          accepted: f.accepted,
          rejected: f.rejected,
        },
      ];
    case "gateway.exceptions":
      return step.kind === "resolution"
        ? [
            "trail.step.resolution",
            {
              exceptionId: f.exceptionId,
              resolvedBy: f.resolvedBy === null ? "—" : s.account(f.resolvedBy),
              resolution: s.t(`trail.resolution.${f.resolution}` as MessageKey),
              accepted: f.resolvedAccepted ?? "0",
            },
          ]
        : [
            "trail.step.exception",
            {
              exceptionId: f.exceptionId,
              shipmentId: f.shipmentId,
              source: s.t(`trail.source.${f.source}` as MessageKey),
              reasons: s.join(
                list(f.reasons).map((r) => s.t(`hospital.reason.${(r as Figures).code}` as MessageKey)),
              ),
              status: s.t(`hospital.exceptionStatus.${f.status}` as MessageKey),
            },
          ];
    case "gateway.settlement_jobs":
      return [
        "trail.step.paymentJob",
        {
          shipmentId: f.shipmentId,
          accepted: f.accepted,
          status: s.t(`trail.job.${f.status}` as MessageKey),
        },
      ];
    case "gateway.usages": {
      const quantity = Number(f.quantity);
      const common = {
        hospital: s.account(f.hospital),
        quantity: Math.abs(quantity),
        item: s.t(...item(f)),
        amount: s.yuan(f.billedAmount),
      };
      return quantity < 0
        ? ["trail.step.usageReturn", { ...common, corrects: f.correctsUsageId }]
        : ["trail.step.usage", { ...common, department: f.department, code: f.billingCode }];
    }
    default:
      return null;
  }
}
