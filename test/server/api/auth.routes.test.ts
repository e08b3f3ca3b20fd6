import { expect } from "chai";
import type { HDNodeWallet } from "ethers";
import type { FastifyInstance } from "fastify";
import { formatSiwe } from "../../../ledger/siwe";
import { issueToken } from "../../../server/modules/auth/tokens";
import * as act from "../../../ledger/acts";
import { forEachEngine } from "../helpers/engines";
import type { ChainStack } from "../support/chain";
import { login } from "../support/gateway";
import {
  bearer,
  expectError,
  expectInvalidField,
  extraWallet,
  startApi,
  stopApi,
  type ApiStack,
} from "../support/api-fixtures";

/**
 * POST /v1/auth/nonce and /v1/auth/login (Sign-In with Ethereum) and the bearer tokens every
 * other route checks: roles come from the chain, nonces are single-use, and every way a
 * message or token can be wrong has its own status and code.
 */
forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain } = stack);
  });

  after(() => stopApi(stack));

  interface Nonce {
    nonce: string;
    expiresAt: string;
    domain: string;
    chainId: number;
  }

  async function issueNonce(): Promise<Nonce> {
    const res = await app.inject({ method: "POST", url: "/v1/auth/nonce" });
    expect(res.statusCode).to.equal(200);
    return res.json<Nonce>();
  }

  /** A SIWE message for `wallet` on a fresh nonce, with any field overridden. */
  async function message(
    wallet: HDNodeWallet,
    overrides: Partial<Parameters<typeof formatSiwe>[0]> = {},
  ): Promise<string> {
    const n = await issueNonce();
    return formatSiwe({
      domain: n.domain,
      address: wallet.address,
      statement: "Sign in to the Sunshine Ledger gateway",
      uri: `http://${n.domain}`,
      chainId: n.chainId,
      nonce: n.nonce,
      issuedAt: new Date(),
      ...overrides,
    });
  }

  function postLogin(payload: unknown) {
    return app.inject({ method: "POST", url: "/v1/auth/login", payload: payload as object });
  }

  describe("POST /v1/auth/nonce", function () {
    it("issues a fresh nonce for this host and the ledger's chain, valid for ten minutes", async function () {
      const before = Date.now();
      const a = await issueNonce();
      const b = await issueNonce();
      expect(a.nonce).to.match(/^[0-9a-f]{24}$/);
      expect(b.nonce).to.not.equal(a.nonce);
      expect(a.domain).to.equal("localhost:80");
      expect(a.chainId).to.equal(chain.deployment.chainId);
      const ttl = new Date(a.expiresAt).getTime() - before;
      // Measured from before the request, so a slow machine only adds to it.
      expect(ttl).to.be.within(10 * 60_000 - 1_000, 10 * 60_000 + 30_000);
    });
  });

  describe("POST /v1/auth/login", function () {
    const expected: [keyof ChainStack["cast"], string[], "hospital" | null][] = [
      ["regulator", ["regulator"], null],
      ["supplier", ["supplier"], null],
      ["approver", ["hospital-approver"], "hospital"],
      ["settler", ["hospital-settler"], "hospital"],
      ["receiver", ["hospital-receiver"], "hospital"],
      ["hospital", ["hospital-admin"], "hospital"],
      ["stranger", [], null],
    ];
    for (const [who, roles, hospital] of expected) {
      it(`gives the ${who} a token with the roles the chain says: [${roles.join(", ")}]`, async function () {
        const wallet = chain.cast[who];
        const text = await message(wallet);
        const before = Math.floor(Date.now() / 1000);
        const res = await postLogin({ message: text, signature: await wallet.signMessage(text) });
        expect(res.statusCode, res.body).to.equal(200);
        const body = res.json<{
          token: string;
          address: string;
          roles: string[];
          hospital: string | null;
          expiresAt: string;
        }>();
        expect(body.address).to.equal(wallet.address.toLowerCase());
        expect(body.roles).to.deep.equal(roles);
        expect(body.hospital).to.equal(hospital ? chain.cast.hospital.address.toLowerCase() : null);
        const expiresIn = new Date(body.expiresAt).getTime() / 1000 - before;
        expect(expiresIn).to.be.within(3599, 3630);
        expect(body.token).to.match(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      });
    }

    it("gives an invited account no hospital role until it accepts, and none after it leaves", async function () {
      const { ledger, cast } = chain;
      const nurse = extraWallet(chain, 13);
      const signIn = async () => {
        const text = await message(nurse);
        const res = await postLogin({ message: text, signature: await nurse.signMessage(text) });
        expect(res.statusCode, res.body).to.equal(200);
        return res.json<{ roles: string[]; hospital: string | null }>();
      };
      const receiver = act.HOSPITAL_ROLES.receiver;
      await act.sent(ledger.hospitals.connect(cast.hospital).setMemberRoles(nurse.address, receiver));
      expect(await ledger.hospitals.invitation(cast.hospital.address, nurse.address)).to.equal(
        BigInt(receiver),
      );
      // The hospital's invitation alone grants nothing: the account has not agreed to join.
      expect(await signIn()).to.deep.include({ roles: [], hospital: null });

      await act.sent(ledger.hospitals.connect(nurse).acceptMembership(cast.hospital.address));
      expect(await signIn()).to.deep.include({
        roles: ["hospital-receiver"],
        hospital: cast.hospital.address.toLowerCase(),
      });

      await act.sent(ledger.hospitals.connect(nurse).leaveHospital());
      expect(await signIn()).to.deep.include({ roles: [], hospital: null });
    });

    it("accepts a nonce once: the same signed message again is 401 SIWE_NONCE_UNKNOWN", async function () {
      const wallet = chain.cast.receiver;
      const text = await message(wallet);
      const payload = { message: text, signature: await wallet.signMessage(text) };
      expect((await postLogin(payload)).statusCode).to.equal(200);
      expectError(await postLogin(payload), 401, "SIWE_NONCE_UNKNOWN", "was used");
    });

    it("refuses a nonce this gateway never issued with 401 SIWE_NONCE_UNKNOWN", async function () {
      const wallet = chain.cast.receiver;
      const text = await message(wallet, { nonce: "deadbeefdeadbeefdeadbeef" });
      expectError(
        await postLogin({ message: text, signature: await wallet.signMessage(text) }),
        401,
        "SIWE_NONCE_UNKNOWN",
        "not issued by this gateway",
      );
    });

    it("refuses a message for another domain with 400 SIWE_INVALID", async function () {
      const wallet = chain.cast.receiver;
      const text = await message(wallet, { domain: "evil.example" });
      expectError(
        await postLogin({ message: text, signature: await wallet.signMessage(text) }),
        400,
        "SIWE_INVALID",
        "for domain evil.example, this gateway is localhost:80",
      );
    });

    it("refuses a message for another chain with 400 SIWE_INVALID", async function () {
      const wallet = chain.cast.receiver;
      const text = await message(wallet, { chainId: 1 });
      expectError(
        await postLogin({ message: text, signature: await wallet.signMessage(text) }),
        400,
        "SIWE_INVALID",
        `for chain 1, the ledger is on chain ${chain.deployment.chainId}`,
      );
    });

    it("refuses a message that is not valid yet with 400 SIWE_INVALID", async function () {
      const wallet = chain.cast.receiver;
      const text = await message(wallet, { notBefore: new Date(Date.now() + 3_600_000) });
      expectError(
        await postLogin({ message: text, signature: await wallet.signMessage(text) }),
        400,
        "SIWE_INVALID",
        "not valid yet",
      );
    });

    it("refuses a malformed message with 400 SIWE_INVALID naming the problem", async function () {
      const wallet = chain.cast.receiver;
      const text = (await message(wallet)).replace(wallet.address, wallet.address.toLowerCase());
      expectError(
        await postLogin({ message: text, signature: await wallet.signMessage(text) }),
        400,
        "SIWE_INVALID",
        "EIP-55 checksummed",
      );
      expectError(
        await postLogin({ message: "hello", signature: await wallet.signMessage("hello") }),
        400,
        "SIWE_INVALID",
        "line 1 must be",
      );
    });

    it("refuses an expired message with 401 SIWE_EXPIRED", async function () {
      const wallet = chain.cast.receiver;
      const text = await message(wallet, {
        issuedAt: new Date(Date.now() - 7_200_000),
        expirationTime: new Date(Date.now() - 60_000),
      });
      expectError(
        await postLogin({ message: text, signature: await wallet.signMessage(text) }),
        401,
        "SIWE_EXPIRED",
        "expired",
      );
    });

    it("refuses a message signed by another key with 401 SIWE_SIGNATURE_INVALID, without burning the nonce", async function () {
      const wallet = chain.cast.receiver;
      const text = await message(wallet);
      const forged = await chain.cast.stranger.signMessage(text);
      expectError(
        await postLogin({ message: text, signature: forged }),
        401,
        "SIWE_SIGNATURE_INVALID",
        `signed by ${chain.cast.stranger.address}, not ${wallet.address}`,
      );
      // The nonce is still good for its owner.
      const res = await postLogin({ message: text, signature: await wallet.signMessage(text) });
      expect(res.statusCode, res.body).to.equal(200);
    });

    it("refuses a signature that is no signature with 401 SIWE_SIGNATURE_INVALID", async function () {
      const text = await message(chain.cast.receiver);
      expectError(
        await postLogin({ message: text, signature: `0x${"00".repeat(65)}` }),
        401,
        "SIWE_SIGNATURE_INVALID",
        "not a valid Ethereum signature",
      );
    });

    it("answers 400 VALIDATION_FAILED naming a missing, mistyped or unknown field", async function () {
      const text = await message(chain.cast.receiver);
      const signature = await chain.cast.receiver.signMessage(text);
      expect(expectInvalidField(await postLogin({ message: text }), "body.signature")).to.equal(
        "is required",
      );
      expect(expectInvalidField(await postLogin({ message: {}, signature }), "body.message")).to.equal(
        "must be string",
      );
      expect(
        expectInvalidField(await postLogin({ message: text, signature, role: "regulator" }), "body.role"),
      ).to.equal("is not allowed");
      expect(
        expectInvalidField(await postLogin({ message: text, signature: "0x12" }), "body.signature"),
      ).to.match(/pattern/);
    });

    it("answers 400 INVALID_JSON for a body that is not JSON", async function () {
      const res = await app.inject({
        method: "POST",
        url: "/v1/auth/login",
        headers: { "content-type": "application/json" },
        payload: '{"message": ',
      });
      expectError(res, 400, "INVALID_JSON");
    });
  });

  describe("bearer tokens", function () {
    it("lets a valid token through", async function () {
      const token = await login(app, chain.cast.regulator);
      const res = await app.inject({ method: "GET", url: "/v1/orders", headers: bearer(token) });
      expect(res.statusCode, res.body).to.equal(200);
    });

    it("answers 401 UNAUTHORIZED without a token, or with another scheme", async function () {
      expectError(
        await app.inject({ method: "GET", url: "/v1/orders" }),
        401,
        "UNAUTHORIZED",
        "Authorization: Bearer",
      );
      expectError(
        await app.inject({
          method: "GET",
          url: "/v1/orders",
          headers: { authorization: "Basic dXNlcjpwdw==" },
        }),
        401,
        "UNAUTHORIZED",
        "Authorization: Bearer",
      );
    });

    it("answers 401 UNAUTHORIZED for a forged, tampered or expired token", async function () {
      const token = await login(app, chain.cast.receiver);
      const [body, mac] = token.split(".");
      const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      const tampered = `${Buffer.from(JSON.stringify({ ...claims, roles: ["regulator"] })).toString("base64url")}.${mac}`;
      const secret = app.config.auth.secret;
      const expired = issueToken({ ...claims, expiresAt: Math.floor(Date.now() / 1000) - 1 }, secret);
      const otherKey = issueToken(claims, "another-secret-".padEnd(40, "y"));
      for (const bad of ["not-a-token", tampered, expired, otherKey]) {
        expectError(
          await app.inject({ method: "GET", url: "/v1/orders", headers: bearer(bad) }),
          401,
          "UNAUTHORIZED",
          "invalid or has expired",
        );
      }
    });

    it("answers 403 FORBIDDEN to an account without the route's role", async function () {
      const stranger = await login(app, chain.cast.stranger);
      expectError(
        await app.inject({ method: "GET", url: "/v1/exceptions", headers: bearer(stranger) }),
        403,
        "FORBIDDEN",
        "has none",
      );
    });
  });
});
