import Ajv from "ajv";
import addFormats from "ajv-formats";
import { expect } from "chai";
import fs from "fs";
import path from "path";
import { migrate } from "../../../../server/db";
import type { Trail, TrailStep } from "../../../../api/trail";
import { GLOBAL_SCOPE } from "../../../../ledger/trail/figures";
import { TrailService } from "../../../../server/modules/trail/trail.service";
import { TrailVerifier } from "../../../../server/modules/trail/trail.verify";
import { forEachEngine } from "../../helpers/engines";
import { rejectionOf } from "../../helpers/rejection";
import { GTIN, LOT, startChain, type ChainStack } from "../../support/chain";
import { chainTrail, type ChainLogRef } from "./chain-trail";
import { projectChain } from "./project";
import { claimAndRecall, REASON, tellStory, type Story } from "./story";

/**
 * The trail service on a database that holds exactly what the chain does (project.ts), on both
 * engines: its trail of an order and of a lot must be the trail made straight from the chain
 * (chain-trail.ts, which takes every event but the other supplier's qualification and its recall
 * of its own shipments), verify must confirm it, and a changed `shipments` row must show as a
 * record that no longer hashes to the chain's.
 */

const SCHEMA_PATH = path.resolve(__dirname, "../../../../../shared/standards/epcis/EPCIS-JSON-Schema.json");

const byId = (steps: TrailStep[]) => [...steps].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

describe("trail service", function () {
  let chain: ChainStack;
  let story: Story;
  let other: string;
  let supplier: string;
  const notTheOrders = (l: ChainLogRef) =>
    l.figures.supplier === other || (l.event === "LotRecalled" && l.figures.scope === other);

  before(async function () {
    this.timeout(240_000);
    chain = await startChain();
    story = await tellStory(chain);
    await claimAndRecall(chain, story);
    other = chain.cast.supplier2.address.toLowerCase();
    supplier = chain.cast.supplier.address.toLowerCase();
  });

  after(async () => {
    await chain?.stop();
  });

  forEachEngine((engine) => {
    let service: TrailService;
    let verifier: TrailVerifier;
    const orderTrail = () => service.orderTrail(String(story.orderId), {});
    const lotTrail = (scope = {}) => service.lotTrail(GTIN, LOT, scope);

    before(async function () {
      this.timeout(120_000);
      await migrate(engine.db);
      await projectChain(engine.db, chain.provider, chain.ledger, chain.deployment);
      const { chainId, deploymentBlock, contracts } = chain.deployment;
      service = new TrailService(engine.db, { chainId, contracts });
      verifier = new TrailVerifier(
        chain.provider,
        { chainId, deploymentBlock, contracts },
        { confirmations: 0 },
      );
    });

    const expectSameAsChain = async (trail: Trail) => {
      const fromChain = await chainTrail(
        chain.provider,
        chain.ledger,
        chain.deployment,
        trail.subject,
        notTheOrders,
      );
      expect(byId(trail.steps)).to.deep.equal(byId(fromChain.steps));
      expect(trail.state).to.deep.equal(fromChain.state);
      expect(trail.qualification).to.deep.equal(fromChain.qualification);
      const times = trail.steps.map((s) => Date.parse(s.at));
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    };

    it("tells an order's trail exactly as the chain has it, and verify confirms it", async function () {
      const trail = await orderTrail();
      expect(trail.orders).to.deep.equal([String(story.orderId)]);
      expect(trail.shipments).to.deep.equal([String(story.shipmentId)]);
      await expectSameAsChain(trail);
      const result = await verifier.verify(trail, {});
      expect(result.mismatches).to.deep.equal([]);
      expect(result.expectedEvents).to.equal(trail.steps.length);
    });

    it("tells a lot's trail: the recalls covering this supplier's shipments, a lifted one with its lift", async function () {
      const trail = await lotTrail();
      await expectSameAsChain(trail);
      const recalls = trail.steps.filter((s) => s.kind === "recall");
      expect(recalls.map((s) => [s.onChain!.event, s.data.scope, s.data.reasonCode])).to.deep.equal([
        ["LotRecalled", supplier, REASON.recall],
        ["RecallLifted", supplier, REASON.lift],
        ["LotRecalled", GLOBAL_SCOPE, REASON.globalRecall],
      ]);
      expect(trail.state.shipments[0].recalled).to.equal(true);
      expect((await verifier.verify(trail, {})).verified).to.equal(true);
    });

    it("answers LOT_NOT_FOUND and ORDER_NOT_FOUND to a supplier that shipped none of it", async function () {
      expect(await rejectionOf(lotTrail({ supplier: other }))).to.include({ code: "LOT_NOT_FOUND" });
      expect(await rejectionOf(service.orderTrail(String(story.orderId), { supplier: other }))).to.include({
        code: "ORDER_NOT_FOUND",
      });
    });

    it("lets verify find a changed shipments row: its record no longer hashes to the chain's", async function () {
      const id = String(story.shipmentId);
      const chainHash = await chain.ledger.trace.shipmentHash(id);
      await engine.db.query(`UPDATE shipments SET quantity = quantity + 1 WHERE id = $1`, [id]);
      try {
        for (const trail of [await orderTrail(), await lotTrail()]) {
          const result = await verifier.verify(trail, {});
          expect(result.verified).to.equal(false);
          expect(result.mismatches).to.deep.equal([
            { step: `shipment:${id}`, field: "quantity", database: "11", chain: "10" },
            {
              step: `shipment:${id}`,
              field: "recordHash",
              database: trail.state.shipments[0].recordHash,
              chain: chainHash,
            },
          ]);
        }
      } finally {
        await engine.db.query(`UPDATE shipments SET quantity = quantity - 1 WHERE id = $1`, [id]);
      }
      expect((await verifier.verify(await orderTrail(), {})).verified).to.equal(true);
    });

    it("lets verify find a recall lift the database invented", async function () {
      await engine.db.query(
        `UPDATE recalls SET lifted_at = now(), lifted_by = recalled_by, lift_reason_code = 1 WHERE scope = $1`,
        [GLOBAL_SCOPE],
      );
      try {
        const trail = await lotTrail();
        expect(trail.state.shipments[0].recalled).to.equal(false);
        const result = await verifier.verify(trail, {});
        expect(result.mismatches.map((m) => [m.step.split("@")[0], m.field ?? m.problem])).to.deep.equal([
          [`lift:${GTIN}:${LOT}`, "the gateway holds no transaction and log for this on-chain step"],
          [`shipment:${story.shipmentId}`, "state.recalled"],
        ]);
      } finally {
        await engine.db.query(
          `UPDATE recalls SET lifted_at = NULL, lifted_by = NULL, lift_reason_code = NULL WHERE scope = $1`,
          [GLOBAL_SCOPE],
        );
      }
    });

    it("exports the lot as EPCIS with each recall's scope and the lift", async function () {
      const doc = await service.epcis({ type: "lot", gtin: GTIN, lot: LOT }, {});
      const events = doc.epcisBody.eventList;
      const recallEvents = events.filter((e) => String(e["sl:ledgerEvent"]).match(/Recall/));
      expect(
        recallEvents.map((e) => [e["sl:ledgerEvent"], e["sl:recallScope"], e.persistentDisposition]),
      ).to.deep.equal([
        [
          "LotRecalled",
          `urn:sunshine-ledger:31337:account:${chain.cast.supplier.address}`,
          { set: ["recalled"] },
        ],
        [
          "RecallLifted",
          `urn:sunshine-ledger:31337:account:${chain.cast.supplier.address}`,
          { unset: ["recalled"] },
        ],
        ["LotRecalled", "global", { set: ["recalled"] }],
      ]);
      const delivered = events.find((e) => e["sl:ledgerDeliveryTime"] === true)!;
      const settlement = await chain.ledger.orderBook.queryFilter(
        chain.ledger.orderBook.filters.ShipmentSettled(story.shipmentId),
      );
      const deliveredAt = settlement[0].args.payout.deliveredAt;
      expect(Date.parse(delivered.eventTime)).to.equal(Number(deliveredAt) * 1000);
      expect(delivered).to.include({ bizStep: "receiving", "sl:supplierClaim": true });

      if (fs.existsSync(SCHEMA_PATH)) {
        const ajv = new Ajv({ strict: false, allErrors: true });
        addFormats(ajv);
        const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as object);
        expect(validate(JSON.parse(JSON.stringify(doc))), JSON.stringify(validate.errors)).to.equal(true);
      }
    });
  });
});
