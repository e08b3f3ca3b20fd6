import type { ConsignmentMovement } from "../../../../api/consignment";
import type { Db } from "../../../../server/db";
import { gtinCheckDigit } from "../../../../server/modules/barcodes";

/**
 * Writes receipts, usages, campuses and indexed transfers directly, as the gateway and the
 * indexer would, so stock tests can build any history in a few lines.
 */

const TX = `0x${"f".repeat(64)}`;
const SUPPLIER = `0x${"5".repeat(40)}`;

/** The n-th test GLN: 12 digits from n and its GS1 check digit. */
export function gln(n: number): string {
  const body = `690${String(n).padStart(9, "0")}`;
  return `${body}${gtinCheckDigit(body)}`;
}

export class StockSeed {
  private lastShipment = 0;
  private lastUsage = 0;
  private lastTransfer = 0;
  private lastMovement = 0;

  constructor(
    private readonly db: Db,
    /** Ids start here, so several seeds can share a database. */
    base = 0,
  ) {
    this.lastShipment = base;
    this.lastUsage = base;
    this.lastTransfer = base;
  }

  async campus(hospital: string, code: string, name: string, main: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO campuses (hospital, gln, name, main, registered_by, registered_at)
       VALUES ($1, $2, $3, $4, $1, '2026-01-01T00:00:00Z')`,
      [hospital, code, name, main],
    );
  }

  /** A goods receipt of one line; `campus` null: one recorded before campuses. */
  async receipt(r: {
    hospital: string;
    campus: string | null;
    gtin: string;
    lot: string;
    expiry: string;
    quantity: number;
    rejected?: number;
  }): Promise<number> {
    const id = ++this.lastShipment;
    const no = `R-${id}`;
    await this.db.query(
      `INSERT INTO receipts (receipt_no, shipment_id, hospital, received_at, received_by, received_qty, rejected_qty,
         document, receipt_hash, campus)
       VALUES ($1, $2, $3, '2026-02-01T00:00:00Z', $3, $4, $5, '{}', $6, $7)`,
      [no, id, r.hospital, r.quantity, r.rejected ?? 0, TX, r.campus],
    );
    await this.db.query(
      `INSERT INTO receipt_lines (hospital, receipt_no, line_no, gtin, lot, expiry, quantity, rejected)
       VALUES ($1, $2, 1, $3, $4, $5, $6, $7)`,
      [r.hospital, no, r.gtin, r.lot, r.expiry, r.quantity, r.rejected ?? 0],
    );
    return id;
  }

  /** A usage (quantity > 0), or a return from the patient correcting usage `corrects`. */
  async usage(u: {
    hospital: string;
    campus: string | null;
    gtin: string;
    lot: string;
    quantity: number;
    at?: string;
    corrects?: string;
  }): Promise<string> {
    const id = `U-${++this.lastUsage}`;
    await this.db.query(
      `INSERT INTO usages (hospital, usage_id, gtin, lot, department, patient_hash, used_at, billing_code,
         billed_amount, quantity, corrects_usage_id, recorded_by, campus)
       VALUES ($1, $2, $3, $4, 'ICU', $5, $6, 'B1', 0, $7, $8, $1, $9)`,
      [
        u.hospital,
        id,
        u.gtin,
        u.lot,
        "0".repeat(64),
        u.at ?? "2026-03-01T00:00:00Z",
        u.quantity,
        u.corrects ?? null,
        u.campus,
      ],
    );
    return id;
  }

  /**
   * Consigned units of receipt `shipmentId`'s lot leaving the hospital (or, refused, coming
   * back): an indexed ConsignmentBook movement of `kind`, with the shipment's indexed creation it
   * refers to.
   */
  async consignedOut(m: {
    shipmentId: number;
    hospital: string;
    gtin: string;
    lot: string;
    kind: ConsignmentMovement["kind"];
    units: number;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO shipments (id, order_id, supplier, gtin, lot, expiry, quantity, serial_root, notice_hash, created_at,
         last_tx, last_block, hospital)
       VALUES ($1, $1, $2, $3, $4, '2028-01-01T00:00:00Z', 0, $5, $5, '2026-01-15T00:00:00Z', $5, $1, $6)
       ON CONFLICT (id) DO NOTHING`,
      [m.shipmentId, SUPPLIER, m.gtin, m.lot, TX, m.hospital],
    );
    await this.db.query(
      `INSERT INTO consignment_movements (tx_hash, log_index, kind, shipment_id, order_id, hospital, supplier, units,
         amount, to_supplier, at, block_number)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, 0, FALSE, '2026-03-03T00:00:00Z', $4)`,
      [TX, ++this.lastMovement, m.kind, m.shipmentId, m.hospital, SUPPLIER, m.units],
    );
  }

  /** An indexed CampusTransferRecorded event. */
  async transfer(t: Omit<IndexedTransfer, "id" | "at">): Promise<void> {
    await insertTransfer(this.db, { ...t, id: ++this.lastTransfer, at: "2026-03-02T00:00:00Z" });
  }
}

export interface IndexedTransfer {
  id: number;
  hospital: string;
  from: string;
  to: string;
  gtin: string;
  lot: string;
  quantity: number;
  at: string;
  /** The recording transaction; one shared placeholder unless a test tells them apart. */
  txHash?: string;
}

/** Writes an indexed CampusTransferRecorded event: to one of the hospital's campuses, or anywhere else. */
export async function insertTransfer(db: Db, t: IndexedTransfer): Promise<void> {
  await db.query(
    `INSERT INTO campus_transfers (id, hospital, from_gln, to_gln, gtin, lot, quantity, serials_root, recorded_by,
       recorded_at, tx_hash, block_number, log_index)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $2, $9, $10, $1, 0)`,
    [t.id, t.hospital, t.from, t.to, t.gtin, t.lot, t.quantity, `0x${"0".repeat(64)}`, t.at, t.txHash ?? TX],
  );
}
