import { expect } from "chai";
import { Wallet } from "ethers";
import type { FastifyInstance } from "fastify";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildApp } from "../../../../server/app";
import { PAGE_PREFIXES } from "../../../../server/modules/console/console.static";
import { connectLedger } from "../../../../ledger/contracts";
import { migrate } from "../../../../server/db";
import { forEachEngine } from "../../helpers/engines";
import { testConfig } from "../../helpers/config";
import { tempDir } from "../../helpers/temp-dir";
import { startChain, type ChainStack } from "../../support/chain";
import { expectError } from "../../support/api-fixtures";

/**
 * The console's side of the gateway: GET /v1/console/config (the demo accounts' development
 * keys on a local chain only, whatever the settings say elsewhere) and the built console served
 * at / — its files, its pages' addresses answered with index.html, and the API's unknown paths
 * still the catalogue's 404.
 */
const ROOT = path.resolve(__dirname, "../../../..");

forEachEngine((engine) => {
  let chain: ChainStack;
  const dir = tempDir("console");
  const consoleDir = path.join(dir, "console");
  const accountsFile = path.join(dir, "accounts.json");
  const regulatorKey = Wallet.createRandom().privateKey;
  const apps: FastifyInstance[] = [];

  before(async function () {
    this.timeout(120_000);
    chain = await startChain();
    mkdirSync(path.join(consoleDir, "assets"), { recursive: true });
    writeFileSync(path.join(consoleDir, "index.html"), "<!doctype html><title>console</title>");
    writeFileSync(path.join(consoleDir, "assets", "index-abc123.js"), "console.log('app');");
    writeFileSync(
      accountsFile,
      JSON.stringify([
        {
          role: "regulator",
          name: "Regulator",
          address: new Wallet(regulatorKey).address,
          privateKey: regulatorKey,
        },
        // Listed without a key (as on a real network): nothing to sign with, so not offered.
        { role: "supplier", name: "Acme", address: Wallet.createRandom().address },
      ]),
    );
  });

  after(async () => {
    for (const app of apps) await app.close();
    await chain?.stop();
  });

  /** A gateway on the test chain, or on the same contracts claimed to be on chain `chainId`. */
  async function gateway(chainId: number, env: Record<string, string> = {}): Promise<FastifyInstance> {
    await migrate(engine.db);
    // One database, gateways on two chains in turn: each starts as on a fresh database.
    await engine.db.exec("DELETE FROM ledger_meta");
    const deployment = { ...chain.deployment, chainId };
    const app = buildApp(
      testConfig({
        AUTH_SECRET: "console-test-secret".padEnd(40, "x"),
        CONSOLE_DIR: consoleDir,
        DEMO_ACCOUNTS_FILE: accountsFile,
        TIME_ZONE: "Asia/Shanghai",
        ...env,
      }),
      {
        db: engine.db,
        ledger: {
          chain: {
            provider: chain.provider,
            deployment,
            chainId,
            ledger: connectLedger(deployment, chain.provider),
            settler: chain.cast.settler,
            relayer: null,
          },
          background: false,
        },
      },
    );
    apps.push(app);
    await app.ready();
    return app;
  }

  describe("GET /v1/console/config", function () {
    it("on the local development chain: the contracts, the time zone and the demo accounts that have a key", async function () {
      const app = await gateway(31337);
      const res = await app.inject({ method: "GET", url: "/v1/console/config" });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.deep.equal({
        chainId: 31337,
        localChain: true,
        contracts: chain.deployment.contracts,
        timeZone: "Asia/Shanghai",
        settler: chain.cast.settler.address,
        demoAccounts: [
          {
            role: "regulator",
            name: "Regulator",
            address: new Wallet(regulatorKey).address,
            privateKey: regulatorKey,
          },
        ],
      });
    });

    it("on any other chain: no demo accounts, even with DEMO_ACCOUNTS_FILE set", async function () {
      const app = await gateway(1, { PUBLIC_ORIGINS: "https://ledger.example.org" });
      const res = await app.inject({ method: "GET", url: "/v1/console/config" });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.include({ chainId: 1, localChain: false });
      expect(res.json().demoAccounts).to.deep.equal([]);
      expect(res.body).to.not.include(regulatorKey.slice(2));
    });
  });

  describe("GET /v1/console/clock", function () {
    it("answers the ledger's time: the latest block's once the chain runs ahead of the wall clock", async function () {
      const app = await gateway(31337);
      const ahead = 40 * 24 * 3600;
      await chain.provider.send("evm_increaseTime", [ahead]);
      await chain.provider.send("evm_mine", []);
      const latest = (await chain.provider.getBlock("latest"))!.timestamp;
      const res = await app.inject({ method: "GET", url: "/v1/console/clock" });
      expect(res.statusCode, res.body).to.equal(200);
      const { ledgerTime } = res.json<{ ledgerTime: string }>();
      expect(Date.parse(ledgerTime)).to.be.at.least((latest + 1) * 1000);
      expect(Date.parse(ledgerTime) - Date.now()).to.be.greaterThan((ahead - 3600) * 1000);
    });
  });

  describe("the built console at /", function () {
    it("serves index.html at / and at a page's address, never cached, and hashed assets for a year", async function () {
      const app = await gateway(31337);
      for (const url of ["/", "/regulator/trail", "/supplier/tenders?id=3"]) {
        const res = await app.inject({ method: "GET", url });
        expect(res.statusCode, url).to.equal(200);
        expect(res.headers["content-type"], url).to.match(/^text\/html/);
        expect(res.headers["cache-control"], url).to.equal("no-cache");
        expect(res.body).to.equal("<!doctype html><title>console</title>");
      }
      const asset = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
      expect(asset.statusCode).to.equal(200);
      expect(asset.headers["cache-control"]).to.equal("public, max-age=31536000, immutable");
      expect(asset.body).to.equal("console.log('app');");
    });

    it("answers an unknown API path with the catalogue's 404, not the console", async function () {
      const app = await gateway(31337);
      for (const url of ["/v1/no-such-thing", "/v1/orders/1/nothing", "/health/x"]) {
        expectError(await app.inject({ method: "GET", url }), 404, "ROUTE_NOT_FOUND", url.split("?")[0]);
      }
    });

    it("leaves the API router's own refusals alone: a path parameter too long is still 414", async function () {
      const app = await gateway(31337);
      const res = await app.inject({ method: "GET", url: `/v1/receipts/${"R".repeat(300)}` });
      expectError(res, 414, "URI_TOO_LONG");
    });

    it("answers index.html at every page address the console has", async function () {
      const app = await gateway(31337);
      const routes = readdirSync(path.join(ROOT, "console/src/pages"), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith("routes.tsx"))
        .flatMap((f) => [
          ...readFileSync(path.join(ROOT, "console/src/pages", f), "utf8").matchAll(/path: "([^"]+)"/g),
        ])
        .map((m) => m[1]);
      expect(routes.length).to.be.greaterThan(15);
      for (const url of routes) {
        expect(
          PAGE_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`)),
          url,
        ).to.equal(true);
        const res = await app.inject({ method: "GET", url });
        expect(res.statusCode, url).to.equal(200);
        expect(res.headers["content-type"], url).to.match(/^text\/html/);
      }
    });

    it("serves the API alone when there is no build", async function () {
      const app = await gateway(31337, { CONSOLE_DIR: path.join(dir, "no-build") });
      expectError(await app.inject({ method: "GET", url: "/" }), 404, "ROUTE_NOT_FOUND");
      expect((await app.inject({ method: "GET", url: "/v1/console/config" })).statusCode).to.equal(200);
    });
  });
});
