import type { MatchReason, MatchReasonCode, MatchStatus } from "../../../api/receipts";

/**
 * Three-way match of order ↔ shipment ↔ goods receipt (four-way in ERP terms: the receipt's
 * own rejections count). Pure: everything it needs is passed in, so every rule is testable
 * without a database or a chain.
 *
 * Rules, each a machine-readable reason when broken:
 * - every line's GTIN and lot equal the shipment's (GTIN_MISMATCH, LOT_MISMATCH); a printed
 *   expiry equals the shipment's (EXPIRY_MISMATCH); units on such lines are never accepted;
 * - expiry is later than receipt time plus the minimum remaining shelf life (SHELF_LIFE_SHORT);
 * - received ≤ shipped (OVER_DELIVERY: the excess is rejected, never paid);
 * - a shortfall beyond the tolerance holds the match (SHORT_DELIVERY); within it the
 *   accepted quantity settles and the rest returns to the order;
 * - every scanned serial is in the shipment's manifest (SERIAL_NOT_IN_MANIFEST, or
 *   MANIFEST_MISSING when none was uploaded), scanned once (SERIAL_DUPLICATED) and not already
 *   received anywhere (SERIAL_ALREADY_RECEIVED) — received meaning taken in by a conforming line of
 *   a receipt that matched, or that an approver accepted;
 * - the supplier is qualified and the lot not recalled at receipt (SUPPLIER_NOT_QUALIFIED,
 *   LOT_RECALLED); a temperature excursion not waived holds the match (EXCURSION_HOLD).
 */

export interface ReceiptLineInput {
  line: number;
  gtin: string;
  lot?: string;
  /** ISO date (YYYY-MM-DD) as printed on the item, if scanned. */
  expiry?: string;
  serial?: string;
  quantity: bigint;
  rejected: bigint;
}

export interface MatchInput {
  shipment: {
    gtin: string;
    lot: string;
    expiry: Date;
    quantity: bigint;
    excursion: boolean;
    excursionWaived: boolean;
  };
  receivedAt: Date;
  lines: ReceiptLineInput[];
  /** The uploaded serial list, or null if the supplier has not uploaded one. */
  manifest: ReadonlySet<string> | null;
  /** Serials of this GTIN already received by any receipt. */
  alreadyReceived: ReadonlySet<string>;
  supplierQualified: boolean;
  lotRecalled: boolean;
  tolerances: MatchTolerances;
}

export interface MatchTolerances {
  /** Shortfall (shipped − received) up to this percentage of the shipped quantity settles. */
  shortfallPct: number;
  /** Minimum remaining shelf life at receipt, in days. */
  minShelfLifeDays: number;
}

export interface MatchResult {
  status: MatchStatus;
  received: bigint;
  /** Units to pay for: received, conforming, not rejected, at most the shipped quantity. */
  accepted: bigint;
  /** shipped − accepted: what goes back to the order (the contract needs the two to add up). */
  rejected: bigint;
  reasons: MatchReason[];
  /**
   * Serials of the conforming lines not rejected at the dock: what the receipt takes in if it
   * matches (or an approver accepts it). A line at fault never marks its serial received.
   */
  conformingSerials: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function matchReceipt(input: MatchInput): MatchResult {
  const { shipment, lines, tolerances } = input;
  const reasons: MatchReason[] = [];
  const expiryDate = shipment.expiry.toISOString().slice(0, 10);
  let received = 0n;
  let conforming = 0n;
  const seen = new Set<string>();
  const conformingSerials: string[] = [];

  for (const l of lines) {
    received += l.quantity;
    let conforms = true;
    if (l.gtin !== shipment.gtin) {
      conforms = false;
      reasons.push(
        reason("GTIN_MISMATCH", l.line, `GTIN ${l.gtin} is not the shipment's ${shipment.gtin}`, {
          found: l.gtin,
          expected: shipment.gtin,
        }),
      );
    }
    if (l.lot !== undefined && l.lot !== shipment.lot) {
      conforms = false;
      reasons.push(
        reason("LOT_MISMATCH", l.line, `lot ${l.lot} is not the shipment's ${shipment.lot}`, {
          found: l.lot,
          expected: shipment.lot,
        }),
      );
    }
    if (l.expiry !== undefined && l.expiry !== expiryDate) {
      conforms = false;
      reasons.push(
        reason("EXPIRY_MISMATCH", l.line, `expiry ${l.expiry} is not the shipment's ${expiryDate}`, {
          found: l.expiry,
          expected: expiryDate,
        }),
      );
    }
    if (l.serial !== undefined) conforms = checkSerial(input, l.line, l.serial, seen, reasons) && conforms;
    if (conforms) conforming += l.quantity - l.rejected;
    if (conforms && l.serial !== undefined && l.rejected === 0n) conformingSerials.push(l.serial);
  }

  const minExpiry = new Date(input.receivedAt.getTime() + tolerances.minShelfLifeDays * DAY_MS);
  if (shipment.expiry <= minExpiry) {
    reasons.push({
      code: "SHELF_LIFE_SHORT",
      message: `expiry ${expiryDate} leaves less than ${tolerances.minShelfLifeDays} days of shelf life at receipt`,
      details: { expiry: expiryDate, minShelfLifeDays: tolerances.minShelfLifeDays },
    });
  }
  if (received > shipment.quantity) {
    reasons.push({
      code: "OVER_DELIVERY",
      message: `received ${received} units but ${shipment.quantity} were shipped; the excess is rejected`,
      details: { received: Number(received), shipped: Number(shipment.quantity) },
    });
  } else if (shortfallExceeds(shipment.quantity - received, shipment.quantity, tolerances.shortfallPct)) {
    reasons.push({
      code: "SHORT_DELIVERY",
      message: `received ${received} of ${shipment.quantity} shipped units, beyond the ${tolerances.shortfallPct}% tolerance`,
      details: {
        received: Number(received),
        shipped: Number(shipment.quantity),
        tolerancePct: tolerances.shortfallPct,
      },
    });
  }
  if (!input.supplierQualified) {
    reasons.push({
      code: "SUPPLIER_NOT_QUALIFIED",
      message: "the supplier is suspended or not qualified at receipt",
    });
  }
  if (input.lotRecalled)
    reasons.push({
      code: "LOT_RECALLED",
      message: `lot ${shipment.lot} is recalled`,
      details: { lot: shipment.lot },
    });
  if (shipment.excursion && !shipment.excursionWaived) {
    reasons.push({
      code: "EXCURSION_HOLD",
      message: "a temperature excursion was recorded on this shipment and not waived by an approver",
    });
  }

  const accepted = conforming < shipment.quantity ? conforming : shipment.quantity;
  return {
    status: reasons.length === 0 ? "matched" : "exception",
    received,
    accepted,
    rejected: shipment.quantity - accepted,
    reasons,
    conformingSerials,
  };
}

function checkSerial(
  input: MatchInput,
  line: number,
  serial: string,
  seen: Set<string>,
  reasons: MatchReason[],
): boolean {
  if (seen.has(serial)) {
    reasons.push(reason("SERIAL_DUPLICATED", line, `serial ${serial} is scanned more than once`, { serial }));
    return false;
  }
  seen.add(serial);
  if (input.manifest === null) {
    reasons.push(
      reason("MANIFEST_MISSING", line, `serial ${serial} cannot be checked: no manifest was uploaded`, {
        serial,
      }),
    );
    return false;
  }
  if (!input.manifest.has(serial)) {
    reasons.push(
      reason("SERIAL_NOT_IN_MANIFEST", line, `serial ${serial} is not in the shipment's manifest`, {
        serial,
      }),
    );
    return false;
  }
  if (input.alreadyReceived.has(serial)) {
    reasons.push(
      reason("SERIAL_ALREADY_RECEIVED", line, `serial ${serial} was already received`, { serial }),
    );
    return false;
  }
  return true;
}

function shortfallExceeds(shortfall: bigint, shipped: bigint, pct: number): boolean {
  // shortfall / shipped > pct / 100, in integers (pct with up to two decimals).
  return shortfall * 10_000n > shipped * BigInt(Math.round(pct * 100));
}

/** A line's reason: its message names the line; `details` holds the figures the message states. */
function reason(
  code: MatchReasonCode,
  line: number,
  message: string,
  details: NonNullable<MatchReason["details"]>,
): MatchReason {
  return { code, line, message: `line ${line}: ${message}`, details };
}
