import { ethers } from "ethers";
import * as act from "../../../../ledger/acts";
import { DOCUMENT_KINDS } from "../../../../ledger/enums";
import { DAY, enrolGeneralHospital, GTIN, LOT, STENTS, type ChainStack } from "../../support/chain";

/**
 * The ledger's story behind the trail tests, on contracts v2, up to goods received on chain:
 *
 * - The supplier is qualified for stents by three documents valid from yesterday for ten days,
 *   and renews its business licence and operating permit early: the renewals are valid from day
 *   5 for three years. A shipment on day 2 is qualified only because a renewal that overlaps the
 *   current window keeps its start (docs/ledger-rules.md, "Qualification").
 * - Its product registration lists the GTIN. A second supplier is qualified too.
 * - The regulator tenders stents for the hospital (bid bond 50 000). Both suppliers bid; only
 *   the first reveals and wins; the second's bond is forfeited and the hospital claims it.
 * - The hospital orders 10 units; the supplier consents to excess volume before funding; the
 *   approver funds it and allows late shipment.
 * - The supplier ships the 10 serials, records shipping and arriving; the receiver records
 *   receiving.
 *
 * `claimAndRecall` goes on: the settler disputes 2 units, the supplier claims the settlement of
 * the other 8 after the confirmation window; the other supplier recalls the lot for its own
 * shipments (none of this trail's), the supplier recalls its own, a regulator lifts that recall
 * and then recalls the lot for every supplier.
 */

export const BID_BOND = 50_000n;
export const DISPUTE_REASON = 11;
export const REASON = { otherRecall: 21, recall: 22, lift: 23, globalRecall: 24 };
export const FUNDING_WINDOW = 14 * DAY;
export const RECEIVING_WINDOW = DAY;
export const CONFIRM_WINDOW = 7 * DAY;
export const TIERS = [
  { threshold: 0n, unitPrice: 10_000n },
  { threshold: 100n, unitPrice: 9_000n },
];

export interface Story {
  tenderId: bigint;
  agreementId: bigint;
  orderId: bigint;
  shipmentId: bigint;
  serials: string[];
  expiry: number;
  /** The documents whose windows qualify the supplier at the shipment (renewals of kinds 0 and 1). */
  renewals: bigint[];
  /** When the supplier's first documents start. */
  qualifiedFrom: number;
}

export async function tellStory(chain: ChainStack): Promise<Story> {
  const { ledger, cast } = chain;
  const t0 = await chain.now();
  const qualifiedFrom = t0 - DAY;

  await act.registerSupplier(ledger, cast.supplier, "Acme Medical", "91310000X");
  await act.qualifySupplier(ledger, cast.regulator, cast.supplier, [STENTS], qualifiedFrom, t0 + 10 * DAY);
  const renewals: bigint[] = [];
  for (const kind of [0, 1]) {
    const id = await act.fileDocument(ledger, cast.supplier, {
      kind,
      sha256: ethers.sha256(ethers.toUtf8Bytes(`renewal:${DOCUMENT_KINDS[kind]}`)),
      validFrom: t0 + 5 * DAY,
      validUntil: t0 + 3 * 365 * DAY,
      categories: [STENTS],
    });
    await act.sent(ledger.registry.connect(cast.regulator).attestDocument(id));
    renewals.push(id);
  }
  await act.registerProducts(ledger, cast.regulator, cast.supplier, {
    gtins: [GTIN],
    categories: [STENTS],
    validFrom: qualifiedFrom,
    validUntil: t0 + 3 * 365 * DAY,
  });
  await act.registerSupplier(ledger, cast.supplier2, "Other Medical", "91310000Y");
  await act.qualifySupplier(ledger, cast.regulator, cast.supplier2, [STENTS], qualifiedFrom, t0 + 365 * DAY);

  await enrolGeneralHospital(chain, [cast.approver]);
  for (const [who, amount] of [
    [cast.hospital, 1_000_000_000n],
    [cast.supplier, 1_000_000n],
    [cast.supplier2, 1_000_000n],
  ] as const) {
    await act.sent(ledger.token.connect(cast.admin).mint(who.address, amount));
  }

  const tenderId = await act.openTender(
    ledger,
    cast.regulator,
    {
      category: STENTS,
      reservePrice: 1_000_000n,
      commitDeadline: t0 + DAY,
      revealDeadline: t0 + 2 * DAY,
      termSeconds: 365 * DAY,
      leadTimeDays: 10,
      penaltyBpsPerDay: 50,
      penaltyCapBps: 1000,
      winners: 1,
      bidBond: BID_BOND,
      fundingWindow: FUNDING_WINDOW,
      receivingWindow: RECEIVING_WINDOW,
      confirmWindow: CONFIRM_WINDOW,
    },
    [{ hospital: cast.hospital.address, volume: 1000n }],
  );
  const salt = ethers.id("salt");
  await act.commitBid(ledger, cast.supplier, tenderId, TIERS, salt);
  await act.commitBid(ledger, cast.supplier2, tenderId, [{ threshold: 0n, unitPrice: 9_500n }], salt);
  await chain.advance(DAY + 1);
  await act.revealBid(ledger, cast.supplier, tenderId, TIERS, salt);
  await chain.advance(DAY + 1);
  const [agreementId] = await act.finalizeTender(ledger, cast.admin, tenderId);
  await act.sent(ledger.tenders.connect(cast.hospital).claimForfeit(tenderId));

  const orderId = await act.placeOrder(ledger, cast.hospital, {
    agreementId,
    quantity: 10n,
    requestedDelivery: (await chain.now()) + 20 * DAY,
    reference: "PO-1",
  });
  await act.sent(ledger.orderBook.connect(cast.supplier).consentToExcess(orderId));
  await act.approveOrder(ledger, cast.approver, orderId);
  await act.sent(ledger.orderBook.connect(cast.approver).allowLateShipment(orderId));

  const serials = Array.from({ length: 10 }, (_, i) => `SN${String(i + 1).padStart(5, "0")}`);
  const expiry = t0 + 2 * 365 * DAY;
  const { shipmentId } = await act.createShipment(ledger, cast.supplier, {
    orderId,
    gtin: GTIN,
    lot: LOT,
    expiry,
    serials,
    notice: "DESADV-1",
  });
  await act.recordTrace(ledger, cast.supplier, shipmentId, "shipping", {
    location: "DC-SHANGHAI",
    eventTime: await chain.now(),
  });
  await act.recordTrace(ledger, cast.supplier, shipmentId, "arriving", {
    location: "GENERAL-HOSPITAL-DOCK",
    eventTime: await chain.now(),
    sensorLog: "2-8C all along",
  });
  await act.recordTrace(ledger, cast.receiver, shipmentId, "receiving", {
    location: "GENERAL-HOSPITAL-DOCK",
    eventTime: await chain.now(),
  });
  return { tenderId, agreementId, orderId, shipmentId, serials, expiry, renewals, qualifiedFrom };
}

export async function claimAndRecall(chain: ChainStack, story: Story): Promise<void> {
  const { ledger, cast } = chain;
  const record = await act.shipmentRecord(ledger, story.shipmentId);
  await act.sent(
    ledger.orderBook.connect(cast.settler).disputeShipment(story.shipmentId, record, 2, DISPUTE_REASON),
  );
  await chain.advance(CONFIRM_WINDOW + 1);
  await act.sent(ledger.orderBook.connect(cast.supplier).claimSettlement(story.shipmentId, record));
  const gtin = BigInt(GTIN);
  await act.sent(ledger.trace.connect(cast.supplier2).recall(gtin, LOT, REASON.otherRecall));
  await act.sent(ledger.trace.connect(cast.supplier).recall(gtin, LOT, REASON.recall));
  await act.sent(
    ledger.trace.connect(cast.regulator).liftRecall(gtin, LOT, cast.supplier.address, REASON.lift),
  );
  await act.sent(ledger.trace.connect(cast.regulator).recall(gtin, LOT, REASON.globalRecall));
}
