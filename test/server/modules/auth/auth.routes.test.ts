import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import { decodeProtectedHeader } from "jose";
import { formatSiwe } from "../../../../ledger/siwe";
import { keyId, tokenAudience, TokenKeys, type Principal } from "../../../../server/modules/auth/tokens";
import * as act from "../../../../ledger/acts";
import { forEachEngine } from "../../helpers/engines";
import type { ChainStack } from "../../support/chain";
import { buildGateway, login } from "../../support/gateway";
import {
  bearer,
  expectError,
  expectInvalidField,
  extraWallet,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * POST /v1/auth/nonce and /v1/auth/login (Sign-In with Ethereum) and the bearer tokens (JWTs)
 * every other route checks: roles come from the chain, nonces are single-use, contract accounts
 * sign in by EIP-1271, keys rotate without logging anyone out, and every way a message or token
 * can be wrong has its own status and code.
 */

/**
 * Runtime code of a contract account that approved exactly one message, as a multisig does once
 * its owners agree: isValidSignature(hash, signature) answers the EIP-1271 magic value 0x1626ba7e
 * when `hash` is `approved`, whatever the signature, and zero otherwise.
 */
function approvingAccountCode(approved: string): string {
  return ethers.concat([
    ...["0x7f", approved], // PUSH32 approved
    "0x600435", // PUSH1 4, CALLDATALOAD: the hash argument
    "0x14", // EQ
    "0x631626ba7e02", // PUSH4 magic, MUL: the magic value or 0
    "0x60e01b", // PUSH1 224, SHL: a bytes4 is left-aligned in its word
    "0x600052", // PUSH1 0, MSTORE
    "0x60206000f3", // RETURN the 32-byte word
  ]);
}
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
    uri: string;
    chainId: number;
  }

  async function issueNonce(): Promise<Nonce> {
    const res = await app.inject({ method: "POST", url: "/v1/auth/nonce" });
    expect(res.statusCode).to.equal(200);
    return res.json<Nonce>();
  }

  /** A SIWE message for `wallet` (or any account) on a fresh nonce, with any field overridden. */
  async function message(
    wallet: { address: string },
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
    it("issues a fresh nonce for this (loopback, development) host and the ledger's chain, valid for ten minutes", async function () {
      const before = Date.now();
      const a = await issueNonce();
      const b = await issueNonce();
      expect(a.nonce).to.match(/^[0-9a-f]{24}$/);
      expect(b.nonce).to.not.equal(a.nonce);
      expect(a.domain).to.equal("localhost:80");
      expect(a.uri).to.equal("http://localhost:80");
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
        expect(body.token).to.match(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
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
        "for domain evil.example and URI http://localhost:80; this gateway signs in at a loopback origin (local development)",
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
        "line 2: invalid EIP-55 address",
      );
      const unknownField = `${await message(wallet)}\nRole: regulator`;
      const refusal = expectError(
        await postLogin({ message: unknownField, signature: await wallet.signMessage(unknownField) }),
        400,
        "SIWE_INVALID",
        "malformed SIWE message: ",
      );
      // The parser's internal state stays out of the answer.
      expect(refusal.message).to.not.include("{");
      expectError(
        await postLogin({ message: "hello", signature: await wallet.signMessage("hello") }),
        400,
        "SIWE_INVALID",
        "malformed SIWE message",
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
        "not a key's canonical signature (its v is 0, not 27 or 28)",
      );
    });

    it("signs in a contract account (a hospital's multisig) whose EIP-1271 check accepts the signature", async function () {
      const account = ethers.Wallet.createRandom().address;
      const text = await message({ address: account });
      await chain.provider.send("anvil_setCode", [account, approvingAccountCode(ethers.hashMessage(text))]);
      // Two owners' signatures, as a 2-of-n multisig sends them: the account judges them, the
      // gateway asks it through its provider.
      const { approver, approver2 } = chain.cast;
      const signature = ethers.concat([await approver.signMessage(text), await approver2.signMessage(text)]);
      const res = await postLogin({ message: text, signature });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.deep.include({ address: account.toLowerCase(), roles: [], hospital: null });

      // One owner's signature, a valid key signature but not the account's key: the package's
      // verify falls back to asking the account too.
      const single = await message({ address: account });
      await chain.provider.send("anvil_setCode", [account, approvingAccountCode(ethers.hashMessage(single))]);
      const res2 = await postLogin({ message: single, signature: await approver.signMessage(single) });
      expect(res2.statusCode, res2.body).to.equal(200);

      // A message the account never approved.
      const other = await message({ address: account });
      expectError(
        await postLogin({ message: other, signature }),
        401,
        "SIWE_SIGNATURE_INVALID",
        `nor one it accepts as a contract account (EIP-1271)`,
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

    it("issues a JWT naming its key, issuer, audience, subject, issue and expiry times", async function () {
      const before = Math.floor(Date.now() / 1000);
      const token = await login(app, chain.cast.receiver);
      expect(decodeProtectedHeader(token)).to.deep.equal({
        alg: "HS256",
        typ: "JWT",
        kid: keyId(app.config.auth.secret),
      });
      const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
      expect(claims).to.deep.include({
        sub: chain.cast.receiver.address.toLowerCase(),
        roles: ["hospital-receiver"],
        hospital: chain.cast.hospital.address.toLowerCase(),
        iss: "sunshine-ledger-gateway",
        aud: tokenAudience(chain.deployment.chainId, chain.deployment.deploymentId),
      });
      expect(claims.iat).to.be.within(before, before + 30);
      expect(claims.exp - claims.iat).to.equal(3600);
    });

    /** The receiver's principal, valid for an hour unless overridden. */
    const receiverPrincipal = (overrides: Partial<Principal> = {}): Principal => ({
      address: chain.cast.receiver.address.toLowerCase(),
      roles: ["hospital-receiver"],
      hospital: chain.cast.hospital.address.toLowerCase(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      ...overrides,
    });
    const audience = () => tokenAudience(chain.deployment.chainId, chain.deployment.deploymentId);
    const refusedToken = async (token: string) =>
      expectError(
        await app.inject({ method: "GET", url: "/v1/orders", headers: bearer(token) }),
        401,
        "UNAUTHORIZED",
        "invalid or has expired",
      );

    it("answers 401 UNAUTHORIZED for a forged, tampered or expired token", async function () {
      const secret = app.config.auth.secret;
      const token = await login(app, chain.cast.receiver);
      const [header, body, mac] = token.split(".");
      const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      const tampered = [
        header,
        Buffer.from(JSON.stringify({ ...claims, roles: ["regulator"] })).toString("base64url"),
        mac,
      ].join(".");
      const unsigned = [
        Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url"),
        body,
        "",
      ].join(".");
      const expired = await new TokenKeys(secret, [], audience()).issue(
        receiverPrincipal({ expiresAt: Math.floor(Date.now() / 1000) - 1 }),
      );
      const otherKey = await new TokenKeys("another-secret-".padEnd(40, "y"), [], audience()).issue(
        receiverPrincipal(),
      );
      for (const bad of ["not-a-token", tampered, unsigned, expired, otherKey]) await refusedToken(bad);
    });

    it("answers 401 UNAUTHORIZED for a token for another ledger deployment (wrong audience)", async function () {
      const otherDeployment = tokenAudience(chain.deployment.chainId, ethers.id("another deployment"));
      await refusedToken(
        await new TokenKeys(app.config.auth.secret, [], otherDeployment).issue(receiverPrincipal()),
      );
      // The same key and claims for this deployment pass.
      const good = await new TokenKeys(app.config.auth.secret, [], audience()).issue(receiverPrincipal());
      const res = await app.inject({ method: "GET", url: "/v1/orders", headers: bearer(good) });
      expect(res.statusCode, res.body).to.equal(200);
    });

    it("accepts a token of the previous key after a rotation, and refuses it once that key is removed", async function () {
      const oldKey = app.config.auth.secret;
      const newKey = "rotated-secret-".padEnd(40, "z");
      const oldToken = await login(app, chain.cast.regulator);
      // The same ledger and database: replicas after the rotation, then after the clean-up.
      const rotated = await buildGateway(engine.db, chain, {
        AUTH_SECRET: newKey,
        AUTH_PREVIOUS_SECRETS: oldKey,
      });
      const cleanedUp = await buildGateway(engine.db, chain, { AUTH_SECRET: newKey });
      try {
        const orders = (gateway: FastifyInstance, token: string) =>
          gateway.inject({ method: "GET", url: "/v1/orders", headers: bearer(token) });
        expect((await orders(rotated, oldToken)).statusCode).to.equal(200);
        const newToken = await login(rotated, chain.cast.regulator);
        expect(decodeProtectedHeader(newToken).kid).to.equal(keyId(newKey));
        expect((await orders(cleanedUp, newToken)).statusCode).to.equal(200);
        expectError(await orders(cleanedUp, oldToken), 401, "UNAUTHORIZED", "invalid or has expired");
      } finally {
        await rotated.close();
        await cleanedUp.close();
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
