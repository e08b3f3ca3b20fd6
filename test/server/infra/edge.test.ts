import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { buildTestApp } from "../helpers/app";
import { forEachEngine } from "../helpers/engines";

/**
 * The edge (issue 11, items 7, 8 and 10): security headers, CORS for configured origins only,
 * body limits per route, rate limits with the catalogue's 429, /ready details for operators
 * only, and no URL (with its provider key) in a log line or a response.
 */

const RPC_KEY = "k3y-0f-the-rpc-provider-1234567890";
const RPC_URL = `https://mainnet.example-rpc.io/v3/${RPC_KEY}`;
const OPS_TOKEN = "ops-token-".padEnd(40, "x");
const STRANGER = "203.0.113.7";

/** Lines the app logged, and the app; `env` on top of the test configuration. */
function edgeApp(db: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}) {
  const lines: string[] = [];
  const app = buildTestApp(db, {
    env: { LOG_LEVEL: "info", ...env },
    logStream: { write: (l) => lines.push(l) },
  });
  app.register(async (m) => {
    m.post("/v1/auth/probe", async () => ({ ok: true }));
    m.post("/v1/probe", async () => ({ ok: true }));
    m.get("/v1/upstream-failure", async () => {
      throw new Error(`request to ${RPC_URL} failed: connect ECONNREFUSED`);
    });
    m.readiness.register("chain", async () => ({ ok: false, error: `could not reach ${RPC_URL}` }));
  });
  return { app, lines };
}

forEachEngine((engine) => {
  describe("headers, CORS and body limits", function () {
    let app: FastifyInstance;
    before(async () => {
      app = edgeApp(engine.db, { CORS_ORIGINS: "https://ledger.example.org" }).app;
      await app.ready();
    });
    after(() => app.close());

    it("sends helmet's security headers on every response", async function () {
      const res = await app.inject({ method: "GET", url: "/health" });
      expect(res.headers["x-content-type-options"]).to.equal("nosniff");
      expect(res.headers["content-security-policy"]).to.include("default-src 'self'");
      expect(res.headers["strict-transport-security"]).to.match(/max-age=/);
      expect(res.headers["x-frame-options"]).to.equal("SAMEORIGIN");
    });

    it("answers CORS for a configured origin, and not for another (a phishing page)", async function () {
      const preflight = (origin: string) =>
        app.inject({
          method: "OPTIONS",
          url: "/v1/probe",
          headers: { origin, "access-control-request-method": "POST" },
        });
      const ours = await preflight("https://ledger.example.org");
      expect(ours.headers["access-control-allow-origin"]).to.equal("https://ledger.example.org");
      const evil = await preflight("https://ledger-example.org.evil.test");
      expect(evil.headers["access-control-allow-origin"]).to.equal(undefined);
    });

    it("refuses a sign-in body over 4 KiB with 413 PAYLOAD_TOO_LARGE, while other routes take more", async function () {
      const payload = JSON.stringify({ message: "x".repeat(5000) });
      const headers = { "content-type": "application/json" };
      const signIn = await app.inject({ method: "POST", url: "/v1/auth/probe", headers, payload });
      expect(signIn.statusCode, signIn.body).to.equal(413);
      expect(signIn.json().error).to.equal("PAYLOAD_TOO_LARGE");
      const other = await app.inject({ method: "POST", url: "/v1/probe", headers, payload });
      expect(other.statusCode, other.body).to.equal(200);
    });

    it("answers headers too large with 431 HEADERS_TOO_LARGE and the catalogue's body", async function () {
      await app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = app.server.address() as AddressInfo;
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { port, path: "/health", headers: { "x-big": "y".repeat(20_000) } },
          (res) => {
            let text = "";
            res.on("data", (chunk) => (text += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on("error", reject);
        req.end();
      });
      expect(status).to.equal(431);
      expect(JSON.parse(body)).to.deep.equal({
        error: "HEADERS_TOO_LARGE",
        message: "the request's headers are too large",
      });
    });
  });

  describe("rate limits", function () {
    let app: FastifyInstance;
    before(async () => {
      app = edgeApp(engine.db, { RATE_LIMIT_PER_MINUTE: "5", RATE_LIMIT_SIGN_IN_PER_MINUTE: "2" }).app;
      await app.ready();
    });
    after(() => app.close());

    it("answers the third sign-in of a minute from one address with 429 RATE_LIMITED", async function () {
      const signIn = () =>
        app.inject({ method: "POST", url: "/v1/auth/probe", remoteAddress: STRANGER, payload: {} });
      expect((await signIn()).statusCode).to.equal(200);
      expect((await signIn()).statusCode).to.equal(200);
      const refused = await signIn();
      expect(refused.statusCode, refused.body).to.equal(429);
      expect(refused.json().error).to.equal("RATE_LIMITED");
      expect(refused.json().message).to.match(/^too many requests: at most 2 a minute/);
      expect(refused.headers["retry-after"]).to.match(/^\d+$/);
      // Another address has its own allowance.
      const other = await app.inject({
        method: "POST",
        url: "/v1/auth/probe",
        remoteAddress: "198.51.100.9",
        payload: {},
      });
      expect(other.statusCode).to.equal(200);
    });

    it("counts a malformed request too, so a flood of bad bodies is limited like any other", async function () {
      const bad = () =>
        app.inject({
          method: "POST",
          url: "/v1/auth/probe",
          remoteAddress: "192.0.2.99",
          headers: { "content-type": "application/json" },
          payload: JSON.stringify({ nul: "a\u0000b" }),
        });
      expect([(await bad()).statusCode, (await bad()).statusCode, (await bad()).statusCode]).to.deep.equal([
        400, 400, 429,
      ]);
    });

    it("limits every other route per caller too", async function () {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push(
          (await app.inject({ method: "GET", url: "/health", remoteAddress: "192.0.2.44" })).statusCode,
        );
      }
      expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 429]);
    });
  });

  describe("behind a reverse proxy", function () {
    const PROXY = "10.0.0.5";
    const signIn = (app: FastifyInstance, remoteAddress: string, forwardedFor?: string) =>
      app
        .inject({
          method: "POST",
          url: "/v1/auth/probe",
          remoteAddress,
          headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
          payload: {},
        })
        .then((r) => r.statusCode);

    it("without TRUST_PROXY, counts the proxy's address: one client behind it uses up everyone's", async function () {
      const { app } = edgeApp(engine.db, { RATE_LIMIT_SIGN_IN_PER_MINUTE: "2" });
      await app.ready();
      try {
        expect([
          await signIn(app, PROXY, "198.51.100.1"),
          await signIn(app, PROXY, "198.51.100.1"),
        ]).to.deep.equal([200, 200]);
        // The attack the setting closes: another hospital's user behind the same proxy is refused.
        expect(await signIn(app, PROXY, "198.51.100.2")).to.equal(429);
      } finally {
        await app.close();
      }
    });

    it("with TRUST_PROXY, counts each client behind the proxy, and believes no one else's X-Forwarded-For", async function () {
      const { app } = edgeApp(engine.db, { RATE_LIMIT_SIGN_IN_PER_MINUTE: "2", TRUST_PROXY: `${PROXY}/32` });
      await app.ready();
      try {
        await signIn(app, PROXY, "198.51.100.1");
        await signIn(app, PROXY, "198.51.100.1");
        expect(await signIn(app, PROXY, "198.51.100.1")).to.equal(429);
        expect(await signIn(app, PROXY, "198.51.100.2")).to.equal(200);
        // A client connecting directly cannot buy a fresh allowance by naming another address.
        await signIn(app, STRANGER, "192.0.2.1");
        await signIn(app, STRANGER, "192.0.2.2");
        expect(await signIn(app, STRANGER, "192.0.2.3")).to.equal(429);
      } finally {
        await app.close();
      }
    });

    it("refuses a TRUST_PROXY entry that is no address or range", function () {
      expect(() => edgeApp(engine.db, { TRUST_PROXY: "10.0.0.0/33" })).to.throw(/TRUST_PROXY/);
      expect(() => edgeApp(engine.db, { TRUST_PROXY: "proxy.example.org" })).to.throw(/TRUST_PROXY/);
    });
  });

  describe("access log", function () {
    let app: FastifyInstance;
    let lines: string[];
    before(async () => {
      ({ app, lines } = edgeApp(engine.db));
      await app.ready();
    });
    after(() => app.close());

    it("writes one line a request, when it is answered, with the request, its status and time", async function () {
      const res = await app.inject({ method: "POST", url: "/v1/probe?x=1", payload: {} });
      expect(res.statusCode).to.equal(200);
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const ours = entries.filter((e) => (e.req as { url?: string } | undefined)?.url === "/v1/probe?x=1");
      expect(ours).to.have.length(1);
      const [entry] = ours;
      expect(entry.msg).to.equal("request completed");
      expect(entry.req).to.include({ method: "POST", url: "/v1/probe?x=1" });
      expect(entry.res).to.deep.equal({ statusCode: 200 });
      expect(entry.responseTime).to.be.a("number");
      // No other line of this request: Fastify's "incoming request" line is not written.
      expect(entries.filter((e) => e.reqId === entry.reqId)).to.have.length(1);
    });
  });

  describe("no secrets out", function () {
    let app: FastifyInstance;
    let lines: string[];
    before(async () => {
      ({ app, lines } = edgeApp(engine.db, { RPC_URL }));
      await app.ready();
    });
    after(() => app.close());

    it("answers an upstream failure with a fixed message and logs it without the RPC key", async function () {
      const res = await app.inject({ method: "GET", url: "/v1/upstream-failure" });
      expect(res.statusCode).to.equal(500);
      expect(res.json()).to.deep.equal({ error: "INTERNAL", message: "internal error" });
      const logged = lines.join("");
      expect(logged).to.include("https://mainnet.example-rpc.io/[redacted]");
      expect(logged).not.to.include(RPC_KEY);
    });

    it("never logs a bearer token", async function () {
      await app.inject({
        method: "GET",
        url: "/health",
        headers: { authorization: "Bearer secret-token-123" },
      });
      expect(lines.join("")).not.to.include("secret-token-123");
    });

    it("gives a stranger /ready's status alone, and an operator on this host the checks, redacted", async function () {
      const stranger = await app.inject({ method: "GET", url: "/ready", remoteAddress: STRANGER });
      expect(stranger.statusCode).to.equal(503);
      expect(stranger.json()).to.deep.equal({ status: "not_ready" });
      const local = await app.inject({ method: "GET", url: "/ready" });
      expect(local.json().checks.chain).to.deep.equal({
        ok: false,
        error: "could not reach https://mainnet.example-rpc.io/[redacted]",
      });
      expect(local.body).not.to.include(RPC_KEY);
    });
  });

  describe("/ready with OPS_TOKEN", function () {
    let app: FastifyInstance;
    before(async () => {
      app = edgeApp(engine.db, { OPS_TOKEN }).app;
      await app.ready();
    });
    after(() => app.close());

    it("shows the checks only with the X-Ops-Token, even to this host (a proxy would look local)", async function () {
      const local = await app.inject({ method: "GET", url: "/ready" });
      expect(local.json()).to.deep.equal({ status: "not_ready" });
      const wrong = await app.inject({ method: "GET", url: "/ready", headers: { "x-ops-token": "nope" } });
      expect(wrong.json()).to.deep.equal({ status: "not_ready" });
      const operator = await app.inject({
        method: "GET",
        url: "/ready",
        remoteAddress: STRANGER,
        headers: { "x-ops-token": OPS_TOKEN },
      });
      expect(operator.json().checks).to.include.keys("database", "chain");
    });
  });
});
