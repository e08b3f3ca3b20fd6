import { expect } from "chai";
import { ethers, type HDNodeWallet } from "ethers";
import type { FastifyInstance } from "fastify";
import { formatSiwe, type SiweFields } from "../../../../ledger/siwe";
import { ConfigError } from "../../../../server/config";
import { purgeExpiredNonces } from "../../../../server/modules/auth/nonces.repository";
import { LOCAL_DEVELOPMENT_CHAIN_ID, SignInOrigins } from "../../../../server/modules/auth/origins";
import { forEachEngine } from "../../helpers/engines";
import type { ChainStack } from "../../support/chain";
import { bearer, expectError, startApi, stopApi, type ApiStack } from "../../support/api-fixtures";

/**
 * Attacks on sign-in (issue 11, items 1 and 12), each reproduced against the behaviour before
 * the fix and refused now: a phishing site's message, a stockpiled message, nonce flooding,
 * tokens and messages with extra characters or sections, and second forms of a signature.
 * The gateway here is configured for https://ledger.example.org and 3 nonces per client.
 */

const ORIGIN = "https://ledger.example.org";
const MAX_NONCES = 3;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("SignInOrigins", function () {
  it("refuses to start without PUBLIC_ORIGINS outside the local development chain", function () {
    expect(() => SignInOrigins.of([], 1))
      .to.throw(ConfigError)
      .with.property("message")
      .that.matches(/PUBLIC_ORIGINS: is required on chain 1/);
    expect(() => SignInOrigins.of([], LOCAL_DEVELOPMENT_CHAIN_ID)).not.to.throw();
  });

  it("takes on the development chain only loopback origins whose authority is the message's domain", function () {
    const local = SignInOrigins.of([], LOCAL_DEVELOPMENT_CHAIN_ID);
    expect(local.refusal("localhost:8080", "http://localhost:8080")).to.equal(null);
    expect(local.refusal("127.0.0.1:80", "http://127.0.0.1")).to.equal(null);
    expect(local.refusal("evil.example", "http://evil.example")).to.match(/loopback origin/);
    expect(local.refusal("localhost:8080", "http://localhost:9090")).to.match(/loopback origin/);
    expect(local.suggestion("evil.example")).to.deep.equal({ domain: "localhost", uri: "http://localhost" });
  });

  it("never suggests the Host header's domain unless it is one of ours", function () {
    const origins = SignInOrigins.of([ORIGIN, "https://ledger2.example.org"], 1);
    expect(origins.suggestion("evil.example")).to.deep.equal({ domain: "ledger.example.org", uri: ORIGIN });
    expect(origins.suggestion("LEDGER2.example.org")).to.deep.equal({
      domain: "ledger2.example.org",
      uri: "https://ledger2.example.org",
    });
    expect(origins.refusal("ledger.example.org", "https://x@ledger.example.org/")).to.match(/signs in at/);
    expect(origins.refusal("ledger.example.org", `${ORIGIN}/sign-in`)).to.equal(null);
  });
});

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db, {
      PUBLIC_ORIGINS: ORIGIN,
      AUTH_MAX_NONCES_PER_CLIENT: String(MAX_NONCES),
    });
    ({ app, chain } = stack);
  });

  after(() => stopApi(stack));

  let clients = 0;
  /** A client address of its own, so the per-client nonce cap of one test never meets another's. */
  const newClient = () => `10.0.0.${++clients}`;

  function nonceFor(client: string, host = "ledger.example.org") {
    return app.inject({ method: "POST", url: "/v1/auth/nonce", remoteAddress: client, headers: { host } });
  }

  /** A message on a fresh nonce for our origin, with any field overridden. */
  async function message(wallet: { address: string }, overrides: Partial<SiweFields> = {}): Promise<string> {
    const res = await nonceFor(newClient());
    expect(res.statusCode, res.body).to.equal(200);
    const n = res.json<{ nonce: string; domain: string; uri: string; chainId: number }>();
    return formatSiwe({
      domain: n.domain,
      address: wallet.address,
      statement: "Sign in to the Sunshine Ledger gateway",
      uri: n.uri,
      chainId: n.chainId,
      nonce: n.nonce,
      issuedAt: new Date(),
      ...overrides,
    });
  }

  function postLogin(payload: { message: string; signature: string }, host = "ledger.example.org") {
    return app.inject({ method: "POST", url: "/v1/auth/login", payload, headers: { host } });
  }

  async function signedIn(wallet: HDNodeWallet, overrides: Partial<SiweFields> = {}) {
    const text = await message(wallet, overrides);
    return { message: text, signature: await wallet.signMessage(text) };
  }

  describe("item 1: sign-in bound to our origin", function () {
    it("names our configured origin in the nonce, whatever Host the request carries", async function () {
      const res = await nonceFor(newClient(), "evil.example");
      expect(res.json()).to.include({ domain: "ledger.example.org", uri: ORIGIN });
    });

    it("refuses a message signed for a phishing domain with 400 SIWE_INVALID, even when the Host header says that domain", async function () {
      // Before the fix the gateway compared the message's domain with the request's Host header,
      // so a phishing site relaying our nonce under its own Host got a token for its victim.
      const wallet = chain.cast.receiver;
      const phished = await signedIn(wallet, { domain: "evil.example", uri: "https://evil.example" });
      expectError(
        await postLogin(phished, "evil.example"),
        400,
        "SIWE_INVALID",
        `the message is for domain evil.example and URI https://evil.example; this gateway signs in at ${ORIGIN}`,
      );
      // Our domain with the phisher's URI, or the reverse, is not ours either.
      for (const [domain, uri] of [
        ["ledger.example.org", "https://evil.example"],
        ["evil.example", ORIGIN],
        ["ledger.example.org", "http://ledger.example.org"],
        ["localhost:80", "http://localhost:80"],
      ]) {
        expectError(await postLogin(await signedIn(wallet, { domain, uri }), domain), 400, "SIWE_INVALID");
      }
      // A message for our origin signs in, whatever the Host header (a proxy may rewrite it).
      const res = await postLogin(await signedIn(wallet), "10.1.2.3:8080");
      expect(res.statusCode, res.body).to.equal(200);
    });

    it("refuses a message issued more than 5 minutes ago with 401 SIWE_EXPIRED", async function () {
      // Before the fix a message with no Expiration Time was good for as long as its nonce.
      const wallet = chain.cast.receiver;
      const old = new Date(Date.now() - 6 * 60_000);
      expectError(
        await postLogin(await signedIn(wallet, { issuedAt: old })),
        401,
        "SIWE_EXPIRED",
        `issued at ${old.toISOString()}, more than 5 minutes ago`,
      );
      const recent = await postLogin(await signedIn(wallet, { issuedAt: new Date(Date.now() - 4 * 60_000) }));
      expect(recent.statusCode, recent.body).to.equal(200);
    });

    it("refuses a message issued in the future beyond a minute's skew with 400 SIWE_INVALID", async function () {
      const wallet = chain.cast.receiver;
      expectError(
        await postLogin(await signedIn(wallet, { issuedAt: new Date(Date.now() + 3 * 60_000) })),
        400,
        "SIWE_INVALID",
        "is in the future",
      );
      const skewed = await postLogin(await signedIn(wallet, { issuedAt: new Date(Date.now() + 20_000) }));
      expect(skewed.statusCode, skewed.body).to.equal(200);
    });

    it(`caps the unused nonces of one client at ${MAX_NONCES} with 429 SIWE_TOO_MANY_NONCES`, async function () {
      // Before the fix each request inserted a row, without limit: one client could fill the table.
      const flooder = newClient();
      const issued: string[] = [];
      for (let i = 0; i < MAX_NONCES; i++) {
        const res = await nonceFor(flooder);
        expect(res.statusCode, res.body).to.equal(200);
        issued.push(res.json<{ nonce: string }>().nonce);
      }
      for (let i = 0; i < 3; i++) {
        expectError(await nonceFor(flooder), 429, "SIWE_TOO_MANY_NONCES", `holds ${MAX_NONCES} unused`);
      }
      const concurrent = await Promise.all([nonceFor(flooder), nonceFor(flooder)]);
      expect(concurrent.map((r) => r.statusCode)).to.deep.equal([429, 429]);
      // Another client is unaffected.
      expect((await nonceFor(newClient())).statusCode).to.equal(200);
      const { rows } = await engine.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM auth_nonces WHERE client = $1`,
        [flooder],
      );
      expect(rows[0].n).to.equal(MAX_NONCES);

      // Using a nonce frees its place.
      const wallet = chain.cast.receiver;
      const text = formatSiwe({
        domain: "ledger.example.org",
        address: wallet.address,
        uri: ORIGIN,
        chainId: chain.deployment.chainId,
        nonce: issued[0],
        issuedAt: new Date(),
      });
      const login = await postLogin({ message: text, signature: await wallet.signMessage(text) });
      expect(login.statusCode, login.body).to.equal(200);
      expect((await nonceFor(flooder)).statusCode).to.equal(200);
    });

    it("caps concurrent requests of one client too", async function () {
      const flooder = newClient();
      const answers = await Promise.all(Array.from({ length: MAX_NONCES + 4 }, () => nonceFor(flooder)));
      expect(answers.filter((r) => r.statusCode === 200)).to.have.length(MAX_NONCES);
      expect(answers.filter((r) => r.statusCode === 429)).to.have.length(4);
    });

    it("purges expired nonces by the expiry index, keeping the live ones", async function () {
      const now = new Date();
      const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
      await engine.db.query(
        `INSERT INTO auth_nonces (nonce, expires_at, client) VALUES
           ('purge-expired-1', $1, 'p'), ('purge-expired-2', $2, 'p'), ('purge-live', $3, 'p')`,
        [at(-60), at(-1), at(5)],
      );
      expect(await purgeExpiredNonces(engine.db, now)).to.be.at.least(2);
      const { rows } = await engine.db.query<{ nonce: string }>(
        `SELECT nonce FROM auth_nonces WHERE client = 'p' ORDER BY nonce`,
      );
      expect(rows.map((r) => r.nonce)).to.deep.equal(["purge-live"]);
      const indexes = await engine.db.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE tablename = 'auth_nonces'`,
      );
      expect(indexes.rows.map((r) => r.indexdef).join("\n")).to.match(/\(expires_at\)/);
    });
  });

  describe("item 12: strict formats", function () {
    it("refuses a bearer token followed by extra characters with 401 UNAUTHORIZED", async function () {
      const pass = await postLogin(await signedIn(chain.cast.regulator));
      expect(pass.statusCode, pass.body).to.equal(200);
      const token = pass.json<{ token: string }>().token;
      const orders = (authorization: string) =>
        app.inject({ method: "GET", url: "/v1/orders", headers: { authorization } });
      expect((await orders(`Bearer ${token}`)).statusCode).to.equal(200);
      // The last character of an HS256 signature carries two unused bits: flipping one spells
      // the same bytes differently. Before the fix jose took "=", a tab and that respelling.
      const last = token.at(-1)!;
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const respelled = token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
      for (const header of [
        `Bearer ${token}=`,
        `Bearer ${token}==`,
        `Bearer ${token}\t`,
        `Bearer ${token} extra`,
        `Bearer ${token}.`,
        `Bearer ${token}A`,
        `Bearer  ${token}`,
        `Bearer ${respelled}`,
      ]) {
        expectError(await orders(header), 401, "UNAUTHORIZED", "invalid or has expired");
      }
    });

    it("refuses a message with an unknown section, a trailing line or CRLF line ends with 400 SIWE_INVALID", async function () {
      // (An empty "Resources:" section is grammatical in EIP-4361, and taken.)
      const wallet = chain.cast.receiver;
      const text = await message(wallet);
      const variants = [
        text.replace("\nIssued At:", "\nRole: regulator\nIssued At:"),
        text.replace("\nURI:", "\nX-Section: anything\nURI:"),
        `${text}\n`,
        text.replace(/\n/g, "\r\n"),
      ];
      for (const variant of variants) {
        expectError(
          await postLogin({ message: variant, signature: await wallet.signMessage(variant) }),
          400,
          "SIWE_INVALID",
          "malformed SIWE message",
        );
      }
      // The message as laid out signs in: its nonce was not burnt by the refusals.
      const res = await postLogin({ message: text, signature: await wallet.signMessage(text) });
      expect(res.statusCode, res.body).to.equal(200);
    });

    it("refuses a signature with v of 0, 1 or 0xff, or a high s, with 401 SIWE_SIGNATURE_INVALID", async function () {
      const wallet = chain.cast.receiver;
      const text = await message(wallet);
      const good = await wallet.signMessage(text);
      const sig = ethers.Signature.from(good);
      const withV = (v: number) => ethers.concat([sig.r, sig.s, ethers.toBeHex(v, 1)]);
      const highS = ethers.concat([
        sig.r,
        ethers.toBeHex(SECP256K1_N - BigInt(sig.s), 32),
        ethers.toBeHex(sig.v === 27 ? 28 : 27, 1),
      ]);
      // Before the fix ethers recovered the signer from v of 0, 1 and 0xff alike.
      for (const [bad, why] of [
        [withV(sig.v - 27), `its v is ${sig.v - 27}`],
        [withV(0xff), "its v is 255"],
        [highS, "its s is in the upper half of the curve order (EIP-2)"],
      ]) {
        expectError(
          await postLogin({ message: text, signature: bad }),
          401,
          "SIWE_SIGNATURE_INVALID",
          `not a key's canonical signature (${why}`,
        );
      }
      const res = await postLogin({ message: text, signature: good });
      expect(res.statusCode, res.body).to.equal(200);
      // The token it gave works.
      const token = res.json<{ token: string }>().token;
      expect(
        (await app.inject({ method: "GET", url: "/v1/orders", headers: bearer(token) })).statusCode,
      ).to.equal(200);
    });
  });
});
