/**
 * What a fuzz run did, for its closing summary: the operations and callers exercised, how many
 * requests were sent, and the statuses and error codes they met.
 */
export class Tally {
  readonly pairs = new Set<string>();
  readonly operations = new Set<string>();
  readonly callers = new Set<string>();
  requests = 0;
  private readonly statuses = new Map<number, number>();
  private readonly codes = new Map<string, number>();
  /** Successful (2xx) answers by operation: shows the valid requests got through somewhere. */
  private readonly successes = new Map<string, number>();
  /** Milliseconds spent per operation (requests and checks), to find the slow ones. */
  private readonly time = new Map<string, number>();
  private readonly started = Date.now();

  spent(operation: string, ms: number): void {
    this.time.set(operation, (this.time.get(operation) ?? 0) + ms);
  }

  record(operation: string, caller: string, status: number, code: string | undefined): void {
    this.pairs.add(`${operation} as ${caller}`);
    this.operations.add(operation);
    this.callers.add(caller);
    this.requests++;
    bump(this.statuses, status);
    if (code !== undefined) bump(this.codes, code);
    if (status < 300) bump(this.successes, operation);
  }

  /** Operations that never answered 2xx to any caller. */
  neverSucceeded(): string[] {
    return [...this.operations].filter((op) => !this.successes.has(op)).sort();
  }

  format(title: string): string {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const list = <K>(m: Map<K, number>) =>
      [...m.entries()]
        .sort(([, a], [, b]) => b - a)
        .map(([k, n]) => `${String(k)} ×${n}`)
        .join(", ");
    return [
      `${title}: ${this.operations.size} operations × ${this.callers.size} callers (${this.pairs.size} pairs), ` +
        `${this.requests} requests in ${seconds} s`,
      `  statuses: ${list(new Map([...this.statuses].sort(([a], [b]) => a - b)))}`,
      `  error codes: ${list(this.codes)}`,
      `  slowest: ${[...this.time.entries()]
        .sort(([, a], [, b]) => b - a)
        .slice(0, 5)
        .map(([op, ms]) => `${op} ${(ms / 1000).toFixed(1)} s`)
        .join(", ")}`,
      `  operations with a 2xx: ${this.successes.size}; never 2xx: ${this.neverSucceeded().join(", ") || "none"}`,
    ].join("\n");
  }
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
