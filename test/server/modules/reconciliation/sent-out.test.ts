import { expect } from "chai";
import { migrate, type Db } from "../../../../server/db";
import { ReconciliationService } from "../../../../server/modules/reconciliation/reconciliation.service";
import { UsagesService } from "../../../../server/modules/usages/usages.service";
import { forEachEngine } from "../../helpers/engines";
import { address, hash, LedgerSeed } from "./seed";

const NOW = new Date("2026-09-01T00:00:00Z");
const H = address("11");
const OTHER = address("22");
const SUPPLIER = address("aa");
const GTIN = "09520123456788";
const [MAIN, EAST, SUPPLIER_GLN] = ["6901234500001", "6901234500002", "6909876500009"];

/**
 * Units a hospital accepted and then sent out of its stock — moved to a GLN that is none of its
 * campuses (back to the supplier), or consigned units returned — are neither used nor on hand:
 * - LOT-S: 10 accepted; 2 moved to H's east campus (still H's), 4 sent to the supplier's GLN on
 *   March 5, then 7 used one a day from March 1. Only 6 were H's to use: the seventh is a phantom.
 * - LOT-C: 5 consigned units accepted, expired June 1; 1 used; a return of 2 requested and 1 of
 *   them refused, the supplier's own return of 1, a write-off of 1 at expiry. 2 were sent out, so
 *   2 (the written-off one among them) expired on H's shelf, not 4.
 * OTHER sent LOT-S out too (never having received it): another hospital's moves change nothing of H's.
 */
async function seed(db: Db): Promise<void> {
  const seed = new LedgerSeed(db);
  await seed.supplier(SUPPLIER);
  await seed.agreement({
    id: 1,
    supplier: SUPPLIER,
    category: "stent",
    startAt: "2026-01-01T00:00:00Z",
    endAt: "2027-01-01T00:00:00Z",
    hospitals: [],
  });
  await seed.order({
    id: 1,
    agreementId: 1,
    hospital: H,
    quantity: 20,
    value: 20000,
    placedAt: "2026-02-01T00:00:00Z",
  });
  const delivered = { gtin: GTIN, createdAt: "2026-02-10T00:00:00Z" };
  await seed.shipment({
    ...delivered,
    id: 1,
    orderId: 1,
    lot: "LOT-S",
    expiry: "2028-01-01T00:00:00Z",
    quantity: 10,
  });
  await seed.shipment({
    ...delivered,
    id: 2,
    orderId: 1,
    lot: "LOT-C",
    expiry: "2026-06-01T00:00:00Z",
    quantity: 5,
  });
  for (const [shipmentId, accepted] of [
    [1, 10],
    [2, 5],
  ]) {
    await seed.settlement({
      shipmentId,
      accepted,
      deliveredAt: "2026-02-15T00:00:00Z",
      txHash: hash(shipmentId),
    });
  }

  await seed.campus(H, MAIN);
  await seed.campus(H, EAST);
  const moved = { hospital: H, from: MAIN, gtin: GTIN, lot: "LOT-S" };
  await seed.transfer({ ...moved, id: 1, to: EAST, quantity: 2, at: "2026-02-20T00:00:00Z" });
  await seed.transfer({ ...moved, id: 2, to: SUPPLIER_GLN, quantity: 4, at: "2026-03-05T00:00:00Z" });
  await seed.transfer({
    ...moved,
    id: 3,
    hospital: OTHER,
    to: SUPPLIER_GLN,
    quantity: 3,
    at: "2026-03-05T00:00:00Z",
  });
  const consigned = { hospital: H, shipmentId: 2 };
  await seed.consignmentMovement({
    ...consigned,
    logIndex: 1,
    kind: "return-requested",
    units: 2,
    at: "2026-03-01T00:00:00Z",
  });
  await seed.consignmentMovement({
    ...consigned,
    logIndex: 2,
    kind: "return-refused",
    units: 1,
    at: "2026-03-02T00:00:00Z",
  });
  await seed.consignmentMovement({
    ...consigned,
    logIndex: 3,
    kind: "return",
    units: 1,
    at: "2026-03-03T00:00:00Z",
  });
  await seed.consignmentMovement({
    ...consigned,
    logIndex: 4,
    kind: "expiry",
    units: 1,
    at: "2026-06-01T00:00:00Z",
  });

  const usages = new UsagesService(db, "sent-out-test-salt-0123456789");
  const uses: [string, string, string][] = [
    ...Array.from({ length: 7 }, (_, i): [string, string, string] => [
      `S${i + 1}`,
      "LOT-S",
      `2026-03-0${i + 1}`,
    ]),
    ["C1", "LOT-C", "2026-03-10"],
  ];
  for (const [usageId, lot, day] of uses) {
    await usages.record(
      {
        usageId,
        gtin: GTIN,
        lot,
        usedAt: `${day}T12:00:00Z`,
        department: "cardiology",
        patientRef: `P-${usageId}`,
        billingCode: "C-1",
        billedAmount: "1000",
      },
      { address: H, hospital: H },
      usageId,
      NOW,
    );
  }
}

describe("Reconciliation of units sent out of a hospital", function () {
  forEachEngine((engine) => {
    let service: ReconciliationService;
    before(async function () {
      await migrate(engine.db);
      await seed(engine.db);
      service = new ReconciliationService(engine.db, () => NOW);
    });

    it("takes units sent out off what is on hand, and flags use beyond what was left as phantom", async function () {
      const { rows } = await service.report({ hospital: H });
      expect(rows.map((r) => [r.lot, r.accepted, r.used, r.sentOut, r.onHand])).to.deep.equal([
        ["LOT-C", "5", "1", "2", "2"],
        ["LOT-S", "10", "7", "4", "-1"],
      ]);
      expect(rows[1].flags).to.deep.equal([
        {
          code: "PHANTOM_USE",
          evidence: {
            accepted: "10",
            sentOut: "4",
            usedNet: "7",
            billedQuantity: "7",
            usageIds: ["S7"],
            receiptNos: [],
            txHashes: [hash(1)],
          },
        },
      ]);
    });

    it("counts as wasted at expiry only what was still on the hospital's shelf", async function () {
      const { rows } = await service.report({ hospital: H, lot: "LOT-C" });
      expect(rows[0].flags).to.deep.equal([
        {
          code: "WASTE",
          evidence: { expiry: "2026-06-01T00:00:00.000Z", units: "2", receiptNos: [], txHashes: [hash(2)] },
        },
      ]);
    });

    it("counts a move out only from its time on", async function () {
      const { rows } = await service.report({ hospital: H, lot: "LOT-S", to: "2026-03-04T00:00:00Z" });
      expect(rows.map((r) => [r.used, r.sentOut, r.onHand, r.flags])).to.deep.equal([["3", "0", "7", []]]);
    });

    it("shows a recall's exposure net of what the hospital sent out", async function () {
      const exposure = await service.recallExposure(GTIN, "LOT-S");
      expect(
        exposure.hospitals.map((h) => [h.hospital, h.accepted, h.used, h.sentOut, h.onHand]),
      ).to.deep.equal([[H, "10", "7", "4", "-1"]]);
    });
  });
});
