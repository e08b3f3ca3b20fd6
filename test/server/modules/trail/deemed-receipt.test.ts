import { expect } from "chai";
import * as act from "../../../../ledger/acts";
import { migrate } from "../../../../server/db";
import { TrailService } from "../../../../server/modules/trail/trail.service";
import { TrailVerifier } from "../../../../server/modules/trail/trail.verify";
import { forEachEngine } from "../../helpers/engines";
import { procure, startChain, type ChainStack, type Procurement } from "../../support/chain";
import { projectChain } from "./project";

/**
 * A hospital that records no receipt: the supplier records its arrival, nobody at the hospital
 * records receiving, and once the receiving and confirmation windows after the arrival have
 * passed the supplier claims (OrderBook.claimSettlement). The chain counts the shipment as
 * received at the end of the receiving window (ShipmentDeemedReceived) and judges the delivery
 * at the arrival; the gateway's index and audit trail must say the same.
 */
describe("a shipment deemed received on the supplier's claim", function () {
  let chain: ChainStack;
  let p: Procurement;
  let arrivedAt: bigint;
  let deemedAt: bigint;

  before(async function () {
    this.timeout(240_000);
    chain = await startChain();
    p = await procure(chain, 10);
    const { ledger, cast } = chain;
    await act.recordTrace(ledger, cast.supplier, p.shipmentId, "arriving", {
      location: "dock",
      eventTime: (await chain.now()) - 60,
    });
    arrivedAt = (await ledger.trace.shipmentState(p.shipmentId)).arrivedAt;
    const terms = await ledger.agreements.agreementTerms(p.agreementId);
    deemedAt = arrivedAt + terms.receivingWindow;
    await chain.advance(Number(terms.receivingWindow + terms.confirmWindow) + 1);
    const record = await act.shipmentRecord(ledger, p.shipmentId);
    await act.sent(ledger.orderBook.connect(cast.supplier).claimSettlement(p.shipmentId, record));
  });

  after(async () => {
    await chain?.stop();
  });

  it("is on the chain as received at the end of the receiving window, delivered at the arrival", async function () {
    const state = await chain.ledger.trace.shipmentState(p.shipmentId);
    expect([state.receivedAt, state.confirmed]).to.deep.equal([deemedAt, true]);
    const [settled] = await chain.ledger.orderBook.queryFilter(
      chain.ledger.orderBook.filters.ShipmentSettled(p.shipmentId),
    );
    expect([settled.args.payout.deliveredAt, settled.args.payout.daysLate]).to.deep.equal([arrivedAt, 0n]);
  });

  forEachEngine((engine) => {
    before(async function () {
      this.timeout(120_000);
      await migrate(engine.db);
      await projectChain(engine.db, chain.provider, chain.ledger, chain.deployment);
    });

    it("indexes the deemed receipt as the shipment's receiving record", async function () {
      const { rows } = await engine.db.query<{
        chain_received_at: Date;
        arrived_at: Date;
        delivered_at: Date;
      }>(
        `SELECT s.chain_received_at, s.arrived_at, st.delivered_at
         FROM shipments s JOIN settlements st ON st.shipment_id = s.id WHERE s.id = $1`,
        [String(p.shipmentId)],
      );
      expect(
        rows.map((r) => [r.chain_received_at, r.arrived_at, r.delivered_at].map((d) => d.getTime())),
      ).to.deep.equal([[Number(deemedAt) * 1000, Number(arrivedAt) * 1000, Number(arrivedAt) * 1000]]);
    });

    it("shows it in the order's audit trail, which the chain verifies", async function () {
      const { chainId, deploymentBlock, contracts } = chain.deployment;
      const trail = await new TrailService(engine.db, { chainId, contracts }).orderTrail(
        String(p.orderId),
        {},
      );
      const deemed = trail.steps.filter((s) => s.onChain?.event === "ShipmentDeemedReceived");
      expect(deemed.map((s) => [s.id.split("@")[0], s.data])).to.deep.equal([
        [
          `deemed:${p.shipmentId}`,
          { shipmentId: String(p.shipmentId), receivedAt: new Date(Number(deemedAt) * 1000).toISOString() },
        ],
      ]);
      const verifier = new TrailVerifier(
        chain.provider,
        { chainId, deploymentBlock, contracts },
        { confirmations: 0 },
      );
      const result = await verifier.verify(trail, {});
      expect(result.mismatches).to.deep.equal([]);
      expect(result.expectedEvents).to.equal(trail.steps.length);
    });
  });
});
