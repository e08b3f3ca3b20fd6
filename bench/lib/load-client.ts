import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import type { LoadResult, LoadSpec } from "./load";

/**
 * The load generator's side of bench/lib/load.ts, run in its own process so the client's work
 * does not share the server's event loop. `{{n}}` in the path, headers and body becomes a number
 * unique to the request (spec.first, spec.first + 1, …): every write carries its own
 * Idempotency-Key and record number.
 */

process.once("message", (spec: LoadSpec) => {
  let next = spec.first;
  const fill = (text: string, n: number) => text.replaceAll("{{n}}", String(n));
  // autocannon's duration, and the moment it calls back, fall on its once-a-second tick: a run
  // of 3,000 requests done in 1.1 s would count as 2 s. The run ends with its last response.
  const started = performance.now();
  let lastResponse = started;
  const instance = autocannon(
    {
      url: spec.url,
      connections: spec.connections,
      amount: spec.amount,
      method: spec.method,
      requests: [
        {
          setupRequest: (request) => {
            const n = next++;
            return {
              ...request,
              path: fill(spec.path, n),
              headers: Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, fill(v, n)])),
              body: spec.body === undefined ? undefined : fill(spec.body, n),
            };
          },
        },
      ],
    },
    (error, result) => {
      if (error) {
        process.send?.({ error: error.message });
        return;
      }
      const seconds = (lastResponse - started) / 1000;
      const answer: LoadResult = {
        requests: result.requests.total,
        seconds,
        perSecond: result.requests.total / seconds,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
      };
      process.send?.(answer, () => process.exit(0));
    },
  );
  instance.on("response", () => {
    lastResponse = performance.now();
  });
  // Nothing on the console: the parent prints the figures.
  autocannon.track(instance, {
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  });
});
