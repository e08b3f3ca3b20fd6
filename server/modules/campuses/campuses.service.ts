import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import { gtinCheckDigit, isValidGln } from "../barcodes";
import type { Campus, RegisterCampusRequest } from "../../../api/campuses";
import * as repo from "./campuses.repository";

/**
 * A hospital group's campuses. They are the hospital's internal structure, so they are
 * registered here in the gateway (like departments) and not on the ledger: a GLN is a GS1 key
 * that names its location worldwide, so a transfer on the ledger that names two GLNs is
 * meaningful without an on-chain registry, and a hospital can add a community health centre
 * without a ledger act. The gateway, which reads transfers back from the ledger, knows which
 * hospital each GLN belongs to.
 */

export function requireGln(gln: string, field = "gln"): void {
  if (!isValidGln(gln)) {
    const expected = /^\d{13}$/.test(gln)
      ? `; its check digit should be ${gtinCheckDigit(gln.slice(0, 12))}`
      : "";
    throw appError(
      "GLN_INVALID",
      `${field} ${gln} is not a GLN (13 digits with a GS1 check digit)${expected}`,
      {
        field,
        gln,
      },
    );
  }
}

export async function registerCampus(
  db: Db,
  request: RegisterCampusRequest,
  actor: { address: string; hospital: string },
  now: Date,
): Promise<Campus> {
  requireGln(request.gln);
  return db.transaction(async (tx) => {
    const taken = await repo.findCampus(tx, request.gln);
    if (taken) {
      const whose = taken.hospital === actor.hospital ? "your hospital" : "another hospital";
      throw appError("CAMPUS_EXISTS", `GLN ${request.gln} is already a campus of ${whose}`, {
        gln: request.gln,
      });
    }
    return repo.insertCampus(tx, {
      hospital: actor.hospital,
      gln: request.gln,
      name: request.name.trim(),
      registeredBy: actor.address.toLowerCase(),
      registeredAt: now,
    });
  });
}

/**
 * The campus a receipt or usage is counted at: the one it names, which must be the hospital's,
 * or else the hospital's main campus (null while the hospital has registered none).
 */
export async function campusFor(
  db: Db,
  hospital: string,
  gln: string | undefined,
  field = "campus",
): Promise<string | null> {
  if (gln === undefined) return repo.mainCampus(db, hospital);
  requireGln(gln, field);
  const campus = await repo.findCampus(db, gln);
  if (!campus || campus.hospital !== hospital) {
    throw appError(
      "CAMPUS_UNKNOWN",
      `${field} ${gln} is not a campus of your hospital (register it: POST /v1/campuses)`,
      {
        field,
        gln,
      },
    );
  }
  return gln;
}
