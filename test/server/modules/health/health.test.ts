import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { Health, Readiness } from "../../../../api/health";
import { ReadinessRegistry } from "../../../../server/plugins/readiness";
import { buildTestApp } from "../../helpers/app";
import { forEachEngine } from "../../helpers/engines";
import { expectDocumentedFields } from "../../support/documented-fields";

describe("ReadinessRegistry", function () {
  it("fails a check that throws or does not answer in time, and runs the others", async function () {
    const registry = new ReadinessRegistry(20);
    registry.register("database", async () => ({ ok: true }));
    registry.register("indexer", async () => {
      throw new Error("RPC endpoint unreachable");
    });
    registry.register("chain", () => new Promise(() => undefined));
    expect(await registry.run()).to.deep.equal({
      ready: false,
      checks: {
        database: { ok: true },
        indexer: { ok: false, error: "RPC endpoint unreachable" },
        chain: { ok: false, error: "no answer within 20 ms" },
      },
    });
  });

  it("refuses two checks under one name", function () {
    const registry = new ReadinessRegistry(20);
    registry.register("indexer", async () => ({ ok: true }));
    expect(() => registry.register("indexer", async () => ({ ok: true }))).to.throw(
      "readiness check indexer is already registered",
    );
  });
});

describe("operational endpoints", function () {
  forEachEngine((engine) => {
    let app: FastifyInstance;
    let lagBlocks = 3;

    before(async function () {
      app = buildTestApp(engine.db);
      // What the indexer module will do: contribute a readiness check and a metric.
      app.register(async (module) => {
        module.readiness.register("indexer", async () => ({ ok: lagBlocks < 100, lagBlocks }));
        module.metrics.gauge({
          name: "indexer_lag_blocks",
          help: "Blocks behind the head",
          collect: (g) => g.set(lagBlocks),
        });
      });
      await app.ready();
    });

    after(() => app.close());

    it("GET /health answers while the process is up", async function () {
      const res = await app.inject({ method: "GET", url: "/health" });
      expect(res.statusCode).to.equal(200);
      expect(res.json()).to.have.property("status", "ok");
      expect(res.json().uptimeSeconds).to.be.a("number");
    });

    it("GET /ready reports the database and every registered check", async function () {
      const res = await app.inject({ method: "GET", url: "/ready" });
      expect(res.statusCode).to.equal(200);
      const body = res.json();
      expect(body.status).to.equal("ready");
      expect(body.checks.database).to.include({ ok: true, engine: engine.engine });
      expect(body.checks.database.latencyMs).to.be.a("number");
      expect(body.checks.indexer).to.deep.equal({ ok: true, lagBlocks: 3 });
    });

    it("GET /ready answers 503 when a check fails", async function () {
      lagBlocks = 500;
      try {
        const res = await app.inject({ method: "GET", url: "/ready" });
        expect(res.statusCode).to.equal(503);
        expect(res.json().status).to.equal("not_ready");
        expect(res.json().checks.indexer).to.deep.equal({ ok: false, lagBlocks: 500 });
        expect(res.json().checks.database.ok).to.equal(true);
      } finally {
        lagBlocks = 3;
      }
    });

    it("GET /health and GET /ready carry exactly the documented fields", async function () {
      expectDocumentedFields((await app.inject({ method: "GET", url: "/health" })).json(), Health);
      const ready = (await app.inject({ method: "GET", url: "/ready" })).json<Readiness>();
      expectDocumentedFields(ready, Readiness);
      // Every detail a check reports reaches the client: the serialiser drops undocumented ones.
      const fieldsOf = (checks: Record<string, object | undefined>) =>
        Object.fromEntries(
          Object.entries(checks).map(([name, check]) => [name, Object.keys(check ?? {}).sort()]),
        );
      expect(fieldsOf(ready.checks ?? {})).to.deep.equal(fieldsOf((await app.readiness.run()).checks));
    });

    it("GET /metrics serves the registry in Prometheus text format", async function () {
      await app.inject({ method: "GET", url: "/health" });
      await app.inject({ method: "GET", url: "/no/such/route" });
      const res = await app.inject({ method: "GET", url: "/metrics" });
      expect(res.statusCode).to.equal(200);
      expect(res.headers["content-type"]).to.equal("text/plain; version=0.0.4; charset=utf-8");
      expect(res.body).to.match(/^# HELP http_requests_total /);
      expect(res.body).to.match(
        /^http_requests_total\{method="GET",route="\/health",status_code="200"\} \d+$/m,
      );
      expect(res.body).to.match(
        /^http_requests_total\{method="GET",route="unmatched",status_code="404"\} 1$/m,
      );
      expect(res.body).to.match(/^process_resident_memory_bytes \d+$/m);
      expect(res.body).to.match(/^indexer_lag_blocks 3$/m);
    });

    it("GET /openapi.json describes the routes as OpenAPI 3", async function () {
      const res = await app.inject({ method: "GET", url: "/openapi.json" });
      expect(res.statusCode).to.equal(200);
      const spec = res.json();
      expect(spec.openapi).to.match(/^3\./);
      expect(spec.info.title).to.equal("Sunshine Ledger gateway");
      expect(spec.paths).to.include.keys("/health", "/ready", "/metrics");
      expect(spec.paths).not.to.have.any.keys("/openapi.json", "/docs");
      expect(spec.paths["/ready"].get.responses).to.have.keys("200", "503", "414", "429", "431");
      expect(spec.components.schemas.ErrorBody.properties.error.enum).to.include("VALIDATION_FAILED");
    });

    it("GET /docs serves the Swagger UI page", async function () {
      const res = await app.inject({ method: "GET", url: "/docs" });
      expect(res.statusCode).to.equal(200);
      expect(res.headers["content-type"]).to.match(/^text\/html/);
      expect(res.body).to.include("<title>Swagger UI</title>");
    });
  });
});
