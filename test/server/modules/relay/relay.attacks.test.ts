import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { devWallet } from "../../../../scripts/lib/anvil";
import { forEachEngine } from "../../helpers/engines";
import { buildGateway, login, RELAYER_WALLET_INDEX } from "../../support/gateway";
import {
  bearer,
  expectError,
  parseMetrics,
  signForward,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";
import { fullAcceptance, queueJobs, settlementWorker, shipOrder } from "../payments/support";

/**
 * Item 2 of issue 11, "a relay nobody can drain": each test first names the attack that the
 * relay used to let through (anyone could make the settler key pay for any ledger call), then
 * asserts the refusal with its status and code.
 */
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

  /** A supplier's harmless, repeatable act: appointing a carrier. */
  const setCarrier = (carrier: string) =>
    chain.ledger.trace.interface.encodeFunctionData("setCarrier", [carrier, true]);

  async function post(
    gateway: FastifyInstance,
    payload: unknown,
    token?: string,
    remoteAddress?: string,
  ): Promise<LightMyRequestResponse> {
    return gateway.inject({
      method: "POST",
      url: "/v1/relay",
      payload: payload as object,
      headers: token ? bearer(token) : {},
      ...(remoteAddress && { remoteAddress }),
    });
  }

  /** Becoming a supplier: relayed for any signed-in account. */
  const register = (name: string) =>
    chain.ledger.registry.interface.encodeFunctionData("register", [
      ethers.encodeBytes32String(name),
      ethers.encodeBytes32String(`REG-${name}`),
    ]);

  const relayerNonce = () => chain.provider.getTransactionCount(relayer, "pending");

  it("an anonymous relay: 401 UNAUTHORIZED, nothing sent", async function () {
    const request = await signForward(chain, chain.cast.supplier, trace, setCarrier(ethers.ZeroAddress));
    const before = await relayerNonce();
    expectError(await post(app, request), 401, "UNAUTHORIZED", "Authorization: Bearer");
    expect(await relayerNonce()).to.equal(before);
  });

  it("a signed-in caller relaying someone else's signed request: 403 RELAY_NOT_YOUR_REQUEST", async function () {
    const { supplier, stranger } = chain.cast;
    // The supplier's request, captured (e.g. from a shared log) and replayed by a stranger.
    const request = await signForward(chain, supplier, trace, setCarrier(stranger.address));
    const before = await relayerNonce();
    expectError(
      await post(app, request, await login(app, stranger)),
      403,
      "RELAY_NOT_YOUR_REQUEST",
      `from ${supplier.address}, but you are signed in as ${stranger.address}`,
    );
    expect(await relayerNonce()).to.equal(before);
  });

  it("a supplier relaying an approver-only function: 403 RELAY_FUNCTION_NOT_ALLOWED", async function () {
    const { supplier } = chain.cast;
    const data = chain.ledger.orderBook.interface.encodeFunctionData("approveOrder", [1n]);
    const request = await signForward(chain, supplier, await chain.ledger.orderBook.getAddress(), data);
    expectError(
      await post(app, request, await login(app, supplier)),
      403,
      "RELAY_FUNCTION_NOT_ALLOWED",
      "orderBook.approveOrder only for hospital-approver; you have supplier",
    );
    // Admin and contract-to-contract functions are relayed for nobody.
    const pause = await signForward(
      chain,
      supplier,
      trace,
      chain.ledger.trace.interface.encodeFunctionData("pause"),
    );
    expectError(
      await post(app, pause, await login(app, supplier)),
      403,
      "RELAY_FUNCTION_NOT_ALLOWED",
      "pays for no function",
    );
  });

  it("gas above the cap: 400 RELAY_GAS_TOO_HIGH", async function () {
    const { supplier } = chain.cast;
    const request = await signForward(chain, supplier, trace, setCarrier(supplier.address), {
      gas: 1_000_001n,
    });
    expectError(
      await post(app, request, await login(app, supplier)),
      400,
      "RELAY_GAS_TOO_HIGH",
      "asks for 1000001 gas; the relay pays for at most 1000000",
    );
  });

  describe("with tight limits", function () {
    let tight: FastifyInstance;

    before(async function () {
      // Its own relayer key, so its gas budget is its own.
      tight = await buildGateway(engine.db, chain, {
        RELAYER_PRIVATE_KEY: devWallet(16).privateKey,
        RELAY_ACCOUNT_DAILY_REQUESTS: "2",
        RELAY_IP_DAILY_REQUESTS: "3",
        RELAY_MAX_GAS_PER_REQUEST: "100000",
      });
    });

    after(() => tight?.close());

    it("quota exhaustion per account: 429 RATE_LIMITED; per client IP: 429 RATE_LIMITED", async function () {
      const { stranger, approver2 } = chain.cast;
      const registry = await chain.ledger.registry.getAddress();
      const t2 = await login(tight, stranger);
      // Refused requests count too: quotas bound the work a caller makes the gateway do.
      const stale = await signForward(chain, stranger, registry, register("Stale"), {
        nonce: 99n,
        gas: 90_000n,
      });
      expectError(await post(tight, stale, t2, "10.0.0.1"), 400, "RELAY_NONCE_INVALID", "nonce 99");
      expectError(await post(tight, stale, t2, "10.0.0.1"), 400, "RELAY_NONCE_INVALID", "nonce 99");
      expectError(
        await post(tight, stale, t2, "10.0.0.2"),
        429,
        "RATE_LIMITED",
        "this account has used its 2 relay requests",
      );

      const other = await signForward(chain, approver2, registry, register("Other"), {
        nonce: 99n,
        gas: 90_000n,
      });
      const t3 = await login(tight, approver2);
      // 10.0.0.1 has made two requests; another account from it gets one more, then 429.
      expectError(await post(tight, other, t3, "10.0.0.1"), 400, "RELAY_NONCE_INVALID", "nonce 99");
      expectError(
        await post(tight, other, t3, "10.0.0.1"),
        429,
        "RATE_LIMITED",
        "this client address has used its 3 relay requests",
      );
    });

    it("parallel requests cannot pass the account quota together", async function () {
      const { hospital } = chain.cast;
      const token = await login(tight, hospital);
      const request = await signForward(
        chain,
        hospital,
        await chain.ledger.registry.getAddress(),
        register("P"),
        {
          nonce: 99n,
          gas: 90_000n,
        },
      );
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => post(tight, request, token, `10.0.2.${i}`)),
      );
      expect(answers.map((r) => r.statusCode).sort()).to.deep.equal([400, 400, 429, 429, 429, 429]);
    });
  });

  it("the daily gas budget exhausted: 503 RELAY_BUDGET_EXHAUSTED, nothing sent", async function () {
    const { supplier } = chain.cast;
    const tightRelayer = devWallet(18).address;
    const budgeted = await buildGateway(engine.db, chain, {
      RELAYER_PRIVATE_KEY: devWallet(18).privateKey,
      RELAY_DAILY_GAS_BUDGET: "1000000",
    });
    try {
      const supplierToken = await login(budgeted, supplier);
      const first = await signForward(chain, supplier, trace, setCarrier(supplier.address), { gas: 90_000n });
      const res = await post(budgeted, first, supplierToken, "10.0.1.1");
      expect(res.statusCode, res.body).to.equal(202);
      await chain.provider.waitForTransaction(res.json<{ txHash: string }>().txHash);

      // Spent by earlier relays today (set directly: what a relay's gas limit is depends on the node).
      await engine.db.query(`UPDATE relay_usage SET used = 999990 WHERE subject = $1`, [
        `gas:${tightRelayer.toLowerCase()}`,
      ]);
      const sentBefore = await chain.provider.getTransactionCount(tightRelayer, "pending");
      const second = await signForward(chain, supplier, trace, setCarrier(supplier.address), {
        gas: 90_000n,
      });
      expectError(
        await post(budgeted, second, supplierToken, "10.0.1.2"),
        503,
        "RELAY_BUDGET_EXHAUSTED",
        "gas budget",
      );
      expect(await chain.provider.getTransactionCount(tightRelayer, "pending")).to.equal(sentBefore);
    } finally {
      await budgeted.close();
    }
  });

  it("relayed requests do not use the settler's nonce: a settlement proceeds while relays are in flight", async function () {
    const { supplier, supplier2, settler } = chain.cast;
    const order = await shipOrder(chain, stack.p.agreementId, [2]);
    const [unit] = order.shipments;
    await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
    const settlerNonce = await chain.provider.getTransactionCount(settler.address, "latest");

    await chain.provider.send("evm_setAutomine", [false]);
    try {
      // Two relays sent and not mined: in flight.
      const inFlight: string[] = [];
      const registry = await chain.ledger.registry.getAddress();
      for (const [who, to, data] of [
        [supplier, trace, setCarrier(supplier2.address)],
        [supplier2, registry, register("Inflight")],
      ] as const) {
        const request = await signForward(chain, who, to, data);
        const res = await post(app, request, await login(app, who));
        expect(res.statusCode, res.body).to.equal(202);
        inFlight.push(res.json<{ txHash: string }>().txHash);
      }
      expect(await chain.provider.getTransactionCount(settler.address, "pending")).to.equal(settlerNonce);

      const worker = settlementWorker(engine.db, chain, {
        hooks: {
          at: async (point) => {
            if (point !== "broadcast") return;
            // The settlement is out beside the relays: one block takes all three.
            await chain.provider.send("evm_mine", []);
          },
        },
      });
      expect(await worker.tick()).to.equal(true);
      const { rows } = await engine.db.query<{ tx_hash: string; nonce: string; status: string }>(
        "SELECT tx_hash, nonce, status FROM settlement_jobs WHERE shipment_id = $1",
        [unit.shipmentId.toString()],
      );
      expect(rows[0].status).to.equal("confirmed");
      expect(Number(rows[0].nonce)).to.equal(settlerNonce);
      const settlement = rows[0].tx_hash;
      const mined = await chain.provider.getTransactionReceipt(settlement);
      for (const hash of inFlight) {
        const receipt = (await chain.provider.getTransactionReceipt(hash))!;
        expect(receipt.from).to.equal(relayer);
        expect(receipt.blockNumber).to.equal(mined!.blockNumber);
      }
    } finally {
      await chain.provider.send("evm_setAutomine", [true]);
    }
  });

  it("the low-balance alarm: a gauge in /metrics and a warning in /ready", async function () {
    const poor = await buildGateway(engine.db, chain, {
      RELAYER_PRIVATE_KEY: devWallet(17).privateKey,
      RELAYER_MIN_BALANCE_WEI: (10n ** 30n).toString(),
    });
    try {
      const metrics = parseMetrics((await poor.inject({ method: "GET", url: "/metrics" })).body);
      expect(metrics.get("relayer_balance_low")).to.equal(1);
      expect(metrics.get("relayer_balance_wei")).to.be.greaterThan(0);
      const ready = await poor.inject({ method: "GET", url: "/ready" });
      const relayerCheck = ready.json<{ checks: { relayer: Record<string, unknown> } }>().checks.relayer;
      expect(relayerCheck).to.include({
        ok: true,
        low: true,
        address: devWallet(17).address,
        minBalanceWei: (10n ** 30n).toString(),
      });
      expect(
        parseMetrics((await app.inject({ method: "GET", url: "/metrics" })).body).get("relayer_balance_low"),
      ).to.equal(0);
    } finally {
      await poor.close();
    }
  });

  it("a gateway without a relayer key: 503 NOT_CONFIGURED", async function () {
    const none = await buildGateway(engine.db, chain, { RELAYER_PRIVATE_KEY: "" });
    try {
      const { supplier } = chain.cast;
      const request = await signForward(chain, supplier, trace, setCarrier(supplier.address));
      expectError(
        await post(none, request, await login(none, supplier)),
        503,
        "NOT_CONFIGURED",
        "RELAYER_PRIVATE_KEY is not set",
      );
    } finally {
      await none.close();
    }
  });
});
