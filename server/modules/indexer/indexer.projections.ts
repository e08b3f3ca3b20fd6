import type { Db } from "../../db";
import type { EventArgs, JsonValue } from "../../../ledger/events";
import { DOCUMENT_KINDS, ISSUING_AGENCIES, ORDER_STATUS, TRACE_STEPS } from "../../../ledger/enums";

/**
 * Projections: how each ledger event changes the gateway's read model. Every handler is a
 * plain SQL change keyed by the event's own ids, applied exactly once per stored event (the
 * caller only applies events it has just inserted) and in block and log order, so replaying
 * the event log from scratch rebuilds the same tables.
 */

export interface StoredEvent {
  contract: string;
  event: string;
  args: EventArgs;
  blockNumber: number;
  blockTime: Date;
  txHash: string;
  logIndex: number;
}

type Handler = (db: Db, e: StoredEvent) => Promise<void>;

const str = (v: JsonValue | undefined): string => String(v);
const num = (v: JsonValue | undefined): number => Number(v);
/** Seconds since the epoch (as a decimal string) to an ISO timestamp. */
const iso = (v: JsonValue | undefined): string => new Date(Number(v) * 1000).toISOString();
const json = (v: JsonValue | undefined): string => JSON.stringify(v ?? null);
const obj = (v: JsonValue | undefined): Record<string, JsonValue> => v as Record<string, JsonValue>;
/** GTINs travel as integers on-chain; everywhere else they are 14-digit strings. */
export const gtin14 = (v: JsonValue | undefined): string => String(v).padStart(14, "0");
/** GLNs travel as integers on-chain (the contract takes none below 10^12): 13 digits. */
const gln13 = (v: JsonValue | undefined): string => String(v);

const handlers: Record<string, Handler> = {
  "registry.SupplierRegistered": async (db, e) => {
    await db.query(
      `INSERT INTO suppliers (address, name, registration_id, status, registered_at, last_tx, last_block)
       VALUES ($1, $2, $3, 'active', $4, $5, $6)`,
      [
        str(e.args.supplier),
        str(e.args.name),
        str(e.args.registrationId),
        iso(e.args.registeredAt),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "registry.DocumentFiled": async (db, e) => {
    await db.query(
      `INSERT INTO supplier_documents
         (id, supplier, kind, sha256, valid_from, valid_until, categories, status, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)`,
      [
        str(e.args.documentId),
        str(e.args.supplier),
        DOCUMENT_KINDS[num(e.args.kind)],
        str(e.args.sha256Digest),
        iso(e.args.validFrom),
        iso(e.args.validUntil),
        json(e.args.categories),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "registry.ProductsDeclared": async (db, e) => {
    await db.query(`UPDATE supplier_documents SET gtins = $2, last_tx = $3, last_block = $4 WHERE id = $1`, [
      str(e.args.documentId),
      JSON.stringify((e.args.gtins as JsonValue[]).map(gtin14)),
      e.txHash,
      e.blockNumber,
    ]);
  },
  "registry.GtinRegistered": async (db, e) => {
    // Emitted only when the document becomes the GTIN's current registration: it replaces the
    // previous one (SupplierRegistry's current-document rule).
    await db.query(
      `INSERT INTO supplier_gtins (supplier, gtin, document_id, valid_from, valid_until) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (supplier, gtin) DO UPDATE SET document_id = EXCLUDED.document_id,
         valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until`,
      [
        str(e.args.supplier),
        gtin14(e.args.gtin),
        str(e.args.documentId),
        iso(e.args.validFrom),
        iso(e.args.validUntil),
      ],
    );
  },
  "registry.DeviceIdentifierDeclared": async (db, e) => {
    await db.query(
      `INSERT INTO device_identifiers (product_key, agency, device_identifier, declared_by, declared_at, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        str(e.args.productKey),
        ISSUING_AGENCIES[num(e.args.agency)],
        str(e.args.deviceIdentifier),
        str(e.args.supplier),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "registry.DocumentAttested": async (db, e) => {
    await db.query(
      `UPDATE supplier_documents SET status = 'attested', decided_by = $2, last_tx = $3, last_block = $4 WHERE id = $1`,
      [str(e.args.documentId), str(e.args.regulator), e.txHash, e.blockNumber],
    );
  },
  "registry.DocumentRejected": async (db, e) => {
    await db.query(
      `UPDATE supplier_documents SET status = 'rejected', decided_by = $2, reason_code = $3, last_tx = $4, last_block = $5
       WHERE id = $1`,
      [str(e.args.documentId), str(e.args.regulator), num(e.args.reasonCode), e.txHash, e.blockNumber],
    );
  },
  "registry.SupplierSuspended": (db, e) => supplierStatus(db, e, "suspended"),
  "registry.SupplierReinstated": (db, e) => supplierStatus(db, e, "active"),
  "registry.RequiredKindsChanged": async (db, e) => {
    await db.query(
      `INSERT INTO required_kinds (id, kinds, last_tx, last_block) VALUES (1, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET kinds = EXCLUDED.kinds, last_tx = EXCLUDED.last_tx, last_block = EXCLUDED.last_block`,
      [num(e.args.requiredKinds), e.txHash, e.blockNumber],
    );
  },

  "tenders.TenderOpened": async (db, e) => {
    const t = obj(e.args.terms);
    const hospitals = (e.args.hospitals as string[]).map((hospital, i) => ({
      hospital,
      volume: (e.args.volumes as string[])[i],
      forfeitClaimed: "0",
    }));
    await db.query(
      `INSERT INTO tenders (id, category, reserve_price, commit_deadline, reveal_deadline, term_seconds, lead_time_days,
         penalty_bps_per_day, penalty_cap_bps, winners, bid_bond, funding_window, receiving_window, confirm_window,
         hospitals, status, opened_by, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open', $16, $17, $18)`,
      [
        str(e.args.tenderId),
        str(t.category),
        str(t.reservePrice),
        iso(t.commitDeadline),
        iso(t.revealDeadline),
        str(t.termSeconds),
        num(t.leadTimeDays),
        num(t.penaltyBpsPerDay),
        num(t.penaltyCapBps),
        num(t.winners),
        str(t.bidBond),
        num(t.fundingWindow),
        num(t.receivingWindow),
        num(t.confirmWindow),
        JSON.stringify(hospitals),
        str(e.args.regulator),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "tenders.BidCommitted": async (db, e) => {
    // A replacing commitment takes no second bond (its event carries 0): the first one stands.
    await db.query(
      `INSERT INTO bids (tender_id, bidder, commitment, committed_at, bond, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tender_id, bidder) DO UPDATE SET commitment = EXCLUDED.commitment,
         committed_at = EXCLUDED.committed_at, last_tx = EXCLUDED.last_tx, last_block = EXCLUDED.last_block`,
      [
        str(e.args.tenderId),
        str(e.args.bidder),
        str(e.args.commitment),
        e.blockTime.toISOString(),
        str(e.args.bond),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "tenders.BidRevealed": async (db, e) => {
    await db.query(
      `UPDATE bids SET revealed = TRUE, tiers = $3, bond_returned = TRUE, last_tx = $4, last_block = $5
       WHERE tender_id = $1 AND bidder = $2`,
      [str(e.args.tenderId), str(e.args.bidder), json(e.args.tiers), e.txHash, e.blockNumber],
    );
  },
  "tenders.BondWithdrawn": async (db, e) => {
    await db.query(
      `UPDATE bids SET bond_returned = TRUE, last_tx = $3, last_block = $4 WHERE tender_id = $1 AND bidder = $2`,
      [str(e.args.tenderId), str(e.args.bidder), e.txHash, e.blockNumber],
    );
  },
  "tenders.BondsForfeited": async (db, e) => {
    await db.query(`UPDATE tenders SET forfeited = $2, last_tx = $3, last_block = $4 WHERE id = $1`, [
      str(e.args.tenderId),
      str(e.args.amount),
      e.txHash,
      e.blockNumber,
    ]);
  },
  "tenders.ForfeitClaimed": async (db, e) => {
    // The claiming hospital's entry of the tender's hospital list records its share.
    await db.query(
      `UPDATE tenders SET hospitals = (
         SELECT jsonb_agg(CASE WHEN h->>'hospital' = $2 THEN h || jsonb_build_object('forfeitClaimed', $3::text) ELSE h END
           ORDER BY i)
         FROM jsonb_array_elements(hospitals) WITH ORDINALITY AS x(h, i)),
         last_tx = $4, last_block = $5
       WHERE id = $1`,
      [str(e.args.tenderId), str(e.args.hospital), str(e.args.amount), e.txHash, e.blockNumber],
    );
  },
  "tenders.BidderSkipped": async (db, e) => {
    await db.query(
      `UPDATE bids SET skipped = TRUE, last_tx = $3, last_block = $4 WHERE tender_id = $1 AND bidder = $2`,
      [str(e.args.tenderId), str(e.args.bidder), e.txHash, e.blockNumber],
    );
  },
  "tenders.TenderAwarded": async (db, e) => {
    await tenderStatus(db, e, "awarded");
    await db.query(
      `UPDATE bids SET won = TRUE, last_tx = $3, last_block = $4 WHERE tender_id = $1 AND bidder = ANY($2::text[])`,
      [str(e.args.tenderId), e.args.winners as string[], e.txHash, e.blockNumber],
    );
  },
  "tenders.TenderFailed": (db, e) => tenderStatus(db, e, "failed"),
  "tenders.TenderCancelled": (db, e) => tenderStatus(db, e, "cancelled"),

  // The agreement book emits these inside the tender house's award and the order book's acts.
  "agreements.AgreementCreated": async (db, e) => {
    await db.query(
      `INSERT INTO agreements (id, tender_id, supplier, category, start_at, end_at, tiers, lead_time_days,
         penalty_bps_per_day, penalty_cap_bps, funding_window, receiving_window, confirm_window, last_tx, last_block)
       SELECT $1, $2, $3, $4, $5, $6, $7, t.lead_time_days, t.penalty_bps_per_day, t.penalty_cap_bps,
         t.funding_window, t.receiving_window, t.confirm_window, $8, $9
       FROM tenders t WHERE t.id = $2`,
      [
        str(e.args.agreementId),
        str(e.args.tenderId),
        str(e.args.supplier),
        str(e.args.category),
        iso(e.args.start),
        iso(e.args.end),
        json(e.args.tiers),
        e.txHash,
        e.blockNumber,
      ],
    );
    const hospitals = e.args.hospitals as string[];
    const volumes = e.args.volumes as string[];
    for (let i = 0; i < hospitals.length; i++) {
      await db.query(
        `INSERT INTO agreement_hospitals (agreement_id, hospital, committed) VALUES ($1, $2, $3)`,
        [str(e.args.agreementId), hospitals[i], volumes[i]],
      );
    }
  },
  "agreements.AgreementVolumeChanged": async (db, e) => {
    // Emitted only when a hospital's funded volume changes: accepted units come from
    // ShipmentSettled. The agreement's funded volume is its hospitals' sum, kept with them.
    await db.query(
      `INSERT INTO agreement_hospitals (agreement_id, hospital, ordered) VALUES ($1, $2, $3)
       ON CONFLICT (agreement_id, hospital) DO UPDATE SET ordered = EXCLUDED.ordered`,
      [str(e.args.agreementId), str(e.args.hospital), str(e.args.hospitalFunded)],
    );
    await db.query(
      `UPDATE agreements SET funded_volume = (SELECT sum(ordered) FROM agreement_hospitals WHERE agreement_id = $1),
         last_tx = $2, last_block = $3
       WHERE id = $1`,
      [str(e.args.agreementId), e.txHash, e.blockNumber],
    );
  },

  "hospitals.HospitalEnrolled": async (db, e) => {
    await db.query(
      `INSERT INTO hospitals (address, name_hash, enrolled_by, enrolled_at, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        str(e.args.hospital),
        str(e.args.nameHash),
        str(e.args.regulator),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "hospitals.MemberInvited": async (db, e) => {
    if (num(e.args.roles) === 0) {
      await db.query(`DELETE FROM hospital_invitations WHERE hospital = $1 AND member = $2`, [
        str(e.args.hospital),
        str(e.args.member),
      ]);
      return;
    }
    await db.query(
      `INSERT INTO hospital_invitations (hospital, member, roles, invited_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (hospital, member) DO UPDATE SET roles = EXCLUDED.roles, invited_at = EXCLUDED.invited_at`,
      [str(e.args.hospital), str(e.args.member), num(e.args.roles), e.blockTime.toISOString()],
    );
  },
  "hospitals.HospitalMemberChanged": async (db, e) => {
    // Joining uses the invitation up; a member has no invitation of its own hospital otherwise.
    await db.query(`DELETE FROM hospital_invitations WHERE hospital = $1 AND member = $2`, [
      str(e.args.hospital),
      str(e.args.member),
    ]);
    if (num(e.args.roles) === 0) {
      await db.query(`DELETE FROM hospital_members WHERE hospital = $1 AND member = $2`, [
        str(e.args.hospital),
        str(e.args.member),
      ]);
      return;
    }
    await db.query(
      `INSERT INTO hospital_members (hospital, member, roles, last_tx, last_block) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (hospital, member) DO UPDATE SET roles = EXCLUDED.roles, last_tx = EXCLUDED.last_tx,
         last_block = EXCLUDED.last_block`,
      [str(e.args.hospital), str(e.args.member), num(e.args.roles), e.txHash, e.blockNumber],
    );
  },
  "hospitals.ApprovalThresholdChanged": async (db, e) => {
    await db.query(
      `UPDATE hospitals SET approval_threshold = $2, last_tx = $3, last_block = $4 WHERE address = $1`,
      [str(e.args.hospital), str(e.args.threshold), e.txHash, e.blockNumber],
    );
  },

  "budgets.BudgetSet": async (db, e) => {
    await db.query(
      `INSERT INTO budgets (hospital, category, period, amount, set_at, set_tx, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
      [
        str(e.args.hospital),
        str(e.args.category),
        num(e.args.period),
        str(e.args.amount),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "budgets.BudgetAdjustmentProposed": async (db, e) => {
    await db.query(
      `INSERT INTO budget_adjustments (id, hospital, category, period, delta, reason_code, proposer, proposed_at,
         proposed_tx, status, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'proposed', $9, $10)`,
      [
        str(e.args.adjustmentId),
        str(e.args.hospital),
        str(e.args.category),
        num(e.args.period),
        str(e.args.delta),
        num(e.args.reasonCode),
        str(e.args.proposer),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "budgets.BudgetAdjusted": async (db, e) => {
    await db.query(
      `UPDATE budget_adjustments SET status = 'applied', decided_by = $2, decided_at = $3, new_amount = $4,
         last_tx = $5, last_block = $6
       WHERE id = $1`,
      [
        str(e.args.adjustmentId),
        str(e.args.confirmer),
        e.blockTime.toISOString(),
        str(e.args.newAmount),
        e.txHash,
        e.blockNumber,
      ],
    );
    await db.query(
      `UPDATE budgets SET amount = $4, last_tx = $5, last_block = $6
       WHERE hospital = $1 AND category = $2 AND period = $3`,
      [
        str(e.args.hospital),
        str(e.args.category),
        num(e.args.period),
        str(e.args.newAmount),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "budgets.BudgetAdjustmentWithdrawn": async (db, e) => {
    await db.query(
      `UPDATE budget_adjustments SET status = 'withdrawn', decided_by = $2, decided_at = $3, last_tx = $4,
         last_block = $5
       WHERE id = $1`,
      [str(e.args.adjustmentId), str(e.args.by), e.blockTime.toISOString(), e.txHash, e.blockNumber],
    );
  },
  // Both state the budget's spent amount after them: the projection copies it.
  "budgets.BudgetCharged": (db, e) => budgetSpent(db, e),
  "budgets.BudgetReturned": (db, e) => budgetSpent(db, e),

  "campusTransfers.CampusTransferRecorded": async (db, e) => {
    await db.query(
      `INSERT INTO campus_transfers (id, hospital, from_gln, to_gln, gtin, lot, quantity, serials_root, recorded_by,
         recorded_at, tx_hash, block_number, log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        str(e.args.transferId),
        str(e.args.hospital),
        gln13(e.args.fromGln),
        gln13(e.args.toGln),
        gtin14(e.args.gtin),
        str(e.args.lot),
        str(e.args.quantity),
        str(e.args.serialRoot),
        str(e.args.recordedBy),
        iso(e.args.at),
        e.txHash,
        e.blockNumber,
        e.logIndex,
      ],
    );
  },

  "orderBook.OrderPlaced": async (db, e) => {
    // Placing prices nothing: the value is the escrow funding takes (OrderFunded).
    await db.query(
      `INSERT INTO orders (id, agreement_id, hospital, supplier, placed_by, quantity, value, requested_delivery,
         delivery_deadline, funding_expires_at, order_ref, status, placed_at, last_tx, last_block)
       SELECT $1, $2, $3, a.supplier, $4, $5, 0, $6, $7, $8, $9, 'placed', $10, $11, $12
       FROM agreements a WHERE a.id = $2`,
      [
        str(e.args.orderId),
        str(e.args.agreementId),
        str(e.args.hospital),
        str(e.args.placedBy),
        str(e.args.quantity),
        iso(e.args.requestedDelivery),
        iso(e.args.deliveryDeadline),
        iso(e.args.fundingExpiresAt),
        str(e.args.orderRef),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "orderBook.OrderApproved": async (db, e) => {
    await db.query(
      `INSERT INTO order_approvals (order_id, approver, approvals, required, approved_at, tx_hash, block_number, log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        str(e.args.orderId),
        str(e.args.approver),
        num(e.args.approvals),
        num(e.args.required),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
        e.logIndex,
      ],
    );
    await db.query(
      `UPDATE orders SET approvals = $2, required_approvals = $3, last_tx = $4, last_block = $5 WHERE id = $1`,
      [str(e.args.orderId), num(e.args.approvals), num(e.args.required), e.txHash, e.blockNumber],
    );
  },
  "orderBook.OrderFunded": async (db, e) => {
    await db.query(
      `UPDATE orders SET status = 'funded', value = $2, escrow = $2, funded_at = $3, last_tx = $4, last_block = $5
       WHERE id = $1`,
      [str(e.args.orderId), str(e.args.amount), e.blockTime.toISOString(), e.txHash, e.blockNumber],
    );
  },
  "orderBook.ExcessVolumeConsented": async (db, e) => {
    await db.query(`UPDATE orders SET excess_consented = TRUE, last_tx = $2, last_block = $3 WHERE id = $1`, [
      str(e.args.orderId),
      e.txHash,
      e.blockNumber,
    ]);
  },
  "orderBook.LateShipmentAllowed": async (db, e) => {
    await db.query(
      `UPDATE orders SET late_shipment_allowed = TRUE, last_tx = $2, last_block = $3 WHERE id = $1`,
      [str(e.args.orderId), e.txHash, e.blockNumber],
    );
  },
  "orderBook.OrderCancelled": async (db, e) => {
    const status = ORDER_STATUS[num(e.args.status)];
    // A cancellation that completes the order emits OrderClosed first, carrying the same
    // refund: only a cancellation before any shipment (status cancelled) releases it here.
    await db.query(
      `UPDATE orders SET cancelled = cancelled + $2,
         escrow = escrow - CASE WHEN $4 = 'cancelled' THEN $3::numeric ELSE 0 END,
         cancel_requested = TRUE, status = $4,
         closed_at = CASE WHEN $4 IN ('closed', 'cancelled') THEN $5::timestamptz ELSE closed_at END,
         last_tx = $6, last_block = $7
       WHERE id = $1`,
      [
        str(e.args.orderId),
        str(e.args.units),
        str(e.args.refund),
        status,
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "orderBook.ShipmentSettled": async (db, e) => {
    const c = obj(e.args.confirmation);
    const p = obj(e.args.payout);
    await db.query(
      `INSERT INTO settlements (shipment_id, order_id, supplier, settled_by, accepted, rejected, delivered_at,
         receipt_hash, gross, penalty, paid, days_late, paid_at, tx_hash, block_number, log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        str(e.args.shipmentId),
        str(e.args.orderId),
        str(e.args.supplier),
        str(e.args.settledBy),
        str(c.accepted),
        str(c.rejected),
        iso(p.deliveredAt),
        str(c.receiptHash),
        str(p.gross),
        str(p.penalty),
        str(p.paid),
        num(p.daysLate),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
        e.logIndex,
      ],
    );
    // Settling marks the shipment confirmed and, when the hospital recorded no receiving step,
    // makes this block its receiving record (DeliveryTrace.markConfirmed).
    await db.query(
      `UPDATE shipments SET confirmed = TRUE, chain_received_at = COALESCE(chain_received_at, $2), last_tx = $3,
         last_block = $4
       WHERE id = $1`,
      [str(e.args.shipmentId), e.blockTime.toISOString(), e.txHash, e.blockNumber],
    );
    await countVolume(db, e, str(e.args.orderId), c.accepted, "settled");
    // Mirrors OrderBook._settle: rejected units return to the order, or join the cancelled ones
    // once the hospital has cancelled the remainder.
    await db.query(
      `UPDATE orders SET accepted = accepted + $2, shipped = shipped - $3,
         cancelled = cancelled + CASE WHEN cancel_requested THEN $3::numeric ELSE 0 END,
         escrow = escrow - $4, paid = paid + $5, last_tx = $6, last_block = $7
       WHERE id = $1`,
      [
        str(e.args.orderId),
        str(c.accepted),
        str(c.rejected),
        str(p.gross),
        str(p.paid),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "orderBook.ShipmentDisputed": async (db, e) => {
    // A later dispute replaces the earlier one, as on chain.
    await db.query(
      `UPDATE shipments SET disputed_units = $2, dispute_reason = $3, last_tx = $4, last_block = $5 WHERE id = $1`,
      [str(e.args.shipmentId), str(e.args.units), num(e.args.reasonCode), e.txHash, e.blockNumber],
    );
  },
  "orderBook.OrderClosed": async (db, e) => {
    await db.query(
      `UPDATE orders SET status = 'closed', escrow = escrow - $2, closed_at = $3, last_tx = $4, last_block = $5
       WHERE id = $1`,
      [str(e.args.orderId), str(e.args.refund), e.blockTime.toISOString(), e.txHash, e.blockNumber],
    );
  },

  "trace.ShipmentCreated": async (db, e) => {
    const r = obj(e.args.record);
    await db.query(
      `INSERT INTO shipments (id, order_id, supplier, hospital, gtin, lot, lot_key, expiry, quantity, serial_root,
         notice_hash, created_at, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        str(e.args.shipmentId),
        str(r.orderId),
        str(r.supplier),
        str(r.hospital),
        gtin14(r.gtin),
        str(r.lot),
        str(e.args.lotKey),
        iso(r.expiry),
        str(r.quantity),
        str(r.serialRoot),
        str(r.noticeHash),
        iso(r.createdAt),
        e.txHash,
        e.blockNumber,
      ],
    );
    await db.query(`UPDATE orders SET shipped = shipped + $2, last_tx = $3, last_block = $4 WHERE id = $1`, [
      str(r.orderId),
      str(r.quantity),
      e.txHash,
      e.blockNumber,
    ]);
  },
  "trace.TraceEventRecorded": async (db, e) => {
    const step = TRACE_STEPS[num(e.args.step)];
    // The chain numbers no events: a shipment's events are numbered in block and log order,
    // which is the order projections are applied in. They run 1, 2, …, so the next is one past
    // the highest, which the primary key finds in one step (a count read every earlier event).
    await db.query(
      `INSERT INTO trace_events (shipment_id, event_index, step, actor, location, event_time, sensor_digest, excursion,
         tx_hash, block_number, log_index, recorded_at)
       SELECT $1, 1 + COALESCE(max(event_index), 0), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
       FROM trace_events WHERE shipment_id = $1`,
      [
        str(e.args.shipmentId),
        step,
        str(e.args.actor),
        str(e.args.location),
        iso(e.args.eventTime),
        str(e.args.sensorDigest),
        e.args.excursion === true,
        e.txHash,
        e.blockNumber,
        e.logIndex,
        e.blockTime.toISOString(),
      ],
    );
    // The delivery time's two records (DeliveryTrace.recordTraceEvent): the first Arriving (only
    // the supplier or its carrier may record it) and the hospital's first step from Receiving on.
    const time = e.blockTime.toISOString();
    if (step === "arriving") {
      await db.query(
        `UPDATE shipments SET arrived_at = $2, last_tx = $3, last_block = $4 WHERE id = $1 AND arrived_at IS NULL`,
        [str(e.args.shipmentId), time, e.txHash, e.blockNumber],
      );
    } else if (TRACE_STEPS.indexOf(step) >= TRACE_STEPS.indexOf("receiving")) {
      await db.query(
        `UPDATE shipments SET chain_received_at = $2, last_tx = $3, last_block = $4
         WHERE id = $1 AND chain_received_at IS NULL`,
        [str(e.args.shipmentId), time, e.txHash, e.blockNumber],
      );
    }
    if (e.args.excursion === true) {
      // A waiver covers only the excursions before it (DeliveryTrace.recordTraceEvent).
      await db.query(
        `UPDATE shipments SET excursion = TRUE, excursion_waived = FALSE, last_tx = $2, last_block = $3 WHERE id = $1`,
        [str(e.args.shipmentId), e.txHash, e.blockNumber],
      );
    }
  },
  "trace.ShipmentDeemedReceived": async (db, e) => {
    // The supplier's claim on its arrival alone (OrderBook.claimSettlement): the end of the
    // receiving window is the receiving record, before the same transaction settles it.
    await db.query(
      `UPDATE shipments SET chain_received_at = $2, last_tx = $3, last_block = $4 WHERE id = $1`,
      [str(e.args.shipmentId), iso(e.args.receivedAt), e.txHash, e.blockNumber],
    );
  },
  "trace.ExcursionWaived": async (db, e) => {
    await db.query(
      `UPDATE shipments SET excursion_waived = TRUE, last_tx = $2, last_block = $3 WHERE id = $1`,
      [str(e.args.shipmentId), e.txHash, e.blockNumber],
    );
    // The waiver covers the trace events recorded so far (migration 0033).
    await db.query(
      `INSERT INTO excursion_waivers (shipment_id, approver, reason_code, waived_at, covers_through, tx_hash,
         block_number, log_index)
       SELECT $1, $2, $3, $4, COALESCE(max(event_index), 0), $5, $6, $7 FROM trace_events WHERE shipment_id = $1`,
      [
        str(e.args.shipmentId),
        str(e.args.approver),
        num(e.args.reasonCode),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
        e.logIndex,
      ],
    );
  },
  "trace.LotRecalled": async (db, e) => {
    await db.query(
      `INSERT INTO recalls (lot_key, gtin, lot, scope, recalled_by, reason_code, recalled_at, tx_hash, block_number,
         log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        str(e.args.lotKey),
        gtin14(e.args.gtin),
        str(e.args.lot),
        str(e.args.scope),
        str(e.args.by),
        num(e.args.reasonCode),
        iso(e.args.recalledAt),
        e.txHash,
        e.blockNumber,
        e.logIndex,
      ],
    );
  },
  "trace.RecallLifted": async (db, e) => {
    // A scope has at most one open recall at a time (recalling it again needs a lift first).
    await db.query(
      `UPDATE recalls SET lifted_at = $3, lifted_by = $4, lift_reason_code = $5, lift_tx_hash = $6,
         lift_block_number = $7, lift_log_index = $8
       WHERE (tx_hash, log_index) = (
         SELECT tx_hash, log_index FROM recalls WHERE lot_key = $1 AND scope = $2 AND lifted_at IS NULL
         ORDER BY block_number DESC, log_index DESC LIMIT 1)`,
      [
        str(e.args.lotKey),
        str(e.args.scope),
        e.blockTime.toISOString(),
        str(e.args.regulator),
        num(e.args.reasonCode),
        e.txHash,
        e.blockNumber,
        e.logIndex,
      ],
    );
  },

  "consignment.ConsignmentOffered": async (db, e) => {
    await db.query(
      `INSERT INTO consignment_terms (agreement_id, supplier, hospital_bears_expiry, offered_at, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        str(e.args.agreementId),
        str(e.args.supplier),
        e.args.hospitalBearsExpiry === true,
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "consignment.OrderConsigned": async (db, e) => {
    // The order's own row says so too: the orders list reads consigned stock for these only.
    await db.query(`UPDATE orders SET consigned = TRUE WHERE id = $1`, [str(e.args.orderId)]);
    await db.query(
      `INSERT INTO consigned_orders (order_id, agreement_id, hospital, elected_by, elected_at, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        str(e.args.orderId),
        str(e.args.agreementId),
        str(e.args.hospital),
        str(e.args.by),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "consignment.StockConsigned": async (db, e) => {
    await db.query(
      `INSERT INTO consigned_stock (shipment_id, order_id, hospital, supplier, expiry, received, value, held,
         consigned_at, consigned_tx, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $9, $10)`,
      [
        str(e.args.shipmentId),
        str(e.args.orderId),
        str(e.args.hospital),
        str(e.args.supplier),
        iso(e.args.expiry),
        num(e.args.units),
        str(e.args.value),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "consignment.ConsumptionConfirmed": (db, e) =>
    consignmentMovement(db, e, "consumption", {
      units: e.args.units,
      amount: e.args.amount,
      toSupplier: true,
    }),
  "consignment.ConsignedReturnRequested": async (db, e) => {
    // Off the shelf now; the value stays in the book, no longer held for use, until answered.
    const stock = await consignedStockMoved(
      db,
      e,
      `pending_units = $2, pending_value = $3, held = held - $3, pending_reason = $4, pending_by = $5,
       pending_at = $6, answer_by = $7, pending_tx = $8`,
      [
        num(e.args.units),
        str(e.args.value),
        num(e.args.reasonCode),
        str(e.args.by),
        e.blockTime.toISOString(),
        iso(e.args.answerBy),
        e.txHash,
      ],
    );
    await consignmentMovementRow(db, e, stock, "return-requested", {
      units: e.args.units,
      amount: e.args.value,
      toSupplier: false,
    });
  },
  "consignment.ConsignedReturnRefused": async (db, e) => {
    const { value } = await pendingReturn(db, e);
    const stock = await consignedStockMoved(db, e, `held = held + pending_value, ${NO_PENDING_RETURN}`, []);
    await consignmentMovementRow(db, e, stock, "return-refused", {
      units: e.args.units,
      amount: value,
      toSupplier: false,
    });
  },
  "consignment.ConsignedStockReturned": async (db, e) => {
    // While a hospital's return is pending the ledger returns nothing else: this confirms it, and
    // its units already left the shelf and its value the held amount when it was requested.
    const confirms = (await pendingReturn(db, e)).units > 0;
    if (!confirms)
      return consignmentMovement(db, e, "return", {
        units: e.args.units,
        amount: e.args.refund,
        toSupplier: false,
      });
    const stock = await consignedStockMoved(
      db,
      e,
      `returned = returned + $2, refunded = refunded + $3, ${NO_PENDING_RETURN}`,
      [num(e.args.units), str(e.args.refund)],
    );
    await consignmentMovementRow(db, e, stock, "return-confirmed", {
      units: e.args.units,
      amount: e.args.refund,
      toSupplier: false,
    });
  },
  "consignment.ConsignedStockExpired": (db, e) =>
    consignmentMovement(db, e, "expiry", {
      units: e.args.units,
      amount: e.args.value,
      toSupplier: e.args.paidToSupplier === true,
    }),
  "consignment.ConsumptionBatchConfirmed": async (db, e) => {
    await db.query(
      `INSERT INTO consumption_batches (batch_id, hospital, supplier, settled_by, units, amount, confirmed_at, tx_hash,
         block_number)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        str(e.args.batchId),
        str(e.args.hospital),
        str(e.args.supplier),
        str(e.args.by),
        num(e.args.units),
        str(e.args.amount),
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "fund.FundCoverSet": async (db, e) => {
    await db.query(
      `INSERT INTO fund_covers (tender_id, payer, prepay_share_bps, direct, covered_at, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        str(e.args.tenderId),
        str(e.args.payer),
        num(e.args.prepayShareBps),
        e.args.direct === true,
        e.blockTime.toISOString(),
        e.txHash,
        e.blockNumber,
      ],
    );
  },
  "fund.FundPaidIn": (db, e) =>
    e.args.direct === true
      ? fundMovement(db, e, "escrowed", { escrow: big(e.args.amount) })
      : fundMovement(db, e, "prepaid", { prepayment: big(e.args.amount) }),
  "fund.FundDrawn": (db, e) =>
    fundMovement(db, e, "drawn", {
      prepayment: -big(e.args.fromPrepayment),
      escrow: -big(e.args.fromEscrow),
    }),
  "fund.FundRestored": (db, e) =>
    fundMovement(db, e, "restored", { prepayment: big(e.args.toPrepayment), escrow: big(e.args.toEscrow) }),
  "fund.FundReturned": (db, e) =>
    fundMovement(db, e, "returned", { prepayment: -big(e.args.prepayment), escrow: -big(e.args.escrow) }),
  // The settlement's order knows its agreement; the fund book's balances do not move.
  "orderBook.SettlementFundPaid": async (db, e) => {
    const { rows } = await db.query<{ agreement_id: string }>(
      `SELECT agreement_id::text FROM orders WHERE id = $1`,
      [str(e.args.orderId)],
    );
    await fundMovementRow(db, e, "spent", rows[0].agreement_id, { amount: big(e.args.amount) });
  },
};

const big = (v: JsonValue | undefined): bigint => BigInt(String(v));

type FundMovementKind = "prepaid" | "escrowed" | "drawn" | "restored" | "spent" | "returned";

/** A movement of a fund account's balances; its amount is what moved in all. */
async function fundMovement(
  db: Db,
  e: StoredEvent,
  kind: FundMovementKind,
  change: { prepayment?: bigint; escrow?: bigint },
): Promise<void> {
  const prepayment = change.prepayment ?? 0n;
  const escrow = change.escrow ?? 0n;
  const abs = (v: bigint) => (v < 0n ? -v : v);
  await fundMovementRow(db, e, kind, str(e.args.agreementId), {
    prepayment,
    escrow,
    amount: abs(prepayment) + abs(escrow),
  });
}

async function fundMovementRow(
  db: Db,
  e: StoredEvent,
  kind: FundMovementKind,
  agreementId: string,
  m: { prepayment?: bigint; escrow?: bigint; amount: bigint },
): Promise<void> {
  await db.query(
    `INSERT INTO fund_movements (tx_hash, log_index, kind, agreement_id, hospital, order_id, shipment_id, prepayment,
       escrow, amount, at, block_number)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      e.txHash,
      e.logIndex,
      kind,
      agreementId,
      str(e.args.hospital),
      e.args.orderId == null ? null : str(e.args.orderId),
      e.args.shipmentId == null ? null : str(e.args.shipmentId),
      String(m.prepayment ?? 0n),
      String(m.escrow ?? 0n),
      String(m.amount),
      e.blockTime.toISOString(),
      e.blockNumber,
    ],
  );
}

const NO_PENDING_RETURN = `pending_units = 0, pending_value = 0, pending_reason = NULL, pending_by = NULL,
  pending_at = NULL, answer_by = NULL, pending_tx = NULL`;

type ConsignmentMovementKind =
  "consumption" | "return" | "return-requested" | "return-confirmed" | "return-refused" | "expiry";
type MovedStock = { order_id: string; hospital: string; supplier: string };

/**
 * A shipment's pending return (zero units: none). Told apart by its units, never its value: a
 * return can be worth nothing (a full late penalty, or rounding below a fen a unit).
 */
async function pendingReturn(db: Db, e: StoredEvent): Promise<{ units: number; value: string }> {
  const { rows } = await db.query<{ pending_units: number; pending_value: string }>(
    `SELECT pending_units, pending_value::text FROM consigned_stock WHERE shipment_id = $1`,
    [str(e.args.shipmentId)],
  );
  return { units: Number(rows[0].pending_units), value: rows[0].pending_value };
}

/** Applies `set` (its parameters from $2) to a consigned shipment's stock and stamps the event. */
async function consignedStockMoved(
  db: Db,
  e: StoredEvent,
  set: string,
  params: unknown[],
): Promise<MovedStock> {
  const n = params.length;
  const { rows } = await db.query<MovedStock>(
    `UPDATE consigned_stock SET ${set}, last_tx = $${n + 2}, last_block = $${n + 3}
     WHERE shipment_id = $1 RETURNING order_id, hospital, supplier`,
    [str(e.args.shipmentId), ...params, e.txHash, e.blockNumber],
  );
  return rows[0];
}

/**
 * Units leaving a consigned shipment's stock: the stock's counters and held value move, and the
 * movement is kept. The column counting the units is the kind's: used, returned or expired.
 */
async function consignmentMovement(
  db: Db,
  e: StoredEvent,
  kind: "consumption" | "return" | "expiry",
  m: { units: JsonValue | undefined; amount: JsonValue | undefined; toSupplier: boolean },
): Promise<void> {
  const column = { consumption: "used", return: "returned", expiry: "expired" }[kind];
  const stock = await consignedStockMoved(
    db,
    e,
    `${column} = ${column} + $2, held = held - $3,
     paid = paid + CASE WHEN $4 THEN $3 ELSE 0 END, refunded = refunded + CASE WHEN $4 THEN 0 ELSE $3 END`,
    [num(m.units), str(m.amount), m.toSupplier],
  );
  await consignmentMovementRow(db, e, stock, kind, m);
  if (kind === "consumption" || (kind === "expiry" && m.toSupplier)) {
    await countVolume(db, e, stock.order_id, m.units, "consigned use");
  }
}

/**
 * Units bought under an order move its agreement along the tier schedule
 * (AgreementBook.recordAcceptance, which emits nothing) and count for the order's hospital: a plain
 * order's accepted units when its delivery settles, a consigned order's when used or expired at
 * the hospital's cost (OrderBook.recordConsignedUse), never when settled into custody.
 */
async function countVolume(
  db: Db,
  e: StoredEvent,
  orderId: string,
  units: JsonValue | undefined,
  when: "settled" | "consigned use",
): Promise<void> {
  const order = `SELECT agreement_id, hospital FROM orders WHERE id = $1 AND (consigned = $3)`;
  const params = [orderId, str(units), when === "consigned use"];
  await db.query(
    `UPDATE agreements SET accepted_volume = accepted_volume + $2, last_tx = $4, last_block = $5
     WHERE id = (SELECT agreement_id FROM (${order}) o)`,
    [...params, e.txHash, e.blockNumber],
  );
  await db.query(
    `UPDATE agreement_hospitals SET accepted = accepted + $2 WHERE (agreement_id, hospital) = (${order})`,
    params,
  );
}

async function consignmentMovementRow(
  db: Db,
  e: StoredEvent,
  stock: MovedStock,
  kind: ConsignmentMovementKind,
  m: { units: JsonValue | undefined; amount: JsonValue | undefined; toSupplier: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO consignment_movements (tx_hash, log_index, kind, shipment_id, order_id, hospital, supplier, batch_id,
       units, amount, to_supplier, actor, reason_code, at, block_number)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      e.txHash,
      e.logIndex,
      kind,
      str(e.args.shipmentId),
      stock.order_id,
      stock.hospital,
      stock.supplier,
      e.args.batchId == null ? null : str(e.args.batchId),
      num(m.units),
      str(m.amount),
      m.toSupplier,
      e.args.by == null ? null : str(e.args.by),
      e.args.reasonCode == null ? null : num(e.args.reasonCode),
      e.blockTime.toISOString(),
      e.blockNumber,
    ],
  );
}

async function budgetSpent(db: Db, e: StoredEvent): Promise<void> {
  await db.query(
    `UPDATE budgets SET spent = $4, last_tx = $5, last_block = $6
     WHERE hospital = $1 AND category = $2 AND period = $3`,
    [
      str(e.args.hospital),
      str(e.args.category),
      num(e.args.period),
      str(e.args.spent),
      e.txHash,
      e.blockNumber,
    ],
  );
}

async function supplierStatus(db: Db, e: StoredEvent, status: string): Promise<void> {
  await db.query(
    `UPDATE suppliers SET status = $2, status_reason = $3, last_tx = $4, last_block = $5 WHERE address = $1`,
    [str(e.args.supplier), status, num(e.args.reasonCode), e.txHash, e.blockNumber],
  );
}

async function tenderStatus(db: Db, e: StoredEvent, status: string): Promise<void> {
  await db.query(`UPDATE tenders SET status = $2, last_tx = $3, last_block = $4 WHERE id = $1`, [
    str(e.args.tenderId),
    status,
    e.txHash,
    e.blockNumber,
  ]);
}

/**
 * Applies one event to the projections. Events without a projection live in `chain_events`
 * only: pauses, carrier changes, forwarder executions, bindings, the supplier's agreement to a
 * cancellation, refunds deferred and withdrawn, and members leaving or unbound (the
 * HospitalMemberChanged with roles 0 just before them has removed the member already).
 */
export async function project(db: Db, e: StoredEvent): Promise<void> {
  const handler = handlers[`${e.contract}.${e.event}`];
  if (handler) await handler(db, e);
}

/**
 * Every projection table with its primary key. Each has the undo trigger of migration 0008, and
 * a rewind finds the row a recorded change touched by this key.
 */
export const PROJECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  fund_movements: ["tx_hash", "log_index"],
  fund_covers: ["tender_id"],
  device_identifiers: ["product_key"],
  consumption_batches: ["batch_id"],
  consignment_movements: ["tx_hash", "log_index"],
  consigned_stock: ["shipment_id"],
  consigned_orders: ["order_id"],
  consignment_terms: ["agreement_id"],
  campus_transfers: ["id"],
  budget_adjustments: ["id"],
  budgets: ["hospital", "category", "period"],
  hospital_invitations: ["hospital", "member"],
  supplier_gtins: ["supplier", "gtin"],
  settlements: ["shipment_id"],
  recalls: ["tx_hash", "log_index"],
  excursion_waivers: ["tx_hash", "log_index"],
  trace_events: ["shipment_id", "event_index"],
  shipments: ["id"],
  order_approvals: ["order_id", "approver"],
  orders: ["id"],
  hospital_members: ["hospital", "member"],
  hospitals: ["address"],
  agreement_hospitals: ["agreement_id", "hospital"],
  agreements: ["id"],
  bids: ["tender_id", "bidder"],
  tenders: ["id"],
  required_kinds: ["id"],
  supplier_documents: ["id"],
  suppliers: ["address"],
};

export const PROJECTION_TABLES: readonly string[] = Object.keys(PROJECTION_KEYS);
