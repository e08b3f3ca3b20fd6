import { expect } from "chai";
import { ethers, type HDNodeWallet } from "ethers";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { Allowances, PermitRelayRequest, PreparedPermit } from "../../../../api/relay";
import { PERMIT_TYPES } from "../../../../ledger/permit";
import { devWallet } from "../../../../scripts/lib/anvil";
import { forEachEngine } from "../../helpers/engines";
import { buildGateway, login, RELAYER_WALLET_INDEX } from "../../support/gateway";
import {
  bearer,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  signForward,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * Relayed EIP-2612 permits (/v1/relay/allowances, /v1/relay/permits/prepare, /v1/relay/permits):
 * a supplier or a hospital account without gas sets the allowance its acts draw on — the bid
 * bond's to the tender house, the order escrow's to the order book. Each refusal is tried first
 * (someone else's permit, a spender that is not the ledger's or not the caller's role's, an
 * expired or badly signed permit) and nothing is sent for it; then the permit that checks out
 * is sent by the relayer and the chain's allowance is what was signed.
 */
forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ApiStack["chain"];
  let token: string;
  let tenders: string;
  let orderBook: string;
  let fund: string;
  const relayer = devWallet(RELAYER_WALLET_INDEX).address;
  const tokens = new Map<string, string>();

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain } = stack);
    token = await chain.ledger.token.getAddress();
    tenders = await chain.ledger.tenders.getAddress();
    orderBook = await chain.ledger.orderBook.getAddress();
    fund = await chain.ledger.fund.getAddress();
  });

  after(() => stopApi(stack));

  /** A bearer token of `who` (the test gateways share one secret, so it is good at each). */
  async function tokenOf(who: HDNodeWallet): Promise<string> {
    if (!tokens.has(who.address)) tokens.set(who.address, await login(app, who));
    return tokens.get(who.address)!;
  }

  async function call(
    method: "GET" | "POST",
    url: string,
    who: HDNodeWallet | null,
    payload?: unknown,
    gateway = app,
  ): Promise<LightMyRequestResponse> {
    return gateway.inject({
      method,
      url,
      headers: who ? bearer(await tokenOf(who)) : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  }

  /** `owner`'s permit for `spender`, signed by `owner` (or by `signWith`, to forge one). */
  async function signedPermit(
    owner: HDNodeWallet,
    spender: string,
    value: bigint,
    options: { nonce?: bigint; deadline?: number; signWith?: HDNodeWallet } = {},
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
      nonce: (options.nonce ?? (await chain.ledger.token.nonces(owner.address))).toString(),
      deadline: options.deadline ?? (await chain.now()) + 3600,
    };
    const signature = await (options.signWith ?? owner).signTypedData(domain, PERMIT_TYPES, permit);
    return { ...permit, signature };
  }

  const allowance = (owner: string, spender: string) => chain.ledger.token.allowance(owner, spender);

  /** Posts `permit` as `caller`, expecting a refusal; nothing is sent, no allowance or nonce moves. */
  async function refused(
    permit: unknown,
    caller: HDNodeWallet,
    status: number,
    code: string,
    messagePart: string,
  ): Promise<ReturnType<typeof expectError>> {
    const p = permit as PermitRelayRequest;
    const relayerNonce = await chain.provider.getTransactionCount(relayer, "pending");
    const tokenNonce = await chain.ledger.token.nonces(p.owner);
    const before = await allowance(p.owner, p.spender);
    const body = expectError(
      await call("POST", "/v1/relay/permits", caller, permit),
      status,
      code,
      messagePart,
    );
    expect(await chain.provider.getTransactionCount(relayer, "pending")).to.equal(relayerNonce);
    expect(await chain.ledger.token.nonces(p.owner)).to.equal(tokenNonce);
    expect(await allowance(p.owner, p.spender)).to.equal(before);
    return body;
  }

  describe("refused before sending", function () {
    it("someone else's permit: 403 RELAY_PERMIT_NOT_YOURS", async function () {
      const { hospital, supplier } = chain.cast;
      // The hospital's signed permit, captured and replayed by a supplier.
      const permit = await signedPermit(hospital, orderBook, 1_000n);
      await refused(
        permit,
        supplier,
        403,
        "RELAY_PERMIT_NOT_YOURS",
        `the permit is ${hospital.address}'s, but you are signed in as ${supplier.address}`,
      );
    });

    it("a spender that is no ledger contract taking the token: 400 RELAY_PERMIT_SPENDER_NOT_LEDGER", async function () {
      const { hospital, stranger } = chain.cast;
      for (const spender of [stranger.address, await chain.ledger.forwarder.getAddress()]) {
        await refused(
          await signedPermit(hospital, spender, 1_000n),
          hospital,
          400,
          "RELAY_PERMIT_SPENDER_NOT_LEDGER",
          `${spender} is not a ledger contract that takes the settlement token (tenders ${tenders}, orderBook ${orderBook}, fund ${fund})`,
        );
      }
    });

    it("a spender the caller's role does not draw on: 403 RELAY_PERMIT_NOT_ALLOWED", async function () {
      const { hospital, supplier } = chain.cast;
      await refused(
        await signedPermit(supplier, orderBook, 1_000n),
        supplier,
        403,
        "RELAY_PERMIT_NOT_ALLOWED",
        "permits for the orderBook contract only for hospital-admin; you have supplier",
      );
      await refused(
        await signedPermit(hospital, tenders, 1_000n),
        hospital,
        403,
        "RELAY_PERMIT_NOT_ALLOWED",
        "permits for the tenders contract only for supplier; you have hospital-admin",
      );
    });

    it("a role without allowances (an approver, a regulator) or no sign-in: 403 FORBIDDEN, 401 UNAUTHORIZED", async function () {
      const { approver, regulator, hospital } = chain.cast;
      // An approver funds orders from its hospital's allowance, but cannot give it.
      await refused(
        await signedPermit(approver, orderBook, 1_000n),
        approver,
        403,
        "FORBIDDEN",
        "this route needs one of the roles supplier, hospital-admin",
      );
      expectError(
        await call("POST", "/v1/relay/permits/prepare", regulator, { spender: orderBook, value: "1" }),
        403,
        "FORBIDDEN",
        "supplier, hospital-admin",
      );
      expectError(await call("GET", "/v1/relay/allowances", regulator), 403, "FORBIDDEN");
      const permit = await signedPermit(hospital, orderBook, 1_000n);
      expectError(await call("POST", "/v1/relay/permits", null, permit), 401, "UNAUTHORIZED");
    });

    it("a permit past its deadline: 400 RELAY_PERMIT_EXPIRED", async function () {
      const { hospital } = chain.cast;
      const deadline = (await chain.now()) - 1;
      await refused(
        await signedPermit(hospital, orderBook, 1_000n, { deadline }),
        hospital,
        400,
        "RELAY_PERMIT_EXPIRED",
        `the permit's deadline ${deadline} has passed`,
      );
    });

    it("a permit signed by another key, or altered after signing: 400 RELAY_PERMIT_SIGNATURE_INVALID", async function () {
      const { hospital, stranger } = chain.cast;
      await refused(
        await signedPermit(hospital, orderBook, 1_000n, { signWith: stranger }),
        hospital,
        400,
        "RELAY_PERMIT_SIGNATURE_INVALID",
        `the permit was signed by ${stranger.address}, not by ${hospital.address}`,
      );
      const signed = await signedPermit(hospital, orderBook, 1_000n);
      await refused(
        { ...signed, value: "1000000000" },
        hospital,
        400,
        "RELAY_PERMIT_SIGNATURE_INVALID",
        `not by ${hospital.address}`,
      );
    });

    it("a nonce that is not the owner's next at the token: 400 RELAY_PERMIT_NONCE_INVALID with the expected one", async function () {
      const { hospital } = chain.cast;
      const next = await chain.ledger.token.nonces(hospital.address);
      const body = await refused(
        await signedPermit(hospital, orderBook, 1_000n, { nonce: next + 1n }),
        hospital,
        400,
        "RELAY_PERMIT_NONCE_INVALID",
        `nonce ${next + 1n} is not the owner's next token nonce ${next}`,
      );
      expect(body.details).to.deep.equal({ expected: next.toString() });
    });

    it("a malformed body: 400 VALIDATION_FAILED naming the field", async function () {
      const { hospital } = chain.cast;
      const permit = await signedPermit(hospital, orderBook, 1_000n);
      const { signature: _signature, ...unsigned } = permit;
      const post = (payload: unknown) => call("POST", "/v1/relay/permits", hospital, payload);
      expect(expectInvalidField(await post(unsigned), "body.signature")).to.equal("is required");
      expect(expectInvalidField(await post({ ...permit, value: "1.5" }), "body.value")).to.match(/pattern/);
      expect(expectInvalidField(await post({ ...permit, deadline: 2 ** 60 }), "body.deadline")).to.match(
        /must be <=/,
      );
      const tooBig = (ethers.MaxUint256 + 1n).toString();
      expect(expectInvalidField(await post({ ...permit, value: tooBig }), "body.value")).to.equal(
        "must be at most 2^256 - 1",
      );
      expect(
        expectInvalidField(
          await call("POST", "/v1/relay/permits/prepare", hospital, { spender: orderBook, value: tooBig }),
          "body.value",
        ),
      ).to.equal("must be at most 2^256 - 1");
    });
  });

  describe("sent by the relayer", function () {
    it("reads the caller's balance and allowances: the hospital account's order book allowance is relayed", async function () {
      const { hospital, supplier } = chain.cast;
      const res = await call("GET", "/v1/relay/allowances", hospital);
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json<Allowances>()).to.deep.equal({
        owner: hospital.address,
        token,
        balance: (await chain.ledger.token.balanceOf(hospital.address)).toString(),
        spenders: [
          { spender: "tenders", address: tenders, allowance: "0", permitRelayed: false },
          // enrolHospital gave the order book an unlimited allowance.
          {
            spender: "orderBook",
            address: orderBook,
            allowance: ethers.MaxUint256.toString(),
            permitRelayed: true,
          },
          { spender: "fund", address: fund, allowance: "0", permitRelayed: false },
        ],
      });
      const forSupplier = (await call("GET", "/v1/relay/allowances", supplier)).json<Allowances>();
      expect(forSupplier.spenders.map((s) => [s.spender, s.permitRelayed])).to.deep.equal([
        ["tenders", true],
        ["orderBook", false],
        ["fund", false],
      ]);
    });

    it("prepares the hospital account's permit, relays its signature: the chain's allowance is the value", async function () {
      const { hospital } = chain.cast;
      const value = 12_345_600n; // ¥123,456.00
      const prepared = await call("POST", "/v1/relay/permits/prepare", hospital, {
        spender: orderBook.toLowerCase(),
        value: value.toString(),
      });
      expect(prepared.statusCode, prepared.body).to.equal(200);
      const { permit, domain } = prepared.json<PreparedPermit>();
      const nonce = await chain.ledger.token.nonces(hospital.address);
      expect(permit).to.deep.equal({
        owner: hospital.address,
        spender: orderBook,
        value: value.toString(),
        nonce: nonce.toString(),
        deadline: (await chain.now()) + 3600,
      });
      expect(domain).to.deep.equal({
        name: "Sunshine Settlement Yuan",
        version: "1",
        chainId: Number(chain.deployment.chainId),
        verifyingContract: token,
      });

      const signature = await hospital.signTypedData(domain, PERMIT_TYPES, permit);
      const ether = await chain.provider.getBalance(hospital.address);
      const sent = await call("POST", "/v1/relay/permits", hospital, { ...permit, signature });
      expect(sent.statusCode, sent.body).to.equal(202);
      const { txHash, ...accepted } = sent.json<{ txHash: string }>();
      expect(accepted).to.deep.equal({
        owner: hospital.address,
        spender: orderBook,
        value: value.toString(),
      });
      const receipt = (await chain.provider.waitForTransaction(txHash))!;
      expect(receipt.status).to.equal(1);
      expect(receipt.from).to.equal(relayer);
      expect(await allowance(hospital.address, orderBook)).to.equal(value);
      expect(await chain.ledger.token.nonces(hospital.address)).to.equal(nonce + 1n);
      // The hospital paid no gas.
      expect(await chain.provider.getBalance(hospital.address)).to.equal(ether);

      const status = await call("GET", `/v1/relay/${txHash}`, hospital);
      expect(status.json()).to.include({ txHash, status: "confirmed" });
      const after = (await call("GET", "/v1/relay/allowances", hospital)).json<Allowances>();
      expect(after.spenders.find((s) => s.spender === "orderBook")!.allowance).to.equal(value.toString());

      // The same signature again: its nonce is spent.
      await refused(
        { ...permit, signature },
        hospital,
        400,
        "RELAY_PERMIT_NONCE_INVALID",
        `nonce ${nonce} is not the owner's next token nonce ${nonce + 1n}`,
      );
    });

    it("a supplier's bond allowance to the tender house, set to what a bid bond needs", async function () {
      const { supplier } = chain.cast;
      const value = 50_000n;
      const res = await call(
        "POST",
        "/v1/relay/permits",
        supplier,
        await signedPermit(supplier, tenders, value),
      );
      expect(res.statusCode, res.body).to.equal(202);
      expect(
        (await chain.provider.waitForTransaction(res.json<{ txHash: string }>().txHash))!.status,
      ).to.equal(1);
      expect(await allowance(supplier.address, tenders)).to.equal(value);
    });

    it("shares the relayer's nonce lane with relayed acts: both sent before a block, both mined in it", async function () {
      const { supplier, hospital } = chain.cast;
      const trace = await chain.ledger.trace.getAddress();
      const setCarrier = chain.ledger.trace.interface.encodeFunctionData("setCarrier", [
        hospital.address,
        true,
      ]);
      const act = await signForward(chain, supplier, trace, setCarrier);
      const permit = await signedPermit(hospital, orderBook, 7_700n);
      await chain.provider.send("evm_setAutomine", [false]);
      let answers: LightMyRequestResponse[];
      try {
        answers = await Promise.all([
          call("POST", "/v1/relay", supplier, act),
          call("POST", "/v1/relay/permits", hospital, permit),
        ]);
        for (const a of answers) expect(a.statusCode, a.body).to.equal(202);
        await chain.provider.send("evm_mine", []);
      } finally {
        await chain.provider.send("evm_setAutomine", [true]);
      }
      const receipts = await Promise.all(
        answers.map((a) => chain.provider.getTransactionReceipt(a.json<{ txHash: string }>().txHash)),
      );
      expect(receipts.map((r) => r!.status)).to.deep.equal([1, 1]);
      expect(receipts[0]!.blockNumber).to.equal(receipts[1]!.blockNumber);
      const nonces = await Promise.all(
        receipts.map(async (r) => (await chain.provider.getTransaction(r!.hash))!.nonce),
      );
      expect(Math.abs(nonces[0] - nonces[1])).to.equal(1);
      expect(await allowance(hospital.address, orderBook)).to.equal(7_700n);
    });
  });

  describe("within the relay's limits", function () {
    it("counts against the same daily quota as relayed acts: 429 RATE_LIMITED", async function () {
      const tight = await buildGateway(engine.db, chain, {
        RELAYER_PRIVATE_KEY: devWallet(16).privateKey,
        RELAY_ACCOUNT_DAILY_REQUESTS: "1",
      });
      try {
        // A hospital account that has made no relay request today.
        const hospital = chain.cast.hospital2;
        await enrolSecondHospital(chain, []);
        const registry = await chain.ledger.registry.getAddress();
        const register = chain.ledger.registry.interface.encodeFunctionData("register", [
          ethers.encodeBytes32String("Q"),
          ethers.encodeBytes32String("REG-Q"),
        ]);
        // A refused act counts: the account's one request of the day.
        const stale = await signForward(chain, hospital, registry, register, { nonce: 99n, gas: 90_000n });
        expectError(await call("POST", "/v1/relay", hospital, stale, tight), 400, "RELAY_NONCE_INVALID");
        expectError(
          await call(
            "POST",
            "/v1/relay/permits",
            hospital,
            await signedPermit(hospital, orderBook, 1n),
            tight,
          ),
          429,
          "RATE_LIMITED",
          "this account has used its 1 relay requests",
        );
      } finally {
        await tight.close();
      }
    });

    it("a gateway without a relayer key: 503 NOT_CONFIGURED", async function () {
      const none = await buildGateway(engine.db, chain, { RELAYER_PRIVATE_KEY: "" });
      try {
        const { hospital } = chain.cast;
        const permit = await signedPermit(hospital, orderBook, 1n);
        for (const [method, url, body] of [
          ["GET", "/v1/relay/allowances", undefined],
          ["POST", "/v1/relay/permits/prepare", { spender: orderBook, value: "1" }],
          ["POST", "/v1/relay/permits", permit],
        ] as const) {
          expectError(
            await call(method, url, hospital, body, none),
            503,
            "NOT_CONFIGURED",
            "RELAYER_PRIVATE_KEY is not set",
          );
        }
      } finally {
        await none.close();
      }
    });
  });
});
