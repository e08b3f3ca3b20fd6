import type { ExceptionReason } from "../../../api/exceptions";
import type {
  ExceptionStepData,
  ManifestStepData,
  MatchStepData,
  PaymentJobStepData,
  ReceiptStepData,
  ResolutionStepData,
  ScannedLine,
  TrailStep,
  TrailSubject,
} from "../../../api/trail";
import type { Db } from "../../db";
import * as repo from "./trail.repository";
import { iso, str, unique } from "./trail.rows";

/**
 * What the gateway itself holds about a trail's shipments, as off-chain steps (`onChain: null`,
 * `source` naming the table): the serial manifests, the goods receipts (of a serial trail: every
 * receipt that scanned the item, with the lines that did), their three-way matches, the
 * exceptions and their resolutions, and payments the gateway queued that the chain has not
 * (yet) recorded. A receipt's hash is what its shipment's settlement states on chain: the
 * verifier checks that anchor. The gateway dates its own records on the ledger's clock (its
 * ledgerNow at the write), so they sort among the blocks; receipts and usages carry the times
 * the hospital stated.
 */

/** The off-chain steps, and the receipts among them (the EPCIS export needs them). */
export async function offChainSteps(
  db: Db,
  subject: TrailSubject,
  scope: repo.TrailScope,
  shipments: repo.ShipmentRow[],
  settlements: repo.SettlementRow[],
): Promise<{ steps: TrailStep[]; receipts: repo.ReceiptRow[] }> {
  const steps: TrailStep[] = [];
  const shipmentIds = shipments.map((s) => str(s.id));
  for (const m of await repo.manifestsOf(db, shipmentIds)) {
    const data: ManifestStepData = {
      shipmentId: str(m.shipment_id),
      serialRoot: m.serial_root,
      serialCount: Number(m.serial_count),
      uploadedBy: m.uploaded_by,
    };
    steps.push({
      id: `manifest:${m.shipment_id}`,
      at: iso(m.at),
      kind: "manifest",
      summary: `Serial list of shipment ${m.shipment_id} uploaded by ${m.uploaded_by}: ${m.serial_count} serials, Merkle root ${m.serial_root}`,
      source: "gateway.manifests",
      data,
      onChain: null,
    });
  }

  // Goods receipts: of the trail's shipments, or (serial trails) every receipt that scanned the item.
  let receipts = await repo.receiptsOf(db, shipmentIds);
  const scannedLines = new Map<string, ScannedLine[]>();
  if (subject.type === "serial") {
    const hits = await repo.receiptLinesOfSerial(db, subject.gtin, subject.serial, scope.hospital ?? null);
    const own = new Set(shipmentIds);
    const visibleHits = scope.supplier ? hits.filter((h) => own.has(str(h.shipment_id))) : hits;
    const byNo = new Map<string, repo.ReceiptRow>();
    for (const h of visibleHits) {
      byNo.set(h.receipt_no, h);
      const lines = scannedLines.get(h.receipt_no) ?? [];
      lines.push({
        line: Number(h.line_no),
        gtin: h.gtin,
        lot: h.lot,
        serial: h.serial,
        quantity: str(h.quantity),
        rejected: str(h.rejected),
        rejectReason: h.reject_reason,
      });
      scannedLines.set(h.receipt_no, lines);
    }
    receipts = [...byNo.values()];
  }
  for (const r of receipts) {
    const accepted = BigInt(r.received_qty) - BigInt(r.rejected_qty);
    const data: ReceiptStepData = {
      receiptNo: r.receipt_no,
      shipmentId: str(r.shipment_id),
      hospital: r.hospital,
      receivedBy: r.received_by,
      receivedAt: iso(r.received_at),
      received: str(r.received_qty),
      rejected: str(r.rejected_qty),
      receiptHash: r.receipt_hash,
    };
    const scanned = scannedLines.get(r.receipt_no);
    if (scanned) data.lines = scanned;
    steps.push({
      id: `receipt:${r.receipt_no}`,
      at: iso(r.received_at),
      kind: "receipt",
      summary:
        `Goods receipt ${r.receipt_no} for shipment ${r.shipment_id} at ${r.hospital}: ${r.received_qty} received, ` +
        `${accepted} accepted, ${r.rejected_qty} rejected (its hash is what the settlement states on chain)`,
      source: "gateway.receipts",
      data,
      onChain: null,
    });
  }

  const receiptNos = receipts.map((r) => r.receipt_no);
  for (const m of await repo.matchesOf(
    db,
    receipts.map((r) => str(r.shipment_id)),
  )) {
    const data: MatchStepData = {
      receiptNo: m.receipt_no,
      shipmentId: str(m.shipment_id),
      status: m.status,
      accepted: str(m.accepted),
      rejected: str(m.rejected),
      reasons: reasonsOf(m.reasons),
    };
    steps.push({
      id: `match:${m.receipt_no}`,
      at: iso(m.at),
      kind: "match",
      summary:
        `Three-way match of receipt ${m.receipt_no} with shipment ${m.shipment_id} and its order: ${m.status}, ` +
        `${m.accepted} accepted, ${m.rejected} rejected`,
      source: "gateway.matches",
      data,
      onChain: null,
    });
  }

  const exceptionShipments = unique([...shipmentIds, ...receipts.map((r) => str(r.shipment_id))]);
  const receiptSet = new Set(receiptNos);
  for (const x of await repo.exceptionsOf(db, exceptionShipments)) {
    if (!shipmentIds.includes(str(x.shipment_id)) && !(x.receipt_no && receiptSet.has(x.receipt_no)))
      continue;
    const reasons = reasonsOf(x.reasons);
    const codes = reasons.map((r) => r.code ?? "?").join(", ");
    const data: ExceptionStepData = {
      exceptionId: str(x.id),
      receiptNo: x.receipt_no,
      shipmentId: str(x.shipment_id),
      source: x.source,
      reasons,
      proposedAccepted: str(x.proposed_accepted),
      status: x.status,
    };
    steps.push({
      id: `exception:${x.id}`,
      at: iso(x.raised_at),
      kind: "exception",
      summary: `Exception ${x.id} on shipment ${x.shipment_id} (${x.source}): ${codes || "see reasons"}; ${x.status}`,
      source: "gateway.exceptions",
      data,
      onChain: null,
    });
    if (x.resolved_at) {
      const resolution: ResolutionStepData = {
        exceptionId: str(x.id),
        resolution: x.resolution,
        resolvedAccepted: x.resolved_accepted === null ? null : str(x.resolved_accepted),
        resolvedBy: x.resolved_by,
        note: x.note,
      };
      steps.push({
        id: `resolution:${x.id}`,
        at: iso(x.resolved_at),
        kind: "resolution",
        summary: `Exception ${x.id} resolved by ${x.resolved_by}: ${x.resolution}, ${x.resolved_accepted ?? "0"} accepted`,
        source: "gateway.exceptions",
        data: resolution,
        onChain: null,
      });
    }
  }

  // A payment the gateway queued but the chain has not (yet) recorded.
  const settled = new Set(settlements.map((s) => str(s.shipment_id)));
  for (const j of await repo.settlementJobsOf(db, shipmentIds)) {
    if (settled.has(str(j.shipment_id))) continue;
    const data: PaymentJobStepData = {
      shipmentId: str(j.shipment_id),
      receiptNo: j.receipt_no,
      accepted: str(j.accepted),
      rejected: str(j.rejected),
      status: j.status,
      txHash: j.tx_hash,
      attempts: Number(j.attempts),
      lastError: j.last_error,
    };
    steps.push({
      id: `payment-job:${j.shipment_id}`,
      at: iso(j.at),
      kind: "payment",
      summary: `Payment of shipment ${j.shipment_id} (${j.accepted} accepted) queued by the gateway: ${j.status}`,
      source: "gateway.settlement_jobs",
      data,
      onChain: null,
    });
  }
  return { steps, receipts };
}

/**
 * A match's or an exception's reasons as stored (JSONB, written in this shape by the receipts'
 * matcher and the settlement worker).
 */
function reasonsOf(stored: unknown): ExceptionReason[] {
  return Array.isArray(stored) ? (stored as ExceptionReason[]) : [];
}
