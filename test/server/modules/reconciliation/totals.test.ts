import { expect } from "chai";
import { loadMigrations, migrate, type Db } from "../../../../server/db";
import { gtinCheckDigit } from "../../../../server/modules/barcodes";
import {
  lotBalances,
  usageFindings,
  type FindingRow,
  type LotKey,
  type LotScope,
} from "../../../../server/modules/reconciliation/reconciliation.repository";
import { UsagesService } from "../../../../server/modules/usages/usages.service";
import type { UsageRequest } from "../../../../api/usages";
import { forEachEngine } from "../../helpers/engines";
import { until } from "../../helpers/latch";
import { rejectionOf } from "../../helpers/rejection";
import { rawLotBalances, rawUsageFindings } from "./raw-oracle";
import { address, hash, LedgerSeed } from "./seed";

/**
 * The running totals of migration 0027 against a computation from scratch: after a mixed
 * sequence of uses, returns and refunds (through the service and as multi-row statements), a
 * rolled-back insert, receipts of serials, a release and a receipt elsewhere — half of it before
 * the migration (its backfill) and half after (its triggers) — the totals equal the sums over the
 * raw rows, and the report's figures and flags, read from the totals and the flags' candidates,
 * equal the raw-row queries (raw-oracle.ts) on every scope, page and as-of instant tried.
 */

const NOW = new Date("2026-09-01T00:00:00Z");
const H = [address("11"), address("22"), address("33")];
const SUPPLIER = address("aa");
const OTHER_SUPPLIER = address("bb");
const gtinOf = (body: string) => `${body}${gtinCheckDigit(body)}`;
const G1 = gtinOf("0952012345678");
const G2 = gtinOf("0952012345679");
const DAY = 24 * 60 * 60 * 1000;

/** A small deterministic generator (mulberry32), so a failure replays exactly. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/**
 * Orders at 1,000 a unit (H1's G1 also at 1,200), shipments of lots A and B of both GTINs to H1
 * and H2 — lot B of G1 expiring mid-year —, G1 lot A only to H3, lot C to nobody; settlements
 * for most of them; receipts with serials of G1 lot A at H1 and H2; a regulator's recall of G1
 * lot B (lifted) and OTHER_SUPPLIER's of its own G2 lot A; temperature excursions on H2's G1 lot A
 * (never waived) and H1's G2 lot B (waived, then another).
 */
async function seedLedger(db: Db): Promise<[h2LotA: number, h1G2LotB: number]> {
  const seed = new LedgerSeed(db);
  const excursionShipments: number[] = [];
  await seed.supplier(SUPPLIER);
  await seed.supplier(OTHER_SUPPLIER);
  const term = { startAt: "2026-01-01T00:00:00Z", endAt: "2027-01-01T00:00:00Z", hospitals: [] };
  await seed.agreement({ id: 1, supplier: SUPPLIER, category: "stent", ...term });
  await seed.agreement({ id: 2, supplier: OTHER_SUPPLIER, category: "catheter", ...term });
  const placedAt = "2026-02-01T00:00:00Z";
  let shipmentId = 0;
  const ship = async (orderId: number, gtin: string, lot: string, quantity: number, accepted?: number) => {
    const id = ++shipmentId;
    await seed.shipment({
      id,
      orderId,
      gtin,
      lot,
      expiry: gtin === G1 && lot === "B" ? "2026-05-01T00:00:00.000Z" : "2027-06-01T00:00:00.000Z",
      quantity,
      createdAt: "2026-02-10T00:00:00Z",
    });
    if (accepted !== undefined) {
      await seed.settlement({
        shipmentId: id,
        accepted,
        deliveredAt: "2026-02-20T00:00:00Z",
        txHash: hash(id),
      });
    }
    return id;
  };
  for (const [i, hospital] of H.slice(0, 2).entries()) {
    await seed.order({ id: 10 * i + 1, agreementId: 1, hospital, quantity: 100, value: 100_000, placedAt });
    await seed.order({ id: 10 * i + 2, agreementId: 2, hospital, quantity: 100, value: 100_000, placedAt });
    const a = await ship(10 * i + 1, G1, "A", 40, 38);
    await ship(10 * i + 1, G1, "B", 20, 20);
    await ship(10 * i + 2, G2, "A", 30, 12);
    const g2b = await ship(10 * i + 2, G2, "B", 30);
    excursionShipments.push(i === 1 ? a : g2b);
    const first = i * 10;
    await seed.receipt({
      receiptNo: `R-${i + 1}`,
      shipmentId: a,
      hospital,
      receivedAt: "2026-02-15T00:00:00Z",
      received: 40,
      gtin: G1,
      serials: Array.from({ length: i === 0 ? 10 : 5 }, (_, k) => `S-${first + k}`),
    });
  }
  await seed.order({ id: 3, agreementId: 1, hospital: H[0], quantity: 10, value: 12_000, placedAt });
  await ship(3, G1, "A", 5, 5);
  await seed.order({ id: 21, agreementId: 1, hospital: H[2], quantity: 50, value: 50_000, placedAt });
  const h3 = await ship(21, G1, "A", 10, 10);
  // Lots only the edge cases below use (edgeCases), at 1,000 a unit.
  const [d, e] = [await ship(21, G2, "D", 10, 10), await ship(21, G2, "E", 10, 10)];
  await ship(21, G2, "F", 10, 10);
  // Units sent out of a hospital: a move between H1's own campuses is not; one to the supplier's
  // GLN is, and so are H3's consigned returns, less the one refused (a confirmation counts nothing
  // more, an expiry write-off nothing at all).
  const [main, east, away] = ["6901234500001", "6901234500002", "6909876500009"];
  await seed.campus(H[0], main);
  await seed.campus(H[0], east);
  const moved = { from: main, gtin: G1 };
  await seed.transfer({
    id: 1,
    hospital: H[0],
    ...moved,
    to: east,
    lot: "A",
    quantity: 3,
    at: "2026-03-10T00:00:00Z",
  });
  await seed.transfer({
    id: 2,
    hospital: H[0],
    ...moved,
    to: away,
    lot: "A",
    quantity: 4,
    at: "2026-05-01T00:00:00Z",
  });
  await seed.transfer({
    id: 3,
    hospital: H[1],
    ...moved,
    to: away,
    lot: "B",
    quantity: 2,
    at: "2026-04-15T00:00:00Z",
  });
  // After lot B's expiry (May 1): sent out, and wasted in H2's hands.
  await seed.transfer({
    id: 4,
    hospital: H[1],
    ...moved,
    to: away,
    lot: "B",
    quantity: 1,
    at: "2026-06-20T00:00:00Z",
  });
  const consigned = { hospital: H[2], shipmentId: d };
  await seed.consignmentMovement({
    ...consigned,
    logIndex: 1,
    kind: "return-requested",
    units: 3,
    at: "2026-06-01T00:00:00Z",
  });
  await seed.consignmentMovement({
    ...consigned,
    logIndex: 2,
    kind: "return-refused",
    units: 1,
    at: "2026-06-10T00:00:00Z",
  });
  await seed.consignmentMovement({
    ...consigned,
    logIndex: 3,
    kind: "return-confirmed",
    units: 2,
    at: "2026-06-12T00:00:00Z",
  });
  await seed.consignmentMovement({
    ...consigned,
    logIndex: 4,
    kind: "expiry",
    units: 2,
    at: "2026-07-01T00:00:00Z",
  });
  await seed.consignmentMovement({
    ...consigned,
    shipmentId: e,
    logIndex: 5,
    kind: "return",
    units: 1,
    at: "2026-06-20T00:00:00Z",
  });
  await seed.receipt({
    receiptNo: "R-3",
    shipmentId: h3,
    hospital: H[2],
    receivedAt: "2026-02-15T00:00:00Z",
    received: 10,
  });
  await seed.recall({
    gtin: G1,
    lot: "B",
    recalledAt: "2026-04-01T00:00:00Z",
    txHash: hash(901),
    lift: { liftedAt: "2026-04-20T00:00:00Z", txHash: hash(902), reasonCode: 1 },
  });
  await seed.recall({
    gtin: G2,
    lot: "A",
    recalledAt: "2026-06-01T00:00:00Z",
    txHash: hash(903),
    scope: OTHER_SUPPLIER,
  });
  return [excursionShipments[1], excursionShipments[0]];
}

/**
 * Temperature excursions (their waivers' columns came with migration 0033): H2's G1 lot A
 * delivery one never waived; H1's G2 lot B one waived on 1 May, then another after the waiver.
 */
async function seedExcursions(db: Db, [h2LotA, h1G2LotB]: [number, number]): Promise<void> {
  const seed = new LedgerSeed(db);
  await seed.traceEvent({
    shipmentId: h2LotA,
    eventTime: "2026-03-15T00:00:00Z",
    excursion: true,
    txHash: hash(801),
  });
  await seed.traceEvent({
    shipmentId: h1G2LotB,
    eventTime: "2026-03-01T00:00:00Z",
    excursion: true,
    txHash: hash(802),
  });
  await seed.excursionWaiver(h1G2LotB, "2026-05-01T00:00:00Z", hash(804));
  // Recorded on the chain a week after its sensor's time.
  await seed.traceEvent({
    shipmentId: h1G2LotB,
    eventTime: "2026-07-01T00:00:00Z",
    recordedAt: "2026-07-08T00:00:00Z",
    excursion: true,
    txHash: hash(803),
  });
}

interface Recorded {
  hospital: string;
  usageId: string;
  gtin: string;
  lot: string;
  serial?: string;
  usedAt: Date;
  unitsLeft: number;
  amountLeft: bigint;
}

/** Records uses and returns through the service, drawn from `rand`; returns the time reached. */
async function recordUsages(
  db: Db,
  rand: (n: number) => number,
  count: number,
  start: Date,
  recorded: Recorded[],
  prefix: string,
): Promise<Date> {
  const service = new UsagesService(db, "totals-test-salt-0123456789");
  let t = start.getTime();
  for (let n = 0; n < count; n++) {
    t += (1 + rand(40)) * 60 * 60 * 1000;
    const usedAt = new Date(t);
    const open = recorded.filter((r) => r.unitsLeft > 0);
    const base = {
      department: "cardiology",
      patientRef: `P-${n}`,
      billingCode: "C-1",
      usedAt: usedAt.toISOString(),
    };
    const usageId = `${prefix}${n}`;
    if (open.length > 0 && rand(4) === 0) {
      const original = open[rand(open.length)];
      const units = original.serial === undefined ? 1 + rand(original.unitsLeft) : 1;
      // A return without a refund, a refund in proportion, or any refund up to what is left.
      const refunds = [
        0n,
        (original.amountLeft * BigInt(units)) / BigInt(original.unitsLeft),
        BigInt(rand(Number(original.amountLeft) + 1)),
      ];
      const refund = refunds[rand(3)];
      await record(service, original.hospital, {
        ...base,
        usageId,
        gtin: original.gtin,
        lot: original.lot,
        ...(original.serial === undefined ? {} : { serial: original.serial }),
        quantity: -units,
        billedAmount: (-refund).toString(),
        correctsUsageId: original.usageId,
      });
      original.unitsLeft -= units;
      original.amountLeft -= refund;
      continue;
    }
    const hospital = H[rand(3)];
    const gtin = rand(2) === 0 ? G1 : G2;
    const lot = ["A", "A", "B", "C"][rand(4)];
    // Serials from a small pool, so some are used twice and some away from where they were received.
    const serial = gtin === G1 && rand(5) < 2 ? `S-${rand(25)}` : undefined;
    const quantity = serial === undefined ? 1 + rand(4) : 1;
    // Mostly near the price, sometimes above the dearest order's.
    const amount = BigInt(quantity * (900 + rand(500)));
    await record(service, hospital, {
      ...base,
      usageId,
      gtin,
      lot,
      ...(serial === undefined ? {} : { serial }),
      quantity,
      billedAmount: amount.toString(),
    });
    recorded.push({ hospital, usageId, gtin, lot, serial, usedAt, unitsLeft: quantity, amountLeft: amount });
  }
  return new Date(t);
}

/**
 * Two units at the price, one returned without a refund: the unit kept is billed 2,000, a
 * markup only the return makes.
 */
async function returnedAtAHigherUnitPrice(db: Db, lot: string): Promise<void> {
  const usedAt = new Date("2026-08-02T00:00:00Z");
  await insertRaw(db, [
    { hospital: H[2], usageId: `${lot}1`, gtin: G2, lot, usedAt, amount: 2000, quantity: 2 },
  ]);
  await insertRaw(db, [
    {
      hospital: H[2],
      usageId: `${lot}2`,
      gtin: G2,
      lot,
      usedAt,
      amount: 0,
      quantity: -1,
      corrects: `${lot}1`,
    },
  ]);
}

async function record(
  service: UsagesService,
  hospital: string,
  request: Partial<UsageRequest>,
): Promise<void> {
  const { statusCode } = await service.record(
    request as UsageRequest,
    { address: hospital, hospital },
    request.usageId!,
    NOW,
  );
  expect(statusCode).to.equal(201);
}

/** Raw usage rows in one statement, as a write path folding its statements sends them. */
async function insertRaw(
  db: Db,
  rows: {
    hospital: string;
    usageId: string;
    gtin: string;
    lot: string;
    serial?: string;
    usedAt: Date;
    amount: number;
    quantity: number;
    corrects?: string;
  }[],
): Promise<void> {
  const params: unknown[] = [];
  const values = rows.map((r) => {
    const p = [
      r.hospital,
      r.usageId,
      r.gtin,
      r.lot,
      r.serial ?? null,
      r.usedAt.toISOString(),
      r.amount,
      r.quantity,
      r.corrects ?? null,
    ];
    const first = params.length + 1;
    params.push(...p);
    const [h, id, g, l, s, at, amount, q, c] = p.map((_, k) => `$${first + k}`);
    return `(${h}, ${id}, ${g}, ${l}, ${s}, 'surgery', 'hash', ${at}::timestamptz, 'C-2', ${amount}::numeric, ${q}::int, ${c}, ${h})`;
  });
  await db.query(
    `INSERT INTO usages (hospital, usage_id, gtin, lot, serial, department, patient_hash, used_at, billing_code,
       billed_amount, quantity, corrects_usage_id, recorded_by)
     VALUES ${values.join(", ")}`,
    params,
  );
}

const sortFindings = (rows: FindingRow[]) =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** The report's queries and the oracle's on one scope: whole, and page by page of `pageSize` rows. */
async function expectSameAsRaw(db: Db, scope: LotScope, pageSize: number): Promise<void> {
  const label = JSON.stringify(scope);
  expect(await lotBalances(db, scope, 1000), label).to.deep.equal(await rawLotBalances(db, scope, 1000));
  expect(sortFindings(await usageFindings(db, scope)), label).to.deep.equal(
    sortFindings(await rawUsageFindings(db, scope)),
  );
  let after: LotKey | undefined;
  for (;;) {
    const paged: LotScope = after === undefined ? scope : { ...scope, after };
    const page = await lotBalances(db, paged, pageSize);
    expect(page, `${label} after ${String(after)}`).to.deep.equal(await rawLotBalances(db, paged, pageSize));
    const last = page.at(-1);
    if (last === undefined) break;
    const through: LotKey = [last.hospital, last.gtin, last.lot];
    expect(sortFindings(await usageFindings(db, { ...paged, through }))).to.deep.equal(
      sortFindings(await rawUsageFindings(db, { ...paged, through })),
    );
    if (page.length < pageSize) break;
    after = through;
  }
}

/** The totals equal the sums over the raw rows; the serial candidates include every serial they should. */
async function expectTotalsExact(db: Db): Promise<void> {
  const totals = await db.query(
    `SELECT hospital, gtin, lot, used::text, returned::text, billed_quantity::text, billed_amount::text, last_used_at
     FROM usage_totals ORDER BY hospital, gtin, lot`,
  );
  const raw = await db.query(
    `SELECT hospital, gtin, lot,
       COALESCE(sum(quantity) FILTER (WHERE quantity > 0), 0)::text AS used,
       COALESCE(-sum(quantity) FILTER (WHERE quantity < 0), 0)::text AS returned,
       COALESCE(sum(quantity) FILTER (WHERE billed_amount <> 0), 0)::text AS billed_quantity,
       sum(billed_amount)::text AS billed_amount, max(used_at) AS last_used_at
     FROM usages GROUP BY hospital, gtin, lot ORDER BY hospital, gtin, lot`,
  );
  expect(totals.rows).to.deep.equal(raw.rows);
  const serials = await db.query(
    `SELECT gtin, serial, uses::text, hospital_lo, hospital_hi FROM serial_uses WHERE uses > 0 ORDER BY gtin, serial`,
  );
  const rawSerials = await db.query(
    `SELECT gtin, serial, sum(quantity)::text AS uses, min(hospital) AS hospital_lo, max(hospital) AS hospital_hi
     FROM usages WHERE serial IS NOT NULL AND quantity > 0 GROUP BY gtin, serial ORDER BY gtin, serial`,
  );
  expect(serials.rows).to.deep.equal(rawSerials.rows);
  // Every use of a serial used twice, or away from its receiver now, is among the candidates.
  const { rows: missed } = await db.query(
    `SELECT u.hospital, u.gtin, u.lot, u.serial FROM usages u
     WHERE u.serial IS NOT NULL AND EXISTS (
       SELECT 1 FROM usages v
       LEFT JOIN received_serials r ON r.gtin = v.gtin AND r.serial = v.serial
       WHERE v.gtin = u.gtin AND v.serial = u.serial AND v.quantity > 0
       GROUP BY v.gtin, v.serial
       HAVING count(*) > 1 OR bool_or(r.hospital <> v.hospital))
     EXCEPT SELECT hospital, gtin, lot, serial FROM serial_candidates`,
  );
  expect(missed, "uses of candidate serials missing from serial_candidates").to.deep.equal([]);
}

describe("Reconciliation running totals (migration 0027)", function () {
  forEachEngine((engine) => {
    const rand = random(20260901);
    const recorded: Recorded[] = [];

    before(async function () {
      const db = engine.db;
      await migrate(
        db,
        loadMigrations().filter((m) => m.version < 27),
      );
      const excursionShipments = await seedLedger(db);
      // Half the history before the migration: its backfill counts it.
      const reached = await recordUsages(db, rand, 90, new Date("2026-03-01T00:00:00Z"), recorded, "U");
      await returnedAtAHigherUnitPrice(db, "E");
      expect(await migrate(db)).to.have.length.greaterThan(0);
      await seedExcursions(db, excursionShipments);
      // The other half after it: the triggers count it.
      await recordUsages(db, rand, 90, reached, recorded, "V");
      await returnedAtAHigherUnitPrice(db, "F");
      // 3,001 for three units is above 1,000 a unit by a third of a unit: the price bound rounds up.
      await insertRaw(db, [
        {
          hospital: H[2],
          usageId: "D1",
          gtin: G2,
          lot: "D",
          usedAt: new Date("2026-08-01T00:00:00Z"),
          amount: 3001,
          quantity: 3,
        },
      ]);
      // One statement of several rows: two lots, one serial twice, a use and its return together.
      const at = new Date(NOW.getTime() - DAY);
      await insertRaw(db, [
        {
          hospital: H[1],
          usageId: "M1",
          gtin: G1,
          lot: "A",
          serial: "S-1",
          usedAt: at,
          amount: 1000,
          quantity: 1,
        },
        {
          hospital: H[2],
          usageId: "M2",
          gtin: G1,
          lot: "A",
          serial: "S-1",
          usedAt: at,
          amount: 1000,
          quantity: 1,
        },
        { hospital: H[0], usageId: "M3", gtin: G2, lot: "B", usedAt: at, amount: 9000, quantity: 6 },
        {
          hospital: H[0],
          usageId: "M4",
          gtin: G2,
          lot: "B",
          usedAt: at,
          amount: -500,
          quantity: -5,
          corrects: "M3",
        },
      ]);
      // A release, and the same serials received at another hospital.
      await db.query(`DELETE FROM received_serials WHERE receipt_no = 'R-2'`);
      await db.query(
        `INSERT INTO received_serials (gtin, serial, receipt_no, hospital, received_at)
         VALUES ($1, 'S-10', 'R-3', $2, '2026-07-01T00:00:00Z'), ($1, 'S-11', 'R-3', $2, '2026-07-01T00:00:00Z')`,
        [G1, H[2]],
      );
      // Uses a few minutes ahead of the report's instant (a billing system's clock may run ahead).
      const service = new UsagesService(db, "totals-test-salt-0123456789");
      const ahead = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();
      const late = { department: "icu", patientRef: "P-late", billingCode: "C-3", gtin: G1, lot: "A" };
      await record(service, H[0], { ...late, usageId: "L1", usedAt: ahead(2), billedAmount: "5000" });
      await record(service, H[0], {
        ...late,
        usageId: "L2",
        usedAt: ahead(3),
        serial: "S-3",
        billedAmount: "1000",
      });
    });

    it("adds nothing for a rolled-back insert and refuses to change or delete a usage", async function () {
      const before = await engine.db.query(`SELECT * FROM usage_totals ORDER BY hospital, gtin, lot`);
      expect(
        (
          await rejectionOf(
            engine.db.transaction(async (tx) => {
              await insertRaw(tx, [
                { hospital: H[0], usageId: "X1", gtin: G1, lot: "A", usedAt: NOW, amount: 1, quantity: 1 },
              ]);
              throw new Error("rolled back on purpose");
            }),
          )
        ).message,
      ).to.include("rolled back on purpose");
      expect(
        (await engine.db.query(`SELECT * FROM usage_totals ORDER BY hospital, gtin, lot`)).rows,
      ).to.deep.equal(before.rows);
      expect(
        (await rejectionOf(engine.db.query(`UPDATE usages SET quantity = 2 WHERE usage_id = 'U0'`))).message,
      ).to.include("never changed or deleted");
      expect(
        (await rejectionOf(engine.db.query(`DELETE FROM usages WHERE usage_id = 'U0'`))).message,
      ).to.include("never changed or deleted");
    });

    it("keeps totals equal to the sums over the raw rows, backfilled and then added to", async function () {
      await expectTotalsExact(engine.db);
    });

    it("computes the same totals and bounds again from the raw rows for a bulk load (usage_totals_rebuild)", async function () {
      const totals = `SELECT * FROM usage_totals ORDER BY hospital, gtin, lot`;
      const kept = (await engine.db.query(totals)).rows;
      expect(kept.some((r) => r.unit_amount_bound !== null)).to.equal(true);
      await engine.db.transaction((tx) => tx.query(`SELECT usage_totals_rebuild()`));
      expect((await engine.db.query(totals)).rows).to.deep.equal(kept);
      await expectTotalsExact(engine.db);
    });

    it("reports the same figures and flags as the raw rows give, on every scope, page and instant", async function () {
      const found = new Set((await rawUsageFindings(engine.db, { asOf: NOW })).map((f) => f.code));
      // Every flag occurs, so no comparison below is vacuous.
      expect([...found].sort()).to.deep.equal([
        "PHANTOM_USE",
        "PRICE_MARKUP",
        "RESOLD",
        "SERIAL_REUSED",
        "USED_AFTER_EXCURSION",
        "USED_AFTER_EXPIRY",
        "USED_FROM_RECALLED_LOT",
      ]);
      // Sent out, and of that after the lot's expiry.
      const sentOut = (await rawLotBalances(engine.db, { asOf: NOW }, 1000))
        .filter((r) => r.sent_out !== "0")
        .map((r) => `${r.hospital} ${r.gtin} ${r.lot} ${r.sent_out} ${r.sent_after_expiry}`);
      expect(sentOut).to.deep.equal([
        `${H[0]} ${G1} A 4 0`,
        `${H[1]} ${G1} B 3 1`,
        `${H[2]} ${G2} D 2 0`,
        `${H[2]} ${G2} E 1 0`,
      ]);
      const instants = [
        NOW,
        new Date(NOW.getTime() + 10 * 60_000),
        new Date("2026-04-10T00:00:00Z"),
        new Date("2026-06-15T12:00:00Z"),
        new Date("2026-02-01T00:00:00Z"),
      ];
      const scopes: Omit<LotScope, "asOf">[] = [
        {},
        { hospital: H[0] },
        { hospital: H[1], gtin: G1 },
        { gtin: G2 },
        { hospital: H[0], gtin: G1, lot: "B" },
        { lot: "A" },
        { from: new Date("2026-07-01T00:00:00Z") },
      ];
      for (const asOf of instants) {
        for (const scope of scopes) await expectSameAsRaw(engine.db, { ...scope, asOf }, 4);
      }
      // The markup's evidence states what the usage billed net of its return: the unit kept, at
      // the whole 2,000 (the return refunded nothing).
      const markups = (await usageFindings(engine.db, { asOf: NOW, gtin: G2 }))
        .filter((f) => f.code === "PRICE_MARKUP" && (f.lot === "E" || f.lot === "F"))
        .map((f) => [f.lot, f.detail?.billed]);
      expect(markups).to.deep.equal([
        ["E", [{ usageId: "E1", quantity: "1", amount: "2000" }]],
        ["F", [{ usageId: "F1", quantity: "1", amount: "2000" }]],
      ]);
    });

    it("marks a serial received at one hospital and used at another in concurrent transactions", async function () {
      const db = engine.db;
      const useAt = (hospital: string, usageId: string, serial: string) => (tx: Db) =>
        insertRaw(tx, [
          { hospital, usageId, gtin: G2, lot: "A", serial, usedAt: NOW, amount: 1000, quantity: 1 },
        ]);
      const receiveAt = (hospital: string, serial: string) => async (tx: Db) => {
        await tx.query(
          `INSERT INTO received_serials (gtin, serial, receipt_no, hospital, received_at) VALUES ($1, $2, 'R-1', $3, $4)`,
          [G2, serial, hospital, NOW.toISOString()],
        );
      };
      const pairs = [
        [useAt(H[1], "C1", "Z-1"), receiveAt(H[0], "Z-1")],
        [receiveAt(H[0], "Z-2"), useAt(H[1], "C2", "Z-2")],
      ] as const;
      if (engine.engine === "postgres") {
        const other = await engine.connect();
        for (const [first, second] of pairs) {
          let later: Promise<unknown> | undefined;
          await db.transaction(async (tx) => {
            await first(tx);
            later = other.transaction((tx2) => second(tx2));
            // Hold the first open until the second waits for its row of serial_uses.
            await until("the second transaction to wait for the first", async () => {
              const { rows } = await tx.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'`,
              );
              return rows[0].n > 0;
            });
          });
          await later;
        }
      } else {
        // An in-memory PGlite has one connection: its transactions can only follow each other.
        for (const [first, second] of pairs) {
          await db.transaction((tx) => first(tx));
          await db.transaction((tx) => second(tx));
        }
      }
      const { rows } = await db.query<{ serial: string; resold: boolean }>(
        `SELECT serial, resold FROM serial_uses WHERE gtin = $1 AND serial IN ('Z-1', 'Z-2') ORDER BY serial`,
        [G2],
      );
      expect(rows).to.deep.equal([
        { serial: "Z-1", resold: true },
        { serial: "Z-2", resold: true },
      ]);
      const flagged = (await usageFindings(db, { asOf: new Date(NOW.getTime() + 1) })).filter(
        (f) => f.code === "RESOLD" && f.gtin === G2,
      );
      expect(flagged.map((f) => f.serial).sort()).to.deep.equal(["Z-1", "Z-2"]);
      await expectTotalsExact(db);
    });
  });
});
