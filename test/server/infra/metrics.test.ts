import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { migrate, openPglite, type Db } from "../../../server/db";
import { parseMetrics } from "../support/api-fixtures";
import { startChain, type ChainStack } from "../support/chain";
import { buildGateway, login } from "../support/gateway";

/**
 * What the gateway measures about itself beyond the modules' gauges: request latency per route
 * pattern and JSON-RPC latency per method, from the gateway's own provider.
 */
describe("gateway latency metrics", function () {
  let chain: ChainStack;
  let db: Db;
  let app: FastifyInstance;
  let originalSend: ChainStack["provider"]["send"];

  before(async function () {
    this.timeout(180_000);
    chain = await startChain();
    db = await openPglite();
    await migrate(db);
    originalSend = chain.provider.send;
    app = await buildGateway(db, chain);
  });

  after(async () => {
    await app?.close();
    await db?.close();
    await chain?.stop();
  });

  const scrape = async () => parseMetrics((await app.inject({ method: "GET", url: "/metrics" })).body);

  it("times each response under its route pattern, never its URL", async function () {
    const token = await login(app, chain.cast.regulator);
    for (const receiptNo of ["GR-A", "GR-B"]) {
      const res = await app.inject({
        method: "GET",
        url: `/v1/receipts/${receiptNo}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).to.equal(404);
    }
    const metrics = await scrape();
    const series = 'method="GET",route="/v1/receipts/:receiptNo",status_code="404"';
    expect(metrics.get(`http_request_duration_seconds_count{${series}}`)).to.equal(2);
    expect(metrics.get(`http_request_duration_seconds_bucket{le="+Inf",${series}}`)).to.equal(2);
    expect(metrics.get(`http_request_duration_seconds_sum{${series}}`)).to.be.above(0);
    expect([...metrics.keys()].filter((k) => k.includes("GR-A"))).to.deep.equal([]);
  });

  it("times the JSON-RPC calls the gateway makes, by method and outcome", async function () {
    // Signing in reads the caller's roles from the chain: eth_call.
    await login(app, chain.cast.supplier);
    const metrics = await scrape();
    expect(metrics.get('rpc_request_duration_seconds_count{method="eth_call",outcome="ok"}')).to.be.above(0);
    expect(
      metrics.get('rpc_request_duration_seconds_bucket{le="+Inf",method="eth_call",outcome="ok"}'),
    ).to.equal(metrics.get('rpc_request_duration_seconds_count{method="eth_call",outcome="ok"}'));
  });

  it("counts a failed call as an error, meters gateways sharing a provider each, and unwraps it after the last", async function () {
    const failedBalance = 'rpc_request_duration_seconds_count{method="eth_getBalance",outcome="error"}';
    const failBalance = () =>
      chain.provider.send("eth_getBalance", ["not-an-address", "latest"]).catch(() => undefined);
    await failBalance();
    expect((await scrape()).get(failedBalance)).to.equal(1);

    const second = await buildGateway(db, chain);
    await failBalance();
    const secondScrape = async () =>
      parseMetrics((await second.inject({ method: "GET", url: "/metrics" })).body);
    expect((await scrape()).get(failedBalance)).to.equal(2);
    expect((await secondScrape()).get(failedBalance)).to.equal(1);

    await app.close();
    await failBalance();
    expect((await secondScrape()).get(failedBalance)).to.equal(2);
    await second.close();
    expect(chain.provider.send).to.equal(originalSend);
  });
});
