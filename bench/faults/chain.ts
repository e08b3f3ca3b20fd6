import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { JsonRpcProvider } from "ethers";
import { anvilBinary, DEV_MNEMONIC } from "../../scripts/lib/anvil";
import { DEV_ACCOUNT_COUNT } from "../../scripts/lib/stack/accounts";
import { poll } from "./poll";

/**
 * The bench's one chain: an Anvil process on a fixed port with a state file, so it can be taken
 * away and brought back at the same address with the same chain.
 *
 * Two ways to take it away, which the fault schedule alternates:
 * - `restart`: SIGINT (Anvil writes its `--state` file only on a clean stop: a SIGKILLed Anvil
 *   would come back with whatever it last saved, i.e. a different chain), down for a while
 *   (connections refused), then a new process loading the state file on the same port. Blocks,
 *   transactions, receipts and logs come back with it (mining is stopped before the SIGINT:
 *   `stop`); the states of past blocks do not (no
 *   `--preserve-historical-states`: the file would grow by ~0.3 MB a block and every stop would
 *   write it all), and nothing here reads state at a past block.
 *   Nor does the clock: a reloaded Anvil runs at the wall-clock time, forgetting the offset
 *   `evm_increaseTime` gave it (a chain set up two days ahead would mine its next block two days
 *   before its parent). So the chain starts three days in the past (`--timestamp`): the set-up's
 *   tender moves it two days on, the set-up's end moves it to five minutes before the wall clock
 *   (setup.ts), and a restart moves it forward to the wall clock, never back and never by more
 *   than a signed relay request's lifetime.
 * - `freeze`: SIGSTOP, then SIGCONT. The port stays open but nothing answers: the gateways' RPC
 *   calls hang until their own timeouts, as with a node that is alive but stuck.
 */

export const CHAIN_ID = 31337;

export class BenchChain {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private started = false;
  readonly url: string;
  /** For the bench's own reads and acts; survives restarts (plain HTTP to the same port). */
  readonly provider: JsonRpcProvider;

  constructor(
    readonly port: number,
    readonly stateFile: string,
    private readonly logFile: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.provider = new JsonRpcProvider(this.url, CHAIN_ID, {
      cacheTimeout: -1,
      pollingInterval: 50,
      staticNetwork: true,
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts Anvil (loading the state file if it exists) and waits until it answers. */
  async start(): Promise<void> {
    const args = [
      "--host",
      "127.0.0.1",
      "--port",
      String(this.port),
      "--accounts",
      String(DEV_ACCOUNT_COUNT),
      "--chain-id",
      String(CHAIN_ID),
      "--mnemonic",
      DEV_MNEMONIC,
      "--state",
      this.stateFile,
    ];
    if (!this.started) args.push("--timestamp", String(Math.floor(Date.now() / 1000) - 3 * 86_400));
    this.started = true;
    const log = openSync(this.logFile, "a");
    try {
      this.child = spawn(anvilBinary(), args, { stdio: ["ignore", log, log] });
    } finally {
      closeSync(log);
    }
    const child = this.child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    await poll(
      "anvil to answer",
      async () => {
        if (child.exitCode !== null)
          throw new Error(`anvil exited with ${child.exitCode} (see ${this.logFile})`);
        return (await this.answers()) || undefined;
      },
      { timeoutMs: 30_000, everyMs: 100 },
    );
  }

  /** Whether the node answers a call within a second. */
  answers(): Promise<boolean> {
    return this.call("eth_blockNumber", []);
  }

  /** Whether the node answers `method` without an error within a second. */
  private async call(method: string, params: unknown[]): Promise<boolean> {
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
        signal: AbortSignal.timeout(1_000),
      });
      return res.ok && !("error" in ((await res.json()) as object));
    } catch {
      return false;
    }
  }

  /**
   * SIGINT: Anvil saves its state and exits. SIGKILL after 20 s (the state is then lost).
   *
   * Mining is turned off first. Anvil goes on answering while it writes its state on the way
   * out, so a transaction sent then could be mined and its receipt read, yet its block be missing
   * from the file: a one-block reorganisation of a chain the gateways are told is final
   * (CONFIRMATIONS=0), which no clean restart of a real node makes. It happened once (2026-12-07:
   * a payment the worker had recorded confirmed was gone after the restart). With mining off,
   * such a transaction waits unmined and is lost with the process, as a real node's pending
   * transaction can be; the payment worker finds it unknown to the node and sends it again.
   */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGCONT"); // a frozen node can neither stop mining nor save
    if (!(await this.call("evm_setAutomine", [false])))
      console.warn(
        "the chain did not turn its mining off before stopping: a block mined meanwhile may be lost",
      );
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await this.exited;
    clearTimeout(timer);
    if (child.signalCode === "SIGKILL") throw new Error("anvil did not stop on SIGINT: its state is lost");
  }

  freeze(): void {
    this.child?.kill("SIGSTOP");
  }

  thaw(): void {
    this.child?.kill("SIGCONT");
  }

  /** Stops the node for good and the bench's provider with it. */
  async close(): Promise<void> {
    await this.stop().catch(() => this.child?.kill("SIGKILL"));
    this.provider.destroy();
  }
}
