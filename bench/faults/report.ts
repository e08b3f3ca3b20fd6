import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ServerError, Stats } from "./client";
import type { Fault, FaultLog } from "./faults";
import type { IndexCheck, ReceiptCheck, RelayCheck, Settled, UsageCheck } from "./verify";

/**
 * The run's numbers: requests by kind and final status, retries and why, faults injected,
 * receipts paid or held, usages stored, relayed acts filed, the index compared, the time to
 * settle; the verdict with every failed check named. Printed, and written as JSON.
 */

/** A 5xx within this long after a fault is recovered still counts as the fault's. */
const FAULT_TAIL_MS = 30_000;

export interface FaultsReport {
  mode: "smoke" | "full";
  seconds: number;
  intervalSeconds: number;
  chainDownMs: number;
  startedAt: string;
  setupSeconds: number;
  shipments: number;
  requests: Stats["kinds"];
  faults: {
    byKind: Record<string, number>;
    list: Fault[];
    unexpectedExits: FaultLog["unexpectedExits"];
    supervisorErrors: string[];
  };
  replicaStarts: Record<string, { starts: number; failedStarts: number }>;
  serverErrors: {
    byCode: Record<string, number>;
    /**
     * 5xx answers no fault explains: any 500 (a chain outage is 503 CHAIN_UNAVAILABLE, never 500),
     * or a 503 outside every fault window.
     */
    unexplained: ServerError[];
  };
  /** The replicas' logged causes of 500s ("request failed", not an AppError), counted by message. */
  gatewayErrorCauses: Record<string, number>;
  settle: Settled;
  receipts: ReceiptCheck;
  usages: UsageCheck;
  relays: RelayCheck;
  index: IndexCheck;
  failures: string[];
  passed: boolean;
}

export function classifyServerErrors(
  errors: readonly ServerError[],
  faults: readonly Fault[],
): FaultsReport["serverErrors"] {
  const byCode: Record<string, number> = {};
  const unexplained: ServerError[] = [];
  const within = (e: ServerError, kinds: readonly string[]) =>
    faults.some(
      (f) => kinds.includes(f.kind) && e.at >= f.startedAt - 1_000 && e.at <= f.recoveredAt + FAULT_TAIL_MS,
    );
  for (const e of errors) {
    const code = `${e.status} ${e.error}`.trim();
    byCode[code] = (byCode[code] ?? 0) + 1;
    if (e.status === 503 && within(e, ["gateway-sigkill", "chain-restart", "chain-freeze"])) continue;
    unexplained.push(e);
  }
  return { byCode, unexplained };
}

/** "request failed" lines of the replicas' JSON logs, counted by their error's message. */
export function gatewayErrorCauses(logFiles: readonly string[]): Record<string, number> {
  const causes: Record<string, number> = {};
  for (const file of logFiles) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line.includes('"request failed"')) continue;
      try {
        const entry = JSON.parse(line) as {
          err?: { message?: string; type?: string };
          req?: { url?: string };
        };
        if (entry.err?.type === "AppError") continue; // a 503 of the catalogue, answered as such
        const message = `${entry.err?.type ?? "Error"}: ${(entry.err?.message ?? "").slice(0, 160)}`;
        causes[message] = (causes[message] ?? 0) + 1;
      } catch {
        // not a log entry
      }
    }
  }
  return causes;
}

/** The checks that failed, in words; none means the run passed. */
export function verdict(r: Omit<FaultsReport, "failures" | "passed">): string[] {
  const failures: string[] = [];
  const some = (list: readonly unknown[], what: string) => {
    if (list.length > 0) failures.push(`${list.length} ${what}: ${JSON.stringify(list.slice(0, 5))}`);
  };
  some(r.receipts.doublePaid, "shipments paid more than once");
  some(r.receipts.lost, "matched receipts neither paid nor an exception");
  some(r.receipts.paidWithoutReceipt, "shipments paid without a receipt");
  some(r.receipts.exceptionProblems, "exception problems");
  some(r.receipts.unexpectedMatch, "receipts matched otherwise than their lines call for");
  some(r.receipts.refused, "receipts not answered 2xx");
  some(r.usages.duplicated, "usages stored more than once");
  some(r.usages.lost, "usages answered 2xx but not stored");
  some(r.usages.storedUnanswered, "usages stored but not answered 2xx");
  some(r.relays.problems, "relayed acts not filed exactly once");
  some(Object.entries(r.index.differences), "indexed tables differing from a fresh index");
  some(r.serverErrors.unexplained, "5xx answers no fault explains");
  some(r.faults.unexpectedExits, "replicas that exited by themselves");
  some(r.faults.supervisorErrors, "replicas the supervisor could not restart");
  if (r.receipts.answered2xx === 0) failures.push("no receipt was answered 2xx");
  if (r.usages.answered2xx === 0) failures.push("no usage was answered 2xx");
  if (r.relays.accepted === 0) failures.push("no relayed act was accepted");
  if ((r.faults.byKind["gateway-sigkill"] ?? 0) === 0) failures.push("no replica was killed");
  const chainFaults = (r.faults.byKind["chain-restart"] ?? 0) + (r.faults.byKind["chain-freeze"] ?? 0);
  if (chainFaults === 0) failures.push("the chain was never stopped");
  return failures;
}

export function writeReport(report: FaultsReport, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
}

export function printReport(r: FaultsReport, file: string, log: (line: string) => void): void {
  log(
    `faults bench (${r.mode}): ${r.seconds} s of traffic, a fault every ${r.intervalSeconds / 2} s, ${r.shipments} shipments`,
  );
  log("requests (final status; failed attempts that were retried):");
  for (const [kind, s] of Object.entries(r.requests)) {
    log(
      `  ${kind.padEnd(14)} ${String(s.requests).padStart(5)} requests, ${s.retries} retries; final ${JSON.stringify(s.final)}; ` +
        `failed attempts ${JSON.stringify(s.failedAttempts)}`,
    );
  }
  log(
    `faults: ${JSON.stringify(r.faults.byKind)}; replicas exiting by themselves: ${r.faults.unexpectedExits.length}; ` +
      `replica starts ${JSON.stringify(r.replicaStarts)}`,
  );
  log(
    `5xx answers by code: ${JSON.stringify(r.serverErrors.byCode)}; unexplained: ${r.serverErrors.unexplained.length}`,
  );
  if (Object.keys(r.gatewayErrorCauses).length > 0)
    log(`gateway 500 causes: ${JSON.stringify(r.gatewayErrorCauses)}`);
  log(
    `settled in ${r.settle.seconds.toFixed(1)} s at block ${r.settle.head}; jobs ${JSON.stringify(r.settle.jobs)}`,
  );
  const rc = r.receipts;
  log(
    `receipts: ${rc.answered2xx} answered 2xx — ${rc.matched} matched (${rc.paidOnce} paid exactly once, ` +
      `${rc.matchedThenException} exceptions at payment), ${rc.heldAsExceptions} held as exceptions; ` +
      `double-paid ${rc.doublePaid.length}, lost ${rc.lost.length}, paid without receipt ${rc.paidWithoutReceipt.length}; ` +
      `paid ${rc.paidTotal} fen`,
  );
  log(
    `usages: ${r.usages.answered2xx} answered 2xx, ${r.usages.stored} stored; duplicated ${r.usages.duplicated.length}, ` +
      `lost ${r.usages.lost.length}, stored unanswered ${r.usages.storedUnanswered.length}`,
  );
  log(
    `relayed acts: ${r.relays.accepted} documents filed (${r.relays.filedOnce} exactly once on chain and in the index), ` +
      `${r.relays.rejected} of them rejected by the regulator, ${r.relays.refused.length} refused`,
  );
  log(
    `index: ${r.index.tables} tables, ${r.index.rows} rows at block ${r.index.head}; ` +
      `${Object.keys(r.index.differences).length} differ from a fresh index (built in ${r.index.freshIndexSeconds.toFixed(1)} s)`,
  );
  log(r.passed ? `PASSED (${file})` : `FAILED (${file}):\n  ${r.failures.join("\n  ")}`);
}
