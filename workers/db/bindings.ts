/**
 * The subset of DuckDB-WASM's bindings the engine uses. `AsyncDuckDB` (browser worker) and the synchronous
 * `DuckDBBindings` (Node blocking bundle, used in tests) share these signatures up to `Promise`, so one engine
 * runs on both: the tests exercise the same code the browser runs.
 */
type MaybePromise<T> = T | Promise<T>;

/** Options accepted by `insertArrowFromIPCStream`. */
export interface ArrowInsert {
  name: string;
  schema?: string;
  create?: boolean;
}

/** DuckDB-WASM bindings, sync or async. */
export interface DuckBindings {
  startPendingQuery(conn: number, text: string, allowStreamResult: boolean): MaybePromise<Uint8Array | null>;
  pollPendingQuery(conn: number): MaybePromise<Uint8Array | null>;
  cancelPendingQuery(conn: number): MaybePromise<boolean>;
  fetchQueryResults(conn: number): MaybePromise<Uint8Array | null>;
  runQuery(conn: number, text: string): MaybePromise<Uint8Array>;
  insertArrowFromIPCStream(conn: number, buffer: Uint8Array, options?: ArrowInsert): MaybePromise<unknown>;
  registerFileBuffer(name: string, buffer: Uint8Array): MaybePromise<unknown>;
  registerFileText(name: string, text: string): MaybePromise<unknown>;
  dropFile(name: string): MaybePromise<unknown>;
  copyFileToBuffer(name: string): MaybePromise<Uint8Array>;
  getVersion(): MaybePromise<string>;
}
