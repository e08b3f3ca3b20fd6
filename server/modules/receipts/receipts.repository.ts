import type { Db } from "../../db";
import type {
  ListReceiptsQuery,
  MatchReason,
  MatchStatus,
  Receipt,
  ReceiptPage,
  ReceiptRequest,
} from "../../../api/receipts";
import { keysetList } from "../../lib/keyset-list";
import type { StatementParams } from "../../lib/statement-params";
import { iso, isoDateOrNull, text, type Row } from "../../lib/projection-row";
import type { SettlementJobStatus } from "../../../api/payments";
import type { ReceiptLineInput } from "../matching/matching.service";

/** SQL of goods receipts, their lines and the serials they took in. */

export interface ShipmentForReceipt {
  shipmentId: string;
  orderId: string;
  hospital: string;
  supplier: string;
  category: string;
  gtin: string;
  lot: string;
  expiry: Date;
  quantity: bigint;
  createdAt: Date;
  excursion: boolean;
  excursionWaived: boolean;
  /** The main campus of the shipment's hospital, where a receipt naming none was taken in. */
  mainCampus: string | null;
}

/** What a new receipt must know of what is stored, read at once. */
export interface ReceiptChecks {
  /** Receipt numbers are the hospital's own: unique per hospital, not across hospitals. */
  receiptExists: boolean;
  /** The receipt that already took in the shipment, if any. */
  previousReceipt: string | null;
  /** The shipment's uploaded serial list, or null if none was uploaded. */
  manifest: Set<string> | null;
  /** Of the receipt's serials of the shipment's GTIN, those that count as received (see `insertReceivedSerials`). */
  alreadyReceived: Set<string>;
}

/**
 * The shipment a receipt takes in, with what the receipt must check against what is stored, in
 * one statement; null when the shipment is not indexed.
 */
export async function receiptState(
  db: Db,
  q: { hospital: string; receiptNo: string; shipmentId: string; serials: string[] },
): Promise<{ shipment: ShipmentForReceipt; checks: ReceiptChecks } | null> {
  const { rows } = await db.query<{
    id: string;
    order_id: string;
    hospital: string;
    supplier: string;
    category: string;
    gtin: string;
    lot: string;
    expiry: Date | string;
    quantity: string;
    created_at: Date | string;
    excursion: boolean;
    excursion_waived: boolean;
    main_campus: string | null;
    receipt_exists: boolean;
    previous_receipt: string | null;
    has_manifest: boolean;
    manifest: string[];
    received: string[];
  }>(
    `SELECT s.id, s.order_id, o.hospital, s.supplier, a.category, s.gtin, s.lot, s.expiry, s.quantity, s.created_at,
       s.excursion, s.excursion_waived, (SELECT gln FROM campuses c WHERE c.hospital = o.hospital AND c.main) AS main_campus,
       EXISTS (SELECT 1 FROM receipts WHERE hospital = $1 AND receipt_no = $2) AS receipt_exists,
       (SELECT receipt_no FROM receipts WHERE shipment_id = s.id) AS previous_receipt,
       EXISTS (SELECT 1 FROM manifests WHERE shipment_id = s.id) AS has_manifest,
       ARRAY(SELECT serial FROM manifest_serials WHERE shipment_id = s.id) AS manifest,
       ARRAY(SELECT serial FROM received_serials WHERE gtin = s.gtin AND serial = ANY($4::text[])) AS received
     FROM shipments s JOIN orders o ON o.id = s.order_id JOIN agreements a ON a.id = o.agreement_id
     WHERE s.id = $3`,
    [q.hospital, q.receiptNo, q.shipmentId, q.serials],
    // Every receipt's: planning it on each request would cost about as much as running it.
    { prepared: true },
  );
  const r = rows[0];
  if (!r) return null;
  return {
    shipment: {
      shipmentId: String(r.id),
      orderId: String(r.order_id),
      hospital: r.hospital,
      supplier: r.supplier,
      category: r.category,
      gtin: r.gtin,
      lot: r.lot,
      expiry: new Date(r.expiry),
      quantity: BigInt(r.quantity),
      createdAt: new Date(r.created_at),
      excursion: r.excursion,
      excursionWaived: r.excursion_waived,
      mainCampus: r.main_campus,
    },
    checks: {
      receiptExists: r.receipt_exists,
      previousReceipt: r.previous_receipt,
      manifest: r.has_manifest ? new Set(r.manifest) : null,
      alreadyReceived: new Set(r.received),
    },
  };
}

export interface NewReceipt {
  receiptNo: string;
  shipmentId: string;
  hospital: string;
  receivedAt: Date;
  receivedBy: string;
  /** The receiving campus's GLN; null while the hospital has registered none. */
  campus: string | null;
  received: bigint;
  rejected: bigint;
  document: ReceiptRequest;
  receiptHash: string;
  lines: ReceiptLineInput[];
}

/** The INSERTs of the receipt and of its lines, for the receipt's one write statement (receipts.service.ts). */
export function insertReceipt(p: StatementParams, r: NewReceipt): { receipt: string; lines: string } {
  const source = (i: number) => r.document.lines[i];
  const [receiptNo, hospital] = [p.add(r.receiptNo), p.add(r.hospital)];
  return {
    receipt: `INSERT INTO receipts (receipt_no, shipment_id, hospital, received_at, received_by, received_qty,
         rejected_qty, document, receipt_hash, campus)
       VALUES (${receiptNo}, ${p.add(r.shipmentId)}, ${hospital}, ${p.add(r.receivedAt.toISOString())},
         ${p.add(r.receivedBy)}, ${p.add(r.received.toString())}, ${p.add(r.rejected.toString())},
         ${p.add(JSON.stringify(r.document))}, ${p.add(r.receiptHash)}, ${p.add(r.campus)})`,
    lines: `INSERT INTO receipt_lines (hospital, receipt_no, line_no, gtin, lot, expiry, serial, quantity, rejected,
       reject_reason, barcode)
     SELECT ${hospital}, ${receiptNo}, l.* FROM unnest(${p.add(r.lines.map((l) => l.line))}::int[],
       ${p.add(r.lines.map((l) => l.gtin))}::text[], ${p.add(r.lines.map((l) => l.lot ?? null))}::text[],
       ${p.add(r.lines.map((l) => l.expiry ?? null))}::date[], ${p.add(r.lines.map((l) => l.serial ?? null))}::text[],
       ${p.add(r.lines.map((l) => l.quantity.toString()))}::numeric[],
       ${p.add(r.lines.map((l) => l.rejected.toString()))}::numeric[],
       ${p.add(r.lines.map((_, i) => source(i)?.rejectReason ?? null))}::text[],
       ${p.add(r.lines.map((_, i) => source(i)?.barcode ?? null))}::text[]) AS l`,
  };
}

/**
 * The INSERT of the serials a receipt took in, for the receipt's one write statement: only the
 * conforming, unrejected lines of a receipt that matched (or whose exception an approver
 * accepted: `acceptReceiptSerials`) — so a stray or hostile scan on a receipt that did not match
 * can never mark another shipment's serial received and block its receipt. The first receipt of
 * a serial wins; a later one is what matching flags. Matching saw none of these serials received,
 * so one taken in by another receipt since then breaks the unique key (no ON CONFLICT here): the
 * receipt is read again and matching flags the serial, instead of the receipt being paid for it.
 */
export function insertReceivedSerials(
  p: StatementParams,
  receipt: { hospital: string; receiptNo: string; receivedAt: Date },
  serials: { gtin: string; serial: string }[],
): string {
  return `INSERT INTO received_serials (gtin, serial, receipt_no, hospital, received_at)
     SELECT s.gtin, s.serial, ${p.add(receipt.receiptNo)}, ${p.add(receipt.hospital)}, ${p.add(receipt.receivedAt.toISOString())}
     FROM unnest(${p.add(serials.map((s) => s.gtin))}::text[], ${p.add(serials.map((s) => s.serial))}::text[]) AS s (gtin, serial)`;
}

/**
 * Accepts a receipt's serials on an approver's say-so (resolving its exception): those of its
 * unrejected lines that matching found no fault with.
 */
export async function acceptReceiptSerials(db: Db, hospital: string, receiptNo: string): Promise<void> {
  await db.query(
    `INSERT INTO received_serials (gtin, serial, receipt_no, hospital, received_at)
     SELECT l.gtin, l.serial, r.receipt_no, r.hospital, r.received_at
     FROM receipt_lines l
     JOIN receipts r ON r.hospital = l.hospital AND r.receipt_no = l.receipt_no
     JOIN matches m ON m.shipment_id = r.shipment_id
     WHERE l.hospital = $1 AND l.receipt_no = $2 AND l.serial IS NOT NULL AND l.rejected = 0
       AND NOT EXISTS (
         SELECT 1 FROM jsonb_array_elements(m.reasons) x WHERE x->>'line' = l.line_no::text)
     ON CONFLICT (gtin, serial) DO NOTHING`,
    [hospital, receiptNo],
  );
}

/** Releases every serial a receipt holds (its exception was rejected: recorded in error). */
export async function releaseReceiptSerials(db: Db, hospital: string, receiptNo: string): Promise<void> {
  await db.query(`DELETE FROM received_serials WHERE hospital = $1 AND receipt_no = $2`, [
    hospital,
    receiptNo,
  ]);
}

/** The hospitals that have a receipt of this number (a regulator's lookup may need to choose). */
export async function hospitalsWithReceipt(db: Db, receiptNo: string): Promise<string[]> {
  const { rows } = await db.query<{ hospital: string }>(
    `SELECT hospital FROM receipts WHERE receipt_no = $1 ORDER BY hospital`,
    [receiptNo],
  );
  return rows.map((r) => r.hospital);
}

export async function getReceipt(db: Db, hospital: string, receiptNo: string): Promise<Receipt | null> {
  const { rows } = await db.query<{
    receipt_no: string;
    shipment_id: string;
    hospital: string;
    received_at: Date | string;
    received_by: string;
    campus: string | null;
    received_qty: string;
    rejected_qty: string;
    receipt_hash: string;
    m_status: MatchStatus | null;
    m_accepted: string | null;
    m_rejected: string | null;
    m_reasons: MatchReason[] | null;
    j_status: SettlementJobStatus | null;
    j_tx: string | null;
    j_error: string | null;
  }>(
    `SELECT r.*, m.status AS m_status, m.accepted AS m_accepted, m.rejected AS m_rejected, m.reasons AS m_reasons,
       j.status AS j_status, j.tx_hash AS j_tx, j.last_error AS j_error
     FROM receipts r LEFT JOIN matches m ON m.shipment_id = r.shipment_id
       LEFT JOIN settlement_jobs j ON j.shipment_id = r.shipment_id
     WHERE r.hospital = $1 AND r.receipt_no = $2`,
    [hospital, receiptNo],
  );
  const r = rows[0];
  if (!r) return null;
  const { rows: lines } = await db.query<{
    line_no: number;
    gtin: string;
    lot: string | null;
    expiry: Date | string | null;
    serial: string | null;
    quantity: string;
    rejected: string;
    reject_reason: string | null;
  }>(`SELECT * FROM receipt_lines WHERE hospital = $1 AND receipt_no = $2 ORDER BY line_no`, [
    hospital,
    receiptNo,
  ]);
  return {
    receiptNo: r.receipt_no,
    shipmentId: String(r.shipment_id),
    hospital: r.hospital,
    receivedAt: new Date(r.received_at).toISOString(),
    receivedBy: r.received_by,
    campus: r.campus,
    received: String(r.received_qty),
    rejected: String(r.rejected_qty),
    receiptHash: r.receipt_hash,
    lines: lines.map((l) => ({
      line: l.line_no,
      gtin: l.gtin,
      lot: l.lot,
      expiry: isoDateOrNull(l.expiry),
      serial: l.serial,
      quantity: String(l.quantity),
      rejected: String(l.rejected),
      rejectReason: l.reject_reason,
    })),
    match:
      r.m_status === null
        ? null
        : {
            status: r.m_status,
            accepted: String(r.m_accepted),
            rejected: String(r.m_rejected),
            reasons: r.m_reasons ?? [],
          },
    settlement: r.j_status === null ? null : { status: r.j_status, txHash: r.j_tx, error: r.j_error },
  };
}

/**
 * Receipts by shipment id (unique: a shipment has at most one receipt) with their match status.
 * `own`: the caller's hospital (undefined for a regulator); a `hospital` filter naming another
 * narrows to nothing rather than widening or replacing it.
 */
export function listReceipts(db: Db, q: ListReceiptsQuery, own: string | undefined): Promise<ReceiptPage> {
  return keysetList(
    db,
    {
      from: `SELECT * FROM (
        SELECT r.receipt_no, r.shipment_id, r.hospital, r.received_at, r.received_qty, r.rejected_qty,
          m.status AS match_status
        FROM receipts r LEFT JOIN matches m ON m.shipment_id = r.shipment_id) receipts`,
      filters: [
        ["hospital", own],
        ["hospital", q.hospital],
        ["shipment_id", q.shipmentId],
        ["match_status", q.matchStatus],
        ["received_at", q.from, ">="],
        ["received_at", q.to, "<"],
      ],
      key: "shipment_id",
      numericKey: true,
      view: (r: Row) => ({
        receiptNo: text(r.receipt_no),
        shipmentId: text(r.shipment_id),
        hospital: text(r.hospital),
        receivedAt: iso(r.received_at),
        received: text(r.received_qty),
        rejected: text(r.rejected_qty),
        matchStatus: r.match_status === null ? null : (text(r.match_status) as MatchStatus),
      }),
    },
    q,
  );
}
