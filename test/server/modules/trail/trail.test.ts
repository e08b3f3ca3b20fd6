import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import fs from "fs";
import path from "path";
import { migrate, type Db } from "../../../../server/db";
import { EpcisDocument } from "../../../../api/epcis";
import { Trail, Verification, type TrailStep } from "../../../../api/trail";
import { GLOBAL_SCOPE } from "../../../../ledger/trail/figures";
import * as act from "../../../../ledger/acts";
import { TrailService } from "../../../../server/modules/trail/trail.service";
import { TrailVerifier } from "../../../../server/modules/trail/trail.verify";
import { forEachEngine } from "../../helpers/engines";
import { DAY, GTIN, LOT, startChain, type ChainStack } from "../../support/chain";
import { serialLines } from "../../support/api-fixtures";
import { as, buildGateway, errorOf, login } from "../../support/gateway";
import { REASON, tellStory, type Story } from "./story";

/**
 * The audit trail end to end, through the gateway and its indexer, against one Anvil node: the
 * ledger's story of an order, a lot and a serial, its re-verification against the chain (which
 * must catch a changed amount, a changed shipment row, a deleted step), and the EPCIS export —
 * on both database engines. The chain is set up once; each engine starts from the same snapshot
 * and runs the gateway's part (manifests, receipts, payment, usages, recalls) itself.
 *
 * Story (story.ts): order 1 (10 units) is tendered, funded and shipped; shipment 1 is received on
 * chain. Here: order 2 (4 units) of the same lot is shipped too, and a second hospital enrolled.
 * Per engine: shipment 1 is received at the warehouse, matched and paid by the gateway's
 * settler; a usage of one of its serials is billed, and a serial it never received by the second
 * hospital; the other supplier recalls the lot for its own shipments (none here), the supplier
 * recalls its own, a regulator lifts that and recalls the lot for everyone; shipment 2's receipt
 * then becomes an exception (recalled lots cannot be paid).
 */

const SCHEMA_PATH = path.resolve(__dirname, "../../../../../shared/standards/epcis/EPCIS-JSON-Schema.json");

interface E2eStory extends Story {
  order2: bigint;
  shipment2: bigint;
  serials2: string[];
}

async function setUpChain(chain: ChainStack): Promise<E2eStory> {
  const { ledger, cast } = chain;
  const story = await tellStory(chain);
  const order2 = await act.placeOrder(ledger, cast.hospital, {
    agreementId: story.agreementId,
    quantity: 4n,
    requestedDelivery: (await chain.now()) + 20 * DAY,
    reference: "PO-2",
  });
  await act.approveOrder(ledger, cast.approver, order2);
  const serials2 = ["B-0001", "B-0002", "B-0003", "B-0004"];
  const { shipmentId: shipment2 } = await act.createShipment(ledger, cast.supplier, {
    orderId: order2,
    gtin: GTIN,
    lot: LOT,
    expiry: story.expiry,
    serials: serials2,
    notice: "DESADV-2",
  });
  await act.enrolHospital(
    ledger,
    cast.regulator,
    cast.hospital2,
    "Second Hospital",
    [{ member: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }],
    10_000_000n,
  );
  return { ...story, order2, shipment2, serials2 };
}

async function insertUsage(
  db: Db,
  u: { hospital: string; usageId: string; serial: string | null; usedAt: Date; by: string },
): Promise<void> {
  await db.query(
    `INSERT INTO usages (hospital, usage_id, gtin, lot, serial, department, patient_hash, used_at, billing_code,
       billed_amount, quantity, recorded_by)
     VALUES ($1, $2, $3, $4, $5, 'cardiology', $6, $7, 'C0401-DES', '12500', 1, $8)`,
    [
      u.hospital.toLowerCase(),
      u.usageId,
      GTIN,
      LOT,
      u.serial,
      ethers.id(`patient-${u.usageId}`),
      u.usedAt.toISOString(),
      u.by.toLowerCase(),
    ],
  );
}

const ids = (trail: Trail) => trail.steps.map((s) => s.id);
const stepOf = (trail: Trail, id: string): TrailStep => {
  const found = trail.steps.find((s) => s.id === id || s.id.startsWith(`${id}@`));
  if (!found) throw new Error(`no step ${id} in ${ids(trail).join(", ")}`);
  return found;
};
const restore = async (db: Db, table: string, row: Record<string, unknown>) => {
  const columns = Object.keys(row);
  await db.query(
    `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
    columns.map((c) => (c === "args" ? JSON.stringify(row[c]) : row[c])),
  );
};

describe("audit trail", function () {
  let chain: ChainStack;
  let story: E2eStory;
  let snapshot: string;

  before(async function () {
    this.timeout(240_000);
    chain = await startChain();
    story = await setUpChain(chain);
    snapshot = await chain.provider.send("evm_snapshot", []);
  });

  after(async () => {
    await chain?.stop();
  });

  forEachEngine((engine) => {
    let app: FastifyInstance;
    let regulator: string;
    let receiver: string;
    let supplier: string;
    let supplier2: string;
    let receiver2: string;
    let stranger: string;
    let deliveredAt: string;

    const get = (url: string, token: string, headers: Record<string, string> = {}) =>
      app.inject({ method: "GET", url, headers: { ...as(token), ...headers } });
    const trailOf = async (url: string, token = regulator): Promise<Trail> => {
      const res = await get(url, token);
      expect(res.statusCode, res.body).to.equal(200);
      return res.json<Trail>();
    };
    const verify = async (url: string, token = regulator): Promise<Verification> => {
      const res = await get(`${url}/verify`, token);
      expect(res.statusCode, res.body).to.equal(200);
      return res.json<Verification>();
    };
    const ORDER = () => `/v1/trail/orders/${story.orderId}`;
    const LOT_URL = `/v1/trail/lots/${GTIN}/${LOT}`;
    const SERIAL = () => `/v1/trail/serials/${GTIN}/${story.serials[2]}`;
    const address = (w: { address: string }) => w.address.toLowerCase();

    before(async function () {
      this.timeout(180_000);
      // Every engine starts from the same chain: what the previous one paid and recalled is undone.
      await chain.provider.send("evm_revert", [snapshot]);
      snapshot = await chain.provider.send("evm_snapshot", []);
      const { cast, ledger } = chain;

      await migrate(engine.db);
      app = await buildGateway(engine.db, chain);
      await app.indexer.catchUp();
      [regulator, receiver, supplier, supplier2, receiver2, stranger] = await Promise.all(
        [cast.regulator, cast.receiver, cast.supplier, cast.supplier2, cast.receiver2, cast.stranger].map(
          (w) => login(app, w),
        ),
      );

      for (const [id, serials] of [
        [story.shipmentId, story.serials],
        [story.shipment2, story.serials2],
      ] as const) {
        const res = await app.inject({
          method: "PUT",
          url: `/v1/shipments/${id}/manifest`,
          headers: as(supplier),
          payload: { serials },
        });
        expect(res.statusCode, res.body).to.equal(201);
      }

      // Goods receipt an hour after the goods arrived, strictly before the payment's block.
      await chain.advance(3600);
      const receipt = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        headers: { ...as(receiver), "idempotency-key": "gr-0001" },
        payload: {
          receiptNo: "GR-0001",
          shipmentId: String(story.shipmentId),
          receivedAt: new Date(((await chain.now()) - 60) * 1000).toISOString(),
          lines: serialLines(story.serials, story.expiry),
        },
      });
      expect(receipt.statusCode, receipt.body).to.equal(201);
      await app.settlementWorker!.drain();
      await app.indexer.catchUp();
      const [settled] = await ledger.orderBook.queryFilter(
        ledger.orderBook.filters.ShipmentSettled(story.shipmentId),
      );
      deliveredAt = new Date(Number(settled.args.payout.deliveredAt) * 1000).toISOString();

      const usedAt = new Date((await chain.now()) * 1000);
      await insertUsage(engine.db, {
        hospital: cast.hospital.address,
        usageId: "U-1",
        serial: story.serials[2],
        usedAt,
        by: cast.receiver.address,
      });
      // Billed by a hospital that never received it: the regulator must see it, nobody else.
      await insertUsage(engine.db, {
        hospital: cast.hospital2.address,
        usageId: "X-9",
        serial: story.serials[8],
        usedAt,
        by: cast.receiver2.address,
      });

      const gtin = BigInt(GTIN);
      await act.sent(ledger.trace.connect(cast.supplier2).recall(gtin, LOT, REASON.otherRecall));
      await act.sent(ledger.trace.connect(cast.supplier).recall(gtin, LOT, REASON.recall));
      await act.sent(
        ledger.trace.connect(cast.regulator).liftRecall(gtin, LOT, cast.supplier.address, REASON.lift),
      );
      await act.sent(ledger.trace.connect(cast.regulator).recall(gtin, LOT, REASON.globalRecall));
      await chain.advance(60);
      await app.indexer.catchUp();

      const second = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        headers: { ...as(receiver), "idempotency-key": "gr-0002" },
        payload: {
          receiptNo: "GR-0002",
          shipmentId: String(story.shipment2),
          receivedAt: new Date((await chain.now()) * 1000).toISOString(),
          // Shipment 2 was declared with the story's expiry too (setUpChain).
          lines: serialLines(story.serials2, story.expiry),
        },
      });
      expect(second.statusCode, second.body).to.equal(201);
      expect(second.json().match.status).to.equal("exception");
    });

    after(async () => {
      await app?.close();
    });

    describe("order trail", function () {
      it("tells the order's story in time order, each on-chain step with its log", async function () {
        const trail = await trailOf(ORDER());
        const { orderId, shipmentId, tenderId, agreementId } = story;
        const order = ids(trail);
        const at = (id: string) => order.indexOf(stepOf(trail, id).id);
        const sequence = [
          `registration:${address(chain.cast.supplier)}`,
          `tender:${tenderId}`,
          `bid:${tenderId}:${address(chain.cast.supplier2)}:commit`,
          // One transaction: the forfeit, the agreement, the award.
          `bond:${tenderId}:forfeited`,
          `agreement:${agreementId}`,
          `tender:${tenderId}:awarded`,
          `bond:${tenderId}:${address(chain.cast.hospital)}:claimed`,
          `order:${orderId}`,
          `consent:${orderId}:excess`,
          `funding:${orderId}`,
          `consent:${orderId}:late`,
          `shipment:${shipmentId}`,
          `trace:${shipmentId}:1`,
          `trace:${shipmentId}:2`,
          `trace:${shipmentId}:3`,
          "receipt:GR-0001",
          `payment:${shipmentId}`,
          `closure:${orderId}`,
          `recall:${GTIN}:${LOT}`,
          `lift:${GTIN}:${LOT}`,
        ];
        const positions = sequence.map(at);
        expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
        const times = trail.steps.map((s) => Date.parse(s.at));
        expect(times).to.deep.equal([...times].sort((a, b) => a - b));
        // The gateway's own steps are on the ledger's clock, among the chain's: this chain runs days
        // ahead of the wall, where a serial list and a match would come before the shipment.
        const time = (id: string) => Date.parse(stepOf(trail, id).at);
        expect(time(`manifest:${shipmentId}`)).to.be.above(time(`trace:${shipmentId}:3`));
        // (The ledger's now is the end of the latest block's second; the payment may be mined in that second.)
        expect(time("match:GR-0001")).to.be.within(
          time("receipt:GR-0001"),
          time(`payment:${shipmentId}`) + 1000,
        );

        const kinds = new Set(trail.steps.map((s) => s.kind));
        for (const kind of [
          "qualification",
          "product",
          "tender",
          "bid",
          "bond",
          "agreement",
          "membership",
          "order",
          "approval",
          "funding",
          "consent",
          "shipment",
          "trace",
          "manifest",
          "receipt",
          "match",
          "payment",
          "closure",
          "recall",
          "usage",
        ]) {
          expect(kinds, kind).to.include(kind);
        }
        // The other order of the same lot, and the other supplier's recall, are not this order's story.
        expect(order).to.not.include(`order:${story.order2}`);
        expect(order).to.not.include(`shipment:${story.shipment2}`);
        expect(order).to.not.include("receipt:GR-0002");
        const recalls = trail.steps.filter((s) => s.kind === "recall");
        expect(recalls.map((s) => [s.onChain!.event, s.data.scope, s.data.reasonCode])).to.deep.equal([
          ["LotRecalled", address(chain.cast.supplier), REASON.recall],
          ["RecallLifted", address(chain.cast.supplier), REASON.lift],
          ["LotRecalled", GLOBAL_SCOPE, REASON.globalRecall],
        ]);

        for (const s of trail.steps.filter((x) => x.source === "chain")) {
          expect(s.onChain, s.id).to.not.equal(null);
          expect(s.onChain!.chainId).to.equal(31337);
          expect(s.onChain!.txHash).to.match(/^0x[0-9a-f]{64}$/);
          const contract = chain.deployment.contracts[s.onChain!.contractName];
          expect(s.onChain!.contract).to.equal(contract.toLowerCase());
        }
        for (const s of trail.steps.filter((x) => x.source !== "chain")) {
          expect(s.onChain, s.id).to.equal(null);
          expect(s.source).to.match(/^gateway\./);
        }

        // Funded at the price of the agreement's accepted volume (0 units: 10 000 a unit).
        expect(stepOf(trail, `order:${orderId}`).data).to.include({ quantity: "10" });
        expect(stepOf(trail, `funding:${orderId}`).data).to.include({ amount: "100000" });
        expect(stepOf(trail, `payment:${shipmentId}`).data).to.include({
          accepted: "10",
          gross: "100000",
          paid: "100000",
          penalty: "0",
          settledBy: address(chain.cast.settler),
          deliveredAt,
        });
        expect(stepOf(trail, `shipment:${shipmentId}`).data).to.include({
          gtin: GTIN,
          lot: LOT,
          quantity: "10",
          hospital: address(chain.cast.hospital),
        });
        expect(stepOf(trail, `trace:${shipmentId}:3`).data).to.include({ step: "receiving", eventIndex: 3 });
        const usage = stepOf(trail, `usage:${address(chain.cast.hospital)}:U-1`);
        expect(usage.data).to.include({
          serial: story.serials[2],
          attribution: "serial",
          billedAmount: "12500",
        });
        expect(order).to.not.include(`usage:${address(chain.cast.hospital2)}:X-9`);
      });

      it("states the ledger's state of the order, its shipment and its agreement", async function () {
        const { state } = await trailOf(ORDER());
        expect(state.orders).to.deep.equal([
          {
            ...state.orders[0],
            orderId: String(story.orderId),
            status: "closed",
            quantity: "10",
            accepted: "10",
            escrow: "0",
            excessConsented: true,
            lateShipmentAllowed: true,
          },
        ]);
        expect(state.shipments[0]).to.include({ confirmed: true, recalled: true, disputedUnits: "0" });
        expect(state.agreements[0]).to.include({ acceptedVolume: "10", fundedVolume: "14" });
        expect(state.agreements[0].hospitals).to.deep.equal([
          { hospital: address(chain.cast.hospital), committed: "1000", funded: "14", accepted: "10" },
        ]);
      });

      it("states the supplier's qualification at its bid, the award, the shipment and the payment", async function () {
        const trail = await trailOf(ORDER());
        expect(trail.qualification.map((q) => q.step.split("@")[0])).to.deep.equal([
          `bid:${story.tenderId}:${address(chain.cast.supplier)}:commit`,
          `tender:${story.tenderId}:awarded`,
          `shipment:${story.shipmentId}`,
          `payment:${story.shipmentId}`,
        ]);
        for (const q of trail.qualification) {
          expect(q, q.step).to.include({ status: "active", qualified: true });
          expect(q.windows.map((w) => [w.kind, w.containsTime])).to.deep.equal([
            ["business_licence", true],
            ["device_operating_permit", true],
            ["product_registration", true],
          ]);
        }
      });

      it("shows a supplier its own order, without the hospital's billing", async function () {
        const trail = await trailOf(ORDER(), supplier);
        expect(trail.steps.some((s) => s.kind === "payment")).to.equal(true);
        expect(trail.steps.some((s) => s.kind === "usage")).to.equal(false);
      });
    });

    describe("lot trail", function () {
      it("covers every shipment of the lot, the recalls that cover them and the exception they caused", async function () {
        const trail = await trailOf(LOT_URL);
        expect(trail.shipments).to.deep.equal([String(story.shipmentId), String(story.shipment2)]);
        expect(trail.orders).to.deep.equal([String(story.orderId), String(story.order2)]);
        const order = ids(trail);
        expect(order).to.include.members([
          `order:${story.order2}`,
          `shipment:${story.shipment2}`,
          "receipt:GR-0002",
        ]);
        const global = trail.steps.find(
          (s) => s.onChain?.event === "LotRecalled" && s.data.scope === GLOBAL_SCOPE,
        )!;
        expect(order.indexOf(global.id)).to.be.below(order.indexOf("receipt:GR-0002"));
        expect(trail.steps.filter((s) => s.data.scope === address(chain.cast.supplier2))).to.deep.equal([]);
        const exception = trail.steps.find((s) => s.kind === "exception");
        expect(exception?.data).to.include({ shipmentId: String(story.shipment2), status: "open" });
        expect(JSON.stringify(exception?.data.reasons)).to.include("RECALL");
        // Raised at the receipt, on the ledger's clock: after the recall that caused it.
        expect(Date.parse(exception!.at)).to.be.above(Date.parse(global.at));
        // The regulator sees the usage billed by a hospital the lot never went to.
        expect(order).to.include(`usage:${address(chain.cast.hospital2)}:X-9`);
      });

      it("shows a hospital only what was shipped to it and its own usages", async function () {
        const trail = await trailOf(LOT_URL, receiver);
        expect(trail.shipments).to.have.length(2);
        expect(ids(trail)).to.not.include(`usage:${address(chain.cast.hospital2)}:X-9`);
        // The hospital's part of the lot verifies against the chain on its own.
        expect((await verify(LOT_URL, receiver)).mismatches).to.deep.equal([]);
        const other = await get(LOT_URL, receiver2);
        expect(other.statusCode).to.equal(404);
        expect(errorOf(other).error).to.equal("LOT_NOT_FOUND");
      });

      it("works on a database without the usages table", async function () {
        await engine.db.query(`ALTER TABLE usages RENAME TO usages_parked`);
        try {
          const trail = await trailOf(LOT_URL);
          expect(trail.steps.some((s) => s.kind === "usage")).to.equal(false);
          expect(trail.steps.some((s) => s.kind === "payment")).to.equal(true);
        } finally {
          await engine.db.query(`ALTER TABLE usages_parked RENAME TO usages`);
        }
      });
    });

    describe("serial trail", function () {
      it("gives the serial's shipment, a proof the chain accepts, its receipt and its usage", async function () {
        const serial = story.serials[2];
        const trail = await trailOf(SERIAL());
        expect(trail.shipments).to.deep.equal([String(story.shipmentId)]);
        expect(trail.proofs).to.have.length(1);
        const proof = trail.proofs![0];
        expect(proof).to.include({ shipmentId: String(story.shipmentId), serial });
        const record = await act.shipmentRecord(chain.ledger, story.shipmentId);
        expect(await chain.ledger.trace.verifySerial(story.shipmentId, record, serial, proof.proof)).to.equal(
          true,
        );
        const receipt = stepOf(trail, "receipt:GR-0001");
        expect(receipt.data.lines).to.deep.equal([
          { line: 3, gtin: GTIN, lot: LOT, serial, quantity: "1", rejected: "0", rejectReason: null },
        ]);
        expect(ids(trail)).to.include.members([
          `shipment:${story.shipmentId}`,
          `payment:${story.shipmentId}`,
          `usage:${address(chain.cast.hospital)}:U-1`,
        ]);
        expect(ids(trail)).to.not.include(`shipment:${story.shipment2}`);
      });

      it("answers 404 for a serial nobody shipped, received or billed", async function () {
        const res = await get(`/v1/trail/serials/${GTIN}/NOPE-1`, regulator);
        expect(res.statusCode).to.equal(404);
        expect(errorOf(res).error).to.equal("SERIAL_NOT_FOUND");
      });
    });

    describe("verify", function () {
      it("confirms an untouched trail against the chain", async function () {
        for (const url of [ORDER(), LOT_URL, SERIAL()]) {
          const trail = await trailOf(url);
          const result = await verify(url);
          expect(result.mismatches, url).to.deep.equal([]);
          expect(result.verified).to.equal(true);
          const onChain = trail.steps.filter((s) => s.source === "chain").length;
          expect(result.checked).to.equal(onChain);
          expect(result.expectedEvents).to.equal(onChain);
          expect(result.figures).to.be.greaterThan(onChain * 2);
        }
        const serial = await verify(SERIAL());
        expect(serial.proofs).to.deep.equal([{ shipmentId: String(story.shipmentId), proofValid: true }]);
      });

      it("catches a changed amount", async function () {
        const id = String(story.shipmentId);
        await engine.db.query(`UPDATE settlements SET paid = paid + 1 WHERE shipment_id = $1`, [id]);
        try {
          const result = await verify(ORDER());
          expect(result.verified).to.equal(false);
          expect(result.mismatches).to.deep.equal([
            { step: `payment:${id}`, field: "paid", database: "100001", chain: "100000" },
          ]);
        } finally {
          await engine.db.query(`UPDATE settlements SET paid = paid - 1 WHERE shipment_id = $1`, [id]);
        }
        const orderId = String(story.orderId);
        await engine.db.query(`UPDATE orders SET value = 99000 WHERE id = $1`, [orderId]);
        try {
          const result = await verify(ORDER());
          expect(result.mismatches).to.deep.equal([
            { step: `funding:${orderId}`, field: "amount", database: "99000", chain: "100000" },
          ]);
        } finally {
          await engine.db.query(`UPDATE orders SET value = 100000 WHERE id = $1`, [orderId]);
        }
        expect((await verify(ORDER())).verified).to.equal(true);
      });

      it("catches a changed shipment row: the figure, and the record that no longer hashes to the chain's", async function () {
        const id = String(story.shipmentId);
        const chainHash = await chain.ledger.trace.shipmentHash(id);
        await engine.db.query(`UPDATE shipments SET quantity = quantity + 1 WHERE id = $1`, [id]);
        try {
          for (const url of [ORDER(), LOT_URL, SERIAL()]) {
            const trail = await trailOf(url);
            const result = await verify(url);
            expect(result.verified, url).to.equal(false);
            expect(result.mismatches, url).to.deep.equal([
              { step: `shipment:${id}`, field: "quantity", database: "11", chain: "10" },
              {
                step: `shipment:${id}`,
                field: "recordHash",
                database: trail.state.shipments.find((s) => s.shipmentId === id)!.recordHash,
                chain: chainHash,
              },
            ]);
          }
        } finally {
          await engine.db.query(`UPDATE shipments SET quantity = quantity - 1 WHERE id = $1`, [id]);
        }
        expect((await verify(LOT_URL)).verified).to.equal(true);
      });

      it("catches deleted steps: a trace event, a stored funding event, a recall's lift", async function () {
        const id = String(story.shipmentId);
        const { rows } = await engine.db.query<Record<string, unknown>>(
          `DELETE FROM trace_events WHERE shipment_id = $1 AND event_index = 2 RETURNING *`,
          [id],
        );
        expect(rows).to.have.length(1);
        const row = rows[0];
        try {
          expect(ids(await trailOf(ORDER()))).to.not.include(`trace:${id}:2`);
          const result = await verify(ORDER());
          expect(result.mismatches).to.deep.equal([
            {
              step: `trace:${id}:2`,
              problem: "missing from the trail",
              problemCode: "MISSING_FROM_TRAIL",
              event: "TraceEventRecorded",
              txHash: row.tx_hash,
              blockNumber: Number(row.block_number),
              logIndex: Number(row.log_index),
            },
          ]);
        } finally {
          await restore(engine.db, "trace_events", row);
        }

        // The raw event log counts too: a funding without its stored event is missing as well,
        // and so is the volume change its transaction logged (the trail takes those from the
        // transactions of its fundings, cancellations and settlements).
        const funded = await engine.db.query<Record<string, unknown>>(
          `DELETE FROM chain_events WHERE event = 'OrderFunded' AND args->>'orderId' = $1 RETURNING *`,
          [String(story.orderId)],
        );
        try {
          const result = await verify(ORDER());
          const hospital = chain.cast.hospital.address.toLowerCase();
          expect(result.mismatches.map((m) => [m.step.split("@")[0], m.txHash, m.problem])).to.deep.equal([
            [`volume:${story.agreementId}:${hospital}`, funded.rows[0].tx_hash, "missing from the trail"],
            [`funding:${story.orderId}`, funded.rows[0].tx_hash, "missing from the trail"],
          ]);
        } finally {
          await restore(engine.db, "chain_events", funded.rows[0]);
        }

        // A lift the database forgot: the recall looks in force, and the lift is missing.
        const { rows: lifted } = await engine.db.query<Record<string, unknown>>(
          `SELECT * FROM recalls WHERE lifted_at IS NOT NULL`,
        );
        expect(lifted).to.have.length(1);
        await engine.db.query(
          `UPDATE recalls SET lifted_at = NULL, lifted_by = NULL, lift_reason_code = NULL, lift_tx_hash = NULL,
             lift_block_number = NULL, lift_log_index = NULL WHERE tx_hash = $1`,
          [lifted[0].tx_hash],
        );
        try {
          const result = await verify(LOT_URL);
          expect(result.mismatches).to.deep.equal([
            {
              step: `lift:${GTIN}:${LOT}@${Number(lifted[0].lift_block_number)}.${Number(lifted[0].lift_log_index)}`,
              problem: "missing from the trail",
              problemCode: "MISSING_FROM_TRAIL",
              event: "RecallLifted",
              txHash: lifted[0].lift_tx_hash,
              blockNumber: Number(lifted[0].lift_block_number),
              logIndex: Number(lifted[0].lift_log_index),
            },
          ]);
        } finally {
          await engine.db.query(`DELETE FROM recalls WHERE tx_hash = $1`, [lifted[0].tx_hash]);
          await restore(engine.db, "recalls", lifted[0]);
        }
        expect((await verify(ORDER())).verified).to.equal(true);
      });

      it("catches a serial moved to another leaf and a receipt whose hash is not the settled one", async function () {
        const id = String(story.shipmentId);
        const serial = story.serials[2];
        await engine.db.query(
          `UPDATE manifest_serials SET leaf_index = (leaf_index + 1) % 10 WHERE shipment_id = $1 AND serial = $2`,
          [id, serial],
        );
        try {
          const result = await verify(SERIAL());
          expect(result.proofs).to.deep.equal([{ shipmentId: id, proofValid: false }]);
          expect(result.mismatches.map((m) => [m.step, m.field])).to.deep.include([
            `shipment:${id}`,
            "serialProof",
          ]);
          expect(result.verified).to.equal(false);
        } finally {
          await engine.db.query(
            `UPDATE manifest_serials SET leaf_index = (leaf_index + 9) % 10 WHERE shipment_id = $1 AND serial = $2`,
            [id, serial],
          );
        }

        const forged = ethers.id("another receipt");
        const { rows } = await engine.db.query<{ receipt_hash: string }>(
          `SELECT receipt_hash FROM receipts WHERE receipt_no = 'GR-0001'`,
        );
        await engine.db.query(`UPDATE receipts SET receipt_hash = $1 WHERE receipt_no = 'GR-0001'`, [forged]);
        try {
          const result = await verify(ORDER());
          expect(result.mismatches).to.deep.equal([
            { step: "receipt:GR-0001", field: "receiptHash", database: forged, chain: rows[0].receipt_hash },
          ]);
        } finally {
          await engine.db.query(`UPDATE receipts SET receipt_hash = $1 WHERE receipt_no = 'GR-0001'`, [
            rows[0].receipt_hash,
          ]);
        }
        expect((await verify(SERIAL())).verified).to.equal(true);
      });
    });

    describe("EPCIS export", function () {
      it("exports the lot as an EPCISDocument in JSON-LD with each recall's scope and the lift", async function () {
        const res = await get(`${LOT_URL}/epcis`, regulator);
        expect(res.statusCode, res.body).to.equal(200);
        expect(res.headers["content-type"]).to.match(/^application\/ld\+json/);
        const doc = res.json<EpcisDocument>();
        expect(doc).to.include({ type: "EPCISDocument", schemaVersion: "2.0" });
        const events = doc.epcisBody.eventList;
        const supplierAccount = `urn:sunshine-ledger:31337:account:${chain.cast.supplier.address}`;
        expect(
          events
            .filter((e) => String(e["sl:ledgerEvent"]).includes("Recall"))
            .map((e) => [e["sl:ledgerEvent"], e["sl:recallScope"], e.persistentDisposition]),
        ).to.deep.equal([
          ["LotRecalled", supplierAccount, { set: ["recalled"] }],
          ["RecallLifted", supplierAccount, { unset: ["recalled"] }],
          ["LotRecalled", "global", { set: ["recalled"] }],
        ]);
        const shipping = events.filter(
          (e) => e.bizStep === "shipping" && e["sl:ledgerEvent"] === "ShipmentCreated",
        );
        expect(shipping.map((e) => e["sl:shipmentId"])).to.deep.equal([
          String(story.shipmentId),
          String(story.shipment2),
        ]);
        // Shipment 1's manifest is known, so its events name the items themselves.
        expect(shipping[0].epcList![2]).to.equal(`https://id.gs1.org/01/${GTIN}/21/${story.serials[2]}`);
        const delivered = events.find((e) => e["sl:ledgerDeliveryTime"] === true)!;
        expect(Date.parse(delivered.eventTime)).to.equal(Date.parse(deliveredAt));
        if (fs.existsSync(SCHEMA_PATH)) {
          const ajv = new Ajv({ strict: false, allErrors: true });
          addFormats(ajv);
          const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as object);
          expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
        }
      });

      it("exports an order, and answers plain JSON to a client that asks for it", async function () {
        const res = await get(`${ORDER()}/epcis`, receiver, { accept: "application/json" });
        expect(res.statusCode, res.body).to.equal(200);
        expect(res.headers["content-type"]).to.match(/^application\/json/);
        const doc = res.json<EpcisDocument>();
        expect(doc.type).to.equal("EPCISDocument");
        const events = doc.epcisBody.eventList;
        expect(events.map((e) => e["sl:shipmentId"]).filter(Boolean)).to.not.include(String(story.shipment2));
        expect(events.some((e) => e.disposition === "recalled")).to.equal(true);
        expect(
          events.some((e) => e.bizStep === "accepting" && e["sl:ledgerEvent"] === "ShipmentSettled"),
        ).to.equal(true);
      });
    });

    describe("response schemas", function () {
      // The serialiser drops a field its schema lacks, silently: each body must be what the service
      // made, field for field, and what the service made must fit the schema with nothing left over.
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      const fits = (schema: object, value: unknown, what: string) => {
        const validate = ajv.compile(schema);
        expect(validate(value), `${what}: ${JSON.stringify(validate.errors)}`).to.equal(true);
      };
      const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
      /** The value without the field that is the clock's (it differs between two calls). */
      const timeless = (value: object, clock: string) =>
        Object.fromEntries(Object.entries(value).filter(([key]) => key !== clock));
      let service: TrailService;
      let verifier: TrailVerifier;
      const subjects = (): [string, () => Promise<Trail>][] => [
        [ORDER(), () => service.orderTrail(String(story.orderId), {})],
        [LOT_URL, () => service.lotTrail(GTIN, LOT, {})],
        [SERIAL(), () => service.serialTrail(GTIN, story.serials[2], {})],
      ];

      before(function () {
        const { chainId, deploymentBlock, contracts } = chain.deployment;
        service = new TrailService(engine.db, { chainId, contracts });
        verifier = new TrailVerifier(
          chain.provider,
          { chainId, deploymentBlock, contracts },
          { confirmations: app.config.chain.confirmations, logRange: app.config.indexer.batchBlocks },
        );
      });

      it("answers each trail with every field the service made, none outside the schema", async function () {
        for (const [url, made] of subjects()) {
          const raw = asJson(await made());
          fits(Trail, raw, url);
          expect(timeless(await trailOf(url), "generatedAt"), url).to.deep.equal(
            timeless(raw, "generatedAt"),
          );
        }
      });

      it("answers each verification with every field the verifier made, none outside the schema", async function () {
        for (const [url, made] of subjects()) {
          const raw = asJson(await verifier.verify(await made(), {}));
          fits(Verification, raw, url);
          expect(timeless(await verify(url), "checkedAt"), url).to.deep.equal(timeless(raw, "checkedAt"));
        }
      });

      it("answers the EPCIS documents, in JSON-LD and in plain JSON, as the export made them", async function () {
        const documents: [string, () => Promise<EpcisDocument>][] = [
          [`${ORDER()}/epcis`, () => service.epcis({ type: "order", orderId: String(story.orderId) }, {})],
          [`${LOT_URL}/epcis`, () => service.epcis({ type: "lot", gtin: GTIN, lot: LOT }, {})],
        ];
        for (const [url, made] of documents) {
          const raw = asJson(await made());
          fits(EpcisDocument, raw, url);
          for (const accept of ["application/ld+json", "application/json"]) {
            const res = await get(url, regulator, { accept });
            expect(res.statusCode, res.body).to.equal(200);
            expect(timeless(res.json(), "creationDate"), `${url} as ${accept}`).to.deep.equal(
              timeless(raw, "creationDate"),
            );
          }
        }
      });
    });

    describe("OpenAPI", function () {
      it("documents every trail route with its parameters", async function () {
        const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
        for (const route of [
          "/v1/trail/orders/{id}",
          "/v1/trail/orders/{id}/verify",
          "/v1/trail/orders/{id}/epcis",
          "/v1/trail/lots/{gtin}/{lot}",
          "/v1/trail/lots/{gtin}/{lot}/verify",
          "/v1/trail/lots/{gtin}/{lot}/epcis",
          "/v1/trail/serials/{gtin}/{serial}",
          "/v1/trail/serials/{gtin}/{serial}/verify",
        ]) {
          expect(doc.paths[route]?.get?.tags, route).to.deep.equal(["trail"]);
          // Every object the route answers with lists its fields and admits no others.
          const open: string[] = [];
          const walk = (node: unknown, at: string): void => {
            if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
            if (typeof node !== "object" || node === null) return;
            const schema = node as Record<string, unknown>;
            // OpenAPI 3.0 writes JSON null as an object that is null and nothing else.
            const isNull = Array.isArray(schema.enum) && schema.enum.length === 1 && schema.enum[0] === null;
            if (
              schema.type === "object" &&
              !isNull &&
              (schema.additionalProperties !== false || !schema.properties)
            ) {
              open.push(at);
            }
            for (const [key, value] of Object.entries(schema)) walk(value, `${at}/${key}`);
          };
          walk(doc.paths[route].get.responses["200"], route);
          expect(open, route).to.deep.equal([]);
        }
        // The trail's part of the document is valid OpenAPI 3 on its own.
        const trailPaths = Object.fromEntries(
          Object.entries(doc.paths as Record<string, unknown>).filter(([p]) => p.startsWith("/v1/trail/")),
        );
        await SwaggerParser.validate({ ...doc, paths: trailPaths });
        expect(
          Object.keys(doc.paths[`/v1/trail/lots/{gtin}/{lot}/epcis`].get.responses["200"].content),
        ).to.deep.equal(["application/ld+json", "application/json"]);
      });
    });

    describe("who may see a trail", function () {
      it("refuses a request without a token with 401", async function () {
        const res = await app.inject({ method: "GET", url: ORDER() });
        expect(res.statusCode).to.equal(401);
      });

      it("refuses an account without a ledger role with 403", async function () {
        const res = await get(ORDER(), stranger);
        expect(res.statusCode).to.equal(403);
        expect(errorOf(res).error).to.equal("FORBIDDEN");
      });

      it("answers 404 for another hospital's or another supplier's order, and for none", async function () {
        for (const [token, url] of [
          [receiver2, ORDER()],
          [supplier2, ORDER()],
          [receiver2, `${ORDER()}/verify`],
          [supplier2, `${ORDER()}/epcis`],
          [regulator, "/v1/trail/orders/999"],
        ] as const) {
          const res = await get(url, token);
          expect(res.statusCode, url).to.equal(404);
          expect(errorOf(res).error).to.equal("ORDER_NOT_FOUND");
        }
      });

      it("rejects a GTIN with a wrong check digit and an over-long lot with 400", async function () {
        const badGtin = `${GTIN.slice(0, 13)}${(Number(GTIN[13]) + 1) % 10}`;
        for (const url of [`/v1/trail/lots/${badGtin}/${LOT}`, `/v1/trail/lots/${GTIN}/${"L".repeat(21)}`]) {
          const res = await get(url, regulator);
          expect(res.statusCode, url).to.equal(400);
          expect(errorOf(res).error).to.equal("VALIDATION_FAILED");
        }
      });
    });
  });
});
