import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../test/server/support/chain";
import { mochaGlobalTeardown, throwawayDatabase } from "../../test/server/helpers/postgres";
import { BenchChain } from "./chain";
import { BenchClient, Stats } from "./client";
import { FaultInjector } from "./faults";
import { poll } from "./poll";
import { Replica } from "./replica";
import { classifyServerErrors, gatewayErrorCauses, verdict, type FaultsReport } from "./report";
import { setUpLedger, type Cast } from "./setup";
import { RATES, runTraffic } from "./traffic";
import { checkIndex, checkReceipts, checkRelays, checkUsages, indexedTo, settle } from "./verify";

/**
 * One run of the faults bench: a throw-away PostgreSQL database (the tests' cluster, or
 * DATABASE_URL's server), one Anvil, the ledger set up, two gateway replicas on that database
 * with the same settler key, mixed traffic across both while faults are injected, then the
 * settle and the checks (verify.ts). Everything it started is stopped at the end, pass or fail.
 */

export interface RunOptions {
  seconds: number;
  intervalSeconds: number;
  chainDownMs: number;
  settleTimeoutMs: number;
  log: (line: string) => void;
}

function replicaEnv(
  common: Record<string, string>,
  cast: Cast,
  relayer: number | null,
  payments: boolean,
): Record<string, string> {
  return {
    ...common,
    PAYMENTS_ENABLED: String(payments),
    ...(payments ? { SETTLER_KEY: cast.settler.privateKey } : {}),
    ...(relayer === null ? {} : { RELAYER_PRIVATE_KEY: cast.relayers[relayer].privateKey }),
  };
}

export async function runFaultsBench(options: RunOptions): Promise<FaultsReport> {
  const { log } = options;
  const started = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), "sunshine-faults-"));
  const runId = randomBytes(3).toString("hex");
  const stopAll: (() => Promise<unknown>)[] = [];
  let keep = process.env.BENCH_FAULTS_KEEP === "1";
  try {
    const [main, fresh] = await Promise.all([throwawayDatabase("faults"), throwawayDatabase("faults_fresh")]);
    stopAll.push(
      () => main.drop(),
      () => fresh.drop(),
    );

    const chain = new BenchChain(await freePort(), path.join(dir, "state.json"), path.join(dir, "anvil.log"));
    await chain.start();
    stopAll.push(() => chain.close());

    const shipments = Math.ceil(options.seconds * RATES.receipts.perSecond * 1.1) + 5;
    log(`setting up the ledger with ${shipments} shipments…`);
    const deploymentFile = path.join(dir, "deployment.json");
    const {
      deployment,
      ledger,
      cast,
      shipments: pool,
      shippedBy,
    } = await setUpLedger(chain.provider, deploymentFile, shipments);

    const common: Record<string, string> = {
      HOST: "127.0.0.1",
      DATA_DIR: path.join(dir, "data"),
      RPC_URL: chain.url,
      DEPLOYMENT_FILE: deploymentFile,
      CONFIRMATIONS: "0",
      INDEXER_POLL_MS: "100",
      AUTH_SECRET: randomBytes(32).toString("hex"),
      PATIENT_REF_SALT: randomBytes(16).toString("hex"),
      CONSOLE_DIR: path.join(dir, "no-console"),
      LOG_LEVEL: "warn",
      RATE_LIMIT_PER_MINUTE: "1000000",
      RATE_LIMIT_SIGN_IN_PER_MINUTE: "1000000",
      RATE_LIMIT_RELAY_PER_MINUTE: "1000000",
      RELAY_ACCOUNT_DAILY_REQUESTS: "1000000",
      RELAY_IP_DAILY_REQUESTS: "1000000",
    };
    const replicas: Replica[] = [];
    for (const i of [0, 1]) {
      replicas.push(
        new Replica(
          `replica-${"ab"[i]}`,
          await freePort(),
          { ...replicaEnv(common, cast, i, true), DATABASE_URL: main.url },
          path.join(dir, `replica-${"ab"[i]}.log`),
        ),
      );
    }
    for (const r of replicas) {
      await r.start();
      stopAll.push(() => r.stop());
    }
    const provider = chain.provider;
    await poll(
      "the replicas to index the set-up",
      async () => ((await indexedTo(main.url)) === (await provider.getBlockNumber()) ? true : undefined),
      { timeoutMs: 120_000, everyMs: 250 },
    );
    const setupSeconds = (Date.now() - started) / 1000;
    log(`set up in ${setupSeconds.toFixed(1)} s; replicas at ${replicas.map((r) => r.url).join(", ")}`);

    const stats = new Stats();
    const endpoints = replicas.map((r) => ({ name: r.name, url: r.url }));
    const [receiver, regulator, supplier] = await Promise.all(
      [cast.receiver, cast.regulator, cast.supplier].map((w) => BenchClient.signedIn(endpoints, stats, w)),
    );
    const latest = await provider.getBlock("latest");
    const clockOffsetMs = latest!.timestamp * 1000 - Date.now();

    const injector = new FaultInjector(replicas, chain, {
      seconds: options.seconds,
      intervalSeconds: options.intervalSeconds,
      chainDownMs: options.chainDownMs,
    });
    injector.supervise();
    stopAll.push(() => injector.stopSupervising());
    log(
      `traffic for ${options.seconds} s, a replica killed and the chain stopped every ${options.intervalSeconds} s…`,
    );
    const [traffic] = await Promise.all([
      runTraffic(
        {
          clients: { receiver, regulator, supplier },
          supplier: cast.supplier,
          regulator: cast.regulator,
          ledger,
          provider,
          pool,
          clockOffsetMs,
          shippedBy,
          runId,
        },
        options.seconds,
      ),
      injector.run(),
    ]);
    log("traffic over; settling…");
    const settled = await settle(main.url, replicas, ledger, options.settleTimeoutMs);
    await injector.stopSupervising();

    const freshReplica = new Replica(
      "fresh-indexer",
      await freePort(),
      { ...replicaEnv(common, cast, null, false), DATABASE_URL: fresh.url },
      path.join(dir, "fresh.log"),
    );
    stopAll.push(() => freshReplica.stop());
    // The fresh index is built while the other checks read.
    const [index, receipts, usages, relays] = await Promise.all([
      checkIndex(main.url, freshReplica, fresh.url, settled.head, options.settleTimeoutMs),
      checkReceipts(traffic, ledger, deployment, regulator),
      checkUsages(traffic, main.url, runId),
      checkRelays(traffic, ledger, deployment, main.url),
    ]);

    const causes = gatewayErrorCauses(replicas.map((r) => r.logFile));
    const replicaStarts: FaultsReport["replicaStarts"] = {};
    for (const r of replicas) replicaStarts[r.name] = { starts: r.starts, failedStarts: r.failedStarts };
    const byKind: Record<string, number> = {};
    for (const f of injector.log.faults) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    const partial: Omit<FaultsReport, "failures" | "passed"> = {
      mode: options.seconds < 120 ? "smoke" : "full",
      seconds: options.seconds,
      intervalSeconds: options.intervalSeconds,
      chainDownMs: options.chainDownMs,
      startedAt: new Date(started).toISOString(),
      setupSeconds,
      shipments: pool.length,
      requests: stats.kinds,
      faults: {
        byKind,
        list: injector.log.faults,
        unexpectedExits: injector.log.unexpectedExits,
        supervisorErrors: injector.log.supervisorErrors,
      },
      replicaStarts,
      serverErrors: classifyServerErrors(stats.serverErrors, injector.log.faults),
      gatewayErrorCauses: causes,
      settle: settled,
      receipts,
      usages,
      relays,
      index,
    };
    const failures = verdict(partial);
    keep ||= failures.length > 0;
    return { ...partial, failures, passed: failures.length === 0 };
  } catch (error) {
    keep = true;
    throw error;
  } finally {
    for (const stop of stopAll.reverse()) await stop().catch((e: unknown) => log(`clean-up: ${String(e)}`));
    await mochaGlobalTeardown();
    if (keep) log(`logs and chain state kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
