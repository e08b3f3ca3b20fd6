import type { Db } from "../../db";

/** SQL of device_identifiers (migration 0019): declared non-GS1 device identifiers by product key. */

export interface DeclaredIdentifier {
  agency: string;
  deviceIdentifier: string;
}

/** The declared identifier of each of `productKeys` that has one. */
export async function declaredIdentifiers(
  db: Db,
  productKeys: string[],
): Promise<Map<string, DeclaredIdentifier>> {
  if (productKeys.length === 0) return new Map();
  const { rows } = await db.query<{ product_key: string; agency: string; device_identifier: string }>(
    `SELECT product_key, agency, device_identifier FROM device_identifiers WHERE product_key = ANY($1::text[])`,
    [[...new Set(productKeys)]],
  );
  return new Map(
    rows.map((r) => [r.product_key, { agency: r.agency, deviceIdentifier: r.device_identifier }]),
  );
}
