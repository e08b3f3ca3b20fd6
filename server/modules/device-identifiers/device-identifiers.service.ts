import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import type { DeviceIdentifierFields } from "../barcodes";
import * as repo from "./device-identifiers.repository";

/**
 * Non-GS1 device identifiers as the ledger knows them (SupplierRegistry's DeviceIdentifierDeclared,
 * indexed into device_identifiers): a scanned or typed identifier names a product only once a
 * supplier declared it, so receipts and usages refuse one that was not, naming it, rather than
 * record an item no shipment can ever carry.
 */
export async function requireDeclared(
  db: Db,
  items: (DeviceIdentifierFields & { where: string })[],
): Promise<void> {
  const declared = await repo.declaredIdentifiers(
    db,
    items.map((i) => i.productKey),
  );
  const missing = items.find((i) => !declared.has(i.productKey));
  if (missing) {
    throw appError(
      "DEVICE_IDENTIFIER_NOT_DECLARED",
      `${missing.where}: ${missing.agency} device identifier ${missing.deviceIdentifier} is not declared on the ledger (no supplier declared it, so no shipment carries it)`,
      { agency: missing.agency, deviceIdentifier: missing.deviceIdentifier, productKey: missing.productKey },
    );
  }
}
