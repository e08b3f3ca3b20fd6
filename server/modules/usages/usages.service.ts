import { createHmac } from "node:crypto";
import DataLoader from "dataloader";
import type { Db } from "../../db";
import { isDeadlock, isUniqueViolation } from "../../lib/failures";
import { insertOnce, requestHash, withIdempotency, type IdempotentResponse } from "../../lib/idempotency";
import { appError } from "../../plugins/error-catalogue";
import {
  deviceIdentifierFields,
  Gs1Error,
  isValidGtin,
  parseGs1,
  parseUdi,
  scanError,
  scannedProduct,
  type DeviceIdentifierFields,
} from "../barcodes";
import { requireDeclared } from "../device-identifiers/device-identifiers.service";
import type { Usage, UsageRequest } from "../../../api/usages";
import { campusFor } from "../campuses/campuses.service";
import * as repo from "./usages.repository";
import { isCalendarDate, parseInstant } from "./usages.time";

/**
 * Usage records from a hospital's billing system: which item (GTIN, lot, serial) was used on
 * which patient, where, when and for how much — the "use" in the regulator's
 * purchase–receipt–use comparison (reconciliation/).
 *
 * Invariants:
 * - The patient reference is kept only as HMAC-SHA256 under a salt the service is given; the raw
 *   value is never stored (not even inside the idempotency record) nor returned. The salt's id
 *   is stored beside each hash, so a rotation is visible.
 * - Usage ids are the billing system's, unique per hospital; a record is never changed: a return
 *   or correction is a new usage with a negative quantity that names the usage it corrects, for
 *   the same hospital and item, and the corrections of a usage never take back more units or
 *   money than it had.
 * - A usage of an item the hospital never received is recorded, not refused: refusing it would
 *   hide exactly the discrepancy the reconciliation exists to show. A lot the ledger could never
 *   hold is refused: one beginning with = + - or @ (docs/ledger-rules.md, "Recalls"), which a
 *   spreadsheet opening the regulator's CSV reports would run as a formula.
 */

interface Item {
  /** The GTIN-14, or the product key of another agency's device identifier (`device`). */
  gtin: string;
  lot: string;
  serial: string | null;
  expiry: string | null;
  barcode: string | null;
}

const MAX_TEXT = 128;
/** A billing line beyond a million units is a typo; the bound also keeps it in an INTEGER. */
const MAX_QUANTITY = 1_000_000;
/** A billing system's clock may run a little ahead of ours. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** A salt shorter than this could be guessed, and with it every patient reference. */
const MIN_SALT_BYTES = 16;

/**
 * The public id of a salt: an HMAC of a fixed label under the salt, so it tells salts apart (a
 * rotation shows as a new id beside the hashes made after it) without revealing the salt.
 */
export function saltId(salt: string | Buffer): string {
  return createHmac("sha256", salt).update("sunshine-ledger/patient-ref-salt-id").digest("hex").slice(0, 16);
}

/** A new usage waiting to go into the database with the others that arrived with it. */
interface WaitingUsage extends repo.KeyedUsage {
  /** What the idempotency key's request hash is taken of (the body, the patient as its hash). */
  fingerprint: unknown;
}

export class UsagesService {
  private readonly salt: Buffer;
  private readonly saltId: string;
  /**
   * New usages that arrive together (while the event loop was busy, typically with the statement
   * of the ones before) go into the database as one statement: a hospital's billing system sends
   * them in bursts, and a statement's own cost (on PGlite, on the gateway's thread) is most of a
   * usage's. Each is answered as if it had been sent alone (insertGroup).
   */
  private readonly newUsages = new DataLoader<WaitingUsage, IdempotentResponse<Usage> | null>(
    (group) => this.insertGroup(group),
    { cache: false, batchScheduleFn: (send) => setImmediate(send), maxBatchSize: 100 },
  );

  constructor(
    private readonly db: Db,
    patientSalt: string | Buffer,
  ) {
    this.salt = Buffer.from(patientSalt);
    if (this.salt.length < MIN_SALT_BYTES) {
      throw new Error(`the patient-reference salt must be at least ${MIN_SALT_BYTES} bytes`);
    }
    this.saltId = saltId(this.salt);
  }

  /** `now`: the ledger's clock at the request's block (usages.routes.ts), to check times against. */
  async record(
    request: UsageRequest,
    actor: { address: string; hospital: string },
    idempotencyKey: string,
    now: Date,
  ): Promise<IdempotentResponse<Usage>> {
    const hospital = actor.hospital.toLowerCase();
    const fields = request as unknown as Record<string, unknown>;
    const usageId = text(fields, "usageId");
    const { device, ...item } = parseItem(fields, now);
    if (device) await requireDeclared(this.db, [{ ...device, where: device.source }]);
    const department = text(fields, "department");
    const patientHash = createHmac("sha256", this.salt).update(text(fields, "patientRef")).digest("hex");
    const usedAt = instant(fields, "usedAt", now);
    const billingCode = text(fields, "billingCode");
    const billedAmount = amount(fields, "billedAmount");
    const quantity = units(fields, "quantity");
    const correctsUsageId = fields.correctsUsageId === undefined ? null : text(fields, "correctsUsageId");
    const caseId = fields.caseId === undefined ? null : text(fields, "caseId");
    const caseGroup = fields.caseGroup === undefined ? null : text(fields, "caseGroup");
    if (caseGroup !== null && caseId === null) throw invalid("caseGroup", "needs the caseId of its case");

    if (item.serial !== null && Math.abs(quantity) !== 1) {
      throw invalid("quantity", `must be 1 (or -1 for a return) for a serialised item, not ${quantity}`);
    }
    if (quantity < 0 && correctsUsageId === null) {
      throw invalid("correctsUsageId", "is required when quantity is negative (a return or correction)");
    }
    if (quantity > 0 && correctsUsageId !== null) {
      throw invalid("correctsUsageId", "is only for returns and corrections, which have a negative quantity");
    }
    if (quantity > 0 && billedAmount < 0n) {
      throw invalid(
        "billedAmount",
        "must not be negative on a usage; a refund is a correction with a negative quantity",
      );
    }
    if (quantity < 0 && billedAmount > 0n) {
      throw invalid(
        "billedAmount",
        `of a return or correction must be 0 or negative (a refund), not ${billedAmount}`,
      );
    }

    const namedCampus = fields.campus === undefined ? undefined : text(fields, "campus");
    const usage: repo.NewUsage = {
      hospital,
      usageId,
      ...item,
      department,
      // A usage naming none is at the main campus, a correction at its original's (below).
      campus: namedCampus === undefined ? null : await campusFor(this.db, hospital, namedCampus),
      patientHash,
      patientSaltId: this.saltId,
      usedAt,
      billingCode,
      billedAmount,
      quantity,
      correctsUsageId,
      caseId,
      caseGroup,
      recordedBy: actor.address.toLowerCase(),
    };
    // The idempotency record stores a hash of the body: hash the patient's HMAC, not the raw
    // reference, whose few digits an unsalted hash would give away.
    const fingerprint = { ...request, patientRef: patientHash };
    const scope = `usages:${hospital}`;

    if (correctsUsageId === null) {
      // A usage checks nothing stored, so it is one statement (with the others that came with
      // it): the busiest write of a hospital.
      const outcome = await this.newUsages.load({
        usage,
        view: usageView(usage),
        scope,
        key: idempotencyKey,
        requestHash: requestHash(fingerprint),
        fingerprint,
      });
      if (!outcome) throw alreadyRecorded(usageId);
      return outcome;
    }
    return withIdempotency(this.db, scope, idempotencyKey, fingerprint, async (tx) => {
      if (await repo.usageExists(tx, hospital, usageId)) throw alreadyRecorded(usageId);
      const original = await checkCorrection(tx, usage, correctsUsageId);
      // A unit a patient did not use goes back to the campus that used it, unless named elsewhere.
      if (namedCampus === undefined) usage.campus = original.campus;
      // A refund is claimed back from the case the use was billed on.
      if (caseId === null) [usage.caseId, usage.caseGroup] = [original.caseId, original.caseGroup];
      await repo.insertUsage(tx, usage);
      return { statusCode: 201, body: usageView(usage) };
    });
  }

  /**
   * Inserts a group of new usages with one statement; any usage that statement does not insert
   * is then sent on its own, exactly as a usage sent alone: the one already recorded (a replay
   * of its key, or a 409), the key reused, and every usage of a group whose statement failed on
   * a key already stored or a deadlock. A group in which two usages share a key or a usage id is
   * sent one by one, as concurrent requests always were.
   */
  private async insertGroup(
    group: readonly WaitingUsage[],
  ): Promise<(IdempotentResponse<Usage> | null | Error)[]> {
    const alone = (u: WaitingUsage) =>
      insertOnce<Usage>(
        this.db,
        u.scope,
        u.key,
        u.fingerprint,
        201,
        repo.insertNewUsage(u.usage, u.view),
      ).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    const keys = new Set(group.map((u) => `${u.scope} ${u.key}`));
    const ids = new Set(group.map((u) => `${u.usage.hospital} ${u.usage.usageId}`));
    if (group.length === 1 || keys.size < group.length || ids.size < group.length) {
      return Promise.all(group.map(alone));
    }
    // A key already stored, or a deadlock with another group (whose rows lock totals rows in
    // another order): nothing of this group was written, so each goes alone. Any other failure
    // (the database unreachable, overloaded) is every usage's answer, as it would be alone.
    const stored = await repo.insertNewUsages(this.db, group).catch((error: unknown) => {
      if (isUniqueViolation(error) || isDeadlock(error)) return [];
      throw error;
    });
    return Promise.all(
      group.map((u, i) => {
        const body = stored[i];
        return body ? { statusCode: 201, body, replayed: false } : alone(u);
      }),
    );
  }
}

function alreadyRecorded(usageId: string) {
  return appError("CONFLICT", `usage ${usageId} was already recorded`, { usageId });
}

/** A correction refers to an original usage of this hospital, for the same item, not over-returned. */
async function checkCorrection(
  tx: Db,
  usage: repo.NewUsage,
  originalId: string,
): Promise<repo.CorrectedUsage> {
  const original = await repo.lockForCorrection(tx, usage.hospital, originalId);
  if (!original) throw invalid("correctsUsageId", `${originalId} is not a usage of this hospital`);
  if (original.quantity < 0) {
    throw invalid("correctsUsageId", `${originalId} is itself a correction; refer to the original usage`);
  }
  if (original.gtin !== usage.gtin || original.lot !== usage.lot || original.serial !== usage.serial) {
    throw invalid("correctsUsageId", `${originalId} is for ${itemLabel(original)}, not ${itemLabel(usage)}`);
  }
  if (usage.usedAt < original.usedAt) {
    throw invalid("usedAt", `must not be before the usage it corrects (${original.usedAt.toISOString()})`);
  }
  const unitsLeft = original.quantity + original.correctedQuantity;
  if (-usage.quantity > unitsLeft) {
    throw appError(
      "CONFLICT",
      `usage ${originalId} has ${unitsLeft} unit(s) left to return; returning ${-usage.quantity} would over-return it`,
      { usageId: originalId, unitsLeft },
    );
  }
  const amountLeft = original.billedAmount + original.refundedAmount;
  if (-usage.billedAmount > amountLeft) {
    throw appError(
      "CONFLICT",
      `usage ${originalId} has ${amountLeft} left to refund; refunding ${-usage.billedAmount} would exceed what was billed`,
      { usageId: originalId, amountLeft: amountLeft.toString() },
    );
  }
  return original;
}

/** A usage as the API answers it (the campus as named; the statement fills in the main one). */
export function usageView(u: repo.NewUsage): Usage {
  return {
    hospital: u.hospital,
    usageId: u.usageId,
    gtin: u.gtin,
    lot: u.lot,
    serial: u.serial,
    expiry: u.expiry,
    department: u.department,
    campus: u.campus,
    patientRefHash: u.patientHash,
    usedAt: u.usedAt.toISOString(),
    billingCode: u.billingCode,
    billedAmount: u.billedAmount.toString(),
    quantity: u.quantity,
    correctsUsageId: u.correctsUsageId,
    caseId: u.caseId ?? null,
    caseGroup: u.caseGroup ?? null,
    recordedBy: u.recordedBy,
  };
}

function itemLabel(item: { gtin: string; lot: string; serial: string | null }): string {
  return `(01)${item.gtin}(10)${item.lot}${item.serial === null ? "" : `(21)${item.serial}`}`;
}

function invalid(field: string, why: string) {
  return appError("VALIDATION_FAILED", `${field} ${why}`, { field });
}

function text(fields: Record<string, unknown>, field: string): string {
  const value = fields[field];
  if (value === undefined || value === null) throw invalid(field, "is required");
  if (typeof value !== "string" || value.trim() === "" || value.length > MAX_TEXT) {
    throw invalid(field, `must be a non-empty string of at most ${MAX_TEXT} characters`);
  }
  return value.trim();
}

/**
 * The item from a barcode (GS1 or MA, recognised by its form) or from fields: a GTIN, or another
 * agency's device identifier (`device`, whose product key is the item's gtin, as on the ledger).
 * GS1 fields go through the GS1 rules, so both forms agree.
 */
function parseItem(
  fields: Record<string, unknown>,
  now: Date,
): Item & { device?: DeviceIdentifierFields & { source: string } } {
  const itemFields = ["gtin", "agency", "deviceIdentifier", "lot", "serial", "expiry"].filter(
    (f) => fields[f] !== undefined,
  );
  if (fields.barcode !== undefined) {
    if (itemFields.length > 0) {
      throw invalid(
        "barcode",
        `or ${itemFields.join("/")}: give the item as a barcode or as fields, not both`,
      );
    }
    const barcode = fields.barcode;
    if (typeof barcode !== "string") throw invalid("barcode", "must be a string");
    const parsed = scanned(barcode, now);
    const { productNumber, device } = scannedProduct(parsed);
    if (productNumber === undefined) throw invalid("barcode", "has no GTIN (AI 01)");
    if (parsed.lot === undefined) {
      throw invalid("barcode", `has no lot (${device ? "MA .L" : "AI 10"}); usage is reconciled per lot`);
    }
    return {
      gtin: productNumber,
      lot: ledgerLot("barcode", parsed.lot),
      serial: parsed.serial ?? null,
      expiry: parsed.expiry?.date ?? null,
      barcode,
      ...(device && { device: { ...device, source: "barcode" } }),
    };
  }
  if (fields.deviceIdentifier !== undefined) {
    if (fields.gtin !== undefined) {
      throw invalid("gtin", "or deviceIdentifier: name the item by one of them, not both");
    }
    if (fields.agency !== "MA" && fields.agency !== "AHM") {
      throw invalid("agency", "must be MA or AHM with a deviceIdentifier");
    }
    let device: DeviceIdentifierFields;
    try {
      device = deviceIdentifierFields(fields.agency, text(fields, "deviceIdentifier"));
    } catch (error) {
      throw scanError(error, "deviceIdentifier");
    }
    if (fields.lot === undefined) throw invalid("lot", "is required (or give a barcode)");
    const lot = ledgerLot("lot", text(fields, "lot"));
    const serial = fields.serial === undefined ? null : text(fields, "serial");
    return {
      gtin: device.productKey,
      lot,
      serial,
      expiry: expiryField(fields),
      barcode: null,
      device: { ...device, source: "deviceIdentifier" },
    };
  }
  if (fields.gtin === undefined) throw invalid("gtin", "is required (or give a barcode)");
  if (typeof fields.gtin !== "string" || !isValidGtin(fields.gtin)) {
    throw invalid("gtin", "must be a GTIN-8, -12, -13 or -14 with a correct check digit");
  }
  const gtin = fields.gtin.padStart(14, "0");
  if (fields.lot === undefined) throw invalid("lot", "is required (or give a barcode)");
  const lot = ledgerLot("lot", gs1Field("lot", "10", gtin, fields.lot, now));
  const serial = fields.serial === undefined ? null : gs1Field("serial", "21", gtin, fields.serial, now);
  return { gtin, lot, serial, expiry: expiryField(fields), barcode: null };
}

function expiryField(fields: Record<string, unknown>): string | null {
  if (fields.expiry === undefined) return null;
  if (typeof fields.expiry !== "string" || !isCalendarDate(fields.expiry)) {
    throw invalid("expiry", "must be a date as YYYY-MM-DD");
  }
  return fields.expiry;
}

/** A scanned item: any agency's code a 400 BARCODE_INVALID (or BARCODE_NOT_UDI) when malformed. */
function scanned(barcode: string, now: Date) {
  try {
    return parseUdi(barcode, { now });
  } catch (error) {
    throw scanError(error, "barcode", { field: "barcode" });
  }
}

/**
 * A lot the ledger can hold: GS1 allows a lot to begin with = + - or @, the ledger does not
 * (DeliveryTrace refuses it with TraceInvalidLot), so no shipment can ever match it.
 */
function ledgerLot(field: string, lot: string): string {
  if (/^[=+\-@]/.test(lot)) {
    const what = `${field === "lot" ? "" : "lot "}${JSON.stringify(lot)}`;
    throw invalid(field, `${what} must not begin with ${lot[0]}: no ledger lot may`);
  }
  return lot;
}

/** One lot or serial field, checked as the element string a scanner would send. */
function gs1Field(field: string, ai: string, gtin: string, value: unknown, now: Date): string {
  if (typeof value !== "string") throw invalid(field, "must be a string");
  gs1(field, `01${gtin}${ai}${value}`, now);
  return value;
}

function gs1(field: string, data: string, now: Date) {
  try {
    return parseGs1(data, { now });
  } catch (error) {
    if (!(error instanceof Gs1Error)) throw error;
    // A typed field that fails is a bad field (a scan that fails is a bad barcode: scanned()).
    throw appError("VALIDATION_FAILED", `${field}: ${error.message}`, { field, gs1: error.code });
  }
}

/** When the item was used: an ISO 8601 instant, not in the future. */
function instant(fields: Record<string, unknown>, field: string, now: Date): Date {
  const value = fields[field];
  if (value === undefined || value === null) throw invalid(field, "is required");
  const date = parseInstant(value);
  if (date === null) {
    throw invalid(field, "must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00+08:00");
  }
  if (date.getTime() > now.getTime() + CLOCK_SKEW_MS)
    throw invalid(field, `${value as string} is in the future`);
  return date;
}

/** Money in minor units: never a float, so only whole-number strings and safe integers. */
function amount(fields: Record<string, unknown>, field: string): bigint {
  const value = fields[field];
  if (value === undefined || value === null) throw invalid(field, "is required");
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d{1,40}$/.test(value)) return BigInt(value);
  throw invalid(
    field,
    `must be a whole number of minor units, as a string or a safe integer, not ${JSON.stringify(value)}`,
  );
}

function units(fields: Record<string, unknown>, field: string): number {
  const value = fields[field] ?? 1;
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value === 0 ||
    Math.abs(value) > MAX_QUANTITY
  ) {
    throw invalid(field, `must be a whole number from -${MAX_QUANTITY} to ${MAX_QUANTITY}, other than 0`);
  }
  return value;
}
