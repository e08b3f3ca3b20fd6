import { expect } from "chai";
import type { ReconciliationFlag } from "../../../../api/reconciliation";
import { loadMigrations, migrate, type Db } from "../../../../server/db";
import { periodInstants, riskView } from "../../../../server/modules/claims/claims.risk";
import { ReconciliationService } from "../../../../server/modules/reconciliation/reconciliation.service";
import { forEachEngine } from "../../helpers/engines";
import { address, hash, LedgerSeed, unitUses } from "./seed";

const NOW = new Date("2026-09-01T00:00:00Z");
const H1 = address("11");
const H2 = address("22");
const SUPPLIER = address("aa");
const GTIN = "09520123456788";
const EXCURSION_X = hash(0xe1);
const EXCURSION_W = hash(0xe2);
const EXCURSION_R1 = hash(0xe3);
const EXCURSION_R2 = hash(0xe4);
const EXCURSION_L = hash(0xe5);
const EXCURSION_J = hash(0xe6);
const SALT = "excursion-salt-0123456789abc";

/**
 * Temperature excursions on deliveries, waived or not (USED_AFTER_EXCURSION). Every shipment was
 * created on 10 February and, unless said, settled with all its 4 units delivered on 1 March.
 * - LOT-X reached H1 in shipment 1 (clean) and shipment 2, whose excursion of 1 April no approver
 *   waived; H1 used a unit on 20 March and two after 1 April. It reached H2 in shipment 3
 *   (clean), and H2 used a unit on 10 April.
 * - LOT-W reached H1 in shipment 4: an excursion on 1 March, waived on 1 April and again on
 *   1 May; H1 used a unit on 10 March and one on 20 April.
 * - LOT-R reached H1 in shipment 5: an excursion on 1 March waived on 15 March, then another on
 *   1 May, not waived; H1 used a unit on 10 March, 10 April and 10 May.
 * - LOT-L reached H1 in shipment 6: an excursion its sensor dates 1 April, recorded on the chain
 *   only on 1 June; H1 used a unit on 5 April.
 * - LOT-J reached H1 in shipment 7, with an excursion on 5 March, whose every unit the hospital
 *   rejected (delivered 20 March, settled on the chain on 10 April), and in shipment 8, clean;
 *   H1 used a unit on 1 April.
 */
async function seedExcursions(db: Db): Promise<void> {
  const seed = new LedgerSeed(db);
  await seed.stentYear(SUPPLIER);
  const placedAt = "2026-02-01T00:00:00Z";
  await seed.order({ id: 1, agreementId: 1, hospital: H1, quantity: 40, value: 40000, placedAt });
  await seed.order({ id: 2, agreementId: 1, hospital: H2, quantity: 4, value: 4000, placedAt });
  const shipments: [number, number, string][] = [
    [1, 1, "LOT-X"],
    [2, 1, "LOT-X"],
    [3, 2, "LOT-X"],
    [4, 1, "LOT-W"],
    [5, 1, "LOT-R"],
    [6, 1, "LOT-L"],
    [7, 1, "LOT-J"],
    [8, 1, "LOT-J"],
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
  }
  const excursion = (shipmentId: number, eventTime: string, txHash: string, recordedAt?: string) =>
    seed.traceEvent({ shipmentId, eventTime, excursion: true, txHash, recordedAt });
  await excursion(2, "2026-04-01T00:00:00Z", EXCURSION_X);
  await excursion(4, "2026-03-01T00:00:00Z", EXCURSION_W);
  await seed.excursionWaiver(4, "2026-04-01T00:00:00Z", hash(0xf1));
  await seed.excursionWaiver(4, "2026-05-01T00:00:00Z", hash(0xf2));
  await excursion(5, "2026-03-01T00:00:00Z", EXCURSION_R1);
  await seed.excursionWaiver(5, "2026-03-15T00:00:00Z", hash(0xf3));
  await excursion(5, "2026-05-01T00:00:00Z", EXCURSION_R2);
  await excursion(6, "2026-04-01T00:00:00Z", EXCURSION_L, "2026-06-01T00:00:00Z");
  await excursion(7, "2026-03-05T00:00:00Z", EXCURSION_J);
  for (const [id] of shipments) {
    const rejected = id === 7;
    await seed.settlement({
      shipmentId: id,
      accepted: rejected ? 0 : 4,
      rejected: rejected ? 4 : 0,
      deliveredAt: rejected ? "2026-03-20T00:00:00Z" : "2026-03-01T00:00:00Z",
      settledAt: rejected ? "2026-04-10T00:00:00Z" : undefined,
      txHash: hash(id),
    });
  }

  const use = unitUses(db, SALT, GTIN, NOW);
  await use(H1, "U-X0", "LOT-X", "2026-03-20T00:00:00Z");
  await use(H1, "U-X1", "LOT-X", "2026-04-05T00:00:00Z");
  await use(H1, "U-X2", "LOT-X", "2026-05-10T00:00:00Z");
  await use(H2, "U-X3", "LOT-X", "2026-04-10T00:00:00Z");
  await use(H1, "U-W1", "LOT-W", "2026-03-10T00:00:00Z");
  await use(H1, "U-W2", "LOT-W", "2026-04-20T00:00:00Z");
  await use(H1, "U-R1", "LOT-R", "2026-03-10T00:00:00Z");
  await use(H1, "U-R2", "LOT-R", "2026-04-10T00:00:00Z");
  await use(H1, "U-R3", "LOT-R", "2026-05-10T00:00:00Z");
  await use(H1, "U-L1", "LOT-L", "2026-04-05T00:00:00Z");
  await use(H1, "U-J1", "LOT-J", "2026-04-01T00:00:00Z");
}

const excursion = (shipmentId: string, excursionAt: string, txHash: string, usageIds: string[]) => ({
  code: "USED_AFTER_EXCURSION",
  evidence: { shipmentId, excursionAt, txHash, usageIds },
});

/** Each row's flags, by "hospital lot", of the report as of `to` (default now). */
async function flagsOf(
  service: ReconciliationService,
  to?: string,
): Promise<Record<string, ReconciliationFlag[]>> {
  return Object.fromEntries(
    (await service.report({ gtin: GTIN, to })).rows.map((r) => [`${r.hospital} ${r.lot}`, r.flags]),
  );
}

describe("ReconciliationService: use after a temperature excursion", function () {
  forEachEngine((engine) => {
    let service: ReconciliationService;
    before(async function () {
      await migrate(engine.db);
      await seedExcursions(engine.db);
      service = new ReconciliationService(engine.db, () => NOW);
    });

    it("flags every use of the lot after an excursion no approver waived, at the hospital it was delivered to", async function () {
      const flags = await flagsOf(service);
      expect(flags[`${H1} LOT-X`]).to.deep.equal([
        excursion("2", "2026-04-01T00:00:00.000Z", EXCURSION_X, ["U-X1", "U-X2"]),
      ]);
      expect(flags[`${H2} LOT-X`]).to.deep.equal([]);
    });

    it("flags nothing once an approver waived the excursion, but did before the waiver, and not between two waivers", async function () {
      expect((await flagsOf(service))[`${H1} LOT-W`]).to.deep.equal([]);
      expect((await flagsOf(service, "2026-03-20T00:00:00Z"))[`${H1} LOT-W`]).to.deep.equal([
        excursion("4", "2026-03-01T00:00:00.000Z", EXCURSION_W, ["U-W1"]),
      ]);
      expect((await flagsOf(service, "2026-04-25T00:00:00Z"))[`${H1} LOT-W`]).to.deep.equal([]);
    });

    it("flags from an excursion after a waiver, which the waiver does not cover, and only from it", async function () {
      expect((await flagsOf(service))[`${H1} LOT-R`]).to.deep.equal([
        excursion("5", "2026-05-01T00:00:00.000Z", EXCURSION_R2, ["U-R3"]),
      ]);
      expect((await flagsOf(service, "2026-03-12T00:00:00Z"))[`${H1} LOT-R`]).to.deep.equal([
        excursion("5", "2026-03-01T00:00:00.000Z", EXCURSION_R1, ["U-R1"]),
      ]);
      expect((await flagsOf(service, "2026-04-20T00:00:00Z"))[`${H1} LOT-R`]).to.deep.equal([]);
    });

    it("does not know of an excursion before the chain recorded it, whatever time its sensor gives", async function () {
      expect((await flagsOf(service, "2026-04-06T00:00:00Z"))[`${H1} LOT-X`]).to.deep.equal([
        excursion("2", "2026-04-01T00:00:00.000Z", EXCURSION_X, ["U-X1"]),
      ]);
      expect((await flagsOf(service, "2026-05-15T00:00:00Z"))[`${H1} LOT-L`]).to.deep.equal([]);
      expect((await flagsOf(service))[`${H1} LOT-L`]).to.deep.equal([
        excursion("6", "2026-04-01T00:00:00.000Z", EXCURSION_L, ["U-L1"]),
      ]);
    });

    it("flags nothing after an excursion on a delivery the hospital rejected whole, once the chain recorded it", async function () {
      expect((await flagsOf(service))[`${H1} LOT-J`]).to.deep.equal([]);
      expect((await flagsOf(service, "2026-04-05T00:00:00Z"))[`${H1} LOT-J`]).to.deep.equal([
        excursion("7", "2026-03-05T00:00:00.000Z", EXCURSION_J, ["U-J1"]),
      ]);
    });

    it("counts the findings in the risk view with the money billed on their usages", async function () {
      const period = { from: "2026-01", to: "2026-08", timeZone: "UTC", hospital: H1 };
      const { start } = await periodInstants(engine.db, period);
      const risk = await riskView(
        engine.db,
        service,
        { ...period, start, asOf: NOW },
        { outliers: [], rareHighValue: [] },
      );
      // LOT-X, LOT-R and LOT-L: three findings over U-X1, U-X2, U-R3 and U-L1, billed 1,000 each.
      expect(risk.hospitals.map((h) => [h.hospital, h.lines, h.flaggedBilled])).to.deep.equal([
        [
          H1,
          [{ hospital: H1, code: "USED_AFTER_EXCURSION", count: 3, usages: 4, units: 4, amount: "4000" }],
          "4000",
        ],
      ]);
    });
  });
});

/**
 * A database indexed before migration 0033: trace events without the time the chain recorded
 * them, and waivers only in the event log. On LOT-M an excursion (sensor 5 March, block of
 * 5 March), then in one block of 20 March a waiver and after it a second excursion (sensor
 * 18 March); H1 used a unit on 10 March and one on 10 April.
 */
async function seedBeforeMigration(db: Db): Promise<void> {
  const seed = new LedgerSeed(db);
  await seed.stentYear(SUPPLIER);
  await seed.order({
    id: 1,
    agreementId: 1,
    hospital: H1,
    quantity: 4,
    value: 4000,
    placedAt: "2026-02-01T00:00:00Z",
  });
  await seed.shipment({
    id: 1,
    orderId: 1,
    gtin: GTIN,
    lot: "LOT-M",
    expiry: "2028-01-01T00:00:00Z",
    quantity: 4,
    createdAt: "2026-02-10T00:00:00Z",
  });
  await seed.settlement({ shipmentId: 1, accepted: 4, deliveredAt: "2026-03-01T00:00:00Z", txHash: hash(1) });
  const logged = async (block: number, log: number, time: string, event: string, args: object) =>
    db.query(
      `INSERT INTO chain_events (block_number, block_hash, block_time, tx_hash, tx_index, log_index, contract, address,
         event, args)
       VALUES ($1, $2, $3, $4, $5, $5, 'trace', $6, $7, $8)`,
      [
        block,
        hash(0x100 + block),
        time,
        hash(0x200 + 2 * block + log),
        log,
        address("cc"),
        event,
        JSON.stringify(args),
      ],
    );
  const traced = async (index: number, block: number, log: number, time: string, eventTime: string) => {
    await logged(block, log, time, "TraceEventRecorded", { shipmentId: "1", excursion: true });
    await db.query(
      `INSERT INTO trace_events (shipment_id, event_index, step, actor, location, event_time, sensor_digest, excursion,
         tx_hash, block_number, log_index)
       VALUES (1, $1, 'departing', $2, $2, $3, $2, TRUE, $4, $5, $6)`,
      [index, address("aa"), eventTime, hash(0x200 + 2 * block + log), block, log],
    );
  };
  await traced(1, 10, 0, "2026-03-05T00:00:00Z", "2026-03-05T00:00:00Z");
  await logged(11, 0, "2026-03-20T00:00:00Z", "ExcursionWaived", {
    shipmentId: "1",
    approver: address("99"),
    reasonCode: "3",
  });
  await traced(2, 11, 1, "2026-03-20T00:00:00Z", "2026-03-18T00:00:00Z");
  // The waiver's block is in the indexer's window: a reorg could still drop it.
  await db.query(`INSERT INTO indexer_blocks (block_number, block_hash, parent_hash) VALUES (11, $1, $2)`, [
    hash(0x10b),
    hash(0x10a),
  ]);
  await db.query(`UPDATE shipments SET excursion = TRUE, excursion_waived = FALSE WHERE id = 1`);
}

describe("Migration 0033: excursions and waivers indexed before it", function () {
  forEachEngine((engine) => {
    it("takes each trace event's recording time and each waiver from the event log", async function () {
      const db = engine.db;
      await migrate(
        db,
        loadMigrations().filter((m) => m.version < 33),
      );
      await seedBeforeMigration(db);
      await migrate(db);
      expect(
        (await db.query(`SELECT event_index, recorded_at FROM trace_events ORDER BY event_index`)).rows,
      ).to.deep.equal([
        { event_index: 1, recorded_at: new Date("2026-03-05T00:00:00Z") },
        { event_index: 2, recorded_at: new Date("2026-03-20T00:00:00Z") },
      ]);
      expect(
        (
          await db.query(
            `SELECT shipment_id, approver, reason_code, waived_at, covers_through FROM excursion_waivers`,
          )
        ).rows,
      ).to.deep.equal([
        {
          shipment_id: "1",
          approver: address("99"),
          reason_code: 3,
          waived_at: new Date("2026-03-20T00:00:00Z"),
          covers_through: 1,
        },
      ]);
      const use = unitUses(db, SALT, GTIN, NOW);
      await use(H1, "U-M1", "LOT-M", "2026-03-10T00:00:00Z");
      await use(H1, "U-M2", "LOT-M", "2026-04-10T00:00:00Z");
      const service = new ReconciliationService(db, () => NOW);
      const lotM = async (to?: string) => (await flagsOf(service, to))[`${H1} LOT-M`];
      // The second excursion came after the waiver in its block: not covered.
      expect(await lotM()).to.deep.equal([
        excursion("1", "2026-03-18T00:00:00.000Z", hash(0x200 + 23), ["U-M2"]),
      ]);
      expect(await lotM("2026-03-15T00:00:00Z")).to.deep.equal([
        excursion("1", "2026-03-05T00:00:00.000Z", hash(0x200 + 20), ["U-M1"]),
      ]);
      // The waiver in the window is logged for a rewind, as the indexer logs its own.
      expect(
        (
          await db.query(
            `SELECT block_number, table_name, old_row, new_row->>'covers_through' AS covers FROM indexer_undo`,
          )
        ).rows,
      ).to.deep.equal([{ block_number: "11", table_name: "excursion_waivers", old_row: null, covers: "1" }]);
    });
  });
});
