import type { Db } from "../../db";
import { withIdempotency, type IdempotentResponse } from "../../lib/idempotency";
import { appError } from "../../plugins/error-catalogue";
import { parseUdi, scanError, scannedProduct } from "../barcodes";
import { campusFor } from "../campuses/campuses.service";
import * as exceptionsRepo from "../exceptions/exceptions.repository";
import type { StocktakeReason } from "../../../api/exceptions";
import type { Stocktake, StocktakeDifference, StocktakeRequest } from "../../../api/stock";
import * as repo from "./stock.repository";

/**
 * A stocktake: the warehouse scans what is on a campus's shelves, and every lot whose count
 * differs from its stock (received − used − returned ± transfers) becomes an exception with its
 * evidence — the records' figures and the count. Fewer on the shelf: STOCK_MISSING (used
 * without a usage record, or lost); more: STOCK_EXTRA (received without a receipt). All stock is
 * counted, consigned stock with the rest (its returns and write-offs have left the shelf). The
 * records' figure is the signed balance, not on hand: a campus that used more than it held expects
 * fewer than zero, so the units used there without a receipt show as extra rather than vanish.
 * A serial scanned twice counts once. Idempotent by the client's Idempotency-Key, as receipts
 * and usages are: a count sent twice (a retry after a lost answer) raises its exceptions once.
 */
export async function recordStocktake(
  db: Db,
  request: StocktakeRequest,
  actor: { address: string; hospital: string },
  now: Date,
  idempotencyKey: string,
): Promise<IdempotentResponse<Stocktake>> {
  const hospital = actor.hospital.toLowerCase();
  const campus = (await campusFor(db, hospital, request.campus, "campus"))!;
  const counted = countLines(request, now);
  return withIdempotency(db, `stocktakes:${hospital}`, idempotencyKey, request, async (tx) => {
    const expected = new Map(
      (await repo.stockOf(tx, hospital, { campus })).map((r) => [`${r.gtin}|${r.lot}` as string, r] as const),
    );
    const keys = [...new Set([...expected.keys(), ...counted.keys()])].sort();
    const id = await repo.insertStocktake(tx, {
      hospital,
      campus,
      countedBy: actor.address.toLowerCase(),
      now,
    });
    const differences: StocktakeDifference[] = [];
    for (const key of keys) {
      const row = expected.get(key);
      const count = counted.get(key);
      const want = row ? Number(row.onHand) - Number(row.shortfall) : 0;
      const have = count?.units ?? 0;
      if (want === have) continue;
      const [gtin, lot] = key.split("|");
      const missing = have < want;
      const reason: StocktakeReason = {
        code: missing ? "STOCK_MISSING" : "STOCK_EXTRA",
        message: missing
          ? `${want - have} unit(s) of lot ${lot} of GTIN ${gtin} missing at ${campus}: ${want} by the records, ${have} on the shelf (used without a usage record, or lost)`
          : `${have - want} unit(s) of lot ${lot} of GTIN ${gtin} more at ${campus} than the records' ${want} (received without a receipt)`,
        details: {
          stocktakeId: id,
          campus,
          gtin,
          lot,
          expected: want,
          counted: have,
          received: row?.received ?? "0",
          used: row?.used ?? "0",
          returned: row?.returned ?? "0",
          transferredIn: row?.transferredIn ?? "0",
          transferredOut: row?.transferredOut ?? "0",
          serials: [...(count?.serials ?? [])].sort(),
        },
      };
      const shipmentId = await repo.latestShipmentOf(tx, hospital, gtin, lot);
      const exceptionId =
        shipmentId === null
          ? null
          : await exceptionsRepo.raise(tx, {
              receiptNo: null,
              shipmentId,
              source: "stocktake",
              reasons: [reason],
              proposedAccepted: 0n,
              ledgerTime: now,
            });
      differences.push({ gtin, lot, expected: want, counted: have, exceptionId });
    }
    await repo.setStocktakeDifferences(tx, id, differences);
    const stocktake: Stocktake = {
      id,
      hospital,
      campus,
      countedBy: actor.address.toLowerCase(),
      countedAt: now.toISOString(),
      differences,
    };
    return { statusCode: 201, body: stocktake };
  });
}

/** Units per GTIN × lot on the shelf, with the serials scanned. */
function countLines(
  request: StocktakeRequest,
  now: Date,
): Map<string, { units: number; serials: Set<string> }> {
  const counted = new Map<string, { units: number; serials: Set<string> }>();
  for (const [i, line] of request.lines.entries()) {
    let item: { gtin?: string; lot?: string; serial?: string };
    if (line.barcode !== undefined) {
      try {
        // Any agency's code, as on the receiving screen: an MA item is stocked under its product key.
        const parsed = parseUdi(line.barcode, { now });
        item = { gtin: scannedProduct(parsed).productNumber, lot: parsed.lot, serial: parsed.serial };
      } catch (error) {
        throw scanError(error, `line ${i + 1}`, { line: i + 1 });
      }
    } else item = { gtin: line.gtin, lot: line.lot };
    if (item.gtin === undefined || item.lot === undefined)
      throw appError(
        "VALIDATION_FAILED",
        `line ${i + 1}: a stocktake counts lots: give the GTIN (01) and lot (10)`,
        {
          line: i + 1,
        },
      );
    if (item.serial !== undefined && (line.quantity ?? 1) !== 1)
      throw appError("VALIDATION_FAILED", `line ${i + 1}: a serialised scan is one unit`, { line: i + 1 });
    const key = `${item.gtin}|${item.lot}`;
    const c = counted.get(key) ?? { units: 0, serials: new Set<string>() };
    if (item.serial !== undefined) {
      if (c.serials.has(item.serial)) continue;
      c.serials.add(item.serial);
    }
    c.units += line.quantity ?? 1;
    counted.set(key, c);
  }
  return counted;
}
