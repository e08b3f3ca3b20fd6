import type { BenchChain } from "./chain";
import { pause } from "./poll";
import type { Replica } from "./replica";

/**
 * The fault schedule: every `intervalSeconds`, a gateway replica is SIGKILLed and started again
 * (the replicas take turns), and half an interval later the chain node is taken away and brought
 * back (a clean restart from its state file and a freeze with SIGSTOP/SIGCONT take turns; see
 * chain.ts). Faults never overlap: one is recovered (the replica serves /health again, the node
 * answers again) before the next begins, and the next waits for its slot.
 *
 * A supervisor also watches the replicas: one that exits by itself (not killed here) is counted
 * and started again, as systemd or Kubernetes would.
 */

export type FaultKind = "gateway-sigkill" | "chain-restart" | "chain-freeze";

export interface Fault {
  kind: FaultKind;
  target: string;
  /** ms since the epoch */
  startedAt: number;
  recoveredAt: number;
  /** The node or replica was away (or frozen) for this long, ms. */
  downMs: number;
}

export interface FaultLog {
  faults: Fault[];
  /** Replicas that exited without being killed, with when. */
  unexpectedExits: { replica: string; at: number }[];
  /** Restarts the supervisor could not complete. */
  supervisorErrors: string[];
}

export interface FaultOptions {
  seconds: number;
  intervalSeconds: number;
  /** How long the chain stays stopped or frozen, ms. */
  chainDownMs: number;
}

export class FaultInjector {
  readonly log: FaultLog = { faults: [], unexpectedExits: [], supervisorErrors: [] };
  private readonly killing = new Set<Replica>();
  private watching = false;
  private watcher: Promise<void> = Promise.resolve();

  constructor(
    private readonly replicas: readonly Replica[],
    private readonly chain: BenchChain,
    private readonly options: FaultOptions,
  ) {}

  /** Starts the supervisor; `run()` then injects the faults until the time is up. */
  supervise(): void {
    this.watching = true;
    this.watcher = (async () => {
      while (this.watching) {
        for (const replica of this.replicas) {
          if (replica.running || this.killing.has(replica)) continue;
          this.log.unexpectedExits.push({ replica: replica.name, at: Date.now() });
          this.killing.add(replica);
          try {
            await replica.start();
          } catch (error) {
            this.log.supervisorErrors.push(`${replica.name}: ${(error as Error).message}`);
          } finally {
            this.killing.delete(replica);
          }
        }
        await pause(250);
      }
    })();
  }

  async stopSupervising(): Promise<void> {
    this.watching = false;
    await this.watcher;
  }

  async run(): Promise<void> {
    const { seconds, intervalSeconds } = this.options;
    const started = Date.now();
    const half = (intervalSeconds * 1000) / 2;
    let kills = 0;
    let outages = 0;
    for (let slot = 0; ; slot++) {
      const at = started + half / 2 + slot * half;
      if (at >= started + seconds * 1000) return;
      await pause(Math.max(0, at - Date.now()));
      if (slot % 2 === 0) {
        await this.killReplica(this.replicas[kills++ % this.replicas.length]);
      } else {
        await (outages++ % 2 === 0 ? this.restartChain() : this.freezeChain());
      }
    }
  }

  private async killReplica(replica: Replica): Promise<void> {
    this.killing.add(replica);
    try {
      const startedAt = Date.now();
      await replica.kill();
      const down = Date.now();
      await replica.start();
      this.record("gateway-sigkill", replica.name, startedAt, Date.now() - down);
    } finally {
      this.killing.delete(replica);
    }
  }

  private async restartChain(): Promise<void> {
    const startedAt = Date.now();
    await this.chain.stop();
    const down = Date.now();
    await pause(this.options.chainDownMs);
    await this.chain.start();
    this.record("chain-restart", "anvil", startedAt, Date.now() - down);
  }

  private async freezeChain(): Promise<void> {
    const startedAt = Date.now();
    this.chain.freeze();
    await pause(this.options.chainDownMs);
    this.chain.thaw();
    this.record("chain-freeze", "anvil", startedAt, Date.now() - startedAt);
  }

  private record(kind: FaultKind, target: string, startedAt: number, downMs: number): void {
    this.log.faults.push({ kind, target, startedAt, recoveredAt: Date.now(), downMs });
  }
}
