import { expect } from "chai";
import {
  ethers,
  JsonRpcProvider,
  Wallet,
  type HDNodeWallet,
  type JsonRpcPayload,
  type JsonRpcResult,
} from "ethers";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { devWallet } from "../../../../scripts/lib/anvil";
import type { PermitRelayRequest, PreparedRelay, RelayRequest, RelayTxStatus } from "../../../../api/relay";
import { FORWARD_REQUEST_TYPES } from "../../../../ledger/forward-request";
import { PERMIT_TYPES } from "../../../../ledger/permit";
import { CHECK_LEASE_SECONDS, type NonceKey } from "../../../../server/modules/relay/relay.claims";
import { RelayerLane } from "../../../../server/modules/relay/relay.lane";
import type { NonceClaim } from "../../../../server/modules/relay/relay.sender";
import { silentLog } from "../payments/support";
import { forEachEngine } from "../../helpers/engines";
import { buildGateway, login } from "../../support/gateway";
import {
  bearer,
  expectError,
  signForward,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * Two gateway replicas on one database, each with its own relayer key, as behind a load
 * balancer. A forwarder nonce still pending was claimed in process memory only, so a retry that
 * landed on the other replica found the nonce unused on chain, passed every check and was sent
 * too: both callers were told 202 and one transaction reverted. Each test holds the chain's
 * blocks (automine off) so that transactions stay pending, as they do between blocks.
 */

/**
 * A node connection that estimates gas at the latest block, as Besu and geth do when no block
 * is named. Anvil estimates at its pending block, where a pending relay has already used the
 * forwarder nonce, and would refuse the duplicate for a reason production nodes do not give.
 */
class LatestEstimates extends JsonRpcProvider {
  constructor(url: string, chainId: number) {
    super(url, chainId, { cacheTimeout: -1, pollingInterval: 50, staticNetwork: true, batchMaxCount: 1 });
  }

  override _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const pin = (p: JsonRpcPayload) =>
      p.method === "eth_estimateGas" && Array.isArray(p.params) && p.params.length === 1
        ? { ...p, params: [...p.params, "latest"] }
        : p;
    return super._send(Array.isArray(payload) ? payload.map(pin) : pin(payload));
  }
}

forEachEngine((engine) => {
  let stack: ApiStack;
  let chain: ApiStack["chain"];
  let replicas: FastifyInstance[];
  let trace: string;
  const relayers = [devWallet(19).address, devWallet(18).address];

  let providers: LatestEstimates[] = [];

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ chain } = stack);
    providers = [0, 1].map(() => new LatestEstimates(chain.node.url, chain.deployment.chainId));
    // PGlite is one process's database: the second replica shares its handle.
    const dbs = [engine.db, engine.engine === "postgres" ? await engine.connect() : engine.db];
    replicas = await Promise.all(
      [19, 18].map((key, i) =>
        buildGateway(
          dbs[i],
          { ...chain, provider: providers[i] },
          { RELAYER_PRIVATE_KEY: devWallet(key).privateKey },
        ),
      ),
    );
    trace = await chain.ledger.trace.getAddress();
  });

  after(async () => {
    for (const app of replicas ?? []) await app.close();
    for (const provider of providers) provider.destroy();
    await stopApi(stack);
  });

  beforeEach(() => chain.provider.send("evm_setAutomine", [false]));
  afterEach(() => chain.provider.send("evm_setAutomine", [true]));

  const setCarrier = (carrier: string) =>
    chain.ledger.trace.interface.encodeFunctionData("setCarrier", [carrier, true]);

  const tokens = new Map<string, string>();
  async function relay(
    replica: number,
    payload: unknown,
    caller: HDNodeWallet,
    url = "/v1/relay",
  ): Promise<LightMyRequestResponse> {
    const headers = bearer(await tokenAt(replica, caller));
    return replicas[replica].inject({ method: "POST", url, payload: payload as object, headers });
  }

  async function tokenAt(replica: number, caller: HDNodeWallet): Promise<string> {
    const key = `${replica}:${caller.address}`;
    if (!tokens.has(key)) tokens.set(key, await login(replicas[replica], caller));
    return tokens.get(key)!;
  }

  const sentBy = () =>
    Promise.all(relayers.map((relayer) => chain.provider.getTransactionCount(relayer, "pending")));

  it("the same signed request relayed by both replicas while pending: the second is 409 RELAY_NONCE_PENDING, one transaction sent", async function () {
    const { supplier, stranger } = chain.cast;
    const request = await signForward(chain, supplier, trace, setCarrier(stranger.address));
    const before = await sentBy();
    const first = await relay(0, request, supplier);
    expect(first.statusCode, first.body).to.equal(202);
    const txHash = first.json<{ txHash: string }>().txHash;

    // The retry, and another act signed with the same nonce, land on the other replica.
    const other = await signForward(chain, supplier, trace, setCarrier(ethers.ZeroAddress));
    for (const again of [request, other]) {
      const body = expectError(
        await relay(1, again, supplier),
        409,
        "RELAY_NONCE_PENDING",
        `${supplier.address}'s forward request with nonce ${request.nonce} is still pending in transaction ${txHash}`,
      );
      expect(body.details).to.deep.equal({ signer: supplier.address, nonce: request.nonce, txHash });
    }
    expect(await sentBy()).to.deep.equal([before[0] + 1, before[1]]);

    await chain.mine();
    expect((await chain.provider.getTransactionReceipt(txHash))?.status).to.equal(1);
    expect(await chain.ledger.trace.isCarrier(supplier.address, ethers.ZeroAddress)).to.equal(false);
    // Mined, the claim is gone and the request simply stale, on either replica.
    for (const replica of [0, 1]) {
      expectError(await relay(replica, request, supplier), 400, "RELAY_NONCE_INVALID");
    }
  });

  /**
   * A replica that dies mid-request, played by a lane of its own (relayer key 15) that takes a
   * claim and never gets to release it.
   */
  function deadReplica(): RelayerLane {
    return new RelayerLane(
      engine.db,
      new Wallet(devWallet(15).privateKey, chain.provider),
      {
        maxGasPerRequest: 1_000_000,
        dailyGasBudget: 100_000_000,
        accountDailyRequests: 100,
        ipDailyRequests: 100,
      },
      silentLog(),
    );
  }

  async function claimFor(lane: RelayerLane, request: RelayRequest): Promise<NonceClaim> {
    const key: NonceKey = { kind: "forward", signer: request.from, nonce: BigInt(request.nonce) };
    const claimed = await lane.claim(key, request.deadline);
    if (!("claim" in claimed)) throw new Error(`the nonce is held: ${JSON.stringify(claimed)}`);
    return claimed.claim;
  }

  const execute = (request: RelayRequest) =>
    chain.ledger.forwarder.execute.populateTransaction({ ...request, value: "0" }, { gasLimit: 300_000n });

  async function mined(res: LightMyRequestResponse): Promise<void> {
    expect(res.statusCode, res.body).to.equal(202);
    await chain.mine();
    const receipt = await chain.provider.getTransactionReceipt(res.json<{ txHash: string }>().txHash);
    expect(receipt?.status).to.equal(1);
  }

  it("a replica that died during its checks holds the nonce until its lease runs out, and cannot send after", async function () {
    const { supplier, approver } = chain.cast;
    const request = await signForward(chain, supplier, trace, setCarrier(approver.address));
    const dead = deadReplica();
    const claim = await claimFor(dead, request);

    expectError(
      await relay(1, request, supplier),
      409,
      "RELAY_NONCE_PENDING",
      `${supplier.address}'s forward request with nonce ${request.nonce} is being relayed by another request`,
    );
    // Its lease runs out (the clock moved by the database, whose time the lease is counted in).
    await engine.db.query(
      `UPDATE relay_nonce_claims SET claimed_at = claimed_at - make_interval(secs => $1)`,
      [CHECK_LEASE_SECONDS + 1],
    );
    await mined(await relay(1, request, supplier));

    // Only paused after all, it wakes up and would send: the claim is no longer its own.
    const relayed = await chain.provider.getTransactionCount(devWallet(15).address, "pending");
    let refused: unknown;
    await dead.send(await execute(request), claim).catch((error: unknown) => (refused = error));
    expect(refused).to.include({ code: "RELAY_NONCE_PENDING" });
    expect(await chain.provider.getTransactionCount(devWallet(15).address, "pending")).to.equal(relayed);
  });

  it("a replica that died after sending, its transaction then lost by the node: the nonce is held, and the restarted replica sends that very transaction again before anything else", async function () {
    const { supplier, approver } = chain.cast;
    const request = await signForward(chain, supplier, trace, setCarrier(approver.address));
    const dead = deadReplica();
    const claim = await claimFor(dead, request);
    const lost = await dead.send(await execute(request), claim);
    await chain.provider.send("anvil_dropTransaction", [lost]);

    // Nothing on chain says the transaction is gone for good: it may be sent again.
    expectError(
      await relay(1, request, supplier),
      409,
      "RELAY_NONCE_PENDING",
      `still pending in transaction ${lost}`,
    );
    // The replica restarts with its key (its memory gone) and sends something else: the lost
    // transaction, recorded with its signed bytes, goes first, at its own relayer nonce.
    const restarted = deadReplica();
    const other = await restarted.send({ to: approver.address, value: 0n });
    await chain.mine();
    for (const hash of [lost, other])
      expect((await chain.provider.getTransactionReceipt(hash))?.status).to.equal(1);
    expect(await chain.ledger.forwarder.nonces(supplier.address)).to.equal(BigInt(request.nonce) + 1n);
    // Done once: the same request again is stale.
    expectError(
      await relay(1, request, supplier),
      400,
      "RELAY_NONCE_INVALID",
      `nonce ${request.nonce} is not the signer's next nonce ${BigInt(request.nonce) + 1n}`,
    );
  });

  it("a replica that died after sending and never came back: the nonce is free once the request's deadline has passed", async function () {
    const { supplier, approver } = chain.cast;
    const stale = await signForward(chain, supplier, trace, setCarrier(approver.address), {
      deadline: (await chain.now()) + 600,
    });
    const dead = deadReplica();
    const lost = await dead.send(await execute(stale), await claimFor(dead, stale));
    await chain.provider.send("anvil_dropTransaction", [lost]);
    expectError(await relay(1, stale, supplier), 409, "RELAY_NONCE_PENDING", lost);

    await chain.provider.send("evm_increaseTime", [601]);
    await chain.mine();
    const fresh = await signForward(chain, supplier, trace, setCarrier(approver.address));
    expect(fresh.nonce).to.equal(stale.nonce);
    await mined(await relay(1, fresh, supplier));
  });

  async function statusAt(replica: number, txHash: string): Promise<RelayTxStatus> {
    const headers = bearer(await tokenAt(replica, chain.cast.supplier));
    const res = await replicas[replica].inject({ method: "GET", url: `/v1/relay/${txHash}`, headers });
    expect(res.statusCode, res.body).to.equal(200);
    return res.json<RelayTxStatus>();
  }

  it("GET /v1/relay/<tx> of a transaction the node lost: pending while its signed bytes may be sent again, dropped once its deadline has passed, at either replica", async function () {
    const { supplier, approver } = chain.cast;
    const stale = await signForward(chain, supplier, trace, setCarrier(approver.address), {
      deadline: (await chain.now()) + 600,
    });
    const dead = deadReplica();
    const lost = await dead.send(await execute(stale), await claimFor(dead, stale));
    const unmined = { txHash: lost, blockNumber: null, indexed: false };
    expect(await statusAt(0, lost)).to.deep.equal({ ...unmined, status: "pending" });

    // The node loses it; its claim keeps the signed bytes, which its relayer sends again.
    await chain.provider.send("anvil_dropTransaction", [lost]);
    for (const replica of [0, 1])
      expect(await statusAt(replica, lost)).to.deep.equal({ ...unmined, status: "pending" });

    // Past its deadline it could only revert: it is never sent again, and the signer is told so.
    await chain.provider.send("evm_increaseTime", [601]);
    await chain.mine();
    for (const replica of [0, 1])
      expect(await statusAt(replica, lost)).to.deep.equal({ ...unmined, status: "dropped" });

    // Signed again with the same nonce, the act is relayed and mined; the lost one stays dropped.
    const fresh = await signForward(chain, supplier, trace, setCarrier(approver.address));
    expect(fresh.nonce).to.equal(stale.nonce);
    await mined(await relay(1, fresh, supplier));
    expect((await statusAt(0, lost)).status).to.equal("dropped");
  });

  /** `owner`'s EIP-2612 permit of the settlement token for `spender`, at its next token nonce. */
  async function signedPermit(
    owner: HDNodeWallet,
    spender: string,
    value: bigint,
  ): Promise<PermitRelayRequest> {
    const d = await chain.ledger.token.eip712Domain();
    const domain = {
      name: d.name,
      version: d.version,
      chainId: d.chainId,
      verifyingContract: d.verifyingContract,
    };
    const permit = {
      owner: owner.address,
      spender,
      value: value.toString(),
      nonce: (await chain.ledger.token.nonces(owner.address)).toString(),
      deadline: (await chain.now()) + 3600,
    };
    return { ...permit, signature: await owner.signTypedData(domain, PERMIT_TYPES, permit) };
  }

  it("the same permit relayed twice while pending, by either replica: the second is 409 RELAY_PERMIT_NONCE_PENDING, one transaction sent", async function () {
    const { hospital } = chain.cast;
    const orderBook = await chain.ledger.orderBook.getAddress();
    const permit = await signedPermit(hospital, orderBook, 7_700n);
    const before = await sentBy();
    const first = await relay(0, permit, hospital, "/v1/relay/permits");
    expect(first.statusCode, first.body).to.equal(202);
    const txHash = first.json<{ txHash: string }>().txHash;

    // Another permit with the same token nonce (another amount), and the same one again.
    const other = await signedPermit(hospital, orderBook, 1n);
    for (const [replica, again] of [
      [0, permit],
      [1, permit],
      [1, other],
    ] as const) {
      const body = expectError(
        await relay(replica, again, hospital, "/v1/relay/permits"),
        409,
        "RELAY_PERMIT_NONCE_PENDING",
        `${hospital.address}'s permit with token nonce ${permit.nonce} is still pending in transaction ${txHash}`,
      );
      expect(body.details).to.deep.equal({ signer: hospital.address, nonce: permit.nonce, txHash });
    }
    expect(await sentBy()).to.deep.equal([before[0] + 1, before[1]]);

    await chain.mine();
    expect((await chain.provider.getTransactionReceipt(txHash))?.status).to.equal(1);
    expect(await chain.ledger.token.allowance(hospital.address, orderBook)).to.equal(7_700n);
    expectError(await relay(1, other, hospital, "/v1/relay/permits"), 400, "RELAY_PERMIT_NONCE_INVALID");
  });

  it("acting again before the first act is mined: prepare hands out the nonce after the pending one, and both acts run in order", async function () {
    const { supplier, approver, stranger } = chain.cast;
    const prepared = async (replica: number, carrier: string): Promise<RelayRequest> => {
      const app = replicas[replica];
      const res = await app.inject({
        method: "POST",
        url: "/v1/relay/prepare",
        payload: { to: trace, data: setCarrier(carrier) },
        headers: bearer(await tokenAt(replica, supplier)),
      });
      expect(res.statusCode, res.body).to.equal(200);
      const { request, domain } = res.json<PreparedRelay>();
      return { ...request, signature: await supplier.signTypedData(domain, FORWARD_REQUEST_TYPES, request) };
    };
    const next = await chain.ledger.forwarder.nonces(supplier.address);
    const first = await prepared(0, approver.address);
    expect(first.nonce).to.equal(next.toString());
    const firstRes = await relay(0, first, supplier);
    expect(firstRes.statusCode, firstRes.body).to.equal(202);

    const second = await prepared(0, stranger.address);
    expect(second.nonce).to.equal((next + 1n).toString());
    // Behind another relayer's transaction its turn would be the chain's to choose: refused.
    const pendingHash = firstRes.json<{ txHash: string }>().txHash;
    expectError(
      await relay(1, second, supplier),
      409,
      "RELAY_NONCE_PENDING",
      `follows nonce ${next}, still pending in transaction ${pendingHash} from another gateway replica`,
    );
    const secondRes = await relay(0, second, supplier);
    expect(secondRes.statusCode, secondRes.body).to.equal(202);

    await chain.mine();
    for (const res of [firstRes, secondRes]) {
      const receipt = await chain.provider.getTransactionReceipt(res.json<{ txHash: string }>().txHash);
      expect(receipt?.status).to.equal(1);
    }
    expect(await chain.ledger.forwarder.nonces(supplier.address)).to.equal(next + 2n);
    expect(await chain.ledger.trace.isCarrier(supplier.address, stranger.address)).to.equal(true);
  });
});
