import { expect } from "chai";
import { MetricsRegistry } from "../../../server/plugins/metrics-registry";

describe("MetricsRegistry", function () {
  let collectErrors: string[];
  let registry: MetricsRegistry;

  beforeEach(function () {
    collectErrors = [];
    registry = new MetricsRegistry((metric, error) =>
      collectErrors.push(`${metric}: ${(error as Error).message}`),
    );
  });

  it("renders counters and gauges in the Prometheus text format", async function () {
    const sent = registry.counter({
      name: "settlements_sent_total",
      help: "Settlements sent",
      labelNames: ["result"],
    });
    sent.inc({ result: "confirmed" });
    sent.inc({ result: "confirmed" }, 2);
    sent.inc({ result: "failed" });
    const lag = registry.gauge({ name: "indexer_lag_blocks", help: "Blocks behind the head" });
    lag.set(12);
    lag.dec(2);
    lag.inc();
    expect(await registry.render()).to.equal(
      [
        "# HELP settlements_sent_total Settlements sent",
        "# TYPE settlements_sent_total counter",
        'settlements_sent_total{result="confirmed"} 3',
        'settlements_sent_total{result="failed"} 1',
        "# HELP indexer_lag_blocks Blocks behind the head",
        "# TYPE indexer_lag_blocks gauge",
        "indexer_lag_blocks 11",
        "",
      ].join("\n"),
    );
  });

  it("escapes help text and label values, and writes special values as Prometheus does", async function () {
    const gauge = registry.gauge({ name: "odd", help: 'back\\slash\nnewline "quoted"', labelNames: ["v"] });
    gauge.set({ v: 'a"b\\c\nd' }, Infinity);
    gauge.set({ v: "nan" }, NaN);
    gauge.set({ v: "neg" }, -Infinity);
    expect(await registry.render()).to.equal(
      [
        '# HELP odd back\\\\slash\\nnewline "quoted"',
        "# TYPE odd gauge",
        'odd{v="a\\"b\\\\c\\nd"} +Inf',
        // prom-client's spelling; Prometheus parses floats case-insensitively.
        'odd{v="nan"} Nan',
        'odd{v="neg"} -Inf',
        "",
      ].join("\n"),
    );
  });

  it("collects a gauge at scrape time, dropping values it no longer sets", async function () {
    let queues: Record<string, number> = { pending: 2, submitted: 1 };
    registry.gauge({
      name: "outbox_rows",
      help: "Outbox rows by state",
      labelNames: ["state"],
      collect: (gauge) => {
        for (const [state, n] of Object.entries(queues)) gauge.set({ state }, n);
      },
    });
    expect(await registry.render()).to.include(
      'outbox_rows{state="pending"} 2\noutbox_rows{state="submitted"} 1',
    );
    queues = { pending: 5 };
    const text = await registry.render();
    expect(text).to.include('outbox_rows{state="pending"} 5');
    expect(text).not.to.include("submitted");
  });

  it("leaves out a gauge whose collect fails, and reports it", async function () {
    registry.counter({ name: "kept_total", help: "Still scraped" }).inc();
    registry.gauge({
      name: "broken",
      help: "Fails",
      collect: async () => {
        throw new Error("database down");
      },
    });
    const text = await registry.render();
    expect(text).to.include("kept_total 1");
    expect(text).not.to.include("broken");
    expect(collectErrors).to.deep.equal(["broken: database down"]);
  });

  it("observes histograms into cumulative buckets with a sum and a count", async function () {
    const latency = registry.histogram({
      name: "op_duration_seconds",
      help: "Op latency",
      labelNames: ["op"],
      buckets: [0.1, 1],
    });
    latency.observe({ op: "read" }, 0.05);
    latency.observe({ op: "read" }, 0.5);
    latency.observe({ op: "read" }, 5);
    expect(await registry.render()).to.equal(
      [
        "# HELP op_duration_seconds Op latency",
        "# TYPE op_duration_seconds histogram",
        'op_duration_seconds_bucket{le="0.1",op="read"} 1',
        'op_duration_seconds_bucket{le="1",op="read"} 2',
        'op_duration_seconds_bucket{le="+Inf",op="read"} 3',
        'op_duration_seconds_sum{op="read"} 5.55',
        'op_duration_seconds_count{op="read"} 3',
        "",
      ].join("\n"),
    );
  });

  it("adds the process and runtime metrics when asked", async function () {
    const text = await new MetricsRegistry(() => undefined, { processMetrics: true }).render();
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_used_bytes",
      "nodejs_gc_duration_seconds",
    ]) {
      expect(text).to.match(new RegExp(`^# TYPE ${name} `, "m"));
    }
    expect(await registry.render()).to.equal("\n");
  });

  it("refuses a counter going down, an undeclared label, a duplicate or an invalid name", function () {
    const counter = registry.counter({ name: "c_total", help: "c", labelNames: ["a"] });
    expect(() => counter.inc({ a: "x" }, -1)).to.throw("It is not possible to decrease a counter");
    expect(() => counter.inc({ b: "x" } as unknown as { a: string })).to.throw(
      'Added label "b" is not included in initial labelset',
    );
    expect(() => registry.gauge({ name: "c_total", help: "again" })).to.throw(
      "metric c_total is already registered",
    );
    expect(() =>
      new MetricsRegistry(() => undefined, { processMetrics: true }).gauge({
        name: "process_start_time_seconds",
        help: "again",
      }),
    ).to.throw("metric process_start_time_seconds is already registered");
    expect(() => registry.counter({ name: "bad-name", help: "x" })).to.throw("Invalid metric name");
    expect(() => registry.counter({ name: "ok", help: "x", labelNames: ["bad-label"] })).to.throw(
      "Invalid label name",
    );
  });
});
