/**
 * Serialises work on the single DuckDB connection. DuckDB-WASM runs one pending query per connection; two
 * interleaved `startPendingQuery` calls would cancel each other. Background loads take the lock per batch, so
 * notebook queries slip in between batches instead of waiting for a whole dataset.
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once every earlier holder has finished (whether it resolved or threw). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
