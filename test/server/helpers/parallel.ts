/**
 * Whether a mocha global fixture runs for a parallel run (`.mocharc.cjs` "parallel"): mocha
 * calls global fixtures with its runner as `this`, and only a parallel run's runner farms test
 * files out to worker processes, which inherit the main process's environment as it is when
 * they start.
 */
export function isParallelRun(fixtureThis: unknown): boolean {
  return (
    (fixtureThis as { constructor?: { name?: string } } | undefined)?.constructor?.name ===
    "ParallelBufferedRunner"
  );
}
