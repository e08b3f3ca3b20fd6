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
const MAIN = "6901234500001";
const EAST = "6901234500002";
const OTHERS_CAMPUS = "6901234500003";
const SUPPLIER_GLN = "6909876500009";

/**
 * Units a hospital accepted and then sent out of its stock — moved to a GLN that is none of its
 * campuses (back to the supplier, or to another hospital), or consigned units returned — are
 * neither used nor on hand:
 * - LOT-S: 10 accepted; 2 moved to H's east campus (still H's), 4 sent to the supplier's GLN on
 *   March 5, then 7 used one a day from March 1. Only 6 were H's to use: the seventh is a phantom.
 * - LOT-C: 5 consigned units accepted, expired June 1; 1 used; a return of 2 requested and 1 of
 *   them refused, the supplier's own return of 1, a write-off of 1 at expiry. 2 were sent out, so
 *   2 (the written-off one among them) expired on H's shelf, not 4.
 * - LOT-E: 4 accepted, expired June 1; 1 used; 1 sent to the supplier in May, 1 moved to a campus
 *   of OTHER's in mid-June. Both left H, but the second had expired in H's hands: 2 wasted.
 * OTHER sent LOT-S out too (never having received it): another hospital's moves change nothing
 * of H's.
 */
async function seed(db: Db): Promise<void> {
  const seed = new LedgerSeed(db);
  await seed.stentYear(SUPPLIER);
  const placedAt = "2026-02-01T00:00:00Z";
  await seed.order({ id: 1, agreementId: 1, hospital: H, quantity: 20, value: 20000, placedAt });
  const lots: [string, string, number][] = [
    ["LOT-S", "2028-01-01T00:00:00Z", 10],
    ["LOT-C", "2026-06-01T00:00:00Z", 5],
    ["LOT-E", "2026-06-01T00:00:00Z", 4],
  ];
  for (const [i, [lot, expiry, quantity]] of lots.entries()) {
    const id = i + 1;
    await seed.shipment({
      id,
      orderId: 1,
      gtin: GTIN,
      lot,
      expiry,
      quantity,
      createdAt: "2026-02-10T00:00:00Z",
    });
    await seed.settlement({
      shipmentId: id,
      accepted: quantity,
      deliveredAt: "2026-02-15T00:00:00Z",
      txHash: hash(id),
    });
  }

  await seed.campus(H, MAIN);
  await seed.campus(H, EAST);
  await seed.campus(OTHER, OTHERS_CAMPUS);
  const transfers: [string, string, string, number, string][] = [
    [H, EAST, "LOT-S", 2, "2026-02-20"],
    [H, SUPPLIER_GLN, "LOT-S", 4, "2026-03-05"],
    [OTHER, SUPPLIER_GLN, "LOT-S", 3, "2026-03-05"],
    [H, SUPPLIER_GLN, "LOT-E", 1, "2026-05-01"],
    [H, OTHERS_CAMPUS, "LOT-E", 1, "2026-06-15"],
  ];
  for (const [i, [hospital, to, lot, quantity, day]] of transfers.entries()) {
    await seed.transfer({
      id: i + 1,
      hospital,
      from: MAIN,
      to,
      gtin: GTIN,
      lot,
      quantity,
      at: `${day}T00:00:00Z`,
      txHash: hash(101 + i),
    });
  }
  const movements = [
    ["return-requested", 2, "2026-03-01"],
    ["return-refused", 1, "2026-03-02"],
    ["return", 1, "2026-03-03"],
    ["expiry", 1, "2026-06-01"],
  ] as const;
  for (const [i, [kind, units, day]] of movements.entries()) {
    await seed.consignmentMovement({
      logIndex: i,
      shipmentId: 2,
      hospital: H,
      kind,
      units,
      at: `${day}T00:00:00Z`,
    });
  }

  const usages = new UsagesService(db, "sent-out-test-salt-0123456789");
  const uses: [string, string, string][] = [
    ...[1, 2, 3, 4, 5, 6, 7].map((d): [string, string, string] => [`S${d}`, "LOT-S", `2026-03-0${d}`]),
    ["C1", "LOT-C", "2026-03-10"],
    ["E1", "LOT-E", "2026-03-11"],
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
        ["LOT-E", "4", "1", "2", "1"],
        ["LOT-S", "10", "7", "4", "-1"],
      ]);
      expect(rows[2].flags).to.deep.equal([
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
            // The move to the supplier's GLN; the one to H's own east campus is no send-out.
            sentOutTxHashes: [hash(102)],
          },
        },
      ]);
    });

    it("counts as wasted what was on the hospital's shelf at expiry, or left it only after", async function () {
      const { rows } = await service.report({ hospital: H });
      const evidence = { expiry: "2026-06-01T00:00:00.000Z", units: "2", receiptNos: [] };
      expect(rows.slice(0, 2).map((r) => [r.lot, r.flags])).to.deep.equal([
        ["LOT-C", [{ code: "WASTE", evidence: { ...evidence, txHashes: [hash(2)] } }]],
        ["LOT-E", [{ code: "WASTE", evidence: { ...evidence, txHashes: [hash(3)] } }]],
      ]);
    });

    it("counts a move out only after its time, and lists a row whose last activity was one", async function () {
      const { rows } = await service.report({ hospital: H, lot: "LOT-S", to: "2026-03-05T00:00:00Z" });
      expect(rows.map((r) => [r.used, r.sentOut, r.onHand, r.flags])).to.deep.equal([["4", "0", "6", []]]);
      const lately = await service.report({ hospital: H, from: "2026-06-10T00:00:00Z" });
      expect(lately.rows.map((r) => r.lot)).to.deep.equal(["LOT-E"]);
    });

    it("shows a recall's exposure net of what the hospital sent out", async function () {
      const exposure = await service.recallExposure(GTIN, "LOT-S");
      expect(
        exposure.hospitals.map((h) => [h.hospital, h.accepted, h.used, h.sentOut, h.onHand]),
      ).to.deep.equal([[H, "10", "7", "4", "-1"]]);
    });
  });
});
