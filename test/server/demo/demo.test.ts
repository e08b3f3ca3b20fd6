import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../../server/app";
import { migrate, openPglite, type Db } from "../../../server/db";
import { connectLedger } from "../../../scripts/lib/ledger";
import { devWallet } from "../../../scripts/lib/anvil";
import { runDemo, type DemoSummary } from "../../../scripts/demo";
import { testConfig } from "../helpers/config";
import { startChain, type ChainStack } from "../support/chain";

/**
 * The demo scenario end to end: a running gateway (background indexer and payment worker, as
 * `npm start` runs it) on a real Anvil node, driven only through the ledger and the HTTP API.
 */
describe("demo scenario", function () {
  let chain: ChainStack;
  let db: Db;
  let app: FastifyInstance;
  let summary: DemoSummary;
  const lines: string[] = [];

  before(async function () {
    this.timeout(600_000);
    chain = await startChain();
    db = await openPglite();
    await migrate(db);
    const settler = devWallet(10, chain.provider);
    const config = testConfig({
      CONFIRMATIONS: "0",
      INDEXER_POLL_MS: "100",
      PAYMENTS_ENABLED: "true",
      SETTLER_KEY: settler.privateKey,
      AUTH_SECRET: "demo-test-secret".padEnd(40, "x"),
    });
    app = buildApp(config, {
      db,
      ledger: {
        chain: {
          provider: chain.provider,
          deployment: chain.deployment,
          chainId: chain.deployment.chainId,
          ledger: connectLedger(chain.deployment, chain.provider),
          settler,
        },
      },
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as { port: number };
    summary = await runDemo({
      gatewayUrl: `http://127.0.0.1:${port}`,
      rpcUrl: chain.node.url,
      deployment: chain.deployment,
      log: (line) => lines.push(line),
    });
  });

  after(async () => {
    await app?.close();
    await db?.close();
    await chain?.stop();
  });

  it("pays every settled delivery of City General Hospital on-chain", async function () {
    expect(summary.payments).to.equal(7);
    const paidOnChain = await chain.ledger.orderBook.queryFilter(
      chain.ledger.orderBook.filters.ShipmentSettled(),
    );
    const total = paidOnChain.reduce((sum, e) => sum + e.args.payout.paid, 0n);
    expect(summary.paid).to.equal(total.toString());
  });

  it("raises each receipt problem as an exception with its reason", function () {
    expect(summary.exceptionsByReason).to.deep.include({
      SHORT_DELIVERY: 1,
      OVER_DELIVERY: 1,
      LOT_MISMATCH: 1,
      SERIAL_NOT_IN_MANIFEST: 1,
      EXCURSION_HOLD: 1,
    });
  });

  it("shows the regulator each planted billing problem", function () {
    expect(Object.keys(summary.flags).sort(), lines.join("\n")).to.include.members([
      "PHANTOM_USE",
      "PRICE_MARKUP",
      "RESOLD",
      "SERIAL_REUSED",
      "USED_FROM_RECALLED_LOT",
    ]);
  });

  it("reports the fulfilment of every commitment", function () {
    expect(summary.fulfilment.length).to.equal(2 * 3 + 2);
    const general = summary.fulfilment.find((f) => f.agreementId === "1" && f.ordered !== "0");
    expect(general).to.include({ ordered: "150", committed: "200" });
  });

  it("says what the ledger refused, decoded", function () {
    expect(lines.join("\n"), lines.join("\n")).to.match(
      /Boreal ships after its licence lapsed: refused by the ledger with TraceSupplierNotQualified\(/,
    );
  });

  it("leaves the order book holding exactly the open orders' escrow", async function () {
    const held = await chain.ledger.token.balanceOf(await chain.ledger.orderBook.getAddress());
    expect(held).to.equal(await chain.ledger.orderBook.totalEscrow());
  });
});
