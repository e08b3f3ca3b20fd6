import type { TrailStep, TrailSubject, UsageStepData } from "../../../api/trail";
import type { Db } from "../../db";
import * as repo from "./trail.repository";
import { distinctLots, iso, str } from "./trail.rows";

/**
 * Usage records from the hospitals' billing (table `usages`, migration 0005), as off-chain steps:
 * - an order trail: its hospital's usages of the order's lots, attributed by serial when the item
 *   is in one of the order's manifests, by lot when the usage names no serial or the order's
 *   shipments of that lot have no manifest (a serial shipped under another order is left out);
 * - a lot or serial trail: every usage of the lot or item by the hospitals in the caller's scope —
 *   including hospitals the lot was never shipped to, which is the finding a regulator looks for.
 * Suppliers see no usages (billing is the hospital's). On a database without the table (migrated
 * before 0005) there are none.
 */
export async function usageSteps(
  db: Db,
  subject: TrailSubject,
  scope: repo.TrailScope,
  orders: repo.OrderRow[],
  shipments: repo.ShipmentRow[],
  serials: Map<string, string[]>,
): Promise<TrailStep[]> {
  if (scope.supplier) return [];
  if (!(await repo.usagesTableExists(db))) return [];
  const hospitals = scope.hospital ? [scope.hospital.toLowerCase()] : null;

  let rows: (repo.UsageRow & { attribution: UsageStepData["attribution"] })[];
  if (subject.type === "serial") {
    rows = (await repo.usagesOfSerial(db, subject.gtin, subject.serial, hospitals)).map((u) => ({
      ...u,
      attribution: "serial" as const,
    }));
  } else if (subject.type === "lot") {
    rows = (await repo.usagesOfLots(db, [{ gtin: subject.gtin, lot: subject.lot }], hospitals)).map((u) => ({
      ...u,
      attribution: u.serial ? ("serial" as const) : ("lot" as const),
    }));
  } else {
    const hospital = orders[0]?.hospital;
    if (!hospital || (hospitals && !hospitals.includes(hospital))) return [];
    const lots = distinctLots(shipments);
    const shipped = new Map<string, Set<string> | null>();
    for (const l of lots) {
      const ofLot = shipments.filter((s) => s.gtin === l.gtin && s.lot === l.lot);
      const lists = ofLot.map((s) => serials.get(str(s.id)));
      shipped.set(
        `${l.gtin}/${l.lot}`,
        lists.every((x) => x === undefined) ? null : new Set(lists.flatMap((x) => x ?? [])),
      );
    }
    rows = [];
    for (const u of await repo.usagesOfLots(db, lots, [hospital])) {
      const manifest = shipped.get(`${u.gtin}/${u.lot}`);
      if (u.serial && manifest) {
        if (manifest.has(u.serial)) rows.push({ ...u, attribution: "serial" });
      } else {
        rows.push({ ...u, attribution: "lot" });
      }
    }
  }

  return rows.map((u) => {
    const data: UsageStepData = {
      hospital: u.hospital,
      usageId: u.usage_id,
      gtin: u.gtin,
      lot: u.lot,
      serial: u.serial,
      department: u.department,
      patientHash: u.patient_hash,
      billingCode: u.billing_code,
      billedAmount: str(u.billed_amount),
      quantity: Number(u.quantity),
      correctsUsageId: u.corrects_usage_id,
      recordedBy: u.recorded_by,
      attribution: u.attribution,
    };
    return {
      id: `usage:${u.hospital}:${u.usage_id}`,
      at: iso(u.used_at),
      kind: "usage" as const,
      summary:
        u.quantity < 0
          ? `Hospital ${u.hospital} billed a return of ${-u.quantity} × GTIN ${u.gtin} lot ${u.lot}` +
            `${u.serial ? ` serial ${u.serial}` : ""} (corrects usage ${u.corrects_usage_id}), amount ${u.billed_amount}`
          : `Hospital ${u.hospital} (${u.department}) billed the use of ${u.quantity} × GTIN ${u.gtin} lot ${u.lot}` +
            `${u.serial ? ` serial ${u.serial}` : ""} on a patient, code ${u.billing_code}, amount ${u.billed_amount}`,
      source: "gateway.usages",
      data,
      onChain: null,
    };
  });
}
