import path from "node:path";
import { printReport, writeReport } from "./report";
import { runFaultsBench } from "./run";

/**
 * `npm run bench:faults`: two gateway replicas on one PostgreSQL under mixed traffic while one
 * replica is SIGKILLed and the chain node stopped in turn, then the exactly-once checks
 * (bench/faults/run.ts). Exit code 1 if any check failed.
 *
 *   BENCH_FAULTS_SECONDS    traffic duration (default 600)
 *   BENCH_FAULTS_INTERVAL   seconds between two kills of a replica, and between two chain
 *                           outages (default 60; 12 under two minutes: the smoke run)
 *   BENCH_FAULTS_CHAIN_DOWN_MS  how long the chain stays stopped or frozen (default 8000; 3000 in smoke)
 *   BENCH_OUT_DIR           where faults.json goes (default bench/out)
 *   BENCH_FAULTS_KEEP=1     keep the logs and chain state (kept anyway when a check fails)
 *   DATABASE_URL            a PostgreSQL server whose user may CREATE DATABASE; by default the
 *                           tests' throw-away cluster (test/server/helpers/postgres.ts)
 */

function numberFrom(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, not ${text}`);
  return value;
}

async function main(): Promise<void> {
  const seconds = numberFrom("BENCH_FAULTS_SECONDS", 600);
  const smoke = seconds < 120;
  const file = path.resolve(process.env.BENCH_OUT_DIR || path.join(__dirname, "../out"), "faults.json");
  const report = await runFaultsBench({
    seconds,
    intervalSeconds: numberFrom("BENCH_FAULTS_INTERVAL", smoke ? 12 : 60),
    chainDownMs: numberFrom("BENCH_FAULTS_CHAIN_DOWN_MS", smoke ? 3_000 : 8_000),
    settleTimeoutMs: 300_000,
    log: (line) => console.log(line),
  });
  writeReport(report, file);
  printReport(report, file, (line) => console.log(line));
  if (!report.passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
