import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { anvilBinary, CHAIN_STATES_KEPT } from "../../scripts/lib/anvil";
import { writeResults } from "../lib/rounds";

/**
 * npm run bench:chain — the local chain's memory and disk as it grows: Anvil with the stack's
 * flags (`--state <file> --prune-history <keep>`), mined to each of BLOCKS blocks, stopped with
 * SIGINT (which writes the state file), started again from it, checked, and then grown by
 * keep + 8 blocks one at a time (its history of states fills up again). Memory is Anvil's own
 * (/proc/<pid>/status: VmRSS now, VmHWM its peak). Results go to bench/out/chain.json.
 *
 * Every block Anvil mines keeps a full copy of the state for the `keep` most recent blocks, and
 * that copy holds every block hash of the chain (and the system contracts' ring buffers), so
 * memory grows with keep × blocks: a 100,000-block run takes hours here (each block costs a
 * copy as large as the chain), so the bench measures smaller chains and fits a line per keep
 * (RSS = a + b × blocks), extrapolated to TARGET blocks and said to be so.
 *
 * BENCH_BLOCKS  chain lengths, comma-separated (default 9000,13000, past the system contracts'
 *               8,191-slot ring buffers; BENCH_SMOKE=1: 1000,2000)
 * BENCH_KEEP    --prune-history values, comma-separated (default 256,64,<the stack's>)
 * BENCH_CHUNK   blocks per anvil_mine call (default 1000; the whole chain in one call: 0)
 * BENCH_TX_BLOCKS, BENCH_TX_PER_BLOCK  a sample of blocks with transactions, each writing one
 *               new storage slot and one log, with the stack's keep (default 2000 × 3; 0 skips)
 */

const TARGET = 100_000;
const GOAL_BYTES = 2 * 1024 ** 3;
const PORT = Number(process.env.BENCH_CHAIN_PORT ?? 18_745);
const URL = `http://127.0.0.1:${PORT}`;
const ACCOUNTS = 20;

/** A contract that, on any call, counts, stores its caller in a new slot and logs the count. */
const LOGGER_RUNTIME = "60005460010180600055338155600052602a60206000a100";
const LOGGER_INIT = `0x6018600c60003960186000f3${LOGGER_RUNTIME}`;

interface Memory {
  rssMb: number;
  peakMb: number;
}

export interface ChainSizeRun {
  keep: number;
  blocks: number;
  txPerBlock: number;
  chunk: number;
  mineSeconds: number;
  mined: Memory;
  stateFileMb: number;
  restarted: Memory;
  regrown: Memory;
  /** The oldest block whose state still answers after the regrowth, as head − n. */
  historyDepth: number;
  checks: string[];
}

async function rpc<T = unknown>(method: string, params: unknown[] = [], timeoutMs = 3_600_000): Promise<T> {
  const res = await fetch(URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

async function batch(calls: { method: string; params: unknown[] }[]): Promise<unknown[]> {
  const res = await fetch(URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: "2.0", id, ...c }))),
  });
  const body = (await res.json()) as { id: number; result?: unknown; error?: { message: string } }[];
  return body
    .sort((a, b) => a.id - b.id)
    .map((r) => {
      if (r.error) throw new Error(r.error.message);
      return r.result;
    });
}

function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb("VmRSS") / 1024), peakMb: Math.round(kb("VmHWM") / 1024) };
}

const hex = (n: number) => `0x${n.toString(16)}`;

class Anvil {
  private constructor(
    readonly child: ChildProcess,
    readonly pid: number,
  ) {}

  static async start(stateFile: string, keep: number): Promise<Anvil> {
    const args = ["--port", String(PORT), "--accounts", String(ACCOUNTS), "--state", stateFile];
    args.push("--prune-history", String(keep));
    const child = spawn(anvilBinary(), args, { stdio: "ignore" });
    if (child.pid === undefined) throw new Error("could not start anvil");
    const anvil = new Anvil(child, child.pid);
    // Interrupted, the bench takes its Anvil along rather than leave it running.
    const interrupted = () => {
      child.kill("SIGKILL");
      process.exit(130);
    };
    process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
    child.once("exit", () => process.off("SIGINT", interrupted).off("SIGTERM", interrupted));
    const deadline = Date.now() + 600_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}`);
      try {
        await rpc("eth_chainId", [], 2_000);
        return anvil;
      } catch {
        if (Date.now() > deadline) {
          child.kill("SIGKILL");
          throw new Error("anvil did not answer within 10 minutes");
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** SIGINT: Anvil writes its state file and exits. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGINT");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 600_000);
    await exited;
    clearTimeout(timer);
  }
}

async function head(): Promise<number> {
  return Number(await rpc<string>("eth_blockNumber"));
}

async function mineEmpty(blocks: number, chunk: number): Promise<void> {
  const step = chunk > 0 ? chunk : blocks;
  for (let mined = 0; mined < blocks; mined += step) {
    await rpc("anvil_mine", [hex(Math.min(step, blocks - mined))]);
  }
}

/** Deploys the logger in block 1, then `blocks − 1` blocks of `perBlock` calls from different senders. */
async function mineWithTransactions(blocks: number, perBlock: number): Promise<string> {
  const senders = await rpc<string[]>("eth_accounts");
  const hash = await rpc<string>("eth_sendTransaction", [{ from: senders[0], data: LOGGER_INIT }]);
  let receipt: { contractAddress: string } | null = null;
  while (receipt === null) {
    receipt = await rpc<{ contractAddress: string } | null>("eth_getTransactionReceipt", [hash]);
    if (receipt === null) await new Promise((r) => setTimeout(r, 50));
  }
  await rpc("evm_setAutomine", [false]);
  const to = receipt.contractAddress;
  for (let b = 1; b < blocks; b++) {
    const calls = Array.from({ length: perBlock }, (_, i) => ({
      method: "eth_sendTransaction",
      params: [{ from: senders[1 + (i % (ACCOUNTS - 1))], to, gas: hex(100_000) }],
    }));
    await batch(calls);
    await rpc("evm_mine");
  }
  await rpc("evm_setAutomine", [true]);
  return to;
}

/** What a restarted chain must still answer: old blocks, their transactions, every log, the head. */
async function check(blocks: number, txPerBlock: number, logger: string | undefined): Promise<string[]> {
  const checks: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`after the restart: ${what}`);
    checks.push(what);
  };
  expect((await head()) === blocks, `head is block ${blocks}`);
  const old = await rpc<{ number: string; transactions: unknown[] } | null>("eth_getBlockByNumber", [
    "0x2",
    true,
  ]);
  expect(
    old !== null && old.transactions.length === txPerBlock,
    `block 2 with its ${txPerBlock} transactions`,
  );
  const filter = logger ? { address: logger } : {};
  const logs = await rpc<unknown[]>("eth_getLogs", [{ ...filter, fromBlock: "0x0", toBlock: "latest" }]);
  const expected = (blocks - 1) * txPerBlock;
  expect(logs.length === expected, `eth_getLogs over blocks 0–${blocks}: ${expected} logs`);
  const [account] = await rpc<string[]>("eth_accounts");
  await rpc("eth_getBalance", [account, "latest"]);
  checks.push("a read at the head");
  return checks;
}

/** How many blocks back from the head a state read still answers (0: the head only). */
async function historyDepth(limit: number): Promise<number> {
  const [account] = await rpc<string[]>("eth_accounts");
  const top = await head();
  let depth = 0;
  for (let n = 1; n <= Math.min(limit, top); n++) {
    try {
      await rpc("eth_getBalance", [account, hex(top - n)]);
      depth = n;
    } catch {
      break;
    }
  }
  return depth;
}

async function measure(
  keep: number,
  blocks: number,
  txPerBlock: number,
  chunk: number,
): Promise<ChainSizeRun> {
  const dir = mkdtempSync(join(tmpdir(), "chain-size-"));
  const stateFile = join(dir, "state.json");
  let anvil: Anvil | undefined;
  try {
    anvil = await Anvil.start(stateFile, keep);
    const started = performance.now();
    const logger = txPerBlock > 0 ? await mineWithTransactions(blocks, txPerBlock) : undefined;
    if (txPerBlock === 0) await mineEmpty(blocks, chunk);
    const mineSeconds = (performance.now() - started) / 1000;
    const mined = memory(anvil.pid);
    await anvil.stop();
    const stateFileMb = statSync(stateFile).size / 1024 ** 2;

    anvil = await Anvil.start(stateFile, keep);
    const restarted = memory(anvil.pid);
    const checks = await check(blocks, txPerBlock, logger);
    for (let i = 0; i < keep + 8; i++) await rpc("evm_mine");
    const regrown = memory(anvil.pid);
    const depth = await historyDepth(keep + 8);
    return {
      keep,
      blocks,
      txPerBlock,
      chunk: txPerBlock > 0 ? 1 : chunk > 0 ? chunk : blocks,
      mineSeconds: Math.round(mineSeconds),
      mined,
      stateFileMb: Math.round(stateFileMb * 10) / 10,
      restarted,
      regrown,
      historyDepth: depth,
      checks,
    };
  } finally {
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Least squares through (blocks, value), evaluated at `at`. */
function extrapolate(points: { blocks: number; value: number }[], at: number): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.blocks, 0) / n;
  const my = points.reduce((s, p) => s + p.value, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.blocks - mx) ** 2, 0);
  if (sxx === 0) return null;
  const slope = points.reduce((s, p) => s + (p.blocks - mx) * (p.value - my), 0) / sxx;
  return Math.round(my + slope * (at - mx));
}

function list(value: string | undefined, fallback: number[]): number[] {
  if (!value) return fallback;
  return value.split(",").map((v) => {
    const n = Number(v.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`not a count: ${v}`);
    return n;
  });
}

async function main(): Promise<void> {
  const smoke = process.env.BENCH_SMOKE === "1";
  // BENCH_BLOCKS=0: the sample with transactions only.
  const lengths = list(process.env.BENCH_BLOCKS, smoke ? [1_000, 2_000] : [9_000, 13_000]).filter(
    (n) => n > 0,
  );
  const keeps = list(process.env.BENCH_KEEP, [...new Set([256, 64, CHAIN_STATES_KEPT])]);
  const chunk = Number(process.env.BENCH_CHUNK ?? 1_000);
  const txBlocks = Number(process.env.BENCH_TX_BLOCKS ?? (smoke ? 200 : 2_000));
  const txPerBlock = Number(process.env.BENCH_TX_PER_BLOCK ?? 3);

  const runs: ChainSizeRun[] = [];
  const print = (r: ChainSizeRun) =>
    console.log(
      `keep ${String(r.keep).padStart(3)}  ${r.blocks.toLocaleString("en").padStart(7)} blocks` +
        ` × ${r.txPerBlock} tx  (anvil_mine of ${r.chunk.toLocaleString("en")}, ${r.mineSeconds} s):` +
        ` mined ${r.mined.rssMb} MB (peak ${r.mined.peakMb}), state file ${r.stateFileMb} MB,` +
        ` restarted ${r.restarted.rssMb} MB (peak ${r.restarted.peakMb}),` +
        ` + ${r.keep + 8} blocks ${r.regrown.rssMb} MB (peak ${r.regrown.peakMb}), history ${r.historyDepth} blocks`,
    );
  for (const keep of keeps) {
    for (const blocks of lengths) {
      const run = await measure(keep, blocks, 0, chunk);
      print(run);
      runs.push(run);
    }
  }
  if (txBlocks > 0) {
    const run = await measure(CHAIN_STATES_KEPT, txBlocks, txPerBlock, 1);
    print(run);
    runs.push(run);
  }

  const projections = keeps.map((keep) => {
    const empty = runs.filter((r) => r.keep === keep && r.txPerBlock === 0);
    const at = (pick: (r: ChainSizeRun) => number) =>
      extrapolate(
        empty.map((r) => ({ blocks: r.blocks, value: pick(r) })),
        TARGET,
      );
    const peakMb = at((r) => Math.max(r.mined.peakMb, r.regrown.peakMb));
    return {
      keep,
      blocks: TARGET,
      extrapolatedFrom: empty.map((r) => r.blocks),
      peakMb,
      stateFileMb: at((r) => r.stateFileMb),
      met: peakMb === null ? null : peakMb * 1024 ** 2 < GOAL_BYTES,
    };
  });
  for (const p of projections)
    console.log(
      `keep ${String(p.keep).padStart(3)}  ${TARGET.toLocaleString("en")} empty blocks, extrapolated:` +
        ` peak ${p.peakMb ?? "?"} MB, state file ${p.stateFileMb ?? "?"} MB` +
        (p.met === null ? "" : p.met ? " — under 2 GB" : " — over 2 GB"),
    );
  const file = writeResults("chain", { goal: "under 2 GB at 100,000 blocks", runs, projections });
  console.log(`results: ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
