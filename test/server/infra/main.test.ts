import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildOnce, compiled } from "../helpers/build";
import { tempDir } from "../helpers/temp-dir";
import { startChain, type ChainStack } from "../support/chain";

/** `npm run gateway` runs the compiled entry point. */
const MAIN = compiled("server/main.ts");

/** Starts server/main.ts (compiled) with exactly `env` (plus PATH), not the test runner's environment. */
function startMain(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** The first match of `pattern` in the output, as soon as it is printed; rejects if the process exits first. */
  printed: (pattern: RegExp) => Promise<RegExpExecArray>;
} {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const watchers = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const watch of watchers) watch();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const printed = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const watch = () => {
        const match = pattern.exec(output);
        if (!match) return;
        watchers.delete(watch);
        resolve(match);
      };
      watchers.add(watch);
      watch();
      void exited.then((code) => {
        if (!watchers.delete(watch)) return;
        reject(new Error(`exited with ${code} before printing ${pattern}:\n${output}`));
      });
    });
  return { child, output: () => output, exited, printed };
}

describe("server/main.ts", function () {
  before(async function () {
    this.timeout(300_000);
    await buildOnce();
  });

  it("exits with code 1 and the configuration problems on a bad configuration", async function () {
    const main = startMain({ PORT: "eighty", PAYMENTS_ENABLED: "false" });
    expect(await main.exited).to.equal(1);
    expect(main.output()).to.match(/^invalid configuration:\n {2}PORT: must be an integer from 0 to 65535/);
  });

  describe("with a chain and a deployment", function () {
    let chain: ChainStack;
    let deploymentFile: string;

    before(async function () {
      chain = await startChain();
      deploymentFile = path.join(tempDir("main"), "deployment.json");
      writeFileSync(deploymentFile, JSON.stringify(chain.deployment));
    });

    after(async () => chain?.stop());

    it("exits with code 1 when the deployment file is missing, naming it", async function () {
      const main = startMain({
        DATA_DIR: ":memory:",
        PORT: "0",
        PAYMENTS_ENABLED: "false",
        RPC_URL: chain.node.url,
        DEPLOYMENT_FILE: path.join(path.dirname(deploymentFile), "missing.json"),
      });
      expect(await main.exited).to.equal(1);
      expect(main.output()).to.include("missing.json: file not found");
    });

    it("serves, then shuts down cleanly on SIGTERM", async function () {
      await servesThenStops({
        DATA_DIR: ":memory:",
        PORT: "0",
        PAYMENTS_ENABLED: "false",
        LOG_LEVEL: "info",
        RPC_URL: chain.node.url,
        DEPLOYMENT_FILE: deploymentFile,
        CONFIRMATIONS: "0",
      });
    });
  });
});

async function servesThenStops(env: Record<string, string>): Promise<void> {
  {
    const main = startMain(env);
    try {
      const [, url] = await main.printed(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
      const res = await fetch(`${url}/health`);
      expect(res.status).to.equal(200);
      main.child.kill("SIGTERM");
      expect(await main.exited).to.equal(0);
      expect(main.output()).to.include('"signal":"SIGTERM","msg":"shutting down"');
    } finally {
      main.child.kill("SIGKILL");
    }
  }
}
