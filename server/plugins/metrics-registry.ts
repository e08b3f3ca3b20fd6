import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram };

/**
 * The gateway's metrics on prom-client, rendered in the Prometheus text format 0.0.4. Modules
 * add counters, gauges (which may compute their values at scrape time with `collect`) and
 * histograms; a gauge whose `collect` fails is left out of that scrape instead of failing it.
 */

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

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds in the metric's unit; prom-client's defaults (5 ms to 10 s) when absent. */
  buckets?: number[];
}

export interface RegistryOptions {
  /** Add the process and Node.js runtime metrics (CPU, memory, event-loop lag, GC, handles). */
  processMetrics?: boolean;
}

export class MetricsRegistry {
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
  private readonly registry = new Registry();
  private readonly registries: Registry[];

  /** `onCollectError`: a gauge's collect failed; the scrape goes on without that gauge. */
  constructor(
    private readonly onCollectError: (metric: string, error: unknown) => void,
    options: RegistryOptions = {},
  ) {
    this.registries = options.processMetrics ? [this.registry, processRegistry()] : [this.registry];
  }

  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return new Counter<L>({ ...this.common(options) });
  }

  gauge<L extends string = never>(options: GaugeOptions<L>): Gauge<L> {
    const collector = options.collect;
    return new Gauge<L>({
      ...this.common(options),
      ...(collector && {
        async collect(this: Gauge<L>) {
          this.reset();
          await collector(this);
        },
      }),
    });
  }

  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return new Histogram<L>({
      ...this.common(options),
      ...(options.buckets && { buckets: options.buckets }),
    });
  }

  async render(): Promise<string> {
    // One metric at a time, so a failing collect loses only its own metric.
    const metrics = this.registries.flatMap((registry) =>
      registry.getMetricsAsArray().map(({ name }) => ({ registry, name })),
    );
    const blocks = await Promise.all(
      metrics.map(async ({ registry, name }) => {
        try {
          return await registry.getSingleMetricAsString(name);
        } catch (error) {
          this.onCollectError(name, error);
          return undefined;
        }
      }),
    );
    return `${blocks.filter((b) => b !== undefined).join("\n")}\n`;
  }

  private common<L extends string>(options: MetricOptions<L>) {
    // prom-client refuses a duplicate within one registry; the process metrics live in another.
    if (this.registries.some((r) => r.getSingleMetric(options.name))) {
      throw new Error(`metric ${options.name} is already registered`);
    }
    return {
      name: options.name,
      help: options.help,
      labelNames: [...(options.labelNames ?? [])],
      registers: [this.registry],
    };
  }
}

let shared: Registry | undefined;

/**
 * The process's own metrics, in one registry per process that every app's registry renders:
 * prom-client's default collectors install event-loop and GC observers each time they are
 * started, which must not multiply with the apps a test run builds.
 */
function processRegistry(): Registry {
  if (shared) return shared;
  shared = new Registry();
  collectDefaultMetrics({ register: shared });
  // The name dashboards used before prom-client; the same figure as nodejs_heap_size_used_bytes.
  new Gauge({
    name: "nodejs_heap_used_bytes",
    help: "V8 heap in use",
    registers: [shared],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  return shared;
}
