/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text
 * exposition format 0.0.4. Enough for the gateway's own numbers without a dependency; no
 * histograms. Gauges may compute their value at scrape time with `collect`.
 */

type LabelValues<L extends string> = Readonly<Record<L, string>>;

export interface MetricOptions<L extends string> {
  /** `snake_case`, unit-suffixed: `indexer_lag_blocks`, `settlements_sent_total`. */
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface GaugeOptions<L extends string> extends MetricOptions<L> {
  /** Sets the gauge's current values before each scrape; values it does not set disappear. */
  collect?: (gauge: Gauge<L>) => void | Promise<void>;
}

/** What the registry needs of a metric, whatever its label names. */
interface Exposed {
  readonly name: string;
  collect?(): Promise<void>;
  render(): string;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

abstract class Metric<L extends string> {
  abstract readonly type: "counter" | "gauge";
  private readonly series = new Map<string, { labels: LabelValues<L> | undefined; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith("__"))
        throw new Error(`invalid label name ${label} on ${name}`);
    }
  }

  protected add(labels: LabelValues<L> | undefined, delta: number): void {
    const key = this.key(labels);
    const current = this.series.get(key);
    if (current) current.value += delta;
    else this.series.set(key, { labels, value: delta });
  }

  protected put(labels: LabelValues<L> | undefined, value: number): void {
    this.series.set(this.key(labels), { labels, value });
  }

  protected clear(): void {
    this.series.clear();
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.series.values()) {
      lines.push(`${this.name}${renderLabels(this.labelNames, labels)} ${renderValue(value)}`);
    }
    return lines.join("\n");
  }

  private key(labels: LabelValues<L> | undefined): string {
    // The label set must be exactly the declared one: a typo would start a new series silently.
    const given = Object.keys(labels ?? {});
    if (given.length !== this.labelNames.length || !this.labelNames.every((l) => labels?.[l] !== undefined)) {
      throw new Error(`${this.name} takes labels {${this.labelNames.join(", ")}}, got {${given.join(", ")}}`);
    }
    return JSON.stringify(this.labelNames.map((l) => labels?.[l]));
  }
}

export class Counter<L extends string = never> extends Metric<L> {
  readonly type = "counter";

  inc(by?: number): void;
  inc(labels: LabelValues<L>, by?: number): void;
  inc(labelsOrBy?: LabelValues<L> | number, by = 1): void {
    const [labels, delta] = typeof labelsOrBy === "number" ? [undefined, labelsOrBy] : [labelsOrBy, by];
    if (!(delta >= 0)) throw new Error(`counter ${this.name} can only increase (got ${delta})`);
    this.add(labels, delta);
  }
}

export class Gauge<L extends string = never> extends Metric<L> {
  readonly type = "gauge";

  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    private readonly collector: GaugeOptions<L>["collect"],
  ) {
    super(name, help, labelNames);
  }

  set(value: number): void;
  set(labels: LabelValues<L>, value: number): void;
  set(labelsOrValue: LabelValues<L> | number, value?: number): void {
    if (typeof labelsOrValue === "number") this.put(undefined, labelsOrValue);
    else this.put(labelsOrValue, value ?? 0);
  }

  inc(by?: number): void;
  inc(labels: LabelValues<L>, by?: number): void;
  inc(labelsOrBy?: LabelValues<L> | number, by = 1): void {
    if (typeof labelsOrBy === "number") this.add(undefined, labelsOrBy);
    else this.add(labelsOrBy, by);
  }

  dec(by?: number): void;
  dec(labels: LabelValues<L>, by?: number): void;
  dec(labelsOrBy?: LabelValues<L> | number, by = 1): void {
    if (typeof labelsOrBy === "number") this.add(undefined, -labelsOrBy);
    else this.add(labelsOrBy, -by);
  }

  async collect(): Promise<void> {
    if (!this.collector) return;
    this.clear();
    await this.collector(this);
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Exposed>();

  /** `onCollectError`: a gauge's collect failed; the scrape goes on without that gauge. */
  constructor(private readonly onCollectError: (metric: string, error: unknown) => void) {}

  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.register(new Counter(options.name, options.help, options.labelNames ?? []));
  }

  gauge<L extends string = never>(options: GaugeOptions<L>): Gauge<L> {
    return this.register(new Gauge(options.name, options.help, options.labelNames ?? [], options.collect));
  }

  async render(): Promise<string> {
    const blocks = await Promise.all(
      [...this.metrics.values()].map(async (metric) => {
        try {
          await metric.collect?.();
          return metric.render();
        } catch (error) {
          this.onCollectError(metric.name, error);
          return undefined;
        }
      }),
    );
    return `${blocks.filter((b) => b !== undefined).join("\n")}\n`;
  }

  private register<M extends Exposed>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

function renderLabels(
  names: readonly string[],
  labels: Readonly<Record<string, string>> | undefined,
): string {
  if (!labels || names.length === 0) return "";
  return `{${names.map((n) => `${n}="${escapeLabel(labels[n] ?? "")}"`).join(",")}}`;
}

function renderValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}
