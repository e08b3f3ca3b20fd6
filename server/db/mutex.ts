/**
 * A first-come, first-served lock for async work. PGlite is one connection: every statement
 * and every transaction must wait for the one before it to finish, or a query issued from
 * outside a transaction would run inside it.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The next caller waits for this one to settle, whether it succeeded or failed.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
