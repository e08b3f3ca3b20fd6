import { expect } from "chai";
import { ethers, Wallet, type HDNodeWallet } from "ethers";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { devWallet } from "../../../../scripts/lib/anvil";
import { RelayerLane } from "../../../../server/modules/relay/relay.lane";
import { forEachEngine } from "../../helpers/engines";
import { login, RELAYER_WALLET_INDEX } from "../../support/gateway";
import {
  bearer,
  expectError,
  signForward,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";
import { FlakyProvider, silentLog, type Fault } from "../payments/support";

/**
 * The relayer's nonce lane when the node loses what it was sent. A fault run restarted the chain
 * node, which dropped one relayed transaction: the lane's nonce went on past the gap, so every
 * later relay sat in the node's pool behind it while the API had answered 202, and requests
 * signed again with the same (still unused) forwarder nonce were all answered 202 too, to revert
 * once the gap filled. Each test holds the chain's blocks (automine off) so that transactions
 * stay pending, as they do around a restart.
 */
const LIMITS = {
  maxGasPerRequest: 1_000_000,
  dailyGasBudget: 100_000_000,
  accountDailyRequests: 100,
  ipDailyRequests: 100,
};

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ApiStack["chain"];
  let trace: string;
  const relayer = devWallet(RELAYER_WALLET_INDEX).address;

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain } = stack);
    trace = await chain.ledger.trace.getAddress();
  });

  after(() => stopApi(stack));

  beforeEach(() => chain.provider.send("evm_setAutomine", [false]));
  afterEach(() => chain.provider.send("evm_setAutomine", [true]));

  /** A supplier's harmless, repeatable act: appointing a carrier. */
  const setCarrier = (carrier: string) =>
    chain.ledger.trace.interface.encodeFunctionData("setCarrier", [carrier, true]);

  const tokens = new Map<string, string>();
  async function relay(payload: unknown, caller: HDNodeWallet): Promise<LightMyRequestResponse> {
    if (!tokens.has(caller.address)) tokens.set(caller.address, await login(app, caller));
    return app.inject({
      method: "POST",
      url: "/v1/relay",
      payload: payload as object,
      headers: bearer(tokens.get(caller.address)!),
    });
  }

  async function accepted(payload: unknown, caller: HDNodeWallet): Promise<string> {
    const res = await relay(payload, caller);
    expect(res.statusCode, res.body).to.equal(202);
    return res.json<{ txHash: string }>().txHash;
  }

  const relayerNonce = (tag: "latest" | "pending") => chain.provider.getTransactionCount(relayer, tag);

  async function carrierOf(supplier: string, carrier: string): Promise<boolean> {
    return chain.ledger.trace.isCarrier(supplier, carrier);
  }

  it("a relayed transaction the node dropped is sent again, and the next relay does not wait behind its nonce", async function () {
    const { supplier, supplier2 } = chain.cast;
    const mined = await relayerNonce("latest");
    const first = await signForward(chain, supplier, trace, setCarrier(supplier2.address));
    const lost = await accepted(first, supplier);
    // The node loses it, as a restarted node loses its pool.
    await chain.provider.send("anvil_dropTransaction", [lost]);
    expect(await relayerNonce("pending")).to.equal(mined);

    const registry = await chain.ledger.registry.getAddress();
    const register = chain.ledger.registry.interface.encodeFunctionData("register", [
      ethers.encodeBytes32String("Lane Devices"),
      ethers.encodeBytes32String("REG-Lane"),
    ]);
    const second = await signForward(chain, supplier2, registry, register);
    const next = await accepted(second, supplier2);
    await chain.mine();

    // Both are mined, the lost one as the very transaction whose hash the caller was given.
    for (const hash of [lost, next]) {
      const receipt = await chain.provider.getTransactionReceipt(hash);
      expect(receipt?.status, hash).to.equal(1);
    }
    expect(await relayerNonce("latest")).to.equal(mined + 2);
    expect(await carrierOf(supplier.address, supplier2.address)).to.equal(true);
    expect(await chain.ledger.registry.supplierStatus(supplier2.address)).to.equal(1n); // Active
    expect(await chain.ledger.forwarder.nonces(supplier.address)).to.equal(BigInt(first.nonce) + 1n);
  });

  it("a relayed transaction the node lost while its gateway was down is sent again by the restarted gateway, with no relay after it", async function () {
    const { supplier, approver2 } = chain.cast;
    const mined = await relayerNonce("latest");
    const request = await signForward(chain, supplier, trace, setCarrier(approver2.address));
    const lost = await accepted(request, supplier);
    // The node loses it, and the gateway that sent it dies with everything it kept in memory.
    await chain.provider.send("anvil_dropTransaction", [lost]);
    expect(await relayerNonce("pending")).to.equal(mined);

    // The restarted gateway: the same relayer key and database, a new process's lane. Its own
    // comparison with the node (relay.resender.ts runs it every few seconds) sends the act again.
    const restarted = new RelayerLane(
      engine.db,
      devWallet(RELAYER_WALLET_INDEX, chain.provider),
      LIMITS,
      silentLog(),
    );
    await restarted.reconcile();
    expect(await relayerNonce("pending")).to.equal(mined + 1);
    await chain.mine();
    // Mined as the very transaction whose hash the caller was given.
    expect((await chain.provider.getTransactionReceipt(lost))?.status).to.equal(1);
    expect(await carrierOf(supplier.address, approver2.address)).to.equal(true);
    expect(await chain.ledger.forwarder.nonces(supplier.address)).to.equal(BigInt(request.nonce) + 1n);
    // Mined, its claim is freed by the next comparison.
    await restarted.reconcile();
    const { rows } = await engine.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM relay_nonce_claims WHERE relayer = $1",
      [relayer.toLowerCase()],
    );
    expect(Number(rows[0].n)).to.equal(0);
  });

  it("a second request with a forwarder nonce still pending in the lane: 409 RELAY_NONCE_PENDING, nothing sent", async function () {
    const { supplier, stranger } = chain.cast;
    const first = await signForward(chain, supplier, trace, setCarrier(stranger.address));
    const pending = await accepted(first, supplier);
    const sent = await relayerNonce("pending");

    // Another act signed with the same nonce (the chain's nonce has not moved yet), and the
    // first one sent again: either could only revert in the forwarder.
    const other = await signForward(chain, supplier, trace, setCarrier(ethers.ZeroAddress));
    expect(other.nonce).to.equal(first.nonce);
    for (const again of [other, first]) {
      const body = expectError(
        await relay(again, supplier),
        409,
        "RELAY_NONCE_PENDING",
        `${supplier.address}'s forward request with nonce ${first.nonce} is still pending in transaction ${pending}`,
      );
      expect(body.details).to.deep.equal({ signer: supplier.address, nonce: first.nonce, txHash: pending });
    }
    expect(await relayerNonce("pending")).to.equal(sent);

    await chain.mine();
    expect((await chain.provider.getTransactionReceipt(pending))?.status).to.equal(1);
    expect(await chain.ledger.forwarder.nonces(supplier.address)).to.equal(BigInt(first.nonce) + 1n);
    expect(await carrierOf(supplier.address, ethers.ZeroAddress)).to.equal(false);
    // Mined, the nonce is used: the duplicate is now simply stale.
    expectError(
      await relay(other, supplier),
      400,
      "RELAY_NONCE_INVALID",
      `nonce ${first.nonce} is not the signer's next nonce ${BigInt(first.nonce) + 1n}`,
    );
  });

  /** A lane of its own, with relayer wallet `index`, whose provider fails the calls `faults` names. */
  function flakyLane(index: number) {
    const faults: Record<string, Fault> = {};
    const flaky = new FlakyProvider(chain.node.url, faults);
    const log = silentLog();
    const lane = new RelayerLane(engine.db, new Wallet(devWallet(index).privateKey, flaky), LIMITS, log);
    return { faults, flaky, lane, log, relayer: devWallet(index).address };
  }

  /** `signer`'s forward request for `data` through the forwarder, and its relaying transaction. */
  async function forwardTx(signer: HDNodeWallet, data: string) {
    const request = await signForward(chain, signer, trace, data);
    const tx = await chain.ledger.forwarder.execute.populateTransaction(
      { ...request, value: "0" },
      { gasLimit: 300_000n },
    );
    const key = { kind: "forward", signer: signer.address, nonce: BigInt(request.nonce) } as const;
    return { request, tx, key };
  }

  /** Takes the nonce claim of `act` on `lane`; it must be free. */
  async function claimOf(lane: RelayerLane, act: Awaited<ReturnType<typeof forwardTx>>) {
    const claimed = await lane.claim(act.key, act.request.deadline);
    if (!("claim" in claimed)) throw new Error(`the nonce is held: ${JSON.stringify(claimed)}`);
    return claimed.claim;
  }

  /** Expects the nonce claim of `act` free again, as a retry of the act finds it, and frees it. */
  async function expectFree(lane: RelayerLane, act: Awaited<ReturnType<typeof forwardTx>>) {
    const retry = await lane.claim(act.key, act.request.deadline);
    expect(retry).to.have.property("claim");
    if ("claim" in retry) await lane.release(retry.claim);
  }

  for (const { when, faults } of [
    {
      when: "the node took it and its answer was lost",
      faults: { eth_sendRawTransaction: { times: 1, lose: "reply" } },
    },
    {
      when: "the node could not be reached, and then not asked whether it holds it",
      faults: {
        eth_sendRawTransaction: { times: 1, lose: "request" },
        eth_getTransactionByHash: { times: 1, lose: "request" },
      },
    },
  ] satisfies { when: string; faults: Record<string, Fault> }[]) {
    it(`a broadcast that failed because ${when}: the act is sent (its hash returned, not an error), and mined as that transaction`, async function () {
      const { supplier } = chain.cast;
      const carrier = Wallet.createRandom().address;
      const flaky = flakyLane(16);
      const act = await forwardTx(supplier, setCarrier(carrier));
      const claim = await claimOf(flaky.lane, act);
      Object.assign(flaky.faults, structuredClone(faults));
      let hash: string;
      try {
        hash = await flaky.lane.send(act.tx, claim);
      } finally {
        await flaky.lane.release(claim);
      }
      expect(flaky.flaky.injected).to.deep.equal(Object.entries(faults).map(([m, f]) => `${m}:${f.lose}`));
      expect(flaky.log.warnings.map((w) => w.msg)).to.deep.equal([
        "relay broadcast failed, but the transaction counts as sent: the node holds it or could not be asked, and the lane sends it again if the node lost it",
      ]);
      expect(flaky.log.warnings[0].obj).to.include({ tx: hash });

      // The claim stays with that transaction: a retry of the act is told where it is.
      expect(await flaky.lane.claim(act.key, act.request.deadline)).to.deep.equal({
        pending: { txHash: hash },
      });
      // The node back, the lane's comparison sends it if the node does not hold it.
      await flaky.lane.reconcile();
      await chain.mine();
      expect((await chain.provider.getTransactionReceipt(hash))?.status).to.equal(1);
      expect(await carrierOf(supplier.address, carrier)).to.equal(true);
      expect(await chain.ledger.forwarder.nonces(supplier.address)).to.equal(BigInt(act.request.nonce) + 1n);
      flaky.flaky.destroy();
    });
  }

  it("a broadcast the node never got, and says it does not hold: the send fails, nothing is pending, and the act's nonce is free for a retry", async function () {
    const { supplier } = chain.cast;
    const flaky = flakyLane(16);
    const act = await forwardTx(supplier, setCarrier(Wallet.createRandom().address));
    const pending = await chain.provider.getTransactionCount(flaky.relayer, "pending");
    const claim = await claimOf(flaky.lane, act);
    flaky.faults.eth_sendRawTransaction = { times: 1, lose: "request" };
    const refused = await flaky.lane.send(act.tx, claim).catch((error: unknown) => error);
    await flaky.lane.release(claim);
    expect(refused)
      .to.be.an("error")
      .with.property("message", "socket hang up (injected fault on eth_sendRawTransaction)");
    expect(await chain.provider.getTransactionCount(flaky.relayer, "pending")).to.equal(pending);
    await expectFree(flaky.lane, act);
    flaky.flaky.destroy();
  });

  it("a broadcast the node refused (the relayer cannot pay), and then not asked whether it holds it: the send fails and the act's nonce is free", async function () {
    const { supplier } = chain.cast;
    const flaky = flakyLane(17);
    await chain.provider.send("anvil_setBalance", [flaky.relayer, "0x0"]);
    const act = await forwardTx(supplier, setCarrier(Wallet.createRandom().address));
    const claim = await claimOf(flaky.lane, act);
    flaky.faults.eth_getTransactionByHash = { times: 1, lose: "request" };
    const refused = await flaky.lane.send(act.tx, claim).catch((error: unknown) => error);
    await flaky.lane.release(claim);
    expect(flaky.flaky.injected).to.deep.equal(["eth_getTransactionByHash:request"]);
    expect(refused).to.be.an("error").with.property("code", "INSUFFICIENT_FUNDS");
    expect(flaky.log.warnings).to.deep.equal([]);
    await expectFree(flaky.lane, act);
    flaky.flaky.destroy();
  });

  it("a dropped transaction the node will not take again: its nonce goes to the next send, and its signer may relay that act anew", async function () {
    const { supplier2, approver } = chain.cast;
    // A lane of its own whose provider loses the re-sent transaction on its way to the node.
    const { faults, flaky, lane, relayer: laneRelayer } = flakyLane(15);
    const mined = await chain.provider.getTransactionCount(laneRelayer, "latest");

    const lostAct = await forwardTx(supplier2, setCarrier(approver.address));
    const claim = await claimOf(lane, lostAct);
    const lost = await lane.send(lostAct.tx, claim);
    // As the services do once the request is answered: sent, the claim stays.
    await lane.release(claim);
    await chain.provider.send("anvil_dropTransaction", [lost]);

    faults.eth_sendRawTransaction = { times: 1, lose: "request" };
    const nextAct = await forwardTx(approver, setCarrier(supplier2.address));
    const next = await lane.send(nextAct.tx);
    expect(flaky.injected).to.deep.equal(["eth_sendRawTransaction:request"]);
    await chain.mine();

    expect((await chain.provider.getTransactionReceipt(next))?.status).to.equal(1);
    expect(await chain.provider.getTransaction(lost)).to.equal(null);
    expect(await chain.provider.getTransactionCount(laneRelayer, "latest")).to.equal(mined + 1);
    // The lost act never ran, and never can (its relayer nonce went to the next send), so its
    // forwarder nonce is free again.
    expect(await carrierOf(supplier2.address, approver.address)).to.equal(false);
    expect(await chain.ledger.forwarder.nonces(supplier2.address)).to.equal(BigInt(lostAct.request.nonce));
    await expectFree(lane, lostAct);
    flaky.destroy();
  });
});
