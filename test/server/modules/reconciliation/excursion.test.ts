import { expect } from "chai";
import type { ReconciliationFlag } from "../../../../api/reconciliation";
import { loadMigrations, migrate, type Db } from "../../../../server/db";
import { ReconciliationService } from "../../../../server/modules/reconciliation/reconciliation.service";
import { UsagesService } from "../../../../server/modules/usages/usages.service";
import { forEachEngine } from "../../helpers/engines";
import { address, hash, LedgerSeed } from "./seed";

const NOW = new Date("2026-09-01T00:00:00Z");
const H1 = address("11");
const H2 = address("22");
const SUPPLIER = address("aa");
const GTIN = "09520123456788";
const EXCURSION_X = hash(0xe1);
const EXCURSION_W = hash(0xe2);
const EXCURSION_R1 = hash(0xe3);
const EXCURSION_R2 = hash(0xe4);
const EXCURSION_M = hash(0xe5);

/**
 * Temperature excursions on deliveries, waived or not (USED_AFTER_EXCURSION):
 * - LOT-X reached H1 in shipment 1 (clean) and shipment 2, whose excursion of 1 April no approver
 *   waived; H1 used one unit on 20 March and two after 1 April. It reached H2 in shipment 3
 *   (clean), and H2 used a unit on 10 April.
 * - LOT-W reached H1 in shipment 4: an excursion on 1 March, waived on 1 April; H1 used a unit on
 *   10 March and one on 20 April.
 * - LOT-R reached H1 in shipment 5: an excursion on 1 March waived on 15 March, then another on
 *   1 May, not waived; H1 used a unit on 10 March, 10 April and 10 May.
 * Every shipment was created on 10 February and settled with all its units on 1 March.
 */
async function seedExcursions(db: Db, seed: LedgerSeed): Promise<void> {
  await seed.supplier(SUPPLIER);
  await seed.agreement({
    id: 1,
    supplier: SUPPLIER,
    category: "stent",
    startAt: "2026-01-01T00:00:00Z",
    endAt: "2027-01-01T00:00:00Z",
    hospitals: [],
  });
  const placedAt = "2026-02-01T00:00:00Z";
  await seed.order({ id: 1, agreementId: 1, hospital: H1, quantity: 20, value: 20000, placedAt });
  await seed.order({ id: 2, agreementId: 1, hospital: H2, quantity: 4, value: 4000, placedAt });
  const shipments: [number, number, string][] = [
    [1, 1, "LOT-X"],
    [2, 1, "LOT-X"],
    [3, 2, "LOT-X"],
    [4, 1, "LOT-W"],
    [5, 1, "LOT-R"],
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
    await seed.traceEvent({
      shipmentId: id,
      eventTime: "2026-02-11T00:00:00Z",
      excursion: false,
      txHash: hash(id),
    });
    await seed.settlement({
      shipmentId: id,
      accepted: 4,
      deliveredAt: "2026-03-01T00:00:00Z",
      txHash: hash(id),
    });
  }
  await seed.traceEvent({
    shipmentId: 2,
    eventTime: "2026-04-01T00:00:00Z",
    excursion: true,
    txHash: EXCURSION_X,
  });
  await seed.traceEvent({
    shipmentId: 4,
    eventTime: "2026-03-01T00:00:00Z",
    excursion: true,
    txHash: EXCURSION_W,
  });
  await seed.excursionWaiver(4, "2026-04-01T00:00:00Z");
  await seed.traceEvent({
    shipmentId: 5,
    eventTime: "2026-03-01T00:00:00Z",
    excursion: true,
    txHash: EXCURSION_R1,
  });
  await seed.excursionWaiver(5, "2026-03-15T00:00:00Z");
  await seed.traceEvent({
    shipmentId: 5,
    eventTime: "2026-05-01T00:00:00Z",
    excursion: true,
    txHash: EXCURSION_R2,
  });

  const usages = new UsagesService(db, "excursion-salt-0123456789abc");
  const use = (hospital: string, usageId: string, lot: string, usedAt: string) =>
    usages.record(
      {
        usageId,
        gtin: GTIN,
        lot,
        department: "cardiology",
        patientRef: `P-${usageId}`,
        usedAt,
        billingCode: "C-1",
        billedAmount: "1000",
      },
      { address: hospital, hospital },
      usageId,
      NOW,
    );
  await use(H1, "U-X0", "LOT-X", "2026-03-20T00:00:00Z");
  await use(H1, "U-X1", "LOT-X", "2026-04-05T00:00:00Z");
  await use(H1, "U-X2", "LOT-X", "2026-05-10T00:00:00Z");
  await use(H2, "U-X3", "LOT-X", "2026-04-10T00:00:00Z");
  await use(H1, "U-W1", "LOT-W", "2026-03-10T00:00:00Z");
  await use(H1, "U-W2", "LOT-W", "2026-04-20T00:00:00Z");
  await use(H1, "U-R1", "LOT-R", "2026-03-10T00:00:00Z");
  await use(H1, "U-R2", "LOT-R", "2026-04-10T00:00:00Z");
  await use(H1, "U-R3", "LOT-R", "2026-05-10T00:00:00Z");
}

const excursion = (shipmentId: string, excursionAt: string, txHash: string, usageIds: string[]) => ({
  code: "USED_AFTER_EXCURSION",
  evidence: { shipmentId, excursionAt, txHash, usageIds },
});

describe("ReconciliationService: use after a temperature excursion", function () {
  forEachEngine((engine) => {
    let service: ReconciliationService;
    before(async function () {
      await migrate(engine.db);
      await seedExcursions(engine.db, new LedgerSeed(engine.db));
      service = new ReconciliationService(engine.db, () => NOW);
    });

    const flagsOf = async (query: { to?: string; hospital?: string } = {}) =>
      Object.fromEntries(
        (await service.report({ gtin: GTIN, ...query })).rows.map((r) => [
          `${r.hospital} ${r.lot}`,
          r.flags as ReconciliationFlag[],
        ]),
      );

    it("flags every use of the lot after an excursion no approver waived, at the hospital it was delivered to", async function () {
      const flags = await flagsOf();
      expect(flags[`${H1} LOT-X`]).to.deep.equal([
        excursion("2", "2026-04-01T00:00:00.000Z", EXCURSION_X, ["U-X1", "U-X2"]),
      ]);
      expect(flags[`${H2} LOT-X`]).to.deep.equal([]);
    });

    it("flags nothing once an approver waived the excursion, but did before the waiver", async function () {
      expect((await flagsOf())[`${H1} LOT-W`]).to.deep.equal([]);
      expect((await flagsOf({ to: "2026-03-20T00:00:00Z" }))[`${H1} LOT-W`]).to.deep.equal([
        excursion("4", "2026-03-01T00:00:00.000Z", EXCURSION_W, ["U-W1"]),
      ]);
    });

    it("flags from an excursion after a waiver, which the waiver does not cover", async function () {
      expect((await flagsOf())[`${H1} LOT-R`]).to.deep.equal([
        excursion("5", "2026-05-01T00:00:00.000Z", EXCURSION_R2, ["U-R3"]),
      ]);
    });

    it("does not know of an excursion before its time", async function () {
      expect((await flagsOf({ to: "2026-04-01T00:00:00Z" }))[`${H1} LOT-X`]).to.deep.equal([]);
      expect((await flagsOf({ to: "2026-04-06T00:00:00Z" }))[`${H1} LOT-X`]).to.deep.equal([
        excursion("2", "2026-04-01T00:00:00.000Z", EXCURSION_X, ["U-X1"]),
      ]);
    });

    it("counts the finding in the risk view's tally of the hospital's flagged usages", async function () {
      const report = await service.report({ gtin: GTIN, hospital: H1 });
      const codes = report.rows.flatMap((r) => r.flags.map((f) => f.code));
      expect(codes.filter((c) => c === "USED_AFTER_EXCURSION")).to.have.length(2);
    });
  });
});

describe("Migration 0033: excursion waivers indexed before it", function () {
  forEachEngine((engine) => {
    it("counts an earlier waiver as given at any instant, and an excursion after it as standing", async function () {
      const db = engine.db;
      await migrate(
        db,
        loadMigrations().filter((m) => m.version < 33),
      );
      const seed = new LedgerSeed(db);
      // The seed's waiver writes the columns 0033 adds: before it, the indexer set only the flag.
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
        hospital: H1,
        quantity: 8,
        value: 8000,
        placedAt: "2026-02-01T00:00:00Z",
      });
      for (const [id, lot] of [
        [1, "LOT-M"],
        [2, "LOT-N"],
      ] as const) {
        await seed.shipment({
          id,
          orderId: 1,
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
        await seed.traceEvent({
          shipmentId: id,
          eventTime: "2026-03-05T00:00:00Z",
          excursion: true,
          txHash: EXCURSION_M,
        });
      }
      await db.query(`UPDATE shipments SET excursion_waived = TRUE WHERE id = 1`);
      await migrate(db);
      const usages = new UsagesService(db, "excursion-salt-0123456789abc");
      for (const [usageId, lot] of [
        ["U-M", "LOT-M"],
        ["U-N", "LOT-N"],
      ])
        await usages.record(
          {
            usageId,
            gtin: GTIN,
            lot,
            department: "cardiology",
            patientRef: `P-${usageId}`,
            usedAt: "2026-03-10T00:00:00Z",
            billingCode: "C-1",
            billedAmount: "1000",
          },
          { address: H1, hospital: H1 },
          usageId,
          NOW,
        );
      const service = new ReconciliationService(db, () => NOW);
      for (const to of [undefined, "2026-03-11T00:00:00Z"]) {
        const rows = (await service.report({ gtin: GTIN, to })).rows;
        expect(rows.map((r) => [r.lot, r.flags])).to.deep.equal([
          ["LOT-M", []],
          ["LOT-N", [excursion("2", "2026-03-05T00:00:00.000Z", EXCURSION_M, ["U-N"])]],
        ]);
      }
    });
  });
});
