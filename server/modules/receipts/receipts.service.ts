import { keccak256, toUtf8Bytes } from "ethers";
import type { Db } from "../../db";
import {
  deviceIdentifierFields,
  parseGs1,
  parseUdi,
  scanError,
  scannedProduct,
  Gs1Error,
  type DeviceIdentifierFields,
} from "../barcodes";
import { requireDeclared } from "../device-identifiers/device-identifiers.service";
import { appError } from "../../plugins/error-catalogue";
import { canonicalJson, insertOnce, storedResponse, type IdempotentResponse } from "../../lib/idempotency";
import { StatementParams } from "../../lib/statement-params";
import type { Receipt, ReceiptLineRequest, ReceiptRequest, ReceiptResult } from "../../../api/receipts";
import * as exceptionsRepo from "../exceptions/exceptions.repository";
import * as matchingRepo from "../matching/matching.repository";
import { matchReceipt, type MatchTolerances, type ReceiptLineInput } from "../matching/matching.service";
import * as settlementRepo from "../payments/settlement.repository";
import { campusFor } from "../campuses/campuses.service";
import * as repo from "./receipts.repository";

/**
 * Goods receipts from the hospital warehouse: parse every line (GS1 barcode or fields), match
 * it against the indexed order and shipment, and in ONE statement store the receipt, its match
 * and either the settlement job or the exception — so a crash can lose neither the receipt nor
 * the payment it triggers.
 */

/**
 * What matching must ask the chain itself (the source of truth), as of one block: its latest when
 * the receipt arrived (the block its sender's roles were checked at).
 */
export interface LedgerView {
  /** The ledger's clock (`ledgerNow`): a test chain may run ahead of ours. */
  now: Date;
  isQualified(supplier: string, category: string, at: Date): Promise<boolean>;
  /** Recalled for this supplier's shipments: globally by a regulator, or by the supplier. */
  isRecalled(gtin: string, lot: string, supplier: string): Promise<boolean>;
}

const CLOCK_SKEW_MS = 5 * 60 * 1000;

export class ReceiptsService {
  constructor(
    private readonly db: Db,
    private readonly tolerances: MatchTolerances,
  ) {}

  async submit(
    request: ReceiptRequest,
    actor: { address: string; hospital: string },
    idempotencyKey: string,
    ledger: LedgerView,
  ): Promise<IdempotentResponse<ReceiptResult>> {
    const parsedLines = request.lines.map((line, i) => parseLine(line, i + 1, ledger.now));
    await requireDeclared(
      this.db,
      parsedLines.flatMap((l) => (l.device ? [{ ...l.device, where: `line ${l.line}` }] : [])),
    );
    const lines = parsedLines.map(({ device: _device, ...line }) => line);
    const write = () => this.write(request, lines, ledger, actor, idempotencyKey);
    // Null: a receipt of this number or shipment, or one taking in one of its serials, committed
    // after the read; the second read sees it and names it (or holds the serial).
    const outcome = (await write()) ?? (await write());
    if (!outcome) {
      throw appError("CONFLICT", `receipt ${request.receiptNo} met a concurrent receipt; send it again`);
    }
    return outcome;
  }

  /**
   * Reads what the receipt depends on in one statement, matches it, and writes the receipt, its
   * lines and match, and its settlement job or exception with the idempotency key in one more:
   * all committed together or none, with no transaction held open in between. A receipt of the
   * same number or shipment, or of one of its serials, committed meanwhile breaks a unique key:
   * the write answers null.
   */
  private async write(
    request: ReceiptRequest,
    lines: ReceiptLineInput[],
    ledger: LedgerView,
    actor: { address: string; hospital: string },
    idempotencyKey: string,
  ): Promise<IdempotentResponse<ReceiptResult> | null> {
    const now = ledger.now;
    const hospital = actor.hospital.toLowerCase();
    const state = await repo.receiptState(this.db, {
      hospital,
      receiptNo: request.receiptNo,
      shipmentId: request.shipmentId,
      serials: lines.flatMap((l) => (l.serial === undefined ? [] : [l.serial])),
    });
    // Another hospital's shipment answers exactly like a missing one: no hint that it exists.
    if (!state || state.shipment.hospital !== hospital) {
      throw appError(
        "SHIPMENT_NOT_FOUND",
        `shipment ${request.shipmentId} is not on the ledger (or not indexed yet)`,
      );
    }
    const { shipment, checks } = state;
    const receivedAt = new Date(request.receivedAt);
    if (receivedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      throw appError("RECEIPT_TIME_INVALID", `receivedAt ${request.receivedAt} is in the future`);
    }
    if (receivedAt < shipment.createdAt) {
      throw appError(
        "RECEIPT_TIME_INVALID",
        `receivedAt ${request.receivedAt} is before the shipment was created (${shipment.createdAt.toISOString()})`,
      );
    }
    const campus =
      request.campus === undefined ? shipment.mainCampus : await campusFor(this.db, hospital, request.campus);
    const [supplierQualified, lotRecalled] = await Promise.all([
      ledger.isQualified(shipment.supplier, shipment.category, now),
      ledger.isRecalled(shipment.gtin, shipment.lot, shipment.supplier),
    ]);
    const scope = `receipts:${hospital}`;
    if (checks.receiptExists || checks.previousReceipt !== null) {
      // It may be this very receipt, sent again: then its first answer is the answer.
      const stored = await storedResponse<ReceiptResult>(this.db, scope, idempotencyKey, request);
      if (stored) return stored;
      if (checks.receiptExists) {
        throw appError("RECEIPT_EXISTS", `receipt ${request.receiptNo} was already recorded`);
      }
      throw appError(
        "SHIPMENT_ALREADY_RECEIVED",
        `shipment ${request.shipmentId} was already received by receipt ${checks.previousReceipt}`,
      );
    }
    const { manifest, alreadyReceived } = checks;
    requireTraceability(lines, manifest !== null, request.shipmentId);
    const result = matchReceipt({
      shipment,
      receivedAt,
      lines,
      manifest,
      alreadyReceived,
      supplierQualified,
      lotRecalled,
      tolerances: this.tolerances,
    });
    const receiptHash = keccak256(
      toUtf8Bytes(
        canonicalJson({
          ...request,
          lines: lines.map((l) => ({ ...l, quantity: String(l.quantity), rejected: String(l.rejected) })),
        }),
      ),
    );
    const matched = result.status === "matched";
    const body: ReceiptResult = {
      receiptNo: request.receiptNo,
      shipmentId: request.shipmentId,
      orderId: shipment.orderId,
      hospital: shipment.hospital,
      receivedAt: receivedAt.toISOString(),
      campus,
      receiptHash,
      received: result.received.toString(),
      match: {
        status: result.status,
        accepted: result.accepted.toString(),
        rejected: result.rejected.toString(),
        reasons: result.reasons,
      },
      // An exception's id is the database's: the statement sets it (below).
      exceptionId: null,
      settlement: matched ? "queued" : "held",
    };

    const p = new StatementParams();
    const receiptSql = repo.insertReceipt(p, {
      receiptNo: request.receiptNo,
      shipmentId: request.shipmentId,
      hospital: shipment.hospital,
      receivedAt,
      receivedBy: actor.address.toLowerCase(),
      campus,
      received: result.received,
      rejected: lines.reduce((sum, l) => sum + l.rejected, 0n),
      document: request,
      receiptHash,
      lines,
    });
    const writes: [string, string][] = [
      ["receipt_row", receiptSql.receipt],
      ["line_rows", receiptSql.lines],
      ["match_row", matchingRepo.insertMatch(p, request.receiptNo, request.shipmentId, result, now)],
    ];
    if (matched) {
      const serials = result.conformingSerials.map((serial) => ({ gtin: shipment.gtin, serial }));
      if (serials.length > 0) {
        const receipt = { hospital: shipment.hospital, receiptNo: request.receiptNo, receivedAt };
        writes.push(["serial_rows", repo.insertReceivedSerials(p, receipt, serials)]);
      }
      const job = {
        shipmentId: request.shipmentId,
        receiptNo: request.receiptNo,
        accepted: result.accepted,
        rejected: result.rejected,
        receiptHash,
        ledgerTime: ledger.now,
      };
      writes.push(["job_row", settlementRepo.enqueueStatement(p, job)]);
    } else {
      const exception = {
        receiptNo: request.receiptNo,
        shipmentId: request.shipmentId,
        source: "match" as const,
        reasons: result.reasons,
        proposedAccepted: result.accepted,
        ledgerTime: ledger.now,
      };
      writes.push(["exception_row", exceptionsRepo.raiseStatement(p, exception)]);
      // The held receipt disputes on the ledger the units its match would not pay (short, on a
      // line at fault, refused at the dock), so a supplier's claim after the confirmation window
      // pays only the rest. A reason about the whole shipment adds nothing: a recall or a
      // supplier not qualified stops every payment on the ledger while it stands, and once it
      // clears the supplier is owed what was delivered; an excursion is the approvers' to decide
      // within the confirmation window, as the ledger takes silence after it as acceptance.
      if (result.rejected > 0n) {
        const dispute = {
          shipmentId: request.shipmentId,
          receiptNo: request.receiptNo,
          disputed: result.rejected,
          undisputed: result.accepted,
          ledgerTime: ledger.now,
        };
        writes.push(["dispute_row", settlementRepo.disputeStatement(p, dispute)]);
      }
    }
    const response = matched
      ? `SELECT ${p.add(JSON.stringify(body))}::jsonb AS response`
      : `SELECT ${p.add(JSON.stringify(body))}::jsonb || jsonb_build_object('exceptionId', (SELECT id::text FROM exception_row)) AS response`;
    return insertOnce<ReceiptResult>(this.db, scope, idempotencyKey, request, 201, {
      with: writes,
      sql: response,
      params: p.values,
    });
  }

  /**
   * A receipt by (hospital, number). A hospital's staff read their own hospital's only; a
   * regulator names the hospital, or may leave it out while only one hospital uses the number.
   */
  async get(receiptNo: string, viewer: { own: string | null; asked?: string }): Promise<Receipt | null> {
    const asked = viewer.asked?.toLowerCase();
    if (viewer.own !== null) {
      const own = viewer.own.toLowerCase();
      if (asked !== undefined && asked !== own) return null;
      return repo.getReceipt(this.db, own, receiptNo);
    }
    if (asked !== undefined) return repo.getReceipt(this.db, asked, receiptNo);
    const hospitals = await repo.hospitalsWithReceipt(this.db, receiptNo);
    if (hospitals.length > 1) {
      throw appError(
        "RECEIPT_NUMBER_AMBIGUOUS",
        `${hospitals.length} hospitals have a receipt ${receiptNo}: name one with ?hospital=`,
        { hospitals },
      );
    }
    return hospitals.length === 0 ? null : repo.getReceipt(this.db, hospitals[0], receiptNo);
  }
}

/**
 * Every line must let the item be traced: a ledger shipment always names a lot and an expiry
 * (the contract refuses one without a future expiry), so each line gives both (lot-controlled),
 * and once the supplier uploaded a serial manifest each line scans the unit's serial — a line
 * without one could be checked against nothing.
 */
function requireTraceability(lines: ReceiptLineInput[], hasManifest: boolean, shipmentId: string): void {
  for (const l of lines) {
    if (l.lot === undefined) {
      throw appError(
        "RECEIPT_LINE_INVALID",
        `line ${l.line}: the item is lot-controlled: give its lot (AI 10, or the lot field)`,
        { line: l.line },
      );
    }
    if (l.expiry === undefined) {
      throw appError(
        "RECEIPT_LINE_INVALID",
        `line ${l.line}: the item is lot-controlled: give its expiry (AI 17, or the expiry field)`,
        { line: l.line },
      );
    }
    if (hasManifest && l.serial === undefined) {
      throw appError(
        "RECEIPT_LINE_INVALID",
        `line ${l.line}: shipment ${shipmentId} has a serial manifest: scan each unit's serial (AI 21, or the serial field)`,
        { line: l.line },
      );
    }
  }
}

/**
 * One receipt line as matching sees it. A barcode is recognised by its form (GS1 or MA); a line
 * of fields names a GTIN, or another agency's device identifier (`device`), whose product key
 * stands in the gtin field as on the ledger — the caller checks that key was declared.
 */
export function parseLine(
  line: ReceiptLineRequest,
  lineNo: number,
  now: Date,
): ReceiptLineInput & { device?: DeviceIdentifierFields } {
  const quantity = BigInt(line.quantity ?? 1);
  const rejected = BigInt(line.rejected ?? 0);
  if (quantity < 1n) throw appError("RECEIPT_LINE_INVALID", `line ${lineNo}: quantity must be at least 1`);
  if (rejected < 0n || rejected > quantity) {
    throw appError(
      "RECEIPT_LINE_INVALID",
      `line ${lineNo}: rejected must be between 0 and quantity (${quantity})`,
    );
  }
  let fields: { gtin?: string; lot?: string; expiry?: string; serial?: string };
  let device: DeviceIdentifierFields | undefined;
  const where = `line ${lineNo}`;
  if (line.barcode !== undefined) {
    try {
      const parsed = parseUdi(line.barcode, { now });
      const product = scannedProduct(parsed);
      device = product.device;
      fields = {
        gtin: product.productNumber,
        lot: parsed.lot,
        expiry: parsed.expiry?.date,
        serial: parsed.serial,
      };
    } catch (error) {
      throw scanError(error, where, { line: lineNo });
    }
  } else if (line.deviceIdentifier !== undefined) {
    // The schema's alternatives let a gtin line carry a deviceIdentifier too: name the agency.
    if (line.agency !== "MA" && line.agency !== "AHM") {
      throw appError(
        "RECEIPT_LINE_INVALID",
        `${where}: a deviceIdentifier needs its agency (MA or AHM); give it instead of a gtin`,
      );
    }
    try {
      device = deviceIdentifierFields(line.agency, line.deviceIdentifier);
    } catch (error) {
      throw scanError(error, where, { line: lineNo });
    }
    fields = { gtin: device.productKey, lot: line.lot, expiry: line.expiry, serial: line.serial };
  } else {
    fields = { gtin: line.gtin, lot: line.lot, expiry: line.expiry, serial: line.serial };
    if (fields.gtin !== undefined) {
      // Parsed fields go through the same GS1 rules as a scan, so both forms agree. Each is
      // checked as its own element string: a bracketed form would read "A(21)B" as two fields.
      const elements = [`01${fields.gtin}`];
      if (fields.lot) elements.push(`01${fields.gtin}10${fields.lot}`);
      if (fields.serial) elements.push(`01${fields.gtin}21${fields.serial}`);
      try {
        for (const element of elements) parseGs1(element, { now });
      } catch (error) {
        if (!(error instanceof Gs1Error)) throw error;
        throw appError("RECEIPT_LINE_INVALID", `line ${lineNo}: ${error.message}`, {
          line: lineNo,
          gs1: error.code,
        });
      }
    }
  }
  if (fields.gtin === undefined) {
    throw appError(
      "RECEIPT_LINE_INVALID",
      `line ${lineNo}: no GTIN (AI 01) — give a barcode or a gtin field`,
    );
  }
  if (fields.serial !== undefined && quantity !== 1n) {
    throw appError(
      "RECEIPT_LINE_INVALID",
      `line ${lineNo}: a serialised line has quantity 1, not ${quantity}`,
    );
  }
  const out: ReceiptLineInput & { device?: DeviceIdentifierFields } = {
    line: lineNo,
    gtin: fields.gtin,
    quantity,
    rejected,
  };
  if (fields.lot !== undefined) out.lot = fields.lot;
  if (fields.expiry !== undefined) out.expiry = fields.expiry;
  if (fields.serial !== undefined) out.serial = fields.serial;
  if (device) out.device = device;
  return out;
}
