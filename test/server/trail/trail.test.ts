import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import { migrate, type Db } from "../../../server/db";
import type { Trail, TrailStep } from "../../../server/modules/trail/trail.service";
import type { Verification } from "../../../server/modules/trail/trail.verify";
import * as act from "../../../scripts/lib/actions";
import { forEachEngine } from "../helpers/engines";
import { DAY, GTIN, LOT, procure, startChain, type ChainStack, type Procurement } from "../support/chain";
import { as, buildGateway, errorOf, login } from "../support/gateway";

/**
 * The audit trail end to end against one Anvil node: the ledger's story of an order, a lot and a
 * serial, its re-verification against the chain (which must catch a changed amount, a changed
 * quantity and a deleted step in the gateway's database), and the EPCIS export — on both
 * database engines. The chain is set up once; each engine starts from the same snapshot and runs
 * the gateway's part (receipt, payment, recall, …) itself.
 *
 * Story: order 1 (10 units) and order 2 (4 units) of one lot; shipment 1 is shipped, departs and
 * is received, matched and paid; a usage of one of its serials is billed; the regulator recalls
 * the lot; shipment 2's receipt then becomes an exception (recalled lots cannot be paid). A
 * second hospital bills a serial it never received.
 */

const RECALL_REASON = 7;

interface Story {
  p: Procurement;
  order2: bigint;
  shipment2: bigint;
  serials2: string[];
}

/** The gateway as buildGateway makes it, plus the trail routes unless app.ts already has them. */

async function setUpChain(chain: ChainStack): Promise<Story> {
  const { ledger, cast } = chain;
  const p = await procure(chain, 10);
  const t = await chain.now();
  const order2 = await act.placeOrder(ledger, cast.hospital, {
    agreementId: p.agreementId,
    quantity: 4n,
    requestedDelivery: t + 20 * DAY,
    reference: "PO-2",
  });
  await act.approveOrder(ledger, cast.approver, order2);
  const serials2 = ["B-0001", "B-0002", "B-0003", "B-0004"];
  const { shipmentId: shipment2 } = await act.createShipment(ledger, cast.supplier, {
    orderId: order2,
    gtin: GTIN,
    lot: LOT,
    expiry: p.expiry,
    serials: serials2,
    notice: "DESADV-2",
  });
  await act.recordTrace(ledger, cast.supplier, p.shipmentId, "shipping", {
    location: "DC-SHANGHAI",
    eventTime: await chain.now(),
  });
  await act.recordTrace(ledger, cast.supplier, p.shipmentId, "departing", {
    location: "DC-SHANGHAI",
    eventTime: await chain.now(),
    sensorLog: "2-8C all along",
  });
  await act.recordTrace(ledger, cast.receiver, p.shipmentId, "receiving", {
    location: "GENERAL-HOSPITAL-DOCK",
    eventTime: await chain.now(),
  });
  // A second hospital (for scope) and a second supplier that shipped nothing.
  await act.enrolHospital(
    ledger,
    cast.regulator,
    cast.hospital2,
    "Second Hospital",
    [{ member: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }],
    10_000_000n,
  );
  await act.registerSupplier(ledger, cast.supplier2, "Other Medical", "91310000Y");
  return { p, order2, shipment2, serials2 };
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
  const found = trail.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${ids(trail).join(", ")}`);
  return found;
};

describe("audit trail", function () {
  let chain: ChainStack;
  let story: Story;
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
    let receivedAt: Date;

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
    const ORDER = () => `/v1/trail/orders/${story.p.orderId}`;
    const LOT_URL = `/v1/trail/lots/${GTIN}/${LOT}`;
    const SERIAL = () => `/v1/trail/serials/${GTIN}/${story.p.serials[2]}`;

    before(async function () {
      this.timeout(180_000);
      // Every engine starts from the same chain: what the previous one paid and recalled is undone.
      await chain.provider.send("evm_revert", [snapshot]);
      snapshot = await chain.provider.send("evm_snapshot", []);
      const { p, shipment2, serials2 } = story;
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
        [p.shipmentId, p.serials],
        [shipment2, serials2],
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
      receivedAt = new Date(((await chain.now()) - 60) * 1000);
      const receipt = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        headers: { ...as(receiver), "idempotency-key": "gr-0001" },
        payload: {
          receiptNo: "GR-0001",
          shipmentId: String(p.shipmentId),
          receivedAt: receivedAt.toISOString(),
          lines: p.serials.map((serial) => ({ barcode: `(01)${GTIN}(10)${LOT}(21)${serial}` })),
        },
      });
      expect(receipt.statusCode, receipt.body).to.equal(201);
      await app.settlementWorker!.drain();
      await app.indexer.catchUp();

      const usedAt = new Date((await chain.now()) * 1000);
      await insertUsage(engine.db, {
        hospital: cast.hospital.address,
        usageId: "U-1",
        serial: p.serials[2],
        usedAt,
        by: cast.receiver.address,
      });
      // Billed by a hospital that never received it: the regulator must see it, nobody else.
      await insertUsage(engine.db, {
        hospital: cast.hospital2.address,
        usageId: "X-9",
        serial: p.serials[8],
        usedAt,
        by: cast.receiver2.address,
      });

      await act.sent(ledger.trace.connect(cast.regulator).recall(BigInt(GTIN), LOT, RECALL_REASON));
      await chain.advance(60);
      await app.indexer.catchUp();

      const second = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        headers: { ...as(receiver), "idempotency-key": "gr-0002" },
        payload: {
          receiptNo: "GR-0002",
          shipmentId: String(shipment2),
          receivedAt: new Date((await chain.now()) * 1000).toISOString(),
          lines: serials2.map((serial) => ({ barcode: `(01)${GTIN}(10)${LOT}(21)${serial}` })),
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
        const { p } = story;
        const order = ids(trail);
        const sequence = [
          "registration:" + chain.cast.supplier.address.toLowerCase(),
          "document:1",
          "document:1:attested",
          "tender:1",
          "agreement:1",
          `order:${p.orderId}`,
          `approval:${p.orderId}:${chain.cast.approver.address.toLowerCase()}`,
          `funding:${p.orderId}`,
          `shipment:${p.shipmentId}`,
          `trace:${p.shipmentId}:1`,
          `trace:${p.shipmentId}:2`,
          `trace:${p.shipmentId}:3`,
          "receipt:GR-0001",
          `payment:${p.shipmentId}`,
          `closure:${p.orderId}`,
          `recall:${GTIN}:${LOT}`,
        ];
        const positions = sequence.map((id) => order.indexOf(id));
        expect(positions, order.join("\n")).to.not.include(-1);
        expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
        const times = trail.steps.map((s) => Date.parse(s.at));
        expect(times).to.deep.equal([...times].sort((a, b) => a - b));

        const kinds = new Set(trail.steps.map((s) => s.kind));
        for (const kind of [
          "qualification",
          "tender",
          "bid",
          "agreement",
          "order",
          "approval",
          "funding",
          "shipment",
          "trace",
          "manifest",
          "receipt",
          "match",
          "payment",
          "recall",
          "usage",
        ]) {
          expect(kinds, kind).to.include(kind);
        }
        expect(order).to.include("tender:1:awarded");
        // The other order of the same lot is not part of this order's story.
        expect(order).to.not.include(`order:${story.order2}`);
        expect(order).to.not.include(`shipment:${story.shipment2}`);
        expect(order).to.not.include("receipt:GR-0002");

        for (const s of trail.steps.filter((x) => x.source === "chain")) {
          expect(s.onChain, s.id).to.not.equal(null);
          expect(s.onChain!.chainId).to.equal(31337);
          expect(s.onChain!.txHash).to.match(/^0x[0-9a-f]{64}$/);
          expect(s.onChain!.blockNumber).to.be.a("number");
          expect(s.onChain!.logIndex).to.be.a("number");
          const contract = chain.deployment.contracts[s.onChain!.contractName];
          expect(s.onChain!.contract).to.equal(contract.toLowerCase());
        }
        for (const s of trail.steps.filter((x) => x.source !== "chain")) {
          expect(s.onChain, s.id).to.equal(null);
          expect(s.source).to.match(/^gateway\./);
        }

        expect(stepOf(trail, `order:${p.orderId}`).data).to.include({ quantity: "10", value: "100000" });
        expect(stepOf(trail, `payment:${p.shipmentId}`).data).to.include({
          accepted: "10",
          paid: "100000",
          penalty: "0",
        });
        expect(stepOf(trail, `shipment:${p.shipmentId}`).data).to.include({
          gtin: GTIN,
          lot: LOT,
          quantity: "10",
        });
        expect(stepOf(trail, `trace:${p.shipmentId}:3`).data).to.include({ step: "receiving" });
        expect(stepOf(trail, `recall:${GTIN}:${LOT}`).data).to.include({ reasonCode: RECALL_REASON });
        const usage = stepOf(trail, `usage:${chain.cast.hospital.address.toLowerCase()}:U-1`);
        expect(usage.data).to.include({ serial: p.serials[2], attribution: "serial", billedAmount: "12500" });
        expect(order).to.not.include(`usage:${chain.cast.hospital2.address.toLowerCase()}:X-9`);
      });

      it("states the supplier's qualification at the order, the shipment and the payment", async function () {
        const trail = await trailOf(ORDER());
        const moments = trail.qualification.map((q) => q.step);
        expect(moments).to.deep.equal([
          `order:${story.p.orderId}`,
          `shipment:${story.p.shipmentId}`,
          `payment:${story.p.shipmentId}`,
        ]);
        for (const q of trail.qualification) {
          expect(q).to.include({ status: "active", qualified: true });
          expect(q.documents.map((d) => [d.kind, d.status, d.coversCategory, d.validAtTime])).to.deep.equal([
            ["business_licence", "attested", true, true],
            ["device_operating_permit", "attested", true, true],
            ["product_registration", "attested", true, true],
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
      it("covers every shipment of the lot, the recall and the exception it caused", async function () {
        const trail = await trailOf(LOT_URL);
        expect(trail.shipments).to.deep.equal([String(story.p.shipmentId), String(story.shipment2)]);
        expect(trail.orders).to.deep.equal([String(story.p.orderId), String(story.order2)]);
        const order = ids(trail);
        expect(order).to.include.members([
          `order:${story.order2}`,
          `shipment:${story.shipment2}`,
          "receipt:GR-0002",
          "match:GR-0002",
          `recall:${GTIN}:${LOT}`,
        ]);
        expect(order.indexOf(`recall:${GTIN}:${LOT}`)).to.be.below(order.indexOf("receipt:GR-0002"));
        const exception = trail.steps.find((s) => s.kind === "exception");
        expect(exception?.data).to.include({ shipmentId: String(story.shipment2), status: "open" });
        expect(JSON.stringify(exception?.data.reasons)).to.include("RECALL");
        // The regulator sees the usage billed by a hospital the lot never went to.
        expect(order).to.include(`usage:${chain.cast.hospital2.address.toLowerCase()}:X-9`);
      });

      it("shows a hospital only what was shipped to it and its own usages", async function () {
        const trail = await trailOf(LOT_URL, receiver);
        expect(trail.shipments).to.have.length(2);
        expect(ids(trail)).to.not.include(`usage:${chain.cast.hospital2.address.toLowerCase()}:X-9`);
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
        const serial = story.p.serials[2];
        const trail = await trailOf(SERIAL());
        expect(trail.shipments).to.deep.equal([String(story.p.shipmentId)]);
        expect(trail.proofs).to.have.length(1);
        const proof = trail.proofs![0];
        expect(proof).to.include({ shipmentId: String(story.p.shipmentId), serial });
        expect(await chain.ledger.trace.verifySerial(story.p.shipmentId, serial, proof.proof)).to.equal(true);
        const receipt = stepOf(trail, "receipt:GR-0001");
        expect(receipt.data.lines).to.deep.equal([
          { line: 3, gtin: GTIN, lot: LOT, serial, quantity: "1", rejected: "0", rejectReason: null },
        ]);
        expect(ids(trail)).to.include.members([
          `shipment:${story.p.shipmentId}`,
          `payment:${story.p.shipmentId}`,
          `recall:${GTIN}:${LOT}`,
          `usage:${chain.cast.hospital.address.toLowerCase()}:U-1`,
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
        expect(serial.proofs).to.deep.equal([{ shipmentId: String(story.p.shipmentId), proofValid: true }]);
      });

      it("catches a changed amount", async function () {
        const id = String(story.p.shipmentId);
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
        await engine.db.query(`UPDATE orders SET value = 99000 WHERE id = $1`, [String(story.p.orderId)]);
        try {
          const result = await verify(ORDER());
          expect(result.verified).to.equal(false);
          expect(result.mismatches).to.deep.equal([
            { step: `order:${story.p.orderId}`, field: "value", database: "99000", chain: "100000" },
          ]);
        } finally {
          await engine.db.query(`UPDATE orders SET value = 100000 WHERE id = $1`, [String(story.p.orderId)]);
        }
        expect((await verify(ORDER())).verified).to.equal(true);
      });

      it("catches a changed quantity", async function () {
        const id = String(story.p.shipmentId);
        await engine.db.query(`UPDATE shipments SET quantity = quantity + 1 WHERE id = $1`, [id]);
        try {
          for (const url of [ORDER(), LOT_URL, SERIAL()]) {
            const result = await verify(url);
            expect(result.verified, url).to.equal(false);
            expect(result.mismatches, url).to.deep.equal([
              { step: `shipment:${id}`, field: "quantity", database: "11", chain: "10" },
            ]);
          }
        } finally {
          await engine.db.query(`UPDATE shipments SET quantity = quantity - 1 WHERE id = $1`, [id]);
        }
        expect((await verify(LOT_URL)).verified).to.equal(true);
      });

      it("catches a deleted step", async function () {
        const id = String(story.p.shipmentId);
        const { rows } = await engine.db.query<Record<string, unknown>>(
          `DELETE FROM trace_events WHERE shipment_id = $1 AND event_index = 2 RETURNING *`,
          [id],
        );
        expect(rows).to.have.length(1);
        const row = rows[0];
        try {
          const trail = await trailOf(ORDER());
          expect(ids(trail)).to.not.include(`trace:${id}:2`);
          const result = await verify(ORDER());
          expect(result.verified).to.equal(false);
          expect(result.mismatches).to.deep.equal([
            {
              step: `trace:${id}:2`,
              problem: "missing from the trail",
              event: "TraceEventRecorded",
              txHash: row.tx_hash,
              blockNumber: Number(row.block_number),
              logIndex: Number(row.log_index),
            },
          ]);
        } finally {
          const columns = Object.keys(row);
          await engine.db.query(
            `INSERT INTO trace_events (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
            columns.map((c) => row[c]),
          );
        }

        // The raw event log counts too: a funding without its stored event is missing as well.
        const funded = await engine.db.query<Record<string, unknown>>(
          `DELETE FROM chain_events WHERE event = 'OrderFunded' AND args->>'orderId' = $1 RETURNING *`,
          [String(story.p.orderId)],
        );
        try {
          const result = await verify(ORDER());
          expect(result.mismatches.map((m) => [m.step, m.problem])).to.deep.equal([
            [`funding:${story.p.orderId}`, "missing from the trail"],
          ]);
        } finally {
          const r = funded.rows[0];
          const columns = Object.keys(r);
          await engine.db.query(
            `INSERT INTO chain_events (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
            columns.map((c) => (c === "args" ? JSON.stringify(r[c]) : r[c])),
          );
        }
        expect((await verify(ORDER())).verified).to.equal(true);
      });

      it("catches a serial moved to another leaf and a receipt whose hash is not the settled one", async function () {
        const id = String(story.p.shipmentId);
        const serial = story.p.serials[2];
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
      it("exports the lot as an EPCISDocument in JSON-LD with the recall as disposition recalled", async function () {
        const res = await get(`${LOT_URL}/epcis`, regulator);
        expect(res.statusCode, res.body).to.equal(200);
        expect(res.headers["content-type"]).to.match(/^application\/ld\+json/);
        const doc = res.json();
        expect(doc).to.include({ type: "EPCISDocument", schemaVersion: "2.0" });
        const events = doc.epcisBody.eventList as Record<string, unknown>[];
        const recalled = events.filter((e) => e.disposition === "recalled");
        expect(recalled).to.have.length(1);
        expect(recalled[0]).to.include({ "sl:ledgerEvent": "LotRecalled", "sl:reasonCode": RECALL_REASON });
        const shipping = events.filter(
          (e) => e.bizStep === "shipping" && e["sl:ledgerEvent"] === "ShipmentCreated",
        );
        expect(shipping.map((e) => e["sl:shipmentId"])).to.deep.equal([
          String(story.p.shipmentId),
          String(story.shipment2),
        ]);
        // Shipment 1's manifest is known, so its events name the items themselves.
        expect((shipping[0].epcList as string[])[2]).to.equal(
          `https://id.gs1.org/01/${GTIN}/21/${story.p.serials[2]}`,
        );
      });

      it("exports an order, and answers plain JSON to a client that asks for it", async function () {
        const res = await get(`${ORDER()}/epcis`, receiver, { accept: "application/json" });
        expect(res.statusCode, res.body).to.equal(200);
        expect(res.headers["content-type"]).to.match(/^application\/json/);
        const doc = res.json();
        expect(doc.type).to.equal("EPCISDocument");
        const events = doc.epcisBody.eventList as Record<string, unknown>[];
        expect(events.map((e) => e["sl:shipmentId"]).filter(Boolean)).to.not.include(String(story.shipment2));
        expect(events.some((e) => e.disposition === "recalled")).to.equal(true);
        expect(
          events.some((e) => e.bizStep === "accepting" && e["sl:ledgerEvent"] === "ShipmentSettled"),
        ).to.equal(true);
      });
    });

    describe("OpenAPI", function () {
      it("documents every trail route with its parameters", async function () {
        const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
        for (const path of [
          "/v1/trail/orders/{id}",
          "/v1/trail/orders/{id}/verify",
          "/v1/trail/orders/{id}/epcis",
          "/v1/trail/lots/{gtin}/{lot}",
          "/v1/trail/lots/{gtin}/{lot}/verify",
          "/v1/trail/lots/{gtin}/{lot}/epcis",
          "/v1/trail/serials/{gtin}/{serial}",
          "/v1/trail/serials/{gtin}/{serial}/verify",
        ]) {
          expect(doc.paths[path]?.get?.tags, path).to.deep.equal(["trail"]);
        }
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
