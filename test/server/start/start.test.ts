import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { Wallet } from "ethers";
import { GatewayClient } from "../../../scripts/lib/gateway-client";
import { LEDGER_CONTRACTS } from "../../../ledger/contracts";
import { freePort, freePorts } from "../support/chain";
import { buildOnce, compiled } from "../helpers/build";
import { tempDir } from "../helpers/temp-dir";

/**
 * `npm start` end to end (scripts/start.ts compiled, as a child process): cold start, accounts.json,
 * a second stack side by side, Ctrl-C, a warm restart that keeps chain and database, and the
 * refusal when the chain state no longer matches the database. Stack A loads the demo scenario
 * and its data is checked through the API before and after the restart; stack B skips it
 * (DEMO=false).
 */

const ROOT = path.resolve(__dirname, "../../..");
const START = compiled("scripts/start.ts");
const ROLES = [
  "regulator",
  "supplier",
  "hospital-admin",
  "hospital-approver",
  "hospital-receiver",
  "hospital-settler",
  "payer",
];

interface Running {
  child: ChildProcess;
  output(): string;
  /** Exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  done(): boolean;
}

const started: Running[] = [];

function startStack(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [START], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DEMO: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let finished = false;
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      finished = true;
      resolve(code);
    }),
  );
  const running = { child, output: () => output, exited, done: () => finished };
  started.push(running);
  return running;
}

async function waitReady(stack: Running, url: string, timeoutMs = 120_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (stack.done()) throw new Error(`npm start exited before it was ready:\n${stack.output()}`);
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return Date.now() - t0;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`not ready within ${timeoutMs} ms:\n${stack.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function exitWithin(stack: Running, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not exit within ${ms} ms:\n${stack.output()}`)), ms);
  });
  try {
    return await Promise.race([stack.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

/** Two free consecutive ports, for a stack that takes the default CHAIN_PORT = PORT + 1. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (port >= 65535) continue;
    try {
      await new Promise<void>((resolve, reject) => {
        const srv = createServer();
        srv.once("error", reject);
        srv.listen(port + 1, "127.0.0.1", () => srv.close(() => resolve()));
      });
      return port;
    } catch {
      // port + 1 taken: try another
    }
  }
  throw new Error("no two consecutive free ports");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What the demo left behind, read through the API as the regulator. */
async function demoFacts(
  url: string,
  dataDir: string,
): Promise<{ payments: number; paid: bigint; orders: number; flags: number }> {
  const accounts = JSON.parse(readFileSync(path.join(dataDir, "accounts.json"), "utf8")) as {
    role: string;
    privateKey: string;
  }[];
  const client = new GatewayClient(url);
  await client.login(new Wallet(accounts.find((a) => a.role === "regulator")!.privateKey));
  const payments = await client.get<{ items: { status: string; paid: string | null }[] }>(
    "/v1/payments?limit=500",
  );
  const orders = await client.get<{ items: unknown[] }>("/v1/orders?limit=500");
  const report = await client.get<{ rows: { flags: unknown[] }[] }>("/v1/reconciliation");
  return {
    payments: payments.items.filter((p) => p.status === "confirmed").length,
    paid: payments.items.reduce((sum, p) => sum + BigInt(p.paid ?? 0), 0n),
    orders: orders.items.length,
    flags: report.rows.reduce((n, r) => n + r.flags.length, 0),
  };
}

describe("npm start (scripts/start.ts)", function () {
  this.timeout(300_000);

  const dirA = tempDir("stack-a");
  const dirB = tempDir("stack-b");
  let portA: number;
  let chainPortA: number;
  let urlA: string;
  let chainUrlA: string;
  let stackA: Running;
  let chainPidA: number;
  let deploymentA: string;
  let migrationsLogged: number;
  let demoA: Awaited<ReturnType<typeof demoFacts>>;

  before(async function () {
    await buildOnce();
    [portA, chainPortA] = await freePorts(2);
    urlA = `http://127.0.0.1:${portA}`;
    chainUrlA = `http://127.0.0.1:${chainPortA}`;
  });

  after(async function () {
    // Whatever a failed test left running: SIGINT first (the chain saves and stops with it).
    for (const s of started) if (!s.done()) s.child.kill("SIGINT");
    await Promise.race([
      Promise.all(started.map((s) => s.exited)),
      new Promise((r) => setTimeout(r, 15_000)),
    ]);
    for (const s of started) if (!s.done()) s.child.kill("SIGKILL");
  });

  it("cold start: chain, deployment and gateway; accounts.json with every signing-in role and their dev keys", async function () {
    const t0 = Date.now();
    stackA = startStack({
      DATA_DIR: dirA,
      PORT: String(portA),
      CHAIN_PORT: String(chainPortA),
      DEMO: "true",
    });
    await waitReady(stackA, urlA);
    // The page comes after the demo, which runs once the gateway is ready: on a busy machine
    // that takes as long as starting did.
    await waitFor(() => /is running/.test(stackA.output()), "the page", 120_000, stackA.output);
    expect(stackA.output()).to.match(/✓ loading demo scenario/);
    demoA = await demoFacts(urlA, dirA);
    // With the MA-coded and the short-dated stents' deliveries, and Cardia's two claims at
    // Children's (the gateway keeps every hospital's back office).
    expect(demoA.payments).to.equal(11);
    expect(stackA.output()).to.match(
      /near-expiry move: +5 of 10 × DES2611N \(expires \d{4}-\d\d-\d\d\) 6901234000115 → 6901234000108/,
    );
    expect(demoA.orders).to.equal(8); // five, City General's consigned and MA-coded stents, and replenishment's order
    expect(stackA.output()).to.include(
      "consignment (City General):  10 stents received, 4 used and paid ¥3,000.00 in 1 batch(es), 2 returned and confirmed by the supplier (¥1,500.00 back), 4 on hand unpaid",
    );
    expect(stackA.output()).to.match(
      /MA \(IDcode\) stents: {10}MA\.156\.M0\.100761\.21234561 = product key \d{15,20}: 4 scanned in, 4 accepted, 1 used/,
    );
    expect(demoA.flags).to.be.greaterThan(0);
    console.log(
      `      demo: ${demoA.orders} orders, ${demoA.payments} payments (${demoA.paid} fen), ${demoA.flags} flags`,
    );
    const out = stackA.output();
    console.log(`      cold start: ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    console.log(
      out
        .split("\n")
        .filter((l) => /^[✓✗!]/.test(l))
        .map((l) => `        ${l}`)
        .join("\n"),
    );
    expect(out).to.include(`Gateway     ${urlA}`);
    expect(out).to.include(`${urlA}/docs`);
    expect(out).to.include(`${urlA}/openapi.json`);
    expect(out).to.match(/Three things to try:\n {2}1\. .+\n {2}2\. .+\n {2}3\. .+/);
    expect(out).to.include(
      `export SUNSHINE_RPC_URL=${chainUrlA} SUNSHINE_GATEWAY=${urlA} SUNSHINE_DEPLOYMENT=${path.join(dirA, "deployment.json")}`,
    );
    expect(out).to.include("deploying contracts");

    const accounts = JSON.parse(readFileSync(path.join(dirA, "accounts.json"), "utf8")) as {
      role: string;
      name: string;
      address: string;
      privateKey: string | null;
    }[];
    expect([...new Set(accounts.map((a) => a.role))].sort()).to.deep.equal([...ROLES].sort());
    for (const a of accounts) {
      expect(Object.keys(a).sort()).to.deep.equal(["address", "name", "privateKey", "role"]);
      expect(a.privateKey, a.name).to.match(/^0x[0-9a-f]{64}$/);
      expect(new Wallet(a.privateKey!).address, a.name).to.equal(a.address);
      expect(out, "the page lists every account").to.include(a.address);
    }
    expect(accounts.filter((a) => a.role === "hospital-settler")).to.have.length(1);
    console.log(
      `      accounts.json: ${accounts.length} accounts — ` +
        ROLES.map((r) => `${r} ×${accounts.filter((a) => a.role === r).length}`).join(", "),
    );

    const health = await fetch(`${urlA}/health`);
    expect(health.status).to.equal(200);
    const ready = await fetch(`${urlA}/ready`);
    const readyBody = (await ready.json()) as { status: string; checks: Record<string, unknown> };
    expect(ready.status).to.equal(200);
    const openapi = await fetch(`${urlA}/openapi.json`);
    expect(openapi.status).to.equal(200);
    const doc = (await openapi.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).to.match(/^3\./);
    console.log(`      /health 200, /ready 200 ${JSON.stringify(readyBody.checks)}`);
    console.log(`      /openapi.json 200: ${Object.keys(doc.paths).length} paths`);

    deploymentA = readFileSync(path.join(dirA, "deployment.json"), "utf8");
    const deployment = JSON.parse(deploymentA) as { chainId: number; contracts: Record<string, string> };
    expect(deployment.chainId).to.equal(31337);
    expect(Object.keys(deployment.contracts).sort()).to.deep.equal([...LEDGER_CONTRACTS].sort());
    for (const name of ["agreements", "orderBook"])
      expect(await rpc(chainUrlA, "eth_getCode", [deployment.contracts[name], "latest"]), name).to.not.equal(
        "0x",
      );
    expect(existsSync(path.join(dirA, "deployments"))).to.equal(false);
    const lock = JSON.parse(readFileSync(path.join(dirA, "stack.lock"), "utf8")) as { chainPid: number };
    chainPidA = lock.chainPid;
    expect(isAlive(chainPidA)).to.equal(true);
  });

  it("runs a second stack with another DATA_DIR and PORT side by side (chain on PORT+1)", async function () {
    const portB = await freePortPair();
    const urlB = `http://127.0.0.1:${portB}`;
    const t0 = Date.now();
    const stackB = startStack({ DATA_DIR: dirB, PORT: String(portB) });
    try {
      await waitReady(stackB, urlB);
      console.log(`      stack B ready after ${((Date.now() - t0) / 1000).toFixed(1)} s on ${urlB}`);
      expect(stackB.output()).to.include(`starting local chain on http://127.0.0.1:${portB + 1}`);
      expect((await fetch(`${urlB}/health`)).status).to.equal(200);
      expect((await fetch(`${urlA}/health`)).status, "stack A still serving").to.equal(200);
      for (const file of ["accounts.json", "deployment.json", "pglite", "auth-secret"])
        expect(existsSync(path.join(dirB, file)), file).to.equal(true);
      expect(Number(await rpc(`http://127.0.0.1:${portB + 1}`, "eth_chainId"))).to.equal(31337);
    } finally {
      stackB.child.kill("SIGTERM");
    }
    expect(await exitWithin(stackB, 15_000)).to.equal(0);
    expect(existsSync(path.join(dirB, "chain/state.json"))).to.equal(true);
    expect((await fetch(`${urlA}/health`)).status, "stack A unaffected by B stopping").to.equal(200);
  });

  it("stops on Ctrl-C (SIGINT) with exit code 0 and saves the chain state", async function () {
    migrationsLogged = (
      readFileSync(path.join(dirA, "gateway.log"), "utf8").match(/migration applied/g) ?? []
    ).length;
    const t0 = Date.now();
    stackA.child.kill("SIGINT");
    expect(await exitWithin(stackA, 15_000)).to.equal(0);
    console.log(`      stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(stackA.output()).to.match(/✓ stopped/);
    expect(existsSync(path.join(dirA, "chain/state.json"))).to.equal(true);
    expect(existsSync(path.join(dirA, "stack.lock")), "lock released").to.equal(false);
    expect(isAlive(chainPidA), "the chain stopped too").to.equal(false);
  });

  it("starts again on the same chain and database: no redeploy, no second demo, the demo data still there", async function () {
    const t0 = Date.now();
    stackA = startStack({
      DATA_DIR: dirA,
      PORT: String(portA),
      CHAIN_PORT: String(chainPortA),
      DEMO: "true",
    });
    await waitReady(stackA, urlA);
    expect(stackA.output()).to.not.match(/loading demo scenario/);
    expect(await demoFacts(urlA, dirA)).to.deep.equal(demoA);
    console.log(`      warm restart: ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const out = stackA.output();
    expect(out).to.include("deployment found");
    expect(out).to.not.include("deploying contracts");
    expect(readFileSync(path.join(dirA, "deployment.json"), "utf8"), "deployment.json unchanged").to.equal(
      deploymentA,
    );
    const deployment = JSON.parse(deploymentA) as {
      deploymentId: string;
      deploymentBlock: number;
      contracts: Record<string, string>;
    };
    const logs = (await rpc(chainUrlA, "eth_getLogs", [
      { fromBlock: `0x${deployment.deploymentBlock.toString(16)}`, address: deployment.contracts.roles },
    ])) as unknown[];
    expect(logs.length, "the chain kept its event logs").to.be.greaterThan(0);
    // The demo moved the chain's time months ahead of the wall clock: a block mined now carries
    // on from the saved head's time, not from the wall clock's.
    const timestamp = async (tag: string) =>
      Number(
        ((await rpc(chainUrlA, "eth_getBlockByNumber", [tag, false])) as { timestamp: string }).timestamp,
      );
    const headTime = await timestamp("latest");
    expect(headTime, "the demo moved the chain's time on").to.be.greaterThan(Date.now() / 1000 + 86_400);
    await rpc(chainUrlA, "evm_mine");
    expect(await timestamp("latest"), "the chain's time runs on from its head").to.be.within(
      headTime,
      headTime + 300,
    );
    const log = readFileSync(path.join(dirA, "gateway.log"), "utf8");
    expect((log.match(/migration applied/g) ?? []).length, "no migration ran again: same database").to.equal(
      migrationsLogged,
    );
    expect((await fetch(`${urlA}/health`)).status).to.equal(200);
    console.log(
      `      same deploymentId ${deployment.deploymentId.slice(0, 18)}…, ${logs.length} role events kept`,
    );

    stackA.child.kill("SIGINT");
    expect(await exitWithin(stackA, 15_000)).to.equal(0);
  });

  it("refuses to start when the chain state no longer matches the database, and deletes nothing", async function () {
    rmSync(path.join(dirA, "chain/state.json"));
    stackA = startStack({ DATA_DIR: dirA, PORT: String(portA), CHAIN_PORT: String(chainPortA) });
    const code = await exitWithin(stackA, 120_000);
    const out = stackA.output();
    expect(code, out).to.not.equal(0);
    expect(out).to.match(/no longer belong together/);
    expect(out).to.include(`DATA_DIR=${dirA} npm run reset`);
    expect(existsSync(path.join(dirA, "pglite")), "database kept").to.equal(true);
    expect(readFileSync(path.join(dirA, "deployment.json"), "utf8")).to.equal(deploymentA);
    console.log(
      `      exit ${code}: ${out
        .split("\n")
        .filter((l) => /belong together|does not match the chain|npm run reset/.test(l))
        .slice(0, 3)
        .join(" / ")}`,
    );
  });
});

async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 30_000,
  output: () => string = () => "",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
