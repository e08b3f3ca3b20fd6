import { expect } from "chai";
import { migrate, type Db } from "../../../../server/db";
import { ReconciliationService } from "../../../../server/modules/reconciliation/reconciliation.service";
import { forEachEngine } from "../../helpers/engines";
import { address, GLOBAL, hash, LedgerSeed, unitUses } from "./seed";

const NOW = new Date("2026-09-01T00:00:00Z");
const H1 = address("11");
const H2 = address("22");
const S1 = address("aa");
const S2 = address("bb");
const REGULATOR = address("99");
const GTIN = "09520123456788";
const SUPPLIER_RECALL = hash(0xe1);
const GLOBAL_RECALL = hash(0xe2);
const LIFT = hash(0xe3);

/**
 * Recalls with a scope and a lift:
 * - LOT-S reached H1 from S1 and H2 from S2; S1 recalled its own shipments of it on 1 May. Each
 *   hospital used one unit on 10 May: only H1's came from recalled supply.
 * - LOT-L reached H1 from S1; a regulator recalled it on 1 April and lifted the recall on 15
 *   April. H1 used one unit before, one during and one after the recall.
 * Every settlement's delivery time (the chain's) is 1 March.
 */
async function seedRecalls(db: Db): Promise<void> {
  const seed = new LedgerSeed(db);
  await seed.stentYear(S1, 1);
  await seed.stentYear(S2, 2);
  const placedAt = "2026-02-01T00:00:00Z";
  await seed.order({ id: 1, agreementId: 1, hospital: H1, quantity: 8, value: 8000, placedAt });
  await seed.order({ id: 2, agreementId: 2, hospital: H2, quantity: 4, value: 4000, placedAt });
  const shipments: [number, number, string][] = [
    [1, 1, "LOT-S"],
    [2, 2, "LOT-S"],
    [3, 1, "LOT-L"],
  ];
  for (const [id, orderId, lot] of shipments) {
    await seed.shipment({
      id,
      orderId,
      gtin: GTIN,
      lot,
      expiry: "2028-01-01T00:00:00Z",
      quantity: 4,
      createdAt: "2026-02-10T00:00:00Z",
    });
    await seed.settlement({
      shipmentId: id,
      accepted: 4,
      deliveredAt: "2026-03-01T00:00:00Z",
      txHash: hash(id),
    });
  }
  await seed.recall({
    gtin: GTIN,
    lot: "LOT-S",
    recalledAt: "2026-05-01T00:00:00Z",
    txHash: SUPPLIER_RECALL,
    reasonCode: 4,
    scope: S1,
  });
  await seed.recall({
    gtin: GTIN,
    lot: "LOT-L",
    recalledAt: "2026-04-01T00:00:00Z",
    txHash: GLOBAL_RECALL,
    reasonCode: 5,
    lift: { liftedAt: "2026-04-15T00:00:00Z", txHash: LIFT, reasonCode: 6 },
  });

  const use = unitUses(db, "recall-scope-salt-0123456789", GTIN, NOW);
  await use(H1, "U-S1", "LOT-S", "2026-05-10T00:00:00Z");
  await use(H2, "U-S2", "LOT-S", "2026-05-10T00:00:00Z");
  await use(H1, "U-L0", "LOT-L", "2026-03-20T00:00:00Z");
  await use(H1, "U-L1", "LOT-L", "2026-04-05T00:00:00Z");
  await use(H1, "U-L2", "LOT-L", "2026-04-20T00:00:00Z");
}

describe("ReconciliationService: recall scopes and lifts", function () {
  forEachEngine((engine) => {
    let service: ReconciliationService;
    before(async function () {
      await migrate(engine.db);
      await seedRecalls(engine.db);
      service = new ReconciliationService(engine.db, () => NOW);
    });

    const flagsOf = async (query: { to?: string } = {}) =>
      Object.fromEntries(
        (await service.report({ gtin: GTIN, ...query })).rows.map((r) => [`${r.hospital} ${r.lot}`, r.flags]),
      );

    it("flags use of a supplier-recalled lot only where that supplier's shipments went", async function () {
      const flags = await flagsOf();
      expect(flags[`${H1} LOT-S`]).to.deep.equal([
        {
          code: "USED_FROM_RECALLED_LOT",
          evidence: {
            recalledAt: "2026-05-01T00:00:00.000Z",
            txHash: SUPPLIER_RECALL,
            scope: S1,
            liftedAt: null,
            usageIds: ["U-S1"],
          },
        },
      ]);
      expect(flags[`${H2} LOT-S`]).to.deep.equal([]);
    });

    it("flags only the use while a lifted recall was in force, and shows the lift", async function () {
      expect((await flagsOf())[`${H1} LOT-L`]).to.deep.equal([
        {
          code: "USED_FROM_RECALLED_LOT",
          evidence: {
            recalledAt: "2026-04-01T00:00:00.000Z",
            txHash: GLOBAL_RECALL,
            scope: GLOBAL,
            liftedAt: "2026-04-15T00:00:00.000Z",
            usageIds: ["U-L1"],
          },
        },
      ]);
    });

    it("does not know of a lift after the report's as-of instant", async function () {
      const flags = await flagsOf({ to: "2026-04-10T00:00:00Z" });
      expect(flags[`${H1} LOT-L`]).to.deep.equal([
        {
          code: "USED_FROM_RECALLED_LOT",
          evidence: {
            recalledAt: "2026-04-01T00:00:00.000Z",
            txHash: GLOBAL_RECALL,
            scope: GLOBAL,
            liftedAt: null,
            usageIds: ["U-L1"],
          },
        },
      ]);
    });

    it("counts a settlement as accepted from the delivery time the chain derived", async function () {
      const before = await service.report({ gtin: GTIN, lot: "LOT-L", to: "2026-02-28T00:00:00Z" });
      expect(before.rows.map((r) => [r.shipped, r.accepted])).to.deep.equal([["4", "0"]]);
      const after = await service.report({ gtin: GTIN, lot: "LOT-L", to: "2026-03-02T00:00:00Z" });
      expect(after.rows.map((r) => [r.shipped, r.accepted])).to.deep.equal([["4", "4"]]);
    });

    it("shows which hospitals a supplier's recall covers, and their use under it", async function () {
      const exposure = await service.recallExposure(GTIN, "LOT-S");
      expect(exposure.recall).to.deep.equal({
        recalledAt: "2026-05-01T00:00:00.000Z",
        txHash: SUPPLIER_RECALL,
        reasonCode: 4,
        scope: S1,
      });
      expect(exposure.recalls).to.deep.equal([
        {
          scope: S1,
          recalledBy: S1,
          recalledAt: "2026-05-01T00:00:00.000Z",
          txHash: SUPPLIER_RECALL,
          reasonCode: 4,
          active: true,
          lift: null,
        },
      ]);
      expect(
        exposure.hospitals.map((h) => [
          h.hospital,
          h.suppliers,
          h.recalled,
          h.departments.map((d) => d.usedAfterRecall),
        ]),
      ).to.deep.equal([
        [H1, [S1], true, ["1"]],
        [H2, [S2], false, ["0"]],
      ]);
    });

    it("keeps a lifted recall in the exposure, no longer in force, with the use while it was", async function () {
      const exposure = await service.recallExposure(GTIN, "LOT-L");
      expect(exposure.recall).to.equal(null);
      expect(exposure.recalls).to.deep.equal([
        {
          scope: GLOBAL,
          recalledBy: REGULATOR,
          recalledAt: "2026-04-01T00:00:00.000Z",
          txHash: GLOBAL_RECALL,
          reasonCode: 5,
          active: false,
          lift: { liftedAt: "2026-04-15T00:00:00.000Z", liftedBy: REGULATOR, reasonCode: 6, txHash: LIFT },
        },
      ]);
      expect(exposure.hospitals).to.have.length(1);
      expect(exposure.hospitals[0]).to.include({ hospital: H1, recalled: false, used: "3", onHand: "1" });
      expect(exposure.hospitals[0].departments.map((d) => d.usedAfterRecall)).to.deep.equal(["1"]);
    });
  });
});
