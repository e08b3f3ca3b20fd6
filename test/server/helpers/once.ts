/**
 * A fixture step run at most once per suite, by whichever test needs it first: each test
 * awaits the steps whose state it builds on, so it passes alone (`--grep`) as well as after
 * the tests before it. The step's result (what it measured while acting) is kept for the tests
 * that check it. Define it inside the suite (per engine), so each suite acts for itself.
 */
export function once<T>(step: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= step());
}
