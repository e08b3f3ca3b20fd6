import { expect } from "chai";
import { migrate, type Db } from "../../../../server/db";
import * as act from "../../../../ledger/acts";
import { cutBatches } from "../../../../server/modules/consignment/consumption.batcher";
import { ConsignmentRepository } from "../../../../server/modules/consignment/consignment.repository";
import { insertUsage } from "../../../../server/modules/usages/usages.repository";
import { forEachEngine } from "../../helpers/engines";
import { GTIN, LOT, procure, startChain, type ChainStack } from "../../support/chain";
import { indexLedger } from "../../support/indexer";
import { fullAcceptance, queueJobs, settlementWorker, shipOrder, supplierBalance } from "../payments/support";

/**
 * Consignment in the gateway, against Anvil and both engines: a consigned shipment's receipt
 * job takes the units into custody and pays nothing; usages of the consigned lot are cut into
 * one batch per hospital × supplier when due (size or age), net of their corrections, each
 * usage once; the payment worker pays the batch on chain (units × price) and the indexer
 * projects the stock and the batch.
 */

const HOUR = 3_600_000;
const PRICE = 10_000n;

describe("consignment: consumption batches", function () {
  let chain: ChainStack;
  let agreementId: bigint;

  before(async function () {
    chain = await startChain();
    ({ agreementId } = await procure(chain, 1));
    await act.offerConsignment(chain.ledger, chain.cast.supplier, agreementId);
  });

  after(async function () {
    await chain?.stop();
  });

  forEachEngine((engine) => {
    before(() => migrate(engine.db));
    let seq = 0;

    async function use(
      db: Db,
      quantity: number,
      correctsUsageId: string | null = null,
      usedAt?: Date,
    ): Promise<string> {
      const usageId = `U-${engine.engine}-${++seq}`;
      await insertUsage(db, {
        hospital: chain.cast.hospital.address.toLowerCase(),
        usageId,
        gtin: GTIN,
        lot: LOT,
        serial: null,
        expiry: null,
        barcode: null,
        campus: null,
        department: "cardiology",
        patientHash: "0x00",
        patientSaltId: "0123456789abcdef",
        // Usages are dated on the ledger's clock, as the usages route requires.
        usedAt: usedAt ?? new Date((await chain.now()) * 1000),
        billingCode: "B1",
        billedAmount: 0n,
        quantity,
        correctsUsageId,
        recordedBy: "test",
      });
      return usageId;
    }

    /** A consigned shipment of `units`, received and settled into the hospital's custody by the worker. */
    async function inCustody(db: Db, units: number) {
      const order = await shipOrder(chain, agreementId, [units], LOT, true);
      const [unit] = order.shipments;
      await queueJobs(db, chain, [fullAcceptance(unit)]);
      const worker = settlementWorker(db, chain);
      await worker.drain();
      return { unit, worker };
    }

    it("pays nothing on receipt, then pays each batch of used units once", async function () {
      const db = engine.db;
      // A unit of the same lot used before this stock came into custody: ordinary stock, paid on
      // its own receipt, never again from consigned stock.
      const earlier = await use(db, 1, null, new Date(((await chain.now()) - 3600) * 1000));
      const order = await shipOrder(chain, agreementId, [5], LOT, true);
      const [unit] = order.shipments;
      await queueJobs(db, chain, [fullAcceptance(unit)]);
      const before = await supplierBalance(chain);
      const worker = settlementWorker(db, chain);
      await worker.drain();
      expect(await supplierBalance(chain), "paid on a consigned receipt").to.equal(before);
      await indexLedger(db, chain);
      const { rows: stock } = await db.query<{ received: number; held: string }>(
        `SELECT received, held FROM consigned_stock WHERE shipment_id = $1`,
        [unit.shipmentId.toString()],
      );
      expect(stock).to.deep.equal([{ received: 5, held: (5n * PRICE).toString() }]);

      const first = await use(db, 1);
      const second = await use(db, 2);
      await use(db, -1, second);
      const rules = { batchIntervalMs: HOUR, batchUnits: 100 };
      expect(await cutBatches(db, rules), "a batch neither full nor old").to.deep.equal([]);
      const [batch, ...more] = await cutBatches(db, rules, new Date(Date.now() + 2 * HOUR));
      expect(more).to.deep.equal([]);
      expect(batch.lines).to.deep.equal([{ shipmentId: unit.shipmentId.toString(), units: 2 }]);
      expect(batch.usageIds).to.deep.equal([first, second]).and.not.include(earlier);
      expect(await cutBatches(db, rules, new Date(Date.now() + 3 * HOUR)), "usages cut twice").to.deep.equal(
        [],
      );

      await worker.drain();
      expect((await supplierBalance(chain)) - before).to.equal(2n * PRICE);
      expect(await chain.ledger.consignment.batchConfirmed(batch.batchId)).to.equal(true);
      await indexLedger(db, chain);
      const { rows: batches } = await db.query<{ units: number; amount: string }>(
        `SELECT units, amount FROM consumption_batches WHERE batch_id = $1`,
        [batch.batchId],
      );
      expect(batches).to.deep.equal([{ units: 2, amount: (2n * PRICE).toString() }]);

      // Three units left on hand: a usage of four waits; three single units fill a batch at once.
      await use(db, 4);
      for (let i = 0; i < 3; i++) await use(db, 1);
      const [full] = await cutBatches(db, { batchIntervalMs: HOUR, batchUnits: 3 });
      expect(full.lines).to.deep.equal([{ shipmentId: unit.shipmentId.toString(), units: 3 }]);
      await worker.drain();
      expect((await supplierBalance(chain)) - before).to.equal(5n * PRICE);
      expect((await chain.ledger.consignment.stock(unit.shipmentId)).held).to.equal(0n);
    });

    it("cuts a refused batch's usages again only once the interval has passed, then pays them", async function () {
      const db = engine.db;
      const { worker } = await inCustody(db, 2);
      await indexLedger(db, chain);
      const before = await supplierBalance(chain);
      const usage = await use(db, 2);
      const rules = { batchIntervalMs: HOUR, batchUnits: 1 };

      // Paused, the consignment book refuses the batch for good: its usages are given back…
      const { consignment } = chain.ledger;
      await (await consignment.connect(chain.cast.admin).pause()).wait();
      const [refused] = await cutBatches(db, rules);
      await worker.drain();
      const { rows: jobs } = await db.query<{ status: string; error_name: string }>(
        `SELECT status, error_name FROM settlement_jobs WHERE batch_id = $1`,
        [refused.batchId],
      );
      expect(jobs).to.deep.equal([{ status: "failed", error_name: "EnforcedPause" }]);
      // The batches' list names the refusal, so the console can say it in words.
      const listed = (await new ConsignmentRepository(db).batches({ limit: 100 })).items;
      expect(listed.find((b) => b.batchId === refused.batchId)).to.deep.include({
        status: "failed",
        errorName: "EnforcedPause",
      });
      await (await consignment.connect(chain.cast.admin).unpause()).wait();

      // …but not cut again at every poll: one failed batch per interval, then paid once.
      expect(await cutBatches(db, rules), "cut again within the interval").to.deep.equal([]);
      const [again] = await cutBatches(db, rules, new Date(Date.now() + 2 * HOUR));
      expect(again.usageIds).to.deep.equal([usage]);
      await worker.drain();
      expect((await supplierBalance(chain)) - before).to.equal(2n * PRICE);
      expect(await consignment.batchConfirmed(refused.batchId)).to.equal(false);
    });

    it("never cuts the units of a hospital's pending return: their usage waits, and is paid once the supplier refuses the return", async function () {
      const db = engine.db;
      // Both units used up by the end, so the other engine's run (same chain) finds none on hand.
      const { unit, worker } = await inCustody(db, 2);
      // The attack the answer closes: both units used, their usage not yet paid, "returned".
      await act.returnConsignedStock(chain.ledger, chain.cast.hospital, unit.shipmentId, 2, 403);
      await indexLedger(db, chain);
      const before = await supplierBalance(chain);
      const usage = await use(db, 2);
      const rules = { batchIntervalMs: HOUR, batchUnits: 1 };
      // Past the interval that holds back this pair after the refused batch of the test above.
      const later = new Date(Date.now() + 2 * HOUR);
      expect(await cutBatches(db, rules, later), "cut from units off the shelf").to.deep.equal([]);

      await act.refuseConsignedReturn(chain.ledger, chain.cast.supplier, unit.shipmentId, 411);
      await indexLedger(db, chain);
      const [batch] = await cutBatches(db, rules, later);
      expect(batch.usageIds).to.deep.equal([usage]);
      expect(batch.lines).to.deep.equal([{ shipmentId: unit.shipmentId.toString(), units: 2 }]);
      await worker.drain();
      expect((await supplierBalance(chain)) - before).to.equal(2n * PRICE);
    });
  });
});
