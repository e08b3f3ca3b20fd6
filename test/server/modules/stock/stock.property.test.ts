import { expect } from "chai";
import fc from "fast-check";
import { migrate } from "../../../../server/db";
import { stockOnHand } from "../../../../server/modules/stock/stock.service";
import { forEachEngine } from "../../helpers/engines";
import { gln, StockSeed } from "./stock-seed";

/**
 * The stock arithmetic as a property: whatever sequence of receipts, usages, returns from
 * patients, transfers between campuses and returns to the supplier a hospital records, no
 * campus's stock is ever negative and no unit is lost — per lot, what the campuses hold less
 * what they are flagged short equals received − used − returned, and each campus's figures
 * equal a plain running model of the same movements.
 */
const G = "09520123456788";
const LOTS = ["L1", "L2"] as const;
const SUPPLIER_GLN = gln(999_999);

type Op =
  | { kind: "receipt"; campus: number; lot: number; quantity: number; rejected: number }
  | { kind: "usage"; campus: number; lot: number; quantity: number }
  | { kind: "patientReturn"; of: number; quantity: number }
  | { kind: "transfer"; from: number; to: number; lot: number; quantity: number }
  | { kind: "supplierReturn"; from: number; lot: number; quantity: number };

const campus = fc.integer({ min: 0, max: 2 });
const lot = fc.integer({ min: 0, max: 1 });
const qty = fc.integer({ min: 1, max: 6 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("receipt" as const),
    campus,
    lot,
    quantity: qty,
    rejected: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constant("usage" as const), campus, lot, quantity: qty }),
  fc.record({ kind: fc.constant("patientReturn" as const), of: fc.nat(), quantity: qty }),
  fc.record({ kind: fc.constant("transfer" as const), from: campus, to: campus, lot, quantity: qty }),
  fc.record({ kind: fc.constant("supplierReturn" as const), from: campus, lot, quantity: qty }),
);

forEachEngine((engine) => {
  before(() => migrate(engine.db));

  it("never makes stock negative and never loses a unit", async function () {
    this.timeout(300_000);
    let run = 0;
    // Which situations the runs met: the property must have been tried on each.
    const seen = { shortfall: 0, transferIn: 0, returned: 0, onHand: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        // Each run is its own hospital with its own campuses, so runs never see each other's rows.
        run += 1;
        const hospital = `0x${run.toString(16).padStart(40, "0")}`;
        const seed = new StockSeed(engine.db, run * 1000);
        // Campus 2 is registered but receipts naming none (campus null) count at the main campus 0.
        const campuses = [gln(run * 10), gln(run * 10 + 1), gln(run * 10 + 2)];
        for (const [i, c] of campuses.entries()) await seed.campus(hospital, c, `Campus ${i}`, i === 0);
        const net = new Map<string, number>();
        const add = (c: string, l: string, n: number) =>
          net.set(`${c}|${l}`, (net.get(`${c}|${l}`) ?? 0) + n);
        const totals = { received: 0, used: 0, returned: 0 };
        const usages: { id: string; campus: number; lot: number; left: number }[] = [];
        for (const o of ops) {
          if (o.kind === "receipt") {
            const rejected = Math.min(o.rejected, o.quantity);
            await seed.receipt({
              hospital,
              campus: o.campus === 0 ? null : campuses[o.campus],
              gtin: G,
              lot: LOTS[o.lot],
              expiry: "2028-01-01",
              quantity: o.quantity,
              rejected,
            });
            add(campuses[o.campus], LOTS[o.lot], o.quantity - rejected);
            totals.received += o.quantity - rejected;
          } else if (o.kind === "usage") {
            const id = await seed.usage({
              hospital,
              campus: campuses[o.campus],
              gtin: G,
              lot: LOTS[o.lot],
              quantity: o.quantity,
            });
            usages.push({ id, campus: o.campus, lot: o.lot, left: o.quantity });
            add(campuses[o.campus], LOTS[o.lot], -o.quantity);
            totals.used += o.quantity;
          } else if (o.kind === "patientReturn") {
            // The usage service never lets a return take back more than its usage had left.
            const u = usages[o.of % Math.max(usages.length, 1)];
            if (!u || u.left === 0) continue;
            const n = Math.min(o.quantity, u.left);
            u.left -= n;
            await seed.usage({
              hospital,
              campus: campuses[u.campus],
              gtin: G,
              lot: LOTS[u.lot],
              quantity: -n,
              corrects: u.id,
            });
            add(campuses[u.campus], LOTS[u.lot], n);
            totals.used -= n;
          } else if (o.kind === "transfer") {
            // The contract refuses a transfer to the same location.
            if (o.from === o.to) continue;
            await seed.transfer({
              hospital,
              from: campuses[o.from],
              to: campuses[o.to],
              gtin: G,
              lot: LOTS[o.lot],
              quantity: o.quantity,
            });
            add(campuses[o.from], LOTS[o.lot], -o.quantity);
            add(campuses[o.to], LOTS[o.lot], o.quantity);
          } else {
            await seed.transfer({
              hospital,
              from: campuses[o.from],
              to: SUPPLIER_GLN,
              gtin: G,
              lot: LOTS[o.lot],
              quantity: o.quantity,
            });
            add(campuses[o.from], LOTS[o.lot], -o.quantity);
            totals.returned += o.quantity;
          }
        }

        const rows = await stockOnHand(engine.db, hospital);
        let held = 0;
        for (const r of rows) {
          const onHand = Number(r.onHand);
          const shortfall = Number(r.shortfall);
          expect(onHand, `${r.campus} ${r.lot}`).to.be.at.least(0);
          expect(shortfall).to.be.at.least(0);
          expect(onHand === 0 || shortfall === 0, "never both on hand and short").to.equal(true);
          expect(r.campus, "units stay at the hospital's campuses").to.be.oneOf(campuses);
          expect(onHand - shortfall, `${r.campus} ${r.lot}`).to.equal(net.get(`${r.campus}|${r.lot}`) ?? 0);
          expect(
            Number(r.received) -
              Number(r.used) -
              Number(r.returned) +
              Number(r.transferredIn) -
              Number(r.transferredOut),
          ).to.equal(onHand - shortfall);
          held += onHand - shortfall;
          if (shortfall > 0) seen.shortfall += 1;
          if (onHand > 0) seen.onHand += 1;
          if (Number(r.transferredIn) > 0) seen.transferIn += 1;
          if (Number(r.returned) > 0) seen.returned += 1;
        }
        // Every movement shows in some row: nothing is dropped by the sums.
        for (const [key, n] of net)
          if (n !== 0)
            expect(
              rows.some((r) => `${r.campus}|${r.lot}` === key),
              key,
            ).to.equal(true);
        expect(held).to.equal(totals.received - totals.used - totals.returned);
        expect(rows.reduce((s, r) => s + Number(r.returned), 0)).to.equal(totals.returned);
      }),
      { numRuns: engine.engine === "postgres" ? 40 : 60 },
    );
    for (const [situation, count] of Object.entries(seen)) expect(count, situation).to.be.above(0);
  });
});
