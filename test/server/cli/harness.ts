import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers, type HDNodeWallet } from "ethers";
import type { FastifyInstance } from "fastify";
import { devWallet, startAnvil, type AnvilNode } from "../../../scripts/lib/anvil";
import {
  connectLedger,
  deployLedger,
  deploymentRecord,
  type DeploymentRecord,
  type Ledger,
} from "../../../ledger/contracts";
import { buildApp } from "../../../server/app";
import { openPglite, type Db } from "../../../server/db";
import type { ChainContext } from "../../../server/plugins/chain";
import { buildOnce, compiled } from "../helpers/build";
import { testConfig } from "../helpers/config";
import { freePort } from "../support/chain";

/**
 * The CLI as a user runs it: the compiled `main` that scripts/sunshine.js runs, called in this
 * process with the command's arguments, environment and output (its Io), against a real Anvil
 * node with the ledger deployed (dev wallet 0 the admin and pauser, 1 a regulator) and, for the
 * API commands and --relay, an in-process gateway (PGlite in memory, indexer in the background,
 * dev wallet 12 its settler, 13 its relayer). `useCliHarness` registers the mocha hooks
 * that start and stop them; the returned object is filled in by its `before`.
 */

const ROOT = path.join(__dirname, "../../..");
const BIN = path.join(ROOT, "scripts/sunshine.js");

export const DAY = 86_400;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliHarness {
  node: AnvilNode;
  ledger: Ledger;
  deployment: DeploymentRecord;
  deploymentFile: string;
  /** The folder the CLI's HOME and the test's files live in. */
  tmp: string;
  /** The gateway's URL (only with `gateway: true`). */
  gatewayUrl: string;
  /** Dev wallet `i` on the test chain. */
  w(i: number): HDNodeWallet;
  /**
   * Runs the CLI with `…args` and SUNSHINE_KEY `key` against the test chain: in this process (a
   * process of its own costs 0.4 s of CPU for its start, and the tests run some 200 commands), or
   * with `spawn` as `node scripts/sunshine.js …args`, as a shell runs it.
   */
  cli(
    args: string[],
    options?: { key?: string | null; env?: Record<string, string>; spawn?: boolean },
  ): Promise<Run>;
  as(wallet: { privateKey: string }, args: string[], env?: Record<string, string>): Promise<Run>;
  /** The stdout of a run that must have succeeded. */
  ok(run: Run): string;
  /** The parsed stdout of a successful run with --json. */
  json<T = Record<string, string>>(run: Run): T;
  /** A run that must have failed with one decoded line on stderr matching `pattern`. */
  fails(run: Run, pattern: RegExp): void;
  /** The value on the `key  value` line of a record printed as a table. */
  field(stdout: string, key: string): string;
  file(name: string, content: string): string;
  now(): Promise<number>;
  advance(seconds: number): Promise<void>;
}

export function useCliHarness(options: { gateway: boolean; name: string }): CliHarness {
  let db: Db | undefined;
  let app: FastifyInstance | undefined;
  /** The gateway's error log lines, shown when a command fails unexpectedly. */
  const gatewayLog: string[] = [];

  const h = {} as CliHarness;
  Object.assign(h, {
    w: (i: number) => devWallet(i, h.node.provider),
    async cli(
      args: string[],
      o: { key?: string | null; env?: Record<string, string>; spawn?: boolean } = {},
    ): Promise<Run> {
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env))
        if (!k.startsWith("SUNSHINE_") && k !== "DATA_DIR") env[k] = v;
      Object.assign(env, {
        HOME: h.tmp,
        SUNSHINE_RPC_URL: h.node.url,
        SUNSHINE_DEPLOYMENT: h.deploymentFile,
        ...(o.key ? { SUNSHINE_KEY: o.key } : {}),
        ...o.env,
      });
      await indexed();
      if (!o.spawn) {
        let stdout = "";
        let stderr = "";
        const { main } = require(
          compiled("scripts/cli/main.ts"),
        ) as typeof import("../../../scripts/cli/main");
        const code = await main(args, {
          stdout: { write: (text: string) => (stdout += text) },
          stderr: { write: (text: string) => (stderr += text) },
          env,
        });
        return { code, stdout, stderr };
      }
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, ...args], {
          cwd: ROOT,
          env,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.once("error", reject);
        child.once("close", (code) => resolve({ code, stdout, stderr }));
      });
    },
    as: (wallet: { privateKey: string }, args: string[], env?: Record<string, string>) =>
      h.cli(args, { key: wallet.privateKey, env }),
    ok(run: Run): string {
      expect(
        run.stderr,
        `stderr of a successful command; gateway errors: ${gatewayLog.slice(-3).join("")}`,
      ).to.equal("");
      expect(run.code, run.stderr).to.equal(0);
      return run.stdout;
    },
    json: (run: Run) => JSON.parse(h.ok(run)),
    fails(run: Run, pattern: RegExp): void {
      expect(run.code, `exit code; stdout: ${run.stdout}`).to.equal(1);
      expect(run.stderr.trimEnd()).to.match(pattern);
      expect(run.stderr.trim().split("\n"), "one line").to.have.length(1);
      expect(run.stderr).not.to.match(/\n\s+at /);
      expect(run.stderr).not.to.match(/0x[0-9a-f]{8}[0-9a-f]{64}/i); // no raw revert data
    },
    field(stdout: string, key: string): string {
      const line = stdout.split("\n").find((l) => l.startsWith(`${key} `));
      if (!line) throw new Error(`no ${key} in:\n${stdout}`);
      return line.slice(key.length).trim();
    },
    file(name: string, content: string): string {
      const p = path.join(h.tmp, name);
      writeFileSync(p, content);
      return p;
    },
    now: async () => (await h.node.provider.getBlock("latest"))!.timestamp,
    async advance(seconds: number): Promise<void> {
      await h.node.provider.send("evm_increaseTime", [seconds]);
      await h.node.provider.send("evm_mine", []);
    },
  });

  /**
   * Waits until the gateway has indexed the chain's head, so that a command reads what the acts
   * before it did: a command in-process follows the last one within milliseconds, where the
   * indexer polls every 100 ms.
   */
  async function indexed(): Promise<void> {
    const indexer = app?.indexer;
    if (!indexer) return;
    const head = await h.node.provider.getBlockNumber();
    for (let i = 0; (indexer.status().indexedTo ?? -1) < head; i++) {
      if (i > 1_000)
        throw new Error(`the gateway never indexed block ${head}: ${JSON.stringify(indexer.status())}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  before(async function () {
    this.timeout(300_000);
    await buildOnce(); // scripts/sunshine.js runs the compiled CLI
    h.tmp = mkdtempSync(path.join(os.tmpdir(), `sunshine-${options.name}-`));
    h.node = await startAnvil({ port: await freePort(), accounts: 20 });
    const deployed = await deployLedger(new ethers.NonceManager(h.w(0)), {
      regulators: [h.w(1).address],
    });
    h.ledger = deployed.ledger;
    h.deployment = await deploymentRecord("anvil", h.ledger, deployed.deploymentBlock);
    h.deploymentFile = h.file("deployment.json", JSON.stringify(h.deployment, null, 2));
    if (!options.gateway) return;

    db = await openPglite();
    const context: ChainContext = {
      provider: h.node.provider,
      deployment: h.deployment,
      chainId: h.deployment.chainId,
      ledger: connectLedger(h.deployment, h.node.provider),
      settler: h.w(12),
      relayer: h.w(13),
    };
    const config = testConfig({
      CONFIRMATIONS: "0",
      INDEXER_POLL_MS: "100",
      AUTH_SECRET: "cli-test-secret-".padEnd(40, "x"),
      PATIENT_REF_SALT: "cli-test-patient-salt".padEnd(32, "x"),
      LOG_LEVEL: "error",
    });
    const logStream = { write: (line: string) => void gatewayLog.push(line) };
    app = buildApp(config, { db, logStream, ledger: { chain: context, background: true } });
    const port = await freePort();
    await app.listen({ port, host: "127.0.0.1" });
    h.gatewayUrl = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await app?.close();
    await db?.close();
    await h.node?.stop();
    if (h.tmp) rmSync(h.tmp, { recursive: true, force: true });
  });

  return h;
}
