import { expect } from "chai";
import * as act from "../../../../ledger/acts";
import type { Trail, TrailStep, TrailSubject, Verification } from "../../../../api/trail";
import { recordHash } from "../../../../ledger/trail/shipment-record";
import { TrailVerifier } from "../../../../server/modules/trail/trail.verify";
import { recordAsJson } from "../../support/api-fixtures";
import { GTIN, LOT, startChain, type ChainStack } from "../../support/chain";
import { chainTrail, type ChainLogRef } from "./chain-trail";
import { claimAndRecall, REASON, tellStory, type Story } from "./story";

/**
 * The verifier against a real node (Anvil) and a trail made straight from the chain (story.ts,
 * through `claimAndRecall`). Every event on chain belongs to the order's trail except the other
 * supplier's registry events and its recall of its own shipments — the verifier must ask for
 * exactly the others, and find every change made to the trail.
 */

const clone = (t: Trail): Trail => JSON.parse(JSON.stringify(t)) as Trail;
const step = (t: Trail, prefix: string): TrailStep => {
  const found = t.steps.find((s) => s.id.startsWith(prefix));
  if (!found) throw new Error(`no step ${prefix}… in ${t.steps.map((s) => s.id).join(", ")}`);
  return found;
};

describe("trail verification against the chain", function () {
  let chain: ChainStack;
  let story: Story;
  let verifier: TrailVerifier;
  let supplier: string;
  let other: string;
  let hospital: string;
  /** Not the order's: the other supplier's qualification and its recall of its own shipments. */
  const notTheOrders = (l: ChainLogRef) =>
    l.figures.supplier === other || (l.event === "LotRecalled" && l.figures.scope === other);
  const trailOf = (subject: TrailSubject, exclude = notTheOrders) =>
    chainTrail(chain.provider, chain.ledger, chain.deployment, subject, exclude);
  const orderTrail = () => trailOf({ type: "order", orderId: String(story.orderId) });
  const verify = (trail: Trail, scope = {}): Promise<Verification> => verifier.verify(trail, scope);

  before(async function () {
    this.timeout(240_000);
    chain = await startChain();
    story = await tellStory(chain);
    const { cast } = chain;
    [supplier, other, hospital] = [cast.supplier, cast.supplier2, cast.hospital].map((w) =>
      w.address.toLowerCase(),
    );
    await claimAndRecall(chain, story);
    verifier = new TrailVerifier(
      chain.provider,
      {
        chainId: chain.deployment.chainId,
        deploymentBlock: chain.deployment.deploymentBlock,
        contracts: chain.deployment.contracts,
      },
      { confirmations: 0 },
    );
  });

  after(async () => {
    await chain?.stop();
  });

  it("answers a repeated verification of the same block from its cache, and verifies afresh on a new block", async function () {
    const trail = await orderTrail();
    const first = await verify(trail);
    let logQueries = 0;
    const getLogs = chain.provider.getLogs.bind(chain.provider);
    chain.provider.getLogs = (filter) => {
      logQueries++;
      return getLogs(filter);
    };
    try {
      // A burst of the same request (the attack: one expensive read, repeated) costs no log query.
      const burst = await Promise.all([verify(trail), verify(trail), verify(trail)]);
      expect(burst).to.deep.equal([first, first, first]);
      expect(logQueries).to.equal(0);
      await chain.provider.send("evm_mine", []);
      const afresh = await verify(trail);
      expect(afresh).to.include({ verified: true, toBlock: first.toBlock + 1 });
      expect(logQueries).to.be.greaterThan(0);
    } finally {
      chain.provider.getLogs = getLogs;
    }
  });

  it("confirms the order's trail: every step, nothing left out, the state and the qualification", async function () {
    const trail = await orderTrail();
    const result = await verify(trail);
    expect(result.mismatches).to.deep.equal([]);
    expect(result.verified).to.equal(true);
    expect(result.checked).to.equal(trail.steps.length);
    expect(result.expectedEvents).to.equal(trail.steps.length);
    expect(result.figures).to.be.greaterThan(trail.steps.length * 3);

    // The trail the chain asks for holds the v2 facts.
    const { tenderId, orderId, shipmentId } = story;
    const ids = trail.steps.map((s) => s.id);
    for (const id of [
      `tender:${tenderId}`,
      `bond:${tenderId}:forfeited`,
      `bond:${tenderId}:${hospital}:claimed`,
      `agreement:${story.agreementId}`,
      `hospital:${hospital}`,
      `order:${orderId}`,
      `funding:${orderId}`,
      `shipment:${shipmentId}`,
      `trace:${shipmentId}:3`,
      `payment:${shipmentId}`,
    ]) {
      expect(ids, id).to.include(id);
    }
    for (const prefix of [
      `consent:${orderId}:excess@`,
      `consent:${orderId}:late@`,
      `dispute:${shipmentId}@`,
      `lift:${GTIN}:${LOT}@`,
      `member:${hospital}:${chain.cast.settler.address.toLowerCase()}:invited@`,
      `gtin:${supplier}:${GTIN}:`,
      `products:`,
    ]) {
      expect(
        ids.some((id) => id.startsWith(prefix)),
        prefix,
      ).to.equal(true);
    }
    expect(ids.filter((id) => id.startsWith(`recall:${GTIN}:${LOT}@`))).to.have.length(2);
    // Only funding moved the hospital's funded volume: the settlement's units are in its payment.
    const volumes = trail.steps.filter((s) => s.id.startsWith(`volume:${story.agreementId}:${hospital}@`));
    expect(volumes.map((s) => s.data)).to.deep.equal([
      { agreementId: String(story.agreementId), hospital, hospitalFunded: "10", acceptedVolume: "0" },
    ]);
    expect(step(trail, `bid:${tenderId}:${other}:commit@`).data.bond).to.equal("50000");
    expect(step(trail, `payment:${shipmentId}`).data).to.include({
      settledBy: supplier,
      accepted: "8",
      rejected: "2",
    });
    expect(trail.state.shipments[0]).to.include({ recalled: true, confirmed: true, disputedUnits: "2" });
  });

  it("does not ask for another supplier's recall of the same lot", async function () {
    const trail = await trailOf(
      { type: "order", orderId: String(story.orderId) },
      (l) => l.figures.supplier === other,
    );
    const foreign = step(trail, `recall:${GTIN}:${LOT}@`);
    expect(foreign.data).to.include({ scope: other, reasonCode: REASON.otherRecall });
    const result = await verify(trail);
    expect(result.mismatches).to.deep.equal([
      {
        step: foreign.id,
        problem: "not among the chain's events for this trail",
        problemCode: "NOT_AMONG_CHAIN_EVENTS",
        event: "LotRecalled",
        txHash: foreign.onChain!.txHash,
        blockNumber: foreign.onChain!.blockNumber,
        logIndex: foreign.onChain!.logIndex,
      },
    ]);
  });

  it("detects a tampered shipment: the record no longer hashes to DeliveryTrace.shipmentHash", async function () {
    const trail = await orderTrail();
    const id = String(story.shipmentId);
    const chainHash = await chain.ledger.trace.shipmentHash(id);
    const tampered = clone(trail);
    // What a changed `shipments` row makes of the trail: the step and the state's record.
    step(tampered, `shipment:${id}`).data.quantity = "11";
    const state = tampered.state.shipments[0];
    state.record.quantity = "11";
    state.recordHash = recordHash(state.record);
    const result = await verify(tampered);
    expect(result.verified).to.equal(false);
    expect(result.mismatches).to.deep.equal([
      { step: `shipment:${id}`, field: "quantity", database: "11", chain: "10" },
      { step: `shipment:${id}`, field: "recordHash", database: state.recordHash, chain: chainHash },
    ]);

    // A record changed where no step shows it (the state only) is caught by its hash alone.
    const quiet = clone(trail);
    quiet.state.shipments[0].record.lot = "LOT2026B";
    quiet.state.shipments[0].recordHash = recordHash(quiet.state.shipments[0].record);
    expect((await verify(quiet)).mismatches.map((m) => [m.step, m.field])).to.deep.equal([
      [`shipment:${id}`, "recordHash"],
    ]);
  });

  it("catches deleted steps: a recall lift and a trace event, by their ids", async function () {
    const trail = await orderTrail();
    const lift = step(trail, `lift:${GTIN}:${LOT}@`);
    const trace = step(trail, `trace:${story.shipmentId}:2`);
    const cut = clone(trail);
    cut.steps = cut.steps.filter((s) => s.id !== lift.id && s.id !== trace.id);
    const result = await verify(cut);
    const missing = { problem: "missing from the trail", problemCode: "MISSING_FROM_TRAIL" };
    const where = (s: TrailStep) => ({
      txHash: s.onChain!.txHash,
      blockNumber: s.onChain!.blockNumber,
      logIndex: s.onChain!.logIndex,
    });
    expect(result.mismatches).to.deep.equal([
      { step: trace.id, ...missing, event: "TraceEventRecorded", ...where(trace) },
      { step: lift.id, ...missing, event: "RecallLifted", ...where(lift) },
    ]);
    expect(lift.data).to.include({ scope: supplier, reasonCode: REASON.lift });
  });

  it("catches figures and state the chain contradicts", async function () {
    const trail = await orderTrail();
    const id = String(story.shipmentId);
    const changed = clone(trail);
    step(changed, `payment:${id}`).data.paid = "1";
    step(changed, `trace:${id}:3`).data.eventIndex = 4;
    changed.state.shipments[0].recalled = false;
    changed.state.orders[0].escrow = "0";
    changed.state.agreements[0].fundedVolume = "0";
    changed.state.agreements[0].hospitals[0].accepted = "10";
    const o = trail.state.orders[0];
    const result = await verify(changed);
    expect(result.mismatches).to.deep.equal([
      { step: `payment:${id}`, field: "paid", database: "1", chain: step(trail, `payment:${id}`).data.paid },
      { step: `trace:${id}:3`, field: "eventIndex", database: 4, chain: 3 },
      { step: `shipment:${id}`, field: "state.recalled", database: false, chain: true },
      { step: `order:${story.orderId}`, field: "state.escrow", database: "0", chain: o.escrow },
      { step: `agreement:${story.agreementId}`, field: "state.fundedVolume", database: "0", chain: "10" },
      {
        step: `agreement:${story.agreementId}`,
        field: `state.hospitals.${hospital}.accepted`,
        database: "10",
        chain: "8",
      },
    ]);
  });

  it("replays the supplier's qualification as the chain decided it, a renewal keeping its start", async function () {
    const trail = await orderTrail();
    const shipment = trail.qualification.find((q) => q.step === `shipment:${story.shipmentId}`)!;
    expect(shipment).to.include({ supplier, qualified: true, status: "active" });
    // On day 2 the renewals (valid from day 5) are current and the supplier is qualified only
    // because each keeps the start of the window it renews.
    const licence = shipment.windows.find((w) => w.kind === "business_licence")!;
    expect(licence).to.deep.equal({
      kind: "business_licence",
      documentId: String(story.renewals[0]),
      validFrom: new Date(story.qualifiedFrom * 1000).toISOString(),
      validUntil: licence.validUntil,
      containsTime: true,
    });
    expect(trail.qualification.map((q) => q.step.split("@")[0])).to.deep.equal([
      `bid:${story.tenderId}:${supplier}:commit`,
      `tender:${story.tenderId}:awarded`,
      `shipment:${story.shipmentId}`,
      `payment:${story.shipmentId}`,
    ]);

    const claimed = clone(trail);
    claimed.qualification[2].qualified = false;
    claimed.qualification.splice(3, 1);
    expect((await verify(claimed)).mismatches).to.deep.equal([
      {
        step: `shipment:${story.shipmentId}`,
        field: "qualification.qualified",
        database: false,
        chain: true,
      },
      {
        step: `payment:${story.shipmentId}`,
        field: "qualification",
        problem: `no qualification of ${supplier} stated here`,
        problemCode: "QUALIFICATION_NOT_STATED",
        supplier,
      },
    ]);
  });

  it("finds a lot's history by its lot key, and leaves out what a hospital's scope does not cover", async function () {
    const lot = await trailOf({ type: "lot", gtin: GTIN, lot: LOT });
    expect((await verify(lot)).mismatches).to.deep.equal([]);
    // Another hospital sees none of this lot: nothing on chain belongs to its trail of it.
    const scoped = await verify(lot, { hospital: chain.cast.hospital2.address });
    expect(scoped.expectedEvents).to.equal(0);
    const problems = scoped.mismatches.map((m) => m.problemCode);
    expect(problems.filter((p) => p === "NOT_AMONG_CHAIN_EVENTS")).to.have.length(lot.steps.length);
    expect(problems.filter((p) => p === "QUALIFICATION_NOT_CHECKED")).to.have.length(
      lot.qualification.length,
    );
    expect(scoped.mismatches).to.have.length(lot.steps.length + lot.qualification.length);
  });

  it("checks a serial's proof with verifySerial and the shipment's own record", async function () {
    const tree = act.serialTree(story.serials);
    const serial = story.serials[2];
    const proofOf = (value: string) => {
      for (const [i, v] of tree.entries()) if (v[0] === value) return tree.getProof(i);
      throw new Error(`no ${value}`);
    };
    const subject: TrailSubject = { type: "serial", gtin: GTIN, serial };
    const trail = await trailOf(subject);
    const id = String(story.shipmentId);
    const record = recordAsJson(await act.shipmentRecord(chain.ledger, story.shipmentId));
    trail.proofs = [{ shipmentId: id, serial, root: tree.root, leaf: "", proof: proofOf(serial), record }];
    const result = await verify(trail);
    expect(result.mismatches).to.deep.equal([]);
    expect(result.proofs).to.deep.equal([{ shipmentId: id, proofValid: true }]);

    trail.proofs = [
      { shipmentId: id, serial, root: tree.root, leaf: "", proof: proofOf(story.serials[3]), record },
    ];
    const wrong = await verify(trail);
    expect(wrong.proofs).to.deep.equal([{ shipmentId: id, proofValid: false }]);
    expect(wrong.mismatches.map((m) => [m.step, m.field])).to.deep.include([`shipment:${id}`, "serialProof"]);
  });
});
