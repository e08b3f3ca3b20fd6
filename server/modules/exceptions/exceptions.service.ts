import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import * as settlementRepo from "../payments/settlement.repository";

/**
 * Exceptions: receipts that did not match, and settlements the chain refused. A hospital
 * approver decides each one — accept everything matching proposed, accept part, or reject all
 * — and the decision becomes a settlement job in the same transaction.
 */

export type Resolution = "accept_all" | "accept_part" | "reject";

export interface ExceptionView {
  id: string;
  shipmentId: string;
  orderId: string;
  hospital: string;
  receiptNo: string | null;
  source: string;
  reasons: unknown;
  proposedAccepted: string;
  shipped: string;
  status: string;
  resolution: string | null;
  resolvedAccepted: string | null;
  note: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  createdAt: string;
}

interface ExceptionRow {
  id: string;
  shipment_id: string;
  order_id: string;
  hospital: string;
  receipt_no: string | null;
  source: string;
  reasons: unknown;
  proposed_accepted: string;
  quantity: string;
  status: string;
  resolution: string | null;
  resolved_accepted: string | null;
  note: string | null;
  resolved_by: string | null;
  resolved_at: Date | string | null;
  created_at: Date | string;
  receipt_hash: string | null;
}

const SELECT = `SELECT e.*, s.order_id, o.hospital, s.quantity, r.receipt_hash
  FROM exceptions e JOIN shipments s ON s.id = e.shipment_id JOIN orders o ON o.id = s.order_id
  LEFT JOIN receipts r ON r.receipt_no = e.receipt_no`;

export class ExceptionsService {
  constructor(private readonly db: Db) {}

  async list(filter: { status?: string; hospital?: string; reason?: string }): Promise<ExceptionView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) where.push(`e.status = $${params.push(filter.status)}`);
    if (filter.hospital) where.push(`o.hospital = $${params.push(filter.hospital.toLowerCase())}`);
    if (filter.reason)
      where.push(`e.reasons @> $${params.push(JSON.stringify([{ code: filter.reason }]))}::jsonb`);
    const { rows } = await this.db.query<ExceptionRow>(
      `${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY e.id`,
      params,
    );
    return rows.map(view);
  }

  async get(id: string): Promise<ExceptionView | null> {
    const { rows } = await this.db.query<ExceptionRow>(`${SELECT} WHERE e.id = $1`, [id]);
    return rows[0] ? view(rows[0]) : null;
  }

  async resolve(
    id: string,
    decision: { action: Resolution; acceptedQuantity?: number; note: string },
    approver: { address: string; hospital: string },
  ): Promise<ExceptionView> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<ExceptionRow>(`${SELECT} WHERE e.id = $1 FOR UPDATE OF e`, [id]);
      const e = rows[0];
      if (!e || e.hospital !== approver.hospital.toLowerCase()) {
        throw appError("EXCEPTION_NOT_FOUND", `exception ${id} not found for your hospital`);
      }
      if (e.status !== "open")
        throw appError("EXCEPTION_ALREADY_RESOLVED", `exception ${id} is already resolved`);
      const shipped = BigInt(e.quantity);
      const accepted = acceptedFor(decision, BigInt(e.proposed_accepted), shipped);
      const { rows: jobs } = await tx.query<{ status: string }>(
        `SELECT status FROM settlement_jobs WHERE shipment_id = $1 FOR UPDATE`,
        [e.shipment_id],
      );
      if (jobs[0] && jobs[0].status !== "failed") {
        throw appError(
          "SHIPMENT_ALREADY_SETTLED",
          `shipment ${e.shipment_id} already has a ${jobs[0].status} settlement`,
        );
      }
      if (e.receipt_no === null || e.receipt_hash === null) {
        throw appError("RESOLUTION_INVALID", `exception ${id} has no goods receipt to settle from`);
      }
      await tx.query(
        `UPDATE exceptions SET status = 'resolved', resolution = $2, resolved_accepted = $3, note = $4, resolved_by = $5,
           resolved_at = now() WHERE id = $1`,
        [id, decision.action, accepted.toString(), decision.note, approver.address.toLowerCase()],
      );
      await settlementRepo.enqueue(tx, {
        shipmentId: String(e.shipment_id),
        receiptNo: e.receipt_no,
        accepted,
        rejected: shipped - accepted,
        receiptHash: e.receipt_hash,
      });
    });
    return (await this.get(id))!;
  }
}

function acceptedFor(
  decision: { action: Resolution; acceptedQuantity?: number },
  proposed: bigint,
  shipped: bigint,
): bigint {
  if (decision.action === "reject") return 0n;
  if (decision.action === "accept_all") return proposed;
  if (decision.acceptedQuantity === undefined) {
    throw appError("RESOLUTION_INVALID", "accept_part needs acceptedQuantity");
  }
  const q = BigInt(decision.acceptedQuantity);
  if (q < 1n || q > shipped) {
    throw appError("RESOLUTION_INVALID", `acceptedQuantity must be between 1 and the shipped ${shipped}`);
  }
  return q;
}

function view(r: ExceptionRow): ExceptionView {
  return {
    id: String(r.id),
    shipmentId: String(r.shipment_id),
    orderId: String(r.order_id),
    hospital: r.hospital,
    receiptNo: r.receipt_no,
    source: r.source,
    reasons: r.reasons,
    proposedAccepted: String(r.proposed_accepted),
    shipped: String(r.quantity),
    status: r.status,
    resolution: r.resolution,
    resolvedAccepted: r.resolved_accepted === null ? null : String(r.resolved_accepted),
    note: r.note,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at === null ? null : new Date(r.resolved_at).toISOString(),
    createdAt: new Date(r.created_at).toISOString(),
  };
}
